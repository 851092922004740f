"""Which findings appeared, went away or changed, how, and which model changes caused them.

Findings are matched by their stable id ``<rule>:<anchor>[:<aspect>]``. A finding present in
both snapshots whose evidence widened or narrowed is **changed**, and says how ("now reaches
12 more origins' data", "no longer carries fingerprints", "children now among the people
concerned", "severity high -> critical"). *New* and *resolved* are for ids present in one
snapshot only. A finding whose id changed only because its anchor flow was renamed is
changed too (its ``id`` field says what it was).

What is compared (:data:`COMPARED_FIELDS`): severity, confidence, status, the origins
(their exact total, and the names when both sides list them all), the systems reached
(likewise), categories and people groups. Wording, rank and witness paths follow from
those and are not compared on their own: a shorter route for the same data is not a risk
change.

Each change is linked to the model changes that can explain it (:class:`Cause`): an
element the finding names (its anchor, systems, flows, origins, reached systems) that was
added, removed, renamed or edited *in a field the rule reads there*: at the anchor, the
fields of :data:`RULE_FIELDS`; elsewhere (origins, witness paths, systems reached) only what
moves where, and :data:`ORIGIN_FIELDS` (notes, names, sources and tags never count); a
taxonomy category it involves, or an acceptance whose pattern matches its id when its status
changed. A change the rule does not read there is never given as a cause: a new legal basis
of VIS does not explain a gap in the safeguards of the border guards it sends data to.

>>> from flowmap.findings import Anchor, Confidence, Finding, Kind, Severity
>>> from flowmap.diff.model_changes import Element, ModelChanges
>>> def f(**kw):
...     return Finding(**{"id": "exposure:a->b", "rule": "exposure", "kind": Kind.exposure,
...                       "severity": Severity.high, "confidence": Confidence.high, "title": "t", "message": "m",
...                       "anchor": Anchor("flow", "a->b"), "systems": ["a", "b"], "flows": ["a->b"],
...                       "origins": ["a"], "origins_total": 1, "categories": ["special.health"], **kw})
>>> risks = compare_findings([], [f()], ModelChanges(flows_added=[Element("a->b", {})]))
>>> [(c.id, c.change, [cause.text() for cause in c.causes]) for c in risks.new]
[('exposure:a->b', 'new', ['flow a->b was added'])]
>>> wider = f(origins=["a", "c"], origins_total=2, categories=["biometric.fingerprint", "special.health"],
...           severity=Severity.critical)
>>> (change,) = compare_findings([f()], [wider], ModelChanges()).changed
>>> change.how()
['severity high -> critical', "now reaches 1 more origin's data (c)", 'now carries fingerprints']
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any, Iterable

from flowmap.diff.model_changes import FieldChange, ModelChanges
from flowmap.findings import LIST_CAP, Finding, Severity
from flowmap.words import categories_in_words, listing, safeguard_words, subject_words

__all__ = [
    "Cause", "FindingChange", "RiskChanges", "compare_findings", "COMPARED_FIELDS", "RULE_FIELDS", "ORIGIN_FIELDS", "how",
]

COMPARED_FIELDS = (
    "severity", "confidence", "status", "origins_total", "origins", "reached_total", "reached", "categories", "subjects",
    "safeguards", "questions",
)
DOC_FIELDS = frozenset({"name", "notes", "sources", "tags", "operator", "initiated_by", "conditions"})
_RANK = {"flow": 0, "system": 1, "taxonomy": 2, "acceptance": 3}
_MIRROR = {"added": "removed", "removed": "added", "changed": "changed", "renamed": "renamed"}

# What moves where, and whose: every rule that follows data reads these (a min_age below 18 adds
# children to a system's people; returns and transform decide what a flow hands on).
_MOVES = ("holds", "subjects", "min_age", "from", "to", "data", "forwards", "bidirectional", "returns", "transform")
_AT_FLOW = ("safeguards",)  # every finding anchored at a flow names them, and ranks by them
RULE_FIELDS: dict[str, frozenset[str]] = {
    rule: frozenset(_MOVES + _AT_FLOW + extra)
    for rule, extra in {
        "exposure": ("actor", "mode"),
        "function_creep": ("purposes", "further_purposes", "purpose", "legal_basis", "mode"),
        "firewall": ("actor", "sector", "kind", "purposes", "purpose", "mode"),
        "refoulement": ("actor", "sector", "jurisdiction", "purposes", "purpose"),
        "children_biometrics": ("actor", "purposes", "purpose", "min_age"),
        "cross_border": ("actor", "kind", "jurisdiction", "legal_basis"),
        "insecure_link": ("transport.encrypted", "transport.authenticated", "transport.logged", "mode"),
        "incident": ("incidents",),
        "accountability_gap": ("actor", "kind", "legal_basis", "controls.independent_oversight", "controls.redress",
                               "controls.human_review", "controls.access_logging", "automated_decision",
                               "human_review"),
        "automated_decision": ("automated_decision", "human_review", "controls.human_review", "technologies", "mode"),
        "at_odds_technology": ("technologies",),
        "high_risk_technology": ("technologies",),
        "retention_extension": ("retention", "retention_by_subject"),
        "chokepoint": ("kind", "mode"),
        "identity_linking": ("kind", "technologies"),
    }.items()
}
"""Rule id -> the fields (flat names, as in a model change) of its anchor its findings depend
on: the anchor system, or the anchor flow and its two ends. A rule not listed
(``model_quality``, a new rule) may depend on any field but the documentation ones."""

ORIGIN_FIELDS: dict[str, frozenset[str]] = {
    "function_creep": frozenset({"purposes", "further_purposes", "purpose"}),  # why the data was collected
    "firewall": frozenset({"sector", "kind", "purposes", "purpose"}),  # whether the collector is a protected service
    "refoulement": frozenset({"purposes", "purpose"}),
    "children_biometrics": frozenset({"purposes"}),
}
"""Rule id -> the fields of the other elements a finding names (origins, systems and flows on
its witness paths, systems reached) it depends on beyond what moves where."""


def _relevant(rule: str, names: Iterable[str], at_anchor: bool) -> tuple[str, ...]:
    """The changed fields a finding of ``rule`` can depend on, at its anchor or elsewhere."""
    wanted = RULE_FIELDS.get(rule)
    if wanted is not None and not at_anchor:
        wanted = frozenset(_MOVES) | ORIGIN_FIELDS.get(rule, frozenset())
    return tuple(n for n in names if n not in DOC_FIELDS and (wanted is None or n in wanted or n.split(".")[0] in wanted))


@dataclass(frozen=True)
class Cause:
    """A model change a finding change can be traced to."""

    element: str  # flow | system | taxonomy | acceptance
    id: str
    change: str  # added | removed | changed | renamed
    fields: tuple[str, ...] = ()
    other_id: str | None = None  # a renamed flow's other id

    def text(self) -> str:
        """``flow X was added``, ``system Y changed (holds, purposes)``...

        >>> Cause("system", "vis", "changed", ("holds",)).text()
        'system vis changed (holds)'
        >>> Cause("flow", "b", "renamed", (), "a").text()
        'flow b was renamed from a'
        """
        if self.change == "renamed":
            text = f"{self.element} {self.id} was renamed from {self.other_id}"
            return text + (f" and changed ({', '.join(self.fields)})" if self.fields else "")
        if self.change == "changed":
            return f"{self.element} {self.id} changed" + (f" ({', '.join(self.fields)})" if self.fields else "")
        return f"{self.element} {self.id} was {self.change}"

    def mirror(self) -> "Cause":
        if self.change == "renamed":
            return Cause(self.element, self.other_id or self.id, "renamed", self.fields, self.id)
        return Cause(self.element, self.id, _MIRROR[self.change], self.fields)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"element": self.element, "id": self.id, "change": self.change}
        if self.fields:
            data["fields"] = list(self.fields)
        if self.other_id is not None:
            data["renamed_from"] = self.other_id
        data["text"] = self.text()
        return data


def _origins_words(count: int, more: bool) -> str:
    """``1 more origin's data``, ``12 more origins' data``, ``3 fewer origins' data``."""
    word = "more" if more else "fewer"
    return f"{count} {word} origin's data" if count == 1 else f"{count} {word} origins' data"


