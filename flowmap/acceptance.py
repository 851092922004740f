"""Acceptances: recorded decisions about findings, matched by id or glob.

An acceptance never hides a finding: it gives it a status (accepted,
mitigated, false_positive, in_progress). An expired one (``until`` in the
past) no longer counts; one that matches no finding is reported.

>>> import datetime as dt
>>> from flowmap.findings import Anchor, Confidence, Finding, Kind, Severity
>>> from flowmap.model import Acceptance
>>> f = Finding(id="exposure:a:b", rule="exposure", kind=Kind.exposure, severity=Severity.high,
...             confidence=Confidence.high, title="t", message="m", anchor=Anchor("flow", "a:b"))
>>> a = Acceptance(finding="exposure:a:*", reason="necessary", by="DPO")
>>> result = apply_acceptances([f], [a], today=dt.date(2026, 1, 1))
>>> result.findings[0].status, result.unmatched
('accepted', [])
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from dataclasses import dataclass, field
from typing import Callable

from flowmap.findings import Finding
from flowmap.model import Acceptance

__all__ = ["AcceptanceResult", "apply_acceptances", "is_expired"]


@dataclass
class AcceptanceResult:
    findings: list[Finding]
    unmatched: list[Acceptance] = field(default_factory=list)
    expired: list[Acceptance] = field(default_factory=list)


def is_expired(acceptance: Acceptance, today: dt.date) -> bool:
    return acceptance.until is not None and acceptance.until < today


def _matcher(pattern: str) -> Callable[[str], bool]:
    """A test of finding ids against one id or glob, compiled once.

    >>> bool(_matcher("exposure:a:*")("exposure:a:b")), _matcher("exposure:a")("exposure:a:b")
    (True, False)
    """
    if any(ch in pattern for ch in "*?["):
        return re.compile(fnmatch.translate(pattern)).match  # type: ignore[return-value]
    return pattern.__eq__


def apply_acceptances(
    findings: list[Finding], acceptances: list[Acceptance], *, today: dt.date | None = None
) -> AcceptanceResult:
    """Give each finding the status of the first live acceptance matching it (in file order).

    Notes
    -----
    O(findings x acceptances) glob matches; acceptances are few.
    """
    today = today or dt.date.today()
    live = [a for a in acceptances if not is_expired(a, today)]
    expired = [a for a in acceptances if is_expired(a, today)]
    if not live:
        return AcceptanceResult(list(findings), [], expired)
    tests = [(number, acceptance, _matcher(acceptance.finding)) for number, acceptance in enumerate(live)]
    used: set[int] = set()
    out = []
    for finding in findings:
        for number, acceptance, matches in tests:
            if matches(finding.id):
                used.add(number)
                details = {"finding": acceptance.finding, "reason": acceptance.reason}
                if acceptance.by:
                    details["by"] = acceptance.by
                if acceptance.until:
                    details["until"] = acceptance.until.isoformat()
                finding = finding.replace(status=acceptance.status.value, acceptance=details)
                break
        out.append(finding)
    unmatched = [a for number, a in enumerate(live) if number not in used]
    return AcceptanceResult(out, unmatched, expired)
