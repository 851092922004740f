"""What changed in the model itself between two snapshots, and how to replay it.

Systems and flows are matched by id (a dict each, never pairwise). A flow whose
id changed but whose endpoints, data and purposes did not is *renamed*: the
removed and added flows are hashed by that signature and paired in id order.
Lists of names (``holds``, ``data``, ``sources``...) are compared as sorted
lists: their order in the file means nothing. Nested safeguards are compared
per field (``controls.redress``, ``transport.encrypted``).

>>> from flowmap.model import Model
>>> a = Model.model_validate({"flowmap": 1, "name": "x", "systems": [{"id": "s", "sector": "police"}],
...     "flows": [{"id": "old", "from": "s", "to": "s", "data": ["identity"], "purpose": "enforcement.law"}]})
>>> b = Model.model_validate({"flowmap": 1, "name": "x", "systems": [{"id": "s", "sector": "asylum"}],
...     "flows": [{"id": "new", "from": "s", "to": "s", "data": ["identity"], "purpose": "enforcement.law"}]})
>>> changes = compare_models(a, b)
>>> [(c.id, [(f.field, f.old, f.new) for f in c.fields]) for c in changes.systems_changed]
[('s', [('sector', 'police', 'asylum')])]
>>> [(c.old_id, c.id) for c in changes.flows_changed]
[('old', 'new')]
>>> from flowmap.diff.apply import apply_changes
>>> snapshot_data(apply_changes(a, changes)) == snapshot_data(b)
True
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flowmap.model import Model

__all__ = [
    "FieldChange",
    "Element",
    "ElementChange",
    "EntryChange",
    "ModelChanges",
    "compare_models",
    "snapshot_data",
]

META_FIELDS = ("name", "as_of", "description")
_NESTED = ("controls", "transport")


@dataclass(frozen=True)
class FieldChange:
    """One field of one element: ``old`` -> ``new`` (``None`` = absent or unknown)."""

    field: str
    old: Any
    new: Any

    def to_dict(self) -> dict[str, Any]:
        return {"field": self.field, "old": self.old, "new": self.new}

    def mirror(self) -> "FieldChange":
        return FieldChange(self.field, self.new, self.old)


@dataclass(frozen=True)
class Element:
    """A whole system or flow that was added or removed, as plain data (defaults left out)."""

    id: str
    data: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "data": self.data}


@dataclass(frozen=True)
class ElementChange:
    """A system or flow present in both snapshots whose fields differ; ``old_id`` set when renamed."""

    id: str
    fields: tuple[FieldChange, ...]
    old_id: str | None = None

    @property
    def renamed(self) -> bool:
        return self.old_id is not None

    def field_names(self) -> list[str]:
        return [f.field for f in self.fields]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id}
        if self.old_id is not None:
            data["renamed_from"] = self.old_id
        data["fields"] = [f.to_dict() for f in self.fields]
        return data

    def mirror(self) -> "ElementChange":
        if self.old_id is None:
            return ElementChange(self.id, tuple(f.mirror() for f in self.fields))
        return ElementChange(self.old_id, tuple(f.mirror() for f in self.fields), self.id)


@dataclass(frozen=True)
class EntryChange:
    """An entry of a keyed section (a source, a taxonomy term, an acceptance): ``None`` = absent."""

    section: str
    key: str
    old: Any
    new: Any

    @property
    def change(self) -> str:
        return "added" if self.old is None else "removed" if self.new is None else "changed"

    def to_dict(self) -> dict[str, Any]:
        return {"section": self.section, "key": self.key, "change": self.change, "old": self.old, "new": self.new}

    def mirror(self) -> "EntryChange":
        return EntryChange(self.section, self.key, self.new, self.old)


@dataclass
class ModelChanges:
    """Everything that differs between two models, each list sorted by id or key."""

    meta: list[FieldChange] = field(default_factory=list)
    systems_added: list[Element] = field(default_factory=list)
    systems_removed: list[Element] = field(default_factory=list)
    systems_changed: list[ElementChange] = field(default_factory=list)
    flows_added: list[Element] = field(default_factory=list)
    flows_removed: list[Element] = field(default_factory=list)
    flows_changed: list[ElementChange] = field(default_factory=list)  # renamed flows included
    sources: list[EntryChange] = field(default_factory=list)
    taxonomy: list[EntryChange] = field(default_factory=list)
    accepted: list[EntryChange] = field(default_factory=list)

    def is_empty(self) -> bool:
        return not any(getattr(self, name) for name in self.__dataclass_fields__)

    def count(self) -> int:
        return sum(len(getattr(self, name)) for name in self.__dataclass_fields__)

    def mirror(self) -> "ModelChanges":
        """The changes that lead back from the new snapshot to the old one."""
        return ModelChanges(
            meta=[f.mirror() for f in self.meta],
            systems_added=list(self.systems_removed),
            systems_removed=list(self.systems_added),
            systems_changed=[c.mirror() for c in self.systems_changed],
            flows_added=list(self.flows_removed),
            flows_removed=list(self.flows_added),
            flows_changed=sorted((c.mirror() for c in self.flows_changed), key=lambda c: c.id),
            sources=[c.mirror() for c in self.sources],
            taxonomy=[c.mirror() for c in self.taxonomy],
            accepted=[c.mirror() for c in self.accepted],
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "meta": [f.to_dict() for f in self.meta],
            "systems": {
                "added": [e.to_dict() for e in self.systems_added],
                "removed": [e.to_dict() for e in self.systems_removed],
                "changed": [c.to_dict() for c in self.systems_changed],
            },
            "flows": {
                "added": [e.to_dict() for e in self.flows_added],
                "removed": [e.to_dict() for e in self.flows_removed],
                "changed": [c.to_dict() for c in self.flows_changed],
            },
            "sources": [c.to_dict() for c in self.sources],
            "taxonomy": [c.to_dict() for c in self.taxonomy],
            "accepted": [c.to_dict() for c in self.accepted],
        }


# --- normalised plain data ----------------------------------------------------------------


def _norm(value: Any) -> Any:
    """Sort lists (their order in the file means nothing), recursively."""
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()}
    if isinstance(value, list):
        if not value or isinstance(value[0], str):  # model lists are homogeneous: names, or incidents
            return sorted(value)
        items = [_norm(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _flat(element: dict[str, Any]) -> dict[str, Any]:
    """Full field values of a dumped element, nested safeguards flattened to ``controls.x``."""
    out: dict[str, Any] = {}
    for key, value in element.items():
        if key in _NESTED and isinstance(value, dict):
            for sub, sub_value in value.items():
                out[f"{key}.{sub}"] = sub_value
        elif isinstance(value, list):
            out[key] = _norm(value)
        else:
            out[key] = value
    return out


def _compact(element: Any) -> dict[str, Any]:
    return _norm(element.model_dump(mode="json", by_alias=True, exclude_defaults=True))


def _acceptance_keys(model: Model) -> dict[str, dict[str, Any]]:
    """Acceptances keyed by their finding pattern (``pattern#2`` for a repeated one)."""
    out: dict[str, dict[str, Any]] = {}
    for acceptance in model.accepted:
        key, number = acceptance.finding, 1
        while key in out:
            number += 1
            key = f"{acceptance.finding}#{number}"
        out[key] = acceptance.model_dump(mode="json", exclude_defaults=True)
    return out


def _taxonomy_entries(model: Model) -> dict[str, Any]:
    """The model's taxonomy extension as ``section.name`` -> entry (compatible pairs as keys)."""
    data = model.taxonomy.model_dump(mode="json", exclude_defaults=True)
    out: dict[str, Any] = {}
    for section, entries in data.items():
        if section in ("compatible", "incompatible"):
            for pair in entries:
                out[f"{section}.{' <-> '.join(sorted(pair))}"] = sorted(pair)
        else:
            for name, body in entries.items():
                out[f"{section}.{name}"] = body
    return out


def snapshot_data(model: Model) -> dict[str, Any]:
    """The model as normalised plain data: what the diff compares (order of elements and lists ignored).

    Two models with equal snapshot data have an empty diff.
    """
    raw = _raw_elements(model)
    return {
        **_small_parts(model),
        "systems": {key: _flat(element) for key, element in raw["systems"].items()},
        "flows": {key: _flat(element) for key, element in raw["flows"].items()},
    }


def _raw_elements(model: Model) -> dict[str, dict[str, dict[str, Any]]]:
    """Systems and flows dumped as plain data, by id, not yet normalised."""
    dumped = model.model_dump(mode="json", by_alias=True, include={"systems", "flows"})  # one call: fast
    return {kind: {element["id"]: element for element in dumped[kind]} for kind in ("systems", "flows")}


def _small_parts(model: Model) -> dict[str, Any]:
    """The parts of :func:`snapshot_data` other than systems and flows."""
    return {
        "meta": {k: getattr(model, k) for k in META_FIELDS},
        "sources": dict(model.sources),
        "taxonomy": _taxonomy_entries(model),
        "accepted": _acceptance_keys(model),
    }


# --- comparison -----------------------------------------------------------------------------


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[FieldChange, ...]:
    """Differing fields, in the model's field order (keys present in either side)."""
    keys = list(old) + [k for k in new if k not in old]
    return tuple(FieldChange(k, old.get(k), new.get(k)) for k in keys if k != "id" and old.get(k) != new.get(k))


def _entries(section: str, old: dict[str, Any], new: dict[str, Any]) -> list[EntryChange]:
    keys = sorted(set(old) | set(new))
    return [EntryChange(section, k, old.get(k), new.get(k)) for k in keys if old.get(k) != new.get(k)]


def _signature(flat: dict[str, Any]) -> tuple:
    return (flat["from"], flat["to"], tuple(flat["data"]), tuple(flat["purpose"]))


def compare_models(old: Model, new: Model) -> ModelChanges:
    """The model changes from ``old`` to ``new``.

    Notes
    -----
    Linear in the size of both models: elements are matched through dicts by id,
    and renamed flows through a dict keyed by (from, to, data, purposes).
    """
    a, b = _small_parts(old), _small_parts(new)
    raw = (_raw_elements(old), _raw_elements(new))
    changes = ModelChanges()
    changes.meta = [FieldChange(k, a["meta"][k], b["meta"][k]) for k in META_FIELDS if a["meta"][k] != b["meta"][k]]
    objects = {("systems", 0): old.systems, ("systems", 1): new.systems, ("flows", 0): old.flows, ("flows", 1): new.flows}
    compact = {key: {e.id: e for e in elements} for key, elements in objects.items()}
    for kind in ("systems", "flows"):
        raw_before, raw_after = raw[0][kind], raw[1][kind]
        added = sorted(k for k in raw_after if k not in raw_before)
        removed = sorted(k for k in raw_before if k not in raw_after)
        # only elements whose dumps differ are normalised (list order means nothing) and compared
        differing = sorted(k for k, element in raw_before.items() if k in raw_after and element != raw_after[k])
        before = {k: _flat(raw_before[k]) for k in (*differing, *removed)}
        after = {k: _flat(raw_after[k]) for k in (*differing, *added)}
        changed = [ElementChange(k, _field_changes(before[k], after[k])) for k in differing if before[k] != after[k]]
        if kind == "flows":
            renamed = _pair_renames(before, after, removed, added)
            for old_id, new_id in renamed:
                changed.append(ElementChange(new_id, _field_changes(before[old_id], after[new_id]), old_id))
            gone = {o for o, _ in renamed} | {n for _, n in renamed}
            added = [k for k in added if k not in gone]
            removed = [k for k in removed if k not in gone]
            changed.sort(key=lambda c: c.id)
        setattr(changes, f"{kind}_added", [Element(k, _compact(compact[(kind, 1)][k])) for k in added])
        setattr(changes, f"{kind}_removed", [Element(k, _compact(compact[(kind, 0)][k])) for k in removed])
        setattr(changes, f"{kind}_changed", changed)
    changes.sources = _entries("sources", a["sources"], b["sources"])
    changes.taxonomy = _entries("taxonomy", a["taxonomy"], b["taxonomy"])
    changes.accepted = _entries("accepted", a["accepted"], b["accepted"])
    return changes


def _pair_renames(
    before: dict[str, dict], after: dict[str, dict], removed: list[str], added: list[str]
) -> list[tuple[str, str]]:
    """(old id, new id) of flows whose id changed but whose endpoints, data and purposes did not.

    Candidates with the same signature are paired in id order, so the result is the
    mirror image when old and new are swapped.
    """
    by_signature: dict[tuple, list[str]] = {}
    for flow_id in removed:
        by_signature.setdefault(_signature(before[flow_id]), []).append(flow_id)
    pairs = []
    taken: dict[tuple, int] = {}
    for flow_id in added:
        signature = _signature(after[flow_id])
        candidates = by_signature.get(signature)
        position = taken.get(signature, 0)
        if candidates and position < len(candidates):
            pairs.append((candidates[position], flow_id))
            taken[signature] = position + 1
    return sorted(pairs, key=lambda p: p[1])