def _names(items: list[str]) -> str:
    return f" ({listing(items, limit=4)})" if items else ""


_GAINED_LOST = {
    "categories": (categories_in_words, "now carries {}", "no longer carries {}"),
    "subjects": (lambda items: listing([subject_words(x) for x in items], limit=4),
                 "{} now among the people concerned", "{} no longer among the people concerned"),
    "safeguards": (lambda items: listing([safeguard_words(x) for x in items], limit=4),
                   "now stands with {}", "no longer stands with {}"),
}
"""List fields said as what a finding gained and lost: (words for the items, gained, lost)."""


def how(fields: Iterable[FieldChange]) -> list[str]:
    """What changed in a finding, in words, one phrase per compared field that differs.

    >>> how([FieldChange("subjects", ["asylum_seeker"], ["asylum_seeker", "child"]),
    ...      FieldChange("categories", ["biometric.fingerprint", "identity.biographic"], ["identity.biographic"]),
    ...      FieldChange("origins_total", 14, 2)])
    ['children now among the people concerned', 'no longer carries fingerprints', "reaches 12 fewer origins' data"]
    >>> how([FieldChange("questions", ["Is VIS encrypted?"], ["Is VIS encrypted?", "Is VIS overseen?"])])
    ['now also asks: Is VIS overseen?']
    """
    fields = list(fields)
    by_name = {f.field: f for f in fields}
    out = []
    for change in fields:
        name, old, new = change.field, change.old, change.new
        if name == "id":
            out.append(f"was {old}")
        elif name in ("severity", "status"):
            out.append(f"{name} {old} -> {new}")
        elif name == "confidence":
            out.append("now established (rests on recorded facts)" if new == "high"
                       else "now rests on an unknown (a question to answer)")
        elif name in ("origins_total", "reached_total"):
            listed = by_name.get(name[: -len("_total")])
            gained = [x for x in listed.new if x not in listed.old] if listed else []
            lost = [x for x in listed.old if x not in listed.new] if listed else []
            old, new = old or 0, new or 0
            if name == "origins_total":
                phrase = (f"now reaches {_origins_words(new - old, True)}{_names(gained)}" if new > old
                          else f"reaches {_origins_words(old - new, False)}{_names(lost)}")
            else:
                count = abs(new - old)
                systems = "system" if count == 1 else "systems"
                phrase = (f"now reaches {count} more {systems}{_names(gained)}" if new > old
                          else f"reaches {count} fewer {systems}{_names(lost)}")
            out.append(phrase)
        elif name in ("origins", "reached"):
            if f"{name}_total" in by_name:
                continue  # said with the total
            gained = [x for x in new if x not in old]
            lost = [x for x in old if x not in new]
            what = "data from " if name == "origins" else ""
            out.append(f"now reaches {what}{listing(gained, limit=4)} instead of {listing(lost, limit=4)}")
        elif name in _GAINED_LOST:
            words, gained_text, lost_text = _GAINED_LOST[name]
            gained = [x for x in new if x not in old]
            lost = [x for x in old if x not in new]
            if gained:
                out.append(gained_text.format(words(gained)))
            if lost:
                out.append(lost_text.format(words(lost)))
        elif name == "questions":
            out += [f"now also asks: {q}" for q in new if q not in old]
            out += [f"no longer asks: {q}" for q in old if q not in new]
    return out


