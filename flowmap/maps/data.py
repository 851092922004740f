"""What a map shows, as plain JSON-ready data: nodes, edges, details, findings, legend.

Pure: no HTML here, so every style decision is unit-testable. :func:`build_map_data`
is also the entry point for callers that draw something other than one model's
analysis, such as a diff map: they pass their own findings, per-node and per-edge
``status`` (``added``, ``removed``, ``changed``) and a badge per finding.

>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "demo", "systems": [
...     {"id": "clinic", "sector": "health", "holds": ["special.health"], "purposes": ["services.health"]},
...     {"id": "police", "sector": "police", "actor": "law_enforcement", "kind": "authority"}],
...   "flows": [{"from": "clinic", "to": "police", "data": ["special.health"], "purpose": "enforcement.law",
...              "transport": {"encrypted": False}}]})
>>> data = build_map_data(m)
>>> [(n["id"], n["kind"], n["size"]) for n in data.nodes]
[('clinic', 'database', 28), ('police', 'authority', 28)]
>>> data.edges[0]["style"], data.legend["edges"][0][:2]
('insecure', ['insecure', '#CC3311'])
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from flowmap.errors import UsageError
from flowmap.diagnostics import did_you_mean, shown
from flowmap.findings import Finding, Kind, Severity
from flowmap.maps import style
from flowmap.maps.layout import layout_positions
from flowmap.maps.text import flow_rows, received_by_node, system_rows
from flowmap.loader import gc_paused
from flowmap.model import Flow, Model, System
from flowmap.propagation import propagate

__all__ = ["MapData", "build_map_data", "select_elements", "PHYSICS_LIMIT"]

PHYSICS_LIMIT = 300  # above this many systems, positions come from Python only and physics stays off
MAX_FINDINGS = 1000  # findings embedded in one map, most severe first; the rest are counted


@dataclass
class MapData:
    """Everything the page draws; ``to_dict()`` is what gets embedded as JSON."""

    title: str
    subtitle: str
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    details: dict[str, list[list[str]]]  # system id -> tooltip rows [label, text]
    edge_details: list[list[list[str]]]  # distinct tooltip row sets of flows; edge["rows"] indexes it
    findings: list[dict[str, Any]]
    legend: dict[str, Any]
    physics: bool
    options: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "nodes": self.nodes,
            "edges": self.edges,
            "details": self.details,
            "edgeDetails": self.edge_details,
            "findings": self.findings,
            "legend": self.legend,
            "physics": self.physics,
            "options": self.options,
        }


def _carries(flow: Flow, category: str, tax) -> bool:
    """A flow carries ``category`` when one of its data entries covers it or lies under it."""
    return any(tax.covers(d, category) or tax.covers(category, d) for d in flow.data)


def select_elements(
    model: Model, *, focus: str | None = None, category: str | None = None
) -> tuple[list[System], list[Flow]]:
    """The systems and flows a map draws (sorted by id).

    ``category`` keeps the flows that carry it and the systems that hold it or touch
    such a flow; ``focus`` keeps the systems that can reach the focus or be reached
    from it, and the flows on those paths. Both are linear in the model.

    >>> from flowmap.model import Model
    >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
    ...     {"id": "a", "sector": "police"}, {"id": "b", "sector": "police"}, {"id": "c", "sector": "police"},
    ...     {"id": "d", "sector": "police"}],
    ...   "flows": [{"from": "a", "to": "b", "data": ["identity"], "purpose": "enforcement.law"},
    ...             {"from": "b", "to": "c", "data": ["financial"], "purpose": "enforcement.law"},
    ...             {"from": "d", "to": "a", "data": ["identity"], "purpose": "enforcement.law"}]})
    >>> [s.id for s in select_elements(m, focus="b")[0]]
    ['a', 'b', 'c', 'd']
    >>> [f.id for f in select_elements(m, focus="c", category="identity")[1]]
    []
    >>> [f.id for f in select_elements(m, category="identity")[1]]
    ['a->b', 'd->a']
    """
    tax = model.effective_taxonomy
    systems = sorted(model.systems, key=lambda s: s.id)
    flows = sorted(model.flows, key=lambda f: f.id)
    ids = {s.id for s in systems}
    if category is not None:
        known = set(tax.categories) | {d for f in model.flows for d in f.data} | {h for s in systems for h in s.holds}
        if category not in known:

            raise UsageError(f"unknown category {shown(category)}{did_you_mean(category, known)}")
        flows = [f for f in flows if _carries(f, category, tax)]
        ids = {f.source for f in flows} | {f.target for f in flows}
        ids |= {s.id for s in systems if any(tax.covers(h, category) or tax.covers(category, h) for h in s.holds)}
    if focus is not None:
        if focus not in {s.id for s in systems}:

            raise UsageError(f"unknown system {shown(focus)}{did_you_mean(focus, [s.id for s in systems])}")
        succ: dict[str, list[str]] = {}
        pred: dict[str, list[str]] = {}
        for f in flows:
            pairs = [(f.source, f.target)] + ([(f.target, f.source)] if f.bidirectional else [])
            for s, t in pairs:
                succ.setdefault(s, []).append(t)
                pred.setdefault(t, []).append(s)
        upstream, downstream = _reach(focus, pred), _reach(focus, succ)

        def on_path(s: str, t: str) -> bool:
            return (s in upstream and t in upstream) or (s in downstream and t in downstream)

        flows = [f for f in flows if on_path(f.source, f.target) or (f.bidirectional and on_path(f.target, f.source))]
        ids = (upstream | downstream) & (ids | {focus})
    return [s for s in systems if s.id in ids], flows


def _reach(start: str, adjacency: dict[str, list[str]]) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in adjacency.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _flow_style(flow: Flow, creep: set[str], insecure: set[str]) -> str:
    t = flow.transport
    if flow.id in insecure or t.encrypted is False or t.authenticated is False:
        return "insecure"
    if flow.id in creep:
        return "creep"
    if t.encrypted is None or t.authenticated is None:
        return "unknown"
    return "normal"


def _on_map(finding: Finding, drawn: set[str], drawn_flows: set[str]) -> bool:
    """Whether a map of ``drawn`` can show a finding: all its systems are drawn, and one of its
    flows when it names any (a focus or category map keeps only what it can show)."""
    elements = {*finding.systems, *finding.path}
    if not elements and not finding.flows:
        return True
    return elements <= drawn and (not finding.flows or not drawn_flows.isdisjoint(finding.flows))


def _creep_flow(finding: Finding) -> str:
    """The flow on which a function-creep finding's use happens: the last of its path. For the
    function_creep rule it is named in the id (``function_creep:<origin>:<flow>``; ids hold no
    ':'), so a map need not render the text of 100,000 findings to find it.

    >>> _creep_flow(Finding(id="function_creep:a:a->b", rule="function_creep", kind="function_creep",
    ...                     severity="high", title="", message="", flows=["a->b"]))
    'a->b'
    """
    if finding.rule == "function_creep":
        return finding.id.split(":", 2)[2]
    return finding.flows[-1]


def _finding_view(finding: Finding, badge: str | None) -> dict[str, Any]:
    return {
        "id": finding.id,
        "kind": finding.kind.value,
        "severity": finding.severity.name,
        "status": finding.status,
        "title": finding.title,
        "message": finding.message,
        "systems": list(finding.systems),
        "flows": list(finding.flows),
        "path": list(finding.path),
        "categories": list(finding.categories),
        "badge": badge or "",
    }


def build_map_data(
    model: Model,
    *,
    findings: Sequence[Finding] | None = None,
    focus: str | None = None,
    category: str | None = None,
    title: str | None = None,
    node_status: Mapping[str, str] | None = None,
    edge_status: Mapping[str, str] | None = None,
    finding_badges: Mapping[str, str] | None = None,
    physics_limit: int = PHYSICS_LIMIT,
    max_findings: int = MAX_FINDINGS,
) -> MapData:
    """Nodes, edges, tooltips, findings and legend of a map of ``model``.

    Parameters
    ----------
    findings : the findings to list and to style by (e.g. ``analyze(model).findings``);
        None or empty shows no findings panel. A diff map passes new and resolved findings.
        All of them style the flows; the first ``max_findings`` are listed.
    focus, category : draw only a system's paths, or only flows carrying a category
        (see :func:`select_elements`); unknown names raise :class:`UsageError`.
    node_status, edge_status : system id / flow id -> ``added``, ``removed`` or ``changed``:
        added are outlined green, removed are faded ghosts, changed are outlined amber.
    finding_badges : finding id -> a short label shown before its title (``new``, ``resolved``).

    Items are compact: a node names its ``sector`` and ``kind`` and the page takes colour
    and shape from ``legend``; an edge names its ``style`` (``insecure``, ``creep``,
    ``unknown``, ``normal``) and the page takes colour and dashes from ``legend.edges``.

    Notes
    -----
    Linear in the model plus the propagation (computed once, memoised on the model).
    """
    with gc_paused():  # builds ~100,000 small acyclic objects next to a large model: collections would only rescan it
        return _build(model, findings, focus, category, title, node_status, edge_status, finding_badges,
                      physics_limit, max_findings)


def _build(model, findings, focus, category, title, node_status, edge_status, finding_badges,
           physics_limit, max_findings) -> MapData:
    tax = model.effective_taxonomy
    prop = propagate(model)
    node_status, edge_status = dict(node_status or {}), dict(edge_status or {})
    unknown_status = sorted({*node_status.values(), *edge_status.values()} - set(style.STATUS_STYLES))
    if unknown_status:
        raise UsageError(f"unknown map status {shown(unknown_status[0])}: use one of {', '.join(style.STATUS_STYLES)}")
    systems, flows = select_elements(model, focus=focus, category=category)
    drawn = {s.id for s in systems}
    drawn_flows = {f.id for f in flows}
    if focus is None and category is None and not node_status and not edge_status:
        # the whole model is drawn, and findings of one model name only its own elements: all
        # are visible, without rendering each one's text to check (100,000s at scale)
        visible = list(findings or ())
    else:
        visible = [f for f in (findings or ()) if _on_map(f, drawn, drawn_flows)]
    badges = finding_badges or {}
    finding_views = [_finding_view(f, badges.get(f.id)) for f in visible[:max_findings]]
    # function creep happens on the last hop of a finding's path; an insecure-link finding that
    # rests on omitted fields is "unknown", which the transport fields already say
    creep = {_creep_flow(f) for f in visible if f.kind is Kind.function_creep and (f.rule == "function_creep" or f.flows)}
    insecure = {
        fid
        for f in visible
        if f.kind is Kind.insecure_link and f.confidence.value == "high"
        for fid in ((f.id.split(":", 1)[1],) if f.rule == "insecure_link" else f.flows)  # insecure_link:<flow>
    }
    sector_order = list(tax.sectors)
    positions = layout_positions(systems, flows, sector_order)
    nodes, details = _nodes(systems, prop, tax, positions, node_status)
    edges, edge_details = _edges(flows, tax, creep, insecure, edge_status)
    listed = f"{len(visible)} findings" if len(visible) <= max_findings else f"{max_findings} of {len(visible)} findings listed"
    subtitle = " \u00b7 ".join(
        part for part in (
            f"as of {model.as_of}" if model.as_of else "",
            f"{len(systems)} systems, {len(flows)} flows",
            listed if findings else "",
            f"focus: {focus}" if focus else "",
            f"category: {category}" if category else "",
        ) if part
    )
    return MapData(
        title=title or model.name,
        subtitle=subtitle,
        nodes=nodes,
        edges=edges,
        details=details,
        edge_details=edge_details,
        findings=finding_views,
        legend=_legend(systems, edges, sector_order, node_status, edge_status),
        physics=len(systems) <= physics_limit,
        options={"severities": [s.name for s in reversed(Severity)],
                 "categories": sorted({d for f in flows for d in f.data} | {h for s in systems for h in s.holds}),
                 "findingsTotal": len(visible)},
    )


def _nodes(systems, prop, tax, positions, status) -> tuple[list[dict], dict]:
    nodes, details = [], {}
    received = received_by_node(prop)
    sensitivity = {name: int(c.sensitivity) for name, c in tax.categories.items()}
    level = {c: sensitivity.get(c, int(tax.sensitivity(c))) for c in prop.categories}
    top_at: dict[int, int] = {}
    for category, reached in prop.reach.items():
        for node in reached:
            if level[category] > top_at.get(node, 0):
                top_at[node] = level[category]
    for system in systems:
        position = prop.index.position[system.id]
        top = max([top_at.get(position, 0), *(int(tax.sensitivity(c)) for c in system.holds)]) or None
        x, y = positions[system.id]
        node = {
            "id": system.id,
            "label": ("\u2691 " if system.actor else "") + system.display_name,
            "sector": system.sector,
            "kind": system.kind.value,
            "size": style.node_size(top),
            "x": x,
            "y": y,
        }
        if system.actor:
            node["actor"] = system.actor
        state = status.get(system.id)
        if state:
            node["status"] = state
        nodes.append(node)
        rows = system_rows(system, received.get(position, []), tax)
        if state:
            rows.insert(1, ["status", state])
        details[system.id] = rows
    return nodes, details


def _edges(flows, tax, creep, insecure, status) -> tuple[list[dict], list]:
    edges, row_sets, known = [], [], {}
    level = {c: int(tax.sensitivity(c)) for c in sorted({d for f in flows for d in f.data})}
    for flow in flows:
        top = max((level[d] for d in flow.data), default=None)
        edge = {
            "id": flow.id,
            "from": flow.source,
            "to": flow.target,
            "width": style.edge_width(top),
            "style": _flow_style(flow, creep, insecure),
            "data": list(flow.data),
        }
        if flow.bidirectional:
            edge["both"] = True
        state = status.get(flow.id)
        if state:
            edge["status"] = state
        t = flow.transport  # flows often share all that their rows say: format each set of rows once
        key = (tuple(flow.purposes), flow.mode, t.encrypted, t.authenticated, t.logged, tuple(flow.legal_basis),
               flow.automated_decision, flow.human_review, flow.conditions, flow.notes, state)
        if key not in known:
            rows = flow_rows(flow)
            if state:
                rows.insert(0, ["status", state])
            known[key] = len(row_sets)
            row_sets.append(rows)
        edge["rows"] = known[key]
        edges.append(edge)
    return edges, row_sets


def _legend(systems, edges, sector_order, node_status, edge_status) -> dict[str, Any]:
    """What the page needs to style items, and what the legend lists (only what is used)."""
    sectors = sorted({s.sector for s in systems}, key=lambda s: (sector_order.index(s) if s in sector_order else 1e9, s))
    kinds = [k for k in style.KIND_SHAPE if any(s.kind.value == k for s in systems)]
    used_styles = {e["style"] for e in edges}
    statuses = [s for s in style.STATUS_STYLES if s in {*node_status.values(), *edge_status.values()}]
    return {
        "sectors": [[s, style.sector_colour(s, sector_order)] for s in sectors],
        "kinds": [[k, style.KIND_SHAPE[k]] for k in kinds],
        "edges": [[k, v["colour"], v["label"], v["dashes"]] for k, v in style.EDGE_STYLES.items()
                  if k in used_styles],
        "actor": any(s.actor for s in systems),
        "actorBorder": style.ACTOR_BORDER,
        "statuses": [[s, v["colour"], v["opacity"]] for s, v in style.STATUS_STYLES.items() if s in statuses],
        "severityColours": style.SEVERITY_COLOURS,
    }
