"""Replaying model changes on a model, like a patch: ``apply_changes(a, diff(a, b).model)`` equals ``b``.

A change applies only where it fits: the element exists (or, to be added, does not),
and each field's current value is the change's old value; otherwise
:class:`~flowmap.errors.UsageError` says which.
"""

from __future__ import annotations

import json
from typing import Any

from flowmap.diff.model_changes import _NESTED, EntryChange, ModelChanges, _acceptance_keys, _flat, _taxonomy_entries
from flowmap.errors import UsageError
from flowmap.model import Model

__all__ = ["apply_changes"]



def _set_field(data: dict[str, Any], name: str, value: Any) -> None:
    head, _, tail = name.partition(".")
    if tail and head in _NESTED:
        nested = data.setdefault(head, {})
        if value is None:
            nested.pop(tail, None)
        else:
            nested[tail] = value
    elif value is None:
        data.pop(name, None)
    else:
        data[name] = value


def _apply_elements(kind: str, items: list[dict], changes: ModelChanges, where: str) -> list[dict]:
    by_id = {item["id"]: item for item in items}
    for element in getattr(changes, f"{kind}_removed"):
        if by_id.pop(element.id, None) is None:
            raise UsageError(f"{where}: cannot remove {kind[:-1]} '{element.id}': it is not in the model")
    for change in getattr(changes, f"{kind}_changed"):
        current = by_id.pop(change.old_id or change.id, None)
        if current is None:
            raise UsageError(f"{where}: cannot change {kind[:-1]} '{change.old_id or change.id}': it is not in the model")
        flat = _flat(current)
        for f in change.fields:
            if flat.get(f.field) != f.old:
                raise UsageError(
                    f"{where}: {kind[:-1]} '{change.id}' field {f.field} is {flat.get(f.field)!r}, "
                    f"the change expects {f.old!r}"
                )
            _set_field(current, f.field, f.new)
        current["id"] = change.id
        by_id[change.id] = current
    for element in getattr(changes, f"{kind}_added"):
        if element.id in by_id:
            raise UsageError(f"{where}: cannot add {kind[:-1]} '{element.id}': the model already has one")
        by_id[element.id] = json.loads(json.dumps(element.data))
    return list(by_id.values())


def _apply_entries(target: dict[str, Any], entries: list[EntryChange], where: str) -> None:
    for entry in entries:
        if target.get(entry.key) != entry.old:
            raise UsageError(f"{where}: {entry.section} entry '{entry.key}' does not match the change's old value")
        if entry.new is None:
            target.pop(entry.key, None)
        else:
            target[entry.key] = entry.new


def apply_changes(model: Model, changes: ModelChanges) -> Model:
    """Replay ``changes`` on ``model`` like a patch and return the resulting, validated model.

    Raises :class:`~flowmap.errors.UsageError` when a change does not apply (an element
    is missing, or a field's current value is not the change's old value), and
    :class:`~flowmap.errors.ModelError` when the result is not a valid model.
    """
    from flowmap.validate import build_model

    where = model.file or "model"
    data = model.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    full = model.model_dump(mode="json", by_alias=True, include={"systems", "flows"})
    for f in changes.meta:
        if data.get(f.field) != f.old:
            raise UsageError(f"{where}: {f.field} is {data.get(f.field)!r}, the change expects {f.old!r}")
        _set_field(data, f.field, f.new)
    data["systems"] = _apply_elements("systems", full["systems"], changes, where)
    data["flows"] = _apply_elements("flows", full["flows"], changes, where)
    sources = dict(data.get("sources", {}))
    _apply_entries(sources, changes.sources, where)
    data["sources"] = sources
    taxonomy = _taxonomy_entries(model)
    _apply_entries(taxonomy, changes.taxonomy, where)
    data["taxonomy"] = _taxonomy_from_entries(taxonomy)
    accepted = _acceptance_keys(model)
    _apply_entries(accepted, changes.accepted, where)
    data["accepted"] = list(accepted.values())
    return build_model(data, where)


def _taxonomy_from_entries(entries: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, body in entries.items():
        section, _, name = key.partition(".")
        if section in ("compatible", "incompatible"):
            out.setdefault(section, []).append(body)
        else:
            out.setdefault(section, {})[name] = body
    return out