@dataclass(frozen=True)
class FindingChange:
    """A finding that is new, resolved or changed, with the model changes behind it."""

    id: str
    change: str  # new | resolved | changed
    old: Finding | None
    new: Finding | None
    fields: tuple[FieldChange, ...] = ()
    causes: tuple[Cause, ...] = ()

    @property
    def finding(self) -> Finding:
        """The finding as it is now (as it was, for a resolved one)."""
        return self.new if self.new is not None else self.old  # type: ignore[return-value]

    def how(self) -> list[str]:
        """How a changed finding changed, in words (empty for a new or resolved one)."""
        return how(self.fields)

    def reaches(self, threshold: Severity) -> bool:
        """Open at or above ``threshold`` now, and was not before (new, or changed: rose to it,
        or reopened): what the diff gate fails on."""
        now = self.new is not None and self.new.status == "open" and self.new.severity >= threshold
        before = self.old is not None and self.old.status == "open" and self.old.severity >= threshold
        return now and not before

    def mirror(self) -> "FindingChange":
        change = {"new": "resolved", "resolved": "new", "changed": "changed"}[self.change]
        finding_id = next((f.old for f in self.fields if f.field == "id"), self.id)  # renamed with a flow
        return FindingChange(
            finding_id, change, self.new, self.old, tuple(f.mirror() for f in self.fields), tuple(c.mirror() for c in self.causes)
        )

    def to_dict(self) -> dict[str, Any]:
        # the finding's own contract shape (rank, principles, mitigation and acceptance belong to
        # one analysis, not to a change), with the change's id and kind up front
        shown = self.finding.to_dict()
        data: dict[str, Any] = {"id": self.id, "change": self.change}
        data.update((k, v) for k, v in shown.items()
                    if k not in ("id", "rank", "principles", "mitigation", "acceptance"))
        if self.fields:
            data["fields"] = [c.to_dict() for c in self.fields]
            data["how"] = self.how()
        data["because"] = [c.to_dict() for c in self.causes]
        return data


