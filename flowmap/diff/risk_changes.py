"""Which findings appeared, went away or changed, and which model changes caused them.

Findings are matched by their stable id. A *changed* finding differs in
severity, confidence, status, categories or witness path. Each change is
linked to the model changes it names, where that can be traced: a flow or
system the finding names (its ``flows``, ``systems`` and ``path``) that was
added, removed, renamed or edited, a taxonomy category it involves, or an
acceptance whose pattern matches its id.

>>> from flowmap.findings import Finding, Severity
>>> from flowmap.diff.model_changes import Element, ModelChanges
>>> new = Finding(id="exposure:a:b", rule="exposure", kind="exposure", severity=Severity.high,
...               title="t", message="m", systems=["a", "b"], flows=["a->b"], path=["a", "b"])
>>> changes = ModelChanges(flows_added=[Element("a->b", {})])
>>> risks = compare_findings([], [new], changes)
>>> [(c.id, c.change, [cause.text() for cause in c.causes]) for c in risks.new]
[('exposure:a:b', 'new', ['flow a->b was added'])]
"""

from __future__ import annotations

import fnmatch
import hashlib
from dataclasses import dataclass, field
from typing import Any, Iterable

import orjson

from flowmap import parallel
from flowmap.diff.model_changes import FieldChange, ModelChanges
from flowmap.findings import Finding, Severity

__all__ = ["Cause", "FindingChange", "RiskChanges", "compare_findings", "COMPARED_FIELDS"]

COMPARED_FIELDS = ("severity", "confidence", "status", "categories", "path")
DOC_FIELDS = frozenset({"name", "notes", "sources", "tags"})  # documentation: never the cause of a finding
_RANK = {"flow": 0, "system": 1, "taxonomy": 2, "acceptance": 3}
_MIRROR = {"added": "removed", "removed": "added", "changed": "changed", "renamed": "renamed"}


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

    def reaches(self, threshold: Severity) -> bool:
        """Open at or above ``threshold`` now, and was not before: what the diff gate fails on."""
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
        f = self.finding
        data: dict[str, Any] = {
            "id": self.id,
            "change": self.change,
            "rule": f.rule,
            "kind": f.kind.value,
            "severity": f.severity.name,
            "confidence": f.confidence.value,
            "status": f.status,
            "title": f.title,
            "message": f.message,
            "systems": list(f.systems),
            "flows": list(f.flows),
            "categories": list(f.categories),
            "path": list(f.path),
        }
        if self.fields:
            data["fields"] = [c.to_dict() for c in self.fields]
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


def _value(finding: Finding, name: str) -> Any:
    value = getattr(finding, name)
    if name == "severity":
        return value.name
    if name == "confidence":
        return value.value
    return list(value) if isinstance(value, list) else value


class _CauseIndex:
    """Model changes keyed by the element they touch, for O(1) lookups per finding element."""

    def __init__(self, changes: ModelChanges):
        self.flows: dict[str, Cause] = {}
        self.systems: dict[str, Cause] = {}
        for e in changes.flows_added:
            self.flows[e.id] = Cause("flow", e.id, "added")
        for e in changes.flows_removed:
            self.flows[e.id] = Cause("flow", e.id, "removed")
        for c in changes.flows_changed:
            names = tuple(n for n in c.field_names() if n not in DOC_FIELDS)
            if not names and not c.renamed:
                continue
            cause = Cause("flow", c.id, "renamed", names, c.old_id) if c.renamed else Cause("flow", c.id, "changed", names)
            self.flows[c.id] = cause
            if c.old_id is not None:
                self.flows[c.old_id] = cause
        for e in changes.systems_added:
            self.systems[e.id] = Cause("system", e.id, "added")
        for e in changes.systems_removed:
            self.systems[e.id] = Cause("system", e.id, "removed")
        for c in changes.systems_changed:
            names = tuple(n for n in c.field_names() if n not in DOC_FIELDS)
            if names:
                self.systems[c.id] = Cause("system", c.id, "changed", names)
        self.categories: dict[str, Cause] = {}
        for entry in changes.taxonomy:
            section, _, name = entry.key.partition(".")
            if section == "categories":
                self.categories[name] = Cause("taxonomy", entry.key, entry.change)
        self.acceptances = [Cause("acceptance", e.key.split("#")[0], e.change) for e in changes.accepted]

    def causes(self, findings: Iterable[Finding | None], status_changed: bool = False) -> tuple[Cause, ...]:
        out: dict[tuple, Cause] = {}
        present = [f for f in findings if f is not None]
        for f in present:
            for flow_id in f.flows:
                if flow_id in self.flows:
                    cause = self.flows[flow_id]
                    out.setdefault((cause.element, cause.id), cause)
        for f in present:
            for system_id in [*f.systems, *f.path]:
                if system_id in self.systems:
                    cause = self.systems[system_id]
                    out.setdefault((cause.element, cause.id), cause)
        for f in present:
            for category in f.categories:
                parts = category.split(".")
                for depth in range(len(parts), 0, -1):
                    cause = self.categories.get(".".join(parts[:depth]))
                    if cause is not None:
                        out.setdefault((cause.element, cause.id), cause)
        if status_changed and present:
            finding_id = present[0].id
            for cause in self.acceptances:
                if fnmatch.fnmatchcase(finding_id, cause.id):
                    out.setdefault((cause.element, cause.id), cause)
        return tuple(sorted(out.values(), key=lambda c: (_RANK[c.element], c.id)))


