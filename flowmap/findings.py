"""Findings: points of action, in the shape of the output contract (revision 2).

A finding is anchored at the one flow or system whose change removes or reduces it; its id is
``<rule>:<anchor>`` or ``<rule>:<anchor>:<aspect>``. Everything else is evidence: the origins
whose data is involved, the systems it reaches, up to :data:`PATHS_CAP` shortest witness
paths. Evidence lists are cut at :data:`LIST_CAP` entries and always carry their exact total.

>>> f = Finding(id="exposure:a->b", rule="exposure", kind=Kind.exposure, severity=Severity.high,
...             confidence=Confidence.high, title="t", message="m", anchor=Anchor("flow", "a->b"))
>>> f.to_dict()["anchor"], f.status
({'flow': 'a->b'}, 'open')
>>> sorted([Severity.low, Severity.critical])[-1].name
'critical'
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any, NamedTuple

__all__ = [
    "Severity", "Confidence", "Kind", "Anchor", "Finding", "Question", "LIST_CAP", "PATHS_CAP",
]

LIST_CAP = 10
"""Evidence lists (``origins``, ``reached``) hold at most this many entries, the most important
first; ``origins_total`` and ``reached_total`` give the exact count."""

PATHS_CAP = 3
"""A finding carries at most this many shortest witness paths."""


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
    """``high``: the finding rests on recorded facts; ``low``: on unknown (omitted) fields."""

    high = "high"
    low = "low"

    @classmethod
    def parse(cls, text: str) -> "Confidence":
        """Confidence from its name.

        >>> Confidence.parse("LOW")
        <Confidence.low: 'low'>
        """
        try:
            return cls(text.strip().lower())
        except ValueError:
            from flowmap.errors import UsageError

            raise UsageError(f"unknown confidence '{text}': use high or low") from None


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


class Anchor(NamedTuple):
    """The element where a finding is fixed: a flow or a system (a small tuple: one per finding).

    >>> Anchor("system", "cir").to_dict()
    {'system': 'cir'}
    """

    type: str  # "flow" or "system"
    id: str

    def to_dict(self) -> dict[str, str]:
        return {self.type: self.id}


_SEVERITY_NAMES = {severity: severity.name for severity in Severity}
_KIND_VALUES = {kind: kind.value for kind in Kind}
_CONFIDENCE_VALUES = {confidence: confidence.value for confidence in Confidence}
# an enum's ``.name`` and ``.value`` are Python-level properties: read once here for the tens of
# thousands of findings and questions a report writes


@dataclass(slots=True)
class Question:
    """One thing the model does not say, as a rule asked it: an item of a system's gathered
    ``questions`` finding (see :mod:`flowmap.questions`). A value, like :class:`Finding`.

    >>> Question(id="insecure_link:vis:unknown_transport", rule="insecure_link", kind=Kind.insecure_link,
    ...          severity=Severity.medium, question="Are the flows from VIS encrypted?", title="t").to_dict()["severity"]
    'medium'
    """

    id: str  # the id the rule gives it: <rule>:<anchor>[:<aspect>]
    rule: str
    kind: Kind
    severity: Severity
    question: str
    title: str
    flows: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "rule": self.rule, "kind": _KIND_VALUES[self.kind], "severity": _SEVERITY_NAMES[self.severity],
                "question": self.question, "title": self.title, "flows": self.flows, "categories": self.categories}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Question":
        return cls(**{**data, "kind": Kind(data["kind"]), "severity": Severity[data["severity"]]})


@dataclass(slots=True)
class Finding:
    """One point of action, with bounded evidence.

    A value: never change one in place, :meth:`replace` gives a changed copy. (It is not a
    frozen dataclass because an analysis builds tens of thousands of them, and a frozen one
    costs about five times as much to build. The one exception: the analysis sets the ``rank``
    of the findings it has just made, before anyone else sees them.)
    """

    id: str  # <rule>:<anchor>[:<aspect>]
    rule: str
    kind: Kind
    severity: Severity
    confidence: Confidence
    title: str  # one line
    message: str  # why, in words a DPO can paste into a DPIA
    anchor: Anchor
    aspect: str | None = None
    systems: list[str] = field(default_factory=list)  # the anchor's systems, then those on the paths
    flows: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    subjects: list[str] = field(default_factory=list)
    origins: list[str] = field(default_factory=list)  # capped at LIST_CAP, most important first
    origins_total: int = 0
    reached: list[str] | None = None  # only where the rule has a reach
    reached_total: int | None = None
    paths: list[list[str]] = field(default_factory=list)  # up to PATHS_CAP witness paths
    principles: list[str] = field(default_factory=list)
    mitigation: str = ""
    question: str = ""  # for a finding that rests on unknowns: what to find out
    asks: str | None = None  # the system that can answer the question
    safeguards: list[str] = field(default_factory=list)  # safeguards standing on the anchor flow (ranking.py)
    questions: list[Question] = field(default_factory=list)  # on a system's gathered questions finding
    breadth: tuple[int, ...] = (0, 0, 0, 0, 0, 0)  # what the ranking weighs: ranking.Breadth
    rank: int = 0  # 1 = most important; set by the analysis
    status: str = "open"  # open | accepted | mitigated | false_positive | in_progress
    acceptance: dict[str, Any] | None = None

    @property
    def established(self) -> bool:
        """Whether the finding rests on recorded facts only."""
        return self.confidence is Confidence.high

    def replace(self, **changes: Any) -> "Finding":
        """A copy with some fields changed (no validation runs: a copy of a valid finding)."""
        copy = Finding(*_finding_values(self))
        for name, value in changes.items():
            if name not in _FINDING_FIELD_SET:
                raise TypeError(f"Finding has no field {name!r}")
            setattr(copy, name, value)
        return copy

    def to_dict(self) -> dict[str, Any]:
        """The contract's JSON shape (``reached`` only where the rule has a reach, ``safeguards``
        only where some stand on the anchor flow, ``question`` only on findings that rest on
        unknowns, ``acceptance`` only when one applies). Its lists are the finding's own: like
        the finding, never change them in place (the JSON writer converts tens of thousands)."""
        data: dict[str, Any] = {
            "id": self.id,
            "rule": self.rule,
            "kind": _KIND_VALUES[self.kind],
            "severity": _SEVERITY_NAMES[self.severity],
            "confidence": _CONFIDENCE_VALUES[self.confidence],
            "rank": self.rank,
            "title": self.title,
            "message": self.message,
            "anchor": self.anchor.to_dict(),
            "systems": self.systems,
            "flows": self.flows,
            "categories": self.categories,
            "subjects": self.subjects,
            "origins": self.origins,
            "origins_total": self.origins_total,
        }
        if self.reached is not None:
            data["reached"] = self.reached
            data["reached_total"] = self.reached_total
        data["paths"] = self.paths
        data["principles"] = self.principles
        data["mitigation"] = self.mitigation
        if self.safeguards:
            data["safeguards"] = self.safeguards
        if self.question:
            data["question"] = self.question
            data["asks"] = self.asks
        if self.questions:
            data["questions"] = [q.to_dict() for q in self.questions]
        data["status"] = self.status
        if self.acceptance is not None:
            data["acceptance"] = dict(self.acceptance)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Finding":
        """The inverse of :meth:`to_dict` (for reading a saved report back).

        >>> f = Finding(id="x:a", rule="x", kind=Kind.structural, severity=Severity.low,
        ...             confidence=Confidence.low, title="t", message="m", anchor=Anchor("system", "a"))
        >>> Finding.from_dict(f.to_dict()) == f
        True
        """
        data = dict(data)
        (anchor_type, anchor_id), = data.pop("anchor").items()
        aspect = data["id"][len(f"{data['rule']}:{anchor_id}:"):] if data["id"] != f"{data['rule']}:{anchor_id}" else None
        return cls(
            **{k: v for k, v in data.items() if k not in ("kind", "severity", "confidence", "questions")},
            questions=[Question.from_dict(q) for q in data.get("questions", [])],
            kind=Kind(data["kind"]),
            severity=Severity[data["severity"]],
            confidence=Confidence(data["confidence"]),
            anchor=Anchor(anchor_type, anchor_id),
            aspect=aspect or None,
        )


_FINDING_FIELDS = tuple(f.name for f in fields(Finding))
_FINDING_FIELD_SET = frozenset(_FINDING_FIELDS)
_finding_values = attrgetter(*_FINDING_FIELDS)  # every field's value, in one C call (Finding.replace)