@dataclass
class RiskChanges:
    """Finding changes, each list in the contract's order (most severe first, then id)."""

    new: list[FindingChange] = field(default_factory=list)
    resolved: list[FindingChange] = field(default_factory=list)
    changed: list[FindingChange] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not (self.new or self.resolved or self.changed)

    def all(self) -> list[FindingChange]:
        return [*self.new, *self.resolved, *self.changed]

    def mirror(self) -> "RiskChanges":
        return RiskChanges(
            new=[c.mirror() for c in self.resolved],
            resolved=[c.mirror() for c in self.new],
            changed=_ordered(c.mirror() for c in self.changed),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "new": [c.to_dict() for c in self.new],
            "resolved": [c.to_dict() for c in self.resolved],
            "changed": [c.to_dict() for c in self.changed],
        }


def _ordered(changes: Iterable[FindingChange]) -> list[FindingChange]:
    return sorted(changes, key=lambda c: (-int(c.finding.severity), c.id))


def _complete(items: list[str] | None, total: int | None) -> bool:
    """Whether a capped evidence list names every item."""
    return items is not None and (total or 0) <= LIST_CAP and len(items) == (total or 0)


def compared(a: Finding, b: Finding) -> tuple[FieldChange, ...]:
    """The :data:`COMPARED_FIELDS` that differ between two versions of a finding, in that order.

    Lists of names compare as sets (sorted); the origins and reached lists only when both
    sides name every item (past :data:`~flowmap.findings.LIST_CAP` their totals say it).
    """
    out = []
    if a.severity != b.severity:
        out.append(FieldChange("severity", a.severity.name, b.severity.name))
    if a.confidence != b.confidence:
        out.append(FieldChange("confidence", a.confidence.value, b.confidence.value))
    if a.status != b.status:
        out.append(FieldChange("status", a.status, b.status))
    for name in ("origins", "reached"):
        old_items, new_items = getattr(a, name), getattr(b, name)
        old_total, new_total = getattr(a, f"{name}_total"), getattr(b, f"{name}_total")
        if old_total != new_total:
            out.append(FieldChange(f"{name}_total", old_total, new_total))
        if (_complete(old_items, old_total) and _complete(new_items, new_total)
                and sorted(old_items) != sorted(new_items)):
            out.append(FieldChange(name, sorted(old_items), sorted(new_items)))
    for name in ("categories", "subjects", "safeguards"):
        old_items, new_items = sorted(getattr(a, name)), sorted(getattr(b, name))
        if old_items != new_items:
            out.append(FieldChange(name, old_items, new_items))
    old_asked, new_asked = sorted(q.question for q in a.questions), sorted(q.question for q in b.questions)
    if old_asked != new_asked:  # a system's gathered questions (flowmap.questions)
        out.append(FieldChange("questions", old_asked, new_asked))
    return tuple(out)