def _renamed_findings(before: dict[str, Finding], after: dict[str, Finding], changes: ModelChanges) -> dict[str, str]:
    """Old finding id -> new id, for findings whose id changed only because a flow it names was renamed."""
    renames = {c.old_id: c.id for c in changes.flows_changed if c.renamed}
    if not renames:
        return {}
    out = {}
    for finding_id, finding in before.items():
        if finding_id in after or not any(f in renames for f in finding.flows):
            continue
        translated = ":".join(renames.get(part, part) for part in finding_id.split(":"))
        if translated != finding_id and translated in after and translated not in before:
            out[finding_id] = translated
    return out


def text_digests(findings: Iterable[Finding]) -> dict[str, bytes]:
    """Finding id -> a 128-bit BLAKE2 digest of its text fields (rendered, not kept).

    >>> from flowmap.findings import Severity
    >>> f = Finding(id="exposure:a:b", rule="exposure", kind="exposure", severity=Severity.high, title="t", message="m")
    >>> len(text_digests([f])["exposure:a:b"])
    16
    """
    dumps, blake2b = orjson.dumps, hashlib.blake2b
    return {f.id: blake2b(dumps(f.text_fields()), digest_size=16).digest() for f in findings}


def compare_findings(old: list[Finding], new: list[Finding], changes: ModelChanges) -> RiskChanges:
    """Finding changes from the ``old`` findings to the ``new`` ones, linked to ``changes``.

    Notes
    -----
    Linear in the number of findings and the elements they name (dicts by id).
    """
    before = {f.id: f for f in old}
    after = {f.id: f for f in new}
    # Most findings are unchanged, and telling so means writing the text of every finding of
    # both snapshots. With many findings, one core digests the old ones while this one
    # digests the new; a finding whose verdict and text digest agree is unchanged.
    digests = None
    if len(old) + len(new) >= parallel.MIN_ITEMS:
        digests = parallel.run_two(lambda: text_digests(old), lambda: text_digests(new))
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
        if a is not None and b is not None:  # the common case: an unchanged finding
            if digests is None:
                if a == b:
                    continue
            elif a.same_verdict(b) and digests[0].get(a.id) == digests[1].get(b.id):
                continue
        if a is None:
            risks.new.append(FindingChange(finding_id, "new", None, b, (), index.causes([b])))
        elif b is None:
            risks.resolved.append(FindingChange(finding_id, "resolved", a, None, (), index.causes([a])))
        else:
            fields = tuple(
                FieldChange(name, _value(a, name), _value(b, name))
                for name in ("id", *COMPARED_FIELDS)
                if _value(a, name) != _value(b, name)
            )
            if fields:
                status_changed = any(f.field == "status" for f in fields)
                causes = index.causes([a, b], status_changed)
                risks.changed.append(FindingChange(finding_id, "changed", a, b, fields, causes))
    risks.new = _ordered(risks.new)
    risks.resolved = _ordered(risks.resolved)
    risks.changed = _ordered(risks.changed)
    return risks
