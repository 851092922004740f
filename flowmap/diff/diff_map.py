"""The diff map: the union of both snapshots drawn with the map's layout and styles.

Added systems and flows are outlined green, removed ones are faded ghosts,
changed (or renamed) ones are outlined amber; the findings panel lists the new,
resolved and changed findings with a badge each. Flows are styled as the legend says by
every finding of the new snapshot (and the resolved ones, for what the old one had): a flow
that is function creep in both snapshots is drawn as creep. Drawing is done by
:mod:`flowmap.maps` (``build_map_data`` with per-node and per-edge status);
this module only builds the union model and the statuses.
"""

from __future__ import annotations

from typing import Any

from flowmap.diff.result import Diff
from flowmap.errors import UsageError
from flowmap.model import Model

__all__ = ["union_model", "diff_statuses", "render_diff_map"]


def _merged_taxonomy(old: Model, new: Model) -> dict[str, Any]:
    """The new snapshot's taxonomy extension, plus old-only entries that removed elements may still use."""
    a = old.taxonomy.model_dump(mode="json", exclude_defaults=True)
    b = new.taxonomy.model_dump(mode="json", exclude_defaults=True)
    out: dict[str, Any] = {}
    for section in sorted(set(a) | set(b)):
        if section in ("compatible", "incompatible"):
            pairs = {tuple(sorted(p)) for p in [*a.get(section, []), *b.get(section, [])]}
            out[section] = [list(p) for p in sorted(pairs)]
        else:
            out[section] = {**a.get(section, {}), **b.get(section, {})}
    return out


def union_model(diff: Diff) -> Model:
    """Every system and flow of the new snapshot, plus those only the old one had.

    Notes
    -----
    Linear in both models (dicts by id).
    """
    old, new = diff.old_model, diff.new_model
    if old is None or new is None:
        raise UsageError("a diff map needs the diff's models: build the Diff with flowmap.diff.diff()")
    data = new.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    old_systems = {s.id: s for s in old.systems}
    old_flows = {f.id: f for f in old.flows}
    data["systems"] += [
        old_systems[e.id].model_dump(mode="json", by_alias=True, exclude_defaults=True) for e in diff.model.systems_removed
    ]
    data["flows"] = data.get("flows", []) + [
        old_flows[e.id].model_dump(mode="json", by_alias=True, exclude_defaults=True) for e in diff.model.flows_removed
    ]
    data["taxonomy"] = _merged_taxonomy(old, new)
    data["sources"] = {**old.sources, **new.sources}
    data["accepted"] = []
    return Model.model_validate(data)


def diff_statuses(diff: Diff) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(system id -> status, flow id -> status, finding id -> badge) for the map."""
    m = diff.model
    nodes = {e.id: "added" for e in m.systems_added}
    nodes.update({e.id: "removed" for e in m.systems_removed})
    nodes.update({c.id: "changed" for c in m.systems_changed})
    edges = {e.id: "added" for e in m.flows_added}
    edges.update({e.id: "removed" for e in m.flows_removed})
    edges.update({c.id: "changed" for c in m.flows_changed})
    badges = {c.id: c.change for c in diff.risks.all()}
    return nodes, edges, badges


def render_diff_map(diff: Diff) -> str:
    """The standalone HTML diff map (what ``flowmap diff --map FILE`` writes)."""
    from flowmap.maps import build_map_data, render_html

    model = union_model(diff)
    nodes, edges, badges = diff_statuses(diff)
    findings = [c.finding for c in diff.risks.all()]
    styling = [*diff.new_findings, *(c.finding for c in diff.risks.resolved)]
    title = f"Diff: {diff.old.label} -> {diff.new.label}"
    data = build_map_data(
        model, findings=findings, style_findings=styling, title=title, node_status=nodes, edge_status=edges,
        finding_badges=badges,
    )
    return render_html(data)