class _CauseIndex:
    """Model changes keyed by the element they touch, for O(1) lookups per finding element."""

    def __init__(self, changes: ModelChanges):
        # element id -> (change, changed field names, renamed-from id)
        self.flows: dict[str, tuple[str, tuple[str, ...], str | None, str]] = {}
        self.systems: dict[str, tuple[str, tuple[str, ...]]] = {}
        for e in changes.flows_added:
            self.flows[e.id] = ("added", (), None, e.id)
        for e in changes.flows_removed:
            self.flows[e.id] = ("removed", (), None, e.id)
        for c in changes.flows_changed:
            entry = ("renamed" if c.renamed else "changed", tuple(c.field_names()), c.old_id, c.id)
            self.flows[c.id] = entry
            if c.old_id is not None:
                self.flows[c.old_id] = entry
        for e in changes.systems_added:
            self.systems[e.id] = ("added", ())
        for e in changes.systems_removed:
            self.systems[e.id] = ("removed", ())
        for c in changes.systems_changed:
            self.systems[c.id] = ("changed", tuple(c.field_names()))
        self.categories: dict[str, Cause] = {}
        self.purpose_rules: list[Cause] = []  # compatible and incompatible pairs: what decides a use
        for entry in changes.taxonomy:
            section, _, name = entry.key.partition(".")
            if section == "categories":
                self.categories[name] = Cause("taxonomy", entry.key, entry.change)
            elif section in ("compatible", "incompatible"):
                self.purpose_rules.append(Cause("taxonomy", entry.key, entry.change))
        self.acceptances = [Cause("acceptance", e.key.split("#")[0], e.change) for e in changes.accepted]

    def _flow_cause(self, rule: str, flow_id: str, at_anchor: bool) -> Cause | None:
        found = self.flows.get(flow_id)
        if found is None:
            return None
        change, names, old_id, new_id = found
        fields = _relevant(rule, names, at_anchor)
        if change == "renamed":
            return Cause("flow", new_id, "renamed", fields, old_id)
        if change == "changed" and not fields:
            return None  # only fields this rule does not read
        return Cause("flow", new_id, change, fields)

    def _system_cause(self, rule: str, system_id: str, at_anchor: bool) -> Cause | None:
        found = self.systems.get(system_id)
        if found is None:
            return None
        change, names = found
        fields = _relevant(rule, names, at_anchor)
        if change == "changed" and not fields:
            return None
        return Cause("system", system_id, change, fields)

    def causes(self, findings: Iterable[Finding | None], status_changed: bool = False) -> tuple[Cause, ...]:
        out: dict[tuple, Cause] = {}
        present = [f for f in findings if f is not None]
        # the anchor: a system, or a flow and its two ends (the first two of ``systems``)
        anchor_flows = {f.anchor.id for f in present if f.anchor.type == "flow"}
        anchor_systems = {s for f in present for s in ([f.anchor.id] if f.anchor.type == "system" else f.systems[:2])}
        causes: dict[tuple, Cause] = {}
        for f in present:
            for flow_id in dict.fromkeys([*([f.anchor.id] if f.anchor.type == "flow" else []), *f.flows]):
                cause = self._flow_cause(f.rule, flow_id, flow_id in anchor_flows)
                if cause is not None:
                    causes.setdefault((cause.element, cause.id), cause)
        for f in present:
            systems = [*([f.anchor.id] if f.anchor.type == "system" else []), *f.systems, *f.origins,
                       *(f.reached or ())]
            for system_id in dict.fromkeys(systems):
                cause = self._system_cause(f.rule, system_id, system_id in anchor_systems)
                if cause is not None:
                    causes.setdefault((cause.element, cause.id), cause)
        out.update(causes)
        for f in present:
            for category in f.categories:
                parts = category.split(".")
                for depth in range(len(parts), 0, -1):
                    cause = self.categories.get(".".join(parts[:depth]))
                    if cause is not None:
                        out.setdefault((cause.element, cause.id), cause)
        for f in present:  # a changed purpose rule can explain a finding of a rule that reads purposes
            if "purpose" in RULE_FIELDS.get(f.rule, ("purpose",)):
                for cause in self.purpose_rules:
                    out.setdefault((cause.element, cause.id), cause)
        if status_changed and present:
            finding_id = present[-1].id
            for cause in self.acceptances:
                if fnmatch.fnmatchcase(finding_id, cause.id) or any(fnmatch.fnmatchcase(f.id, cause.id) for f in present):
                    out.setdefault((cause.element, cause.id), cause)
        return tuple(sorted(out.values(), key=lambda c: (_RANK[c.element], c.id)))


