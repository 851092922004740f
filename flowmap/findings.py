"""Findings: what the analyses report, in the shape of the output contract.

>>> f = Finding(id="exposure:eurodac:europol", rule="exposure", kind="exposure",
...             severity=Severity.high, title="t", message="m")
>>> f.to_dict()["severity"], f.status
('high', 'open')
>>> sorted([Severity.low, Severity.critical])[-1].name
'critical'
"""

from __future__ import annotations

import enum
import operator
from typing import Any, Callable


__all__ = ["Severity", "Confidence", "Kind", "Finding", "TEXT_FIELDS", "sort_findings"]


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


TEXT_FIELDS = ("title", "message", "systems", "flows", "categories", "path", "mitigation")
"""The fields a rule may leave to be written when first read, in the order its renderer returns them."""


class Finding:
    """One finding, with its evidence. Ids are built from the rule and the elements it names.

    A plain slotted class rather than a pydantic model or a dataclass: a large model yields
    six-figure numbers of findings, and building them must cost a microsecond, not tens.
    What decides a finding (id, rule, kind, severity, confidence, status) is set when it is
    made; its words and evidence (:data:`TEXT_FIELDS`) may be left to a renderer that writes
    them the first time one of them is read (:meth:`deferred`), so an analysis that only
    gates, counts or diffs findings never formats text it does not show.
    Treat it as immutable: :meth:`replace` gives a changed copy.

    >>> f = Finding.deferred("exposure:a:b", "exposure", Kind.exposure, Severity.high, Confidence.high,
    ...                      ["security"], lambda a, b: (f"{a} reaches {b}", "m", [a, b], [], [], [a, b], ""), ("a", "b"))
    >>> f.title, f.path
    ('a reaches b', ['a', 'b'])
    """

    __slots__ = (
        "id", "rule", "kind", "severity", "confidence", "principles", "status", "acceptance", "_render",
        *TEXT_FIELDS,
    )

    id: str  # stable id: rule and the elements it names
    rule: str  # rule id from `flowmap rules`
    kind: Kind
    severity: Severity
    title: str  # one line
    message: str  # why, in words a DPO can paste into a DPIA
    confidence: Confidence
    systems: list[str]
    flows: list[str]
    categories: list[str]
    path: list[str]  # witness path, where the rule has one
    principles: list[str]
    mitigation: str
    status: str  # open | accepted | mitigated | false_positive | in_progress
    acceptance: dict[str, Any] | None  # the acceptance that gave the status, when there is one

    def __init__(
        self,
        *,
        id: str,
        rule: str,
        kind: Kind | str,
        severity: Severity | str | int,
        title: str,
        message: str,
        confidence: Confidence | str = Confidence.high,
        systems: list[str] | None = None,
        flows: list[str] | None = None,
        categories: list[str] | None = None,
        path: list[str] | None = None,
        principles: list[str] | None = None,
        mitigation: str = "",
        status: str = "open",
        acceptance: dict[str, Any] | None = None,
    ) -> None:
        self.id = id
        self.rule = rule
        self.kind = kind if isinstance(kind, Kind) else Kind(kind)
        if not isinstance(severity, Severity):
            severity = Severity[severity] if isinstance(severity, str) else Severity(severity)
        self.severity = severity
        self.confidence = confidence if isinstance(confidence, Confidence) else Confidence(confidence)
        self.title = title
        self.message = message
        self.systems = [] if systems is None else systems
        self.flows = [] if flows is None else flows
        self.categories = [] if categories is None else categories
        self.path = [] if path is None else path
        self.principles = [] if principles is None else principles
        self.mitigation = mitigation
        self.status = status
        self.acceptance = acceptance
        self._render = None

    @classmethod
    def deferred(
        cls,
        id: str,
        rule: str,
        kind: Kind,
        severity: Severity,
        confidence: Confidence,
        principles: list[str],
        render: Callable[..., tuple],
        args: tuple,
    ) -> "Finding":
        """A finding whose :data:`TEXT_FIELDS` are ``render(*args)``, computed when first read.

        ``render`` must be pure: it returns the same tuple (in :data:`TEXT_FIELDS` order) whenever
        it is called, so a deferred finding is indistinguishable from one made with its text.
        """
        finding = cls.__new__(cls)
        finding.id = id
        finding.rule = rule
        finding.kind = kind
        finding.severity = severity
        finding.confidence = confidence
        finding.principles = principles
        finding.status = "open"
        finding.acceptance = None
        finding._render = (render, args)
        return finding

    def __getattr__(self, name: str) -> Any:
        # Reached only for a slot that holds nothing: the text of a deferred finding, not yet written.
        render = object.__getattribute__(self, "_render") if name != "_render" else None
        if render is None or name not in TEXT_FIELDS:
            raise AttributeError(name)
        self.title, self.message, self.systems, self.flows, self.categories, self.path, self.mitigation = (
            self.text_fields()
        )
        self._render = None
        return object.__getattribute__(self, name)

    def _fields(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _ALL_FIELDS}

    def text_fields(self) -> tuple:
        """The :data:`TEXT_FIELDS` values, in that order; rendered if need be but not kept."""
        render = self._render
        if render is None:
            return self.title, self.message, self.systems, self.flows, self.categories, self.path, self.mitigation
        return render[0](*render[1])

    def same_verdict(self, other: "Finding") -> bool:
        """Whether ``other`` agrees on everything but the text: id, severity, rule, kind,
        confidence, status, acceptance and principles (cheap: nothing is rendered)."""
        return (
            self.id == other.id
            and self.severity is other.severity
            and self.rule == other.rule
            and self.kind is other.kind
            and self.confidence is other.confidence
            and self.status == other.status
            and self.acceptance == other.acceptance
            and list(self.principles) == list(other.principles)
        )

    def __eq__(self, other: object) -> bool:
        # the verdict first (cheap), then the text without keeping it: a diff compares every
        # finding of two snapshots, and keeping all their text would double its memory
        if not isinstance(other, Finding):
            return NotImplemented
        return self.same_verdict(other) and self.text_fields() == other.text_fields()

    __hash__ = None  # type: ignore[assignment]  # mutable, compared by value

    def __repr__(self) -> str:
        return f"Finding(id={self.id!r}, severity={self.severity.name}, status={self.status!r})"

    def replace(self, **changes: Any) -> "Finding":
        """A copy with some fields changed (text not yet written stays deferred in the copy)."""
        if self._render is not None and changes.keys() <= {"status", "acceptance"}:
            copy = Finding.deferred(self.id, self.rule, self.kind, self.severity, self.confidence, self.principles,
                                    *self._render)
            copy.status = changes.get("status", self.status)
            copy.acceptance = changes.get("acceptance", self.acceptance)
            return copy
        return Finding(**(self._fields() | changes))

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON shape (``acceptance`` only when one applies).

        Text not yet written is rendered for the dict without being kept: a report written
        once does not hold every finding's text in memory twice.
        """
        title, message, systems, flows, categories, path, mitigation = self.text_fields()
        data = {
            "id": self.id,
            "rule": self.rule,
            "kind": _KIND_TEXT[self.kind],
            "severity": _SEVERITY_NAMES[self.severity],
            "confidence": _CONFIDENCE_TEXT[self.confidence],
            "title": title,
            "message": message,
            "systems": list(systems),
            "flows": list(flows),
            "categories": list(categories),
            "path": list(path),
            "principles": list(self.principles),
            "mitigation": mitigation,
            "status": self.status,
        }
        if self.acceptance is not None:
            data["acceptance"] = dict(self.acceptance)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Finding":
        """The inverse of :meth:`to_dict` (for reading a saved report back)."""
        return cls(**data)


_ALL_FIELDS = (
    "id", "rule", "kind", "severity", "title", "message", "confidence", "systems", "flows", "categories",
    "path", "principles", "mitigation", "status", "acceptance",
)
_SEVERITY_NAMES = [s.name for s in Severity]  # indexed by the IntEnum value: no enum lookups in hot loops
_KIND_TEXT = {k: k.value for k in Kind}
_CONFIDENCE_TEXT = {c: c.value for c in Confidence}


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Most severe first, then by id: the contract's order.

    Two stable sorts with C-level keys (no Python call per finding): by id, then by
    severity, most severe first (``reverse`` keeps equal elements in their order).
    """
    ordered = sorted(findings, key=_ID)
    ordered.sort(key=_SEVERITY, reverse=True)
    return ordered


_ID = operator.attrgetter("id")
_SEVERITY = operator.attrgetter("severity")
