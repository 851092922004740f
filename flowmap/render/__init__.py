"""Renderers: a :class:`~flowmap.analysis.Report` as text in one output format.

One module per format, imported only when that format is asked for (the CSV
renderer needs pandas, which ``flowmap --help`` must not pay for). JSON is the
output contract itself, :meth:`Report.to_json`.

>>> from flowmap.analysis import analyze
>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [{"id": "a", "sector": "health"}]})
>>> render(analyze(m), "json").startswith('{\\n  "flowmap"')
True
>>> sorted(FORMATS)
['csv', 'json', 'markdown', 'sarif', 'table']
"""

from __future__ import annotations

import inspect
from importlib import import_module
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from flowmap.analysis import Report
    from flowmap.findings import Finding
    from flowmap.model import Acceptance

__all__ = ["FORMATS", "TOP", "QuestionGroup", "asked_text", "questions_by_system", "render", "status_text", "origins_text",
           "unmatched_text"]

TOP = 20
"""Established findings (and systems with questions) shown by the outputs for people unless
``--all`` is given; the rest are counted."""

# format -> (module, function); each function takes the report and keyword options it knows
FORMATS: dict[str, tuple[str, str]] = {
    "table": ("flowmap.render.table", "render_table"),
    "json": ("", ""),
    "csv": ("flowmap.render.csv_out", "render_csv"),
    "markdown": ("flowmap.render.markdown", "render_markdown"),
    "sarif": ("flowmap.render.sarif", "render_sarif"),
}


def render(report: "Report", fmt: str, **options: Any) -> str:
    """``report`` as text in format ``fmt`` (a key of :data:`FORMATS`).

    Options a format does not use are ignored: ``color`` (table), ``uri`` and
    ``text`` (sarif: the model file's address and content), ``rules`` (sarif).
    """
    if fmt == "json":
        return report.to_json()
    module_name, function_name = FORMATS[fmt]
    function = getattr(import_module(module_name), function_name)
    known = inspect.signature(function).parameters
    return function(report, **{k: v for k, v in options.items() if k in known})


def status_text(acceptance: dict | None, status: str) -> str:
    """A finding's status with the acceptance behind it, in words.

    >>> status_text({"reason": "court order", "by": "DPO", "until": "2027-01-01"}, "accepted")
    'accepted by DPO until 2027-01-01: court order'
    >>> status_text(None, "open")
    'open'
    """
    if not acceptance:
        return status
    text = status
    if acceptance.get("by"):
        text += f" by {acceptance['by']}"
    if acceptance.get("until"):
        text += f" until {acceptance['until']}"
    return f"{text}: {acceptance['reason']}"


@dataclass
class QuestionGroup:
    """The questions one system can answer: the findings that rest on unknowns it holds."""

    system: str  # the system that can answer (``Finding.asks``)
    findings: list["Finding"] = field(default_factory=list)  # in rank order

    @property
    def best_rank(self) -> int:
        return self.findings[0].rank

    @property
    def questions(self) -> list[str]:
        """The distinct questions, in rank order (a system's gathered finding gives each of its
        questions; a finding without one gives its title)."""
        return list(dict.fromkeys(
            text.strip() for f in self.findings for text in ([q.question for q in f.questions] or [f.question or f.title])
        ))

    def text(self) -> str:
        """The questions as one line: ``Is there independent oversight of VIS? Is there ...?``."""
        return " ".join(q if "?" in q else q + "?" for q in self.questions)


def asked_text(questions: "list[Finding]") -> str:
    """How many questions the systems' gathered findings ask, and of how many systems.

    >>> asked_text([])
    'no questions'
    """
    count = len(questions)
    if not count:
        return "no questions"
    asked = sum(len(f.questions) or 1 for f in questions)
    return f"{asked} question{'s' if asked != 1 else ''} for {count} system{'s' if count != 1 else ''}"


def questions_by_system(findings: "list[Finding]") -> list[QuestionGroup]:
    """Findings that rest on unknowns, grouped by the system that can answer them, the groups
    ordered by the rank of their best question (then by system id).

    >>> from flowmap.findings import Anchor, Confidence, Finding, Kind, Severity
    >>> def q(rank, asks, question):
    ...     return Finding(id=f"r:{rank}", rule="r", kind=Kind.accountability_gap, severity=Severity.medium,
    ...                    confidence=Confidence.low, title="t", message="m", anchor=Anchor("system", asks),
    ...                    question=question, asks=asks, rank=rank)
    >>> groups = questions_by_system([q(1, "vis", "Is there oversight of VIS?"), q(2, "cir", "Is CIR encrypted?"),
    ...                               q(3, "vis", "Is there redress at VIS?")])
    >>> [(g.system, g.text()) for g in groups]
    [('vis', 'Is there oversight of VIS? Is there redress at VIS?'), ('cir', 'Is CIR encrypted?')]
    """
    groups: dict[str, QuestionGroup] = {}
    for finding in sorted(findings, key=lambda f: f.rank):
        if finding.established:
            continue
        asks = finding.asks or (finding.systems[0] if finding.systems else finding.anchor.id)
        groups.setdefault(asks, QuestionGroup(asks)).findings.append(finding)
    return sorted(groups.values(), key=lambda g: (g.best_rank, g.system))


def origins_text(finding: "Finding", limit: int = 3) -> str:
    """The origins of a finding: how many, and the first few.

    >>> from flowmap.findings import Anchor, Confidence, Finding, Kind, Severity
    >>> f = Finding(id="x:a", rule="x", kind=Kind.exposure, severity=Severity.high, confidence=Confidence.high,
    ...             title="", message="", anchor=Anchor("flow", "a"), origins=["p", "q", "r", "s"], origins_total=12)
    >>> origins_text(f)
    '12 origins: p, q, r and 9 more'
    >>> origins_text(f.replace(origins=["p"], origins_total=1))
    '1 origin: p'
    """
    total = finding.origins_total
    if not total:
        return ""
    named = finding.origins[:limit]
    rest = total - len(named)
    names = ", ".join(named[:-1]) + f" and {named[-1]}" if len(named) > 1 and not rest else ", ".join(named)
    if rest > 0:
        names += f" and {rest} more"
    return f"{total} origin{'s' if total != 1 else ''}: {names}"


def unmatched_text(report: "Report", acceptance: "Acceptance") -> str:
    """What to say about an acceptance that matches no finding, naming the finding that now
    covers its pattern where there is one."""
    now = report.replacements.get(acceptance.finding)
    return f"matches no finding (now: {now})" if now else "matches no finding"