def _renamed_findings(before: dict[str, Finding], after: dict[str, Finding], changes: ModelChanges) -> dict[str, str]:
    """Old finding id -> new id, for findings whose id changed only because their anchor flow was renamed."""
    renames = {c.old_id: c.id for c in changes.flows_changed if c.renamed}
    if not renames:
        return {}
    out = {}
    for finding_id, finding in before.items():
        if finding_id in after or finding.anchor.type != "flow" or finding.anchor.id not in renames:
            continue
        translated = ":".join(renames.get(part, part) for part in finding_id.split(":"))
        if translated != finding_id and translated in after and translated not in before:
            out[finding_id] = translated
    return out


def compare_findings(old: list[Finding], new: list[Finding], changes: ModelChanges) -> RiskChanges:
    """Finding changes from the ``old`` findings to the ``new`` ones, linked to ``changes``.

    Notes
    -----
    Linear in the number of findings and the evidence they carry (dicts by id; evidence lists
    are capped, so comparing two versions of a finding is cheap).
    """
    before = {f.id: f for f in old}
    after = {f.id: f for f in new}
    index = _CauseIndex(changes)
    risks = RiskChanges()
    renamed = _renamed_findings(before, after, changes)
    paired_new = set(renamed.values())
    for finding_id in sorted(set(before) | set(after)):
        if finding_id in paired_new:
            continue
        a, b = before.get(finding_id), after.get(finding_id)
        if finding_id in renamed:
            finding_id = renamed[finding_id]
            b = after[finding_id]
        if a is None:
            risks.new.append(FindingChange(finding_id, "new", None, b, (), index.causes([b])))
        elif b is None:
            risks.resolved.append(FindingChange(finding_id, "resolved", a, None, (), index.causes([a])))
        else:
            fields = compared(a, b)
            if a.id != b.id:
                fields = (FieldChange("id", a.id, b.id), *fields)
            if fields:
                status_changed = any(f.field == "status" for f in fields)
                causes = index.causes([a, b], status_changed)
                risks.changed.append(FindingChange(finding_id, "changed", a, b, fields, causes))
    risks.new = _ordered(risks.new)
    risks.resolved = _ordered(risks.resolved)
    risks.changed = _ordered(risks.changed)
    return risks
