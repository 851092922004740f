"""Findings: what the analyses report, in the shape of the output contract.

>>> f = Finding(id="exposure:eurodac:europol", rule="exposure", kind="exposure",
...             severity=Severity.high, title="t", message="m")
>>> f.to_dict()["severity"], f.status
('high', 'open')
>>> sorted([Severity.low, Severity.critical])[-1].name
'critical'
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any


__all__ = ["Severity", "Confidence", "Kind", "Finding", "sort_findings"]


class Severity(enum.IntEnum):
    """Ordered severities; ``critical`` is the worst."""

    info = 0
    low = 1
    medium = 2
    high = 3
    critical = 4

    @classmethod
    def parse(cls, text: str) -> "Severity":
        """Severity from its name, with a message listing the choices.

        >>> Severity.parse("High")
        <Severity.high: 3>
        """
        try:
            return cls[text.strip().lower()]
        except KeyError:
            from flowmap.errors import UsageError

            raise UsageError(f"unknown severity '{text}': use one of {', '.join(s.name for s in cls)}") from None


class Confidence(str, enum.Enum):
    high = "high"
    low = "low"  # the finding rests on unknown (omitted) fields


class Kind(str, enum.Enum):
    exposure = "exposure"
    function_creep = "function_creep"
    insecure_link = "insecure_link"
    accountability_gap = "accountability_gap"
    high_risk_technology = "high_risk_technology"
    retention_extension = "retention_extension"
    automated_decision = "automated_decision"
    structural = "structural"
    model_quality = "model_quality"


@dataclass(slots=True, kw_only=True)
class Finding:
    """One finding, with its evidence. Ids are built from the rule and the elements it names.

    A slotted dataclass rather than a pydantic model: a large model yields six-figure numbers
    of findings, and building and serialising them must cost microseconds, not tens of them.
    Treat it as immutable: :meth:`replace` gives a changed copy.
    """

    id: str  # stable id: rule and the elements it names
    rule: str  # rule id from `flowmap rules`
    kind: Kind
    severity: Severity
    title: str  # one line
    message: str  # why, in words a DPO can paste into a DPIA
    confidence: Confidence = Confidence.high
    systems: list[str] = field(default_factory=list)
    flows: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    path: list[str] = field(default_factory=list)  # witness path, where the rule has one
    principles: list[str] = field(default_factory=list)
    mitigation: str = ""
    status: str = "open"  # open | accepted | mitigated | false_positive | in_progress
    acceptance: dict[str, Any] | None = None  # the acceptance that gave the status, when there is one

    def __post_init__(self) -> None:
        if not isinstance(self.kind, Kind):
            self.kind = Kind(self.kind)
        if not isinstance(self.severity, Severity):
            value = self.severity
            self.severity = Severity[value] if isinstance(value, str) else Severity(value)
        if not isinstance(self.confidence, Confidence):
            self.confidence = Confidence(self.confidence)

    def replace(self, **changes: Any) -> "Finding":
        """A copy with some fields changed."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON shape (``acceptance`` only when one applies)."""
        data = {
            "id": self.id,
            "rule": self.rule,
            "kind": _KIND_TEXT[self.kind],
            "severity": _SEVERITY_NAMES[self.severity],
            "confidence": _CONFIDENCE_TEXT[self.confidence],
            "title": self.title,
            "message": self.message,
            "systems": list(self.systems),
            "flows": list(self.flows),
            "categories": list(self.categories),
            "path": list(self.path),
            "principles": list(self.principles),
            "mitigation": self.mitigation,
            "status": self.status,
        }
        if self.acceptance is not None:
            data["acceptance"] = dict(self.acceptance)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Finding":
        """The inverse of :meth:`to_dict` (for reading a saved report back)."""
        return cls(**data)


_SEVERITY_NAMES = [s.name for s in Severity]  # indexed by the IntEnum value: no enum lookups in hot loops
_KIND_TEXT = {k: k.value for k in Kind}
_CONFIDENCE_TEXT = {c: c.value for c in Confidence}


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first, then by id: the contract's order."""
    return sorted(findings, key=lambda f: (-int(f.severity), f.id))
