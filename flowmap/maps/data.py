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

import itertools
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from flowmap.diagnostics import did_you_mean, shown
from flowmap.errors import UsageError
from flowmap.findings import Confidence, Finding, Kind, Severity
from flowmap.graph import Graph, graph_of
from flowmap.maps import style
from flowmap.maps.clusters import CLUSTER_LIMIT, GROUPINGS, cluster_view, group_key
from flowmap.maps.layout import layout_positions
from flowmap.maps.text import Received, flow_rows, received_at_systems, system_rows
from flowmap.model import Flow, Model, System
from flowmap.ranking import rank_key

__all__ = ["MapData", "build_map_data", "expand", "select_elements", "PHYSICS_LIMIT", "CLUSTER_LIMIT"]

PHYSICS_LIMIT = 300  # above this many systems, positions come from Python only and physics stays off
NODE_LOOK = ("sector", "kind", "size", "actor", "status", "severity")  # what nodes share (MapData.to_dict)
EDGE_LOOK = ("width", "style", "severity", "both", "status")
MAX_FINDINGS = 1000  # findings embedded in one map, established first, by rank; the rest are counted


@dataclass
class MapData:
    """Everything the page draws: :meth:`to_dict` is what it reads first, :meth:`details_dict` what
    it reads when a tooltip or a detail panel first needs it."""

    title: str
    subtitle: str
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    details: dict[str, list[list[Any]]]  # system id -> tooltip rows [label, text] after the heading (see text.py)
    edge_details: list[list[list[str]]]  # distinct tooltip row sets of flows; edge["rows"] indexes it
    findings: list[dict[str, Any]]
    legend: dict[str, Any]
    physics: bool
    options: dict[str, Any] = field(default_factory=dict)
    lod: dict[str, Any] | None = None  # clusters, above CLUSTER_LIMIT systems (see flowmap.maps.clusters)

    def to_dict(self) -> dict[str, Any]:
        """What the page draws from, compact (a 50,000-system map has about 250,000 flows).

        Nodes and edges are columns: ``nodes`` holds ``id``, ``label``, ``x``, ``y`` and ``look``,
        an index into ``nodeLooks``, the distinct sets of the other fields of a node (sector, kind,
        size, actor, status, severity); ``edges`` holds ``from`` and ``to`` as node indexes,
        ``data`` as an index into ``dataSets`` (lists of indexes into ``options.categories``),
        ``rows`` (see :meth:`details_dict`) and ``look``, an index into ``edgeLooks`` (width, style,
        severity, both, status); ``ids`` lists ``[edge index, id]`` for the flows whose id is not
        ``<from>-><to>``. The page turns the columns back into the node and edge items of
        :attr:`nodes` and :attr:`edges`.

        >>> data = MapData("t", "", [{"id": "a", "label": "A", "x": 0, "y": 0, "sector": "police", "kind": "dot",
        ...     "size": 10}, {"id": "b", "label": "B", "x": 5, "y": 0, "sector": "police", "kind": "dot", "size": 10}],
        ...     [{"id": "a->b", "from": "a", "to": "b", "width": 1.0, "style": "normal", "data": ["identity"],
        ...       "rows": 0}], {"a": [], "b": []}, [[]], [], {}, False, {"categories": ["identity"]})
        >>> compact = data.to_dict()
        >>> compact["nodes"], compact["nodeLooks"]
        ({'id': ['a', 'b'], 'label': ['A', 'B'], 'x': [0, 5], 'y': [0, 0], 'look': [0, 0]}, [{'sector': 'police', 'kind': 'dot', 'size': 10}])
        >>> compact["edges"], compact["edgeLooks"], compact["dataSets"]
        ({'from': [0], 'to': [1], 'data': [0], 'rows': [0], 'look': [0], 'ids': []}, [{'width': 1.0, 'style': 'normal'}], [[0]])
        """
        index = {n["id"]: i for i, n in enumerate(self.nodes)}
        node_look, node_looks = _looks(self.nodes, NODE_LOOK)
        edge_look, edge_looks = _looks(self.edges, EDGE_LOOK)
        category = {c: i for i, c in enumerate(self.options.get("categories", ()))}
        data_sets: dict[tuple[str, ...], int] = {}
        sources, targets, data, ids = [], [], [], []
        for i, e in enumerate(self.edges):
            source, target = e["from"], e["to"]
            sources.append(index[source])
            targets.append(index[target])
            data.append(data_sets.setdefault(tuple(e["data"]), len(data_sets)))
            if e["id"] != f"{source}->{target}":
                ids.append([i, e["id"]])
        return {
            "title": self.title,
            "subtitle": self.subtitle,
            "nodes": {"id": [n["id"] for n in self.nodes], "label": [n["label"] for n in self.nodes],
                      "x": [n["x"] for n in self.nodes], "y": [n["y"] for n in self.nodes], "look": node_look},
            "nodeLooks": node_looks,
            "edges": {"from": sources, "to": targets, "data": data, "rows": [e["rows"] for e in self.edges],
                      "look": edge_look, "ids": ids},
            "edgeLooks": edge_looks,
            "dataSets": [[category[c] for c in d] for d in data_sets],
            "findings": self.findings,
            "legend": self.legend,
            "physics": self.physics,
            "options": self.options,
            "lod": self.lod,
        }

    def details_dict(self) -> dict[str, Any]:
        """Tooltip and detail-panel rows, read by the page when it first shows one.

        Rows are flat ``[label, text, label, text, ...]`` lists of indexes into ``strings`` (most
        rows repeat: kinds, controls, retention): ``nodes`` one list per node, in node order,
        ``edges`` one per distinct row set (an edge's ``rows``). The text of a "receives" row is a
        list instead, ``[head, count, head, count, ..., -more]``: ``heads`` holds ``[category,
        origin, ...]`` (indexes into ``strings``), ``count`` the number of origins, and a last
        negative number the categories not shown (see :class:`~flowmap.maps.text.Received`).

        >>> from flowmap.maps.text import Received
        >>> data = MapData("t", "", [{"id": "a"}], [], {"a": [["retention", "P5Y"], ["receives",
        ...     Received((("identity", 5, ("b", "c", "d")),), more=1)]]}, [[["purpose", "law"]]], [], {}, False)
        >>> data.details_dict()
        {'strings': ['retention', 'P5Y', 'receives', 'purpose', 'law', 'identity', 'b', 'c', 'd'], 'heads': [[5, 6, 7, 8]], 'nodes': [[0, 1, 2, [0, 5, -1]]], 'edges': [[3, 4]]}
        """
        strings: dict[str, int] = {}
        heads: dict[tuple[str, ...], int] = {}

        def text(value: str) -> int:
            found = strings.get(value)
            if found is None:
                found = strings[value] = len(strings)
            return found

        def received(value: Received) -> list[int]:
            out = []
            for category, count, first in value.parts:
                key = (category, *first)
                head = heads.get(key)
                if head is None:
                    head = heads[key] = len(heads)
                out += [head, count]
            return out + [-value.more] if value.more else out

        def flat(rows: list[list[Any]]) -> list[Any]:
            out: list[Any] = []
            for label, value in rows:
                out += [text(label), received(value) if isinstance(value, Received) else text(value)]
            return out

        nodes = [flat(self.details[n["id"]]) for n in self.nodes]
        edges = [flat(rows) for rows in self.edge_details]
        head_texts = [[text(part) for part in head] for head in heads]
        return {"strings": list(strings), "heads": head_texts, "nodes": nodes, "edges": edges}


def expand(compact: Mapping[str, Any]) -> dict[str, Any]:
    """:meth:`MapData.to_dict` with its node and edge columns turned back into items, as the page
    does (for tests and tools that read a map file, see :func:`flowmap.maps.html.embedded_data`).

    >>> data = MapData("t", "", [{"id": "a", "label": "A", "x": 0, "y": 0, "sector": "police", "kind": "dot",
    ...     "size": 10}], [{"id": "a-a", "from": "a", "to": "a", "width": 1.0, "style": "normal", "data": [],
    ...     "rows": 0}], {"a": []}, [[]], [], {}, False)
    >>> items = expand(data.to_dict())
    >>> items["nodes"] == data.nodes and items["edges"] == data.edges
    True
    """
    out = dict(compact)
    n, e = compact["nodes"], compact["edges"]
    categories = compact["options"].get("categories", [])
    out["nodes"] = [{"id": i, "label": label, **compact["nodeLooks"][look], "x": x, "y": y}
                    for i, label, x, y, look in zip(n["id"], n["label"], n["x"], n["y"], n["look"])]
    ids = dict(map(tuple, e["ids"]))
    edges = []
    for k, (a, b, data, rows, look) in enumerate(zip(e["from"], e["to"], e["data"], e["rows"], e["look"])):
        source, target = n["id"][a], n["id"][b]
        edges.append({"id": ids.get(k, f"{source}->{target}"), "from": source, "to": target,
                      "data": [categories[c] for c in compact["dataSets"][data]], **compact["edgeLooks"][look],
                      "rows": rows})
    out["edges"] = edges
    return out


def _looks(items: Sequence[Mapping[str, Any]], fields: tuple[str, ...]) -> tuple[list[int], list[dict[str, Any]]]:
    """Each item's ``fields`` (those it has), as an index into a table of their distinct sets.

    >>> _looks([{"id": "a", "kind": "dot"}, {"id": "b", "kind": "dot"}, {"id": "c", "kind": "star"}], ("kind",))
    ([0, 0, 1], [{'kind': 'dot'}, {'kind': 'star'}])
    """
    table: dict[tuple, int] = {}
    out = []
    for item in items:
        key = tuple(map(item.get, fields))
        found = table.get(key)
        if found is None:
            found = table[key] = len(table)
        out.append(found)
    return out, [{k: v for k, v in zip(fields, key) if v is not None} for key in table]


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


# The kind of the worst finding anchored at a flow decides its style, where that kind has one.
_KIND_STYLE = {Kind.function_creep: "creep", Kind.insecure_link: "insecure"}


def _flow_style(flow: Flow, anchored: list[Finding]) -> str:
    """``creep`` or ``insecure`` from the worst finding anchored at the flow that has a style
    (an insecure link only when established: an unknown one is what ``unknown`` says), else
    from the transport fields: ``insecure``, ``unknown`` or ``normal``."""
    for finding in anchored:
        look = _KIND_STYLE.get(finding.kind)
        if look == "creep" or (look == "insecure" and finding.confidence is Confidence.high):
            return look
    t = flow.transport
    if t.encrypted is False or t.authenticated is False:
        return "insecure"
    if t.encrypted is None or t.authenticated is None:
        return "unknown"
    return "normal"


def _on_map(finding: Finding, drawn: set[str], drawn_flows: set[str]) -> bool:
    """Whether a map of ``drawn`` systems and ``drawn_flows`` can show a finding: its anchor is
    drawn (a focus or category map keeps only what it can show)."""
    return finding.anchor.id in (drawn_flows if finding.anchor.type == "flow" else drawn)


def _ordered(findings: Sequence[Finding]) -> list[Finding]:
    """Established findings first, then the questions (findings that rest on unknowns), each by rank.

    >>> from flowmap.findings import Anchor, Confidence, Finding, Kind, Severity
    >>> def f(id, severity, confidence, rank):
    ...     return Finding(id=id, rule="r", kind=Kind.exposure, severity=Severity[severity],
    ...                    confidence=Confidence(confidence), title="", message="", anchor=Anchor("flow", id), rank=rank)
    >>> [x.id for x in _ordered([f("q", "medium", "low", 2), f("e", "low", "high", 3), f("c", "critical", "high", 1)])]
    ['c', 'e', 'q']
    """
    ordered = sorted(findings, key=lambda f: (f.confidence is not Confidence.high, f.rank))
    out: list[Finding] = []  # ties (findings of two analyses, or unranked ones) by rank_key: none after one analysis
    for _, tied in itertools.groupby(ordered, key=lambda f: (f.confidence is not Confidence.high, f.rank)):
        group = list(tied)
        out += sorted(group, key=rank_key) if len(group) > 1 else group
    return out


def _hop_flows(graph: Graph, finding: Finding, path: list[str]) -> list[str | None]:
    """The flow realising each hop of a witness path: one the finding names, going that way
    (a bidirectional flow either way); else a flow of the graph between the two that carries
    one of the finding's categories; else any flow between them (``None`` when there is none,
    as on a map of another snapshot)."""
    named = {}
    for flow_id in finding.flows:
        try:
            flow = graph.flow(flow_id)
        except KeyError:
            continue
        named.setdefault((flow.source, flow.target), flow_id)
        if flow.bidirectional:
            named.setdefault((flow.target, flow.source), flow_id)
    out: list[str | None] = []
    wanted = set(finding.categories)
    for source, target in zip(path, path[1:]):
        found = named.get((source, target))
        if found is None:
            try:
                edges = [e for e in graph.out_edges(source) if e.target == target]
            except KeyError:  # a system of another snapshot
                edges = []
            carrying = [e for e in edges if wanted.intersection(graph.carried(e))]
            found = (carrying or edges or [None])[0]
            found = found.id if found is not None else None
        out.append(found)
    return out


def _finding_view(graph: Graph, finding: Finding, badge: str | None) -> dict[str, Any]:
    """What the page needs of a finding: its text, its anchor and its witness paths, each hop
    with the flow that realises it (clicking the finding lights them all up)."""
    view = {
        "id": finding.id,
        "rank": finding.rank,
        "kind": finding.kind.value,
        "severity": finding.severity.name,
        "confidence": finding.confidence.value,
        "status": finding.status,
        "title": finding.title,
        "message": finding.message,
        "anchor": [finding.anchor.type, finding.anchor.id],
        "paths": [list(p) for p in finding.paths],
        "pathFlows": [_hop_flows(graph, finding, list(p)) for p in finding.paths],
        "badge": badge or "",
    }
    if finding.question:
        view["question"] = finding.question
    return view


def build_map_data(
    model: Model,
    *,
    findings: Sequence[Finding] | None = None,
    style_findings: Sequence[Finding] | None = None,
    focus: str | None = None,
    category: str | None = None,
    title: str | None = None,
    node_status: Mapping[str, str] | None = None,
    edge_status: Mapping[str, str] | None = None,
    finding_badges: Mapping[str, str] | None = None,
    physics_limit: int = PHYSICS_LIMIT,
    max_findings: int = MAX_FINDINGS,
    cluster_limit: int = CLUSTER_LIMIT,
) -> MapData:
    """Nodes, edges, tooltips, findings and legend of a map of ``model``.

    Parameters
    ----------
    findings : the findings to list (e.g. ``analyze(model).findings``); None or empty shows
        no findings panel. They are listed established first, then the questions (marked),
        each by rank; the first ``max_findings`` are listed, the rest counted. Clicking one
        lights up its anchor and its witness paths.
    style_findings : the findings whose anchors style the flows (default: ``findings``). A diff
        map lists the changed findings but styles by every finding of the new snapshot, so a
        flow that is function creep in both snapshots is still drawn as creep.
    focus, category : draw only a system's paths, or only flows carrying a category
        (see :func:`select_elements`); unknown names raise :class:`UsageError`.
    node_status, edge_status : system id / flow id -> ``added``, ``removed`` or ``changed``:
        added are outlined green, removed are faded ghosts, changed are outlined amber.
    finding_badges : finding id -> a short label shown before its title (``new``, ``resolved``).
    cluster_limit : above this many drawn systems the map opens as clusters (``lod``: by sector,
        operator or jurisdiction, see :mod:`flowmap.maps.clusters`).

    Items are compact: a node names its ``sector`` and ``kind`` and the page takes colour
    and shape from ``legend``; an edge names its ``style`` (``insecure``, ``creep``,
    ``unknown``, ``normal``: the worst finding anchored at the flow that has a style, else its
    transport) and ``severity`` (of the worst finding anchored at it, when there is one), and
    the page takes colour and dashes from ``legend.edges``.

    Notes
    -----
    Linear in the model plus the graph's reach (computed once, kept on the model).
    """
    tax = model.effective_taxonomy
    graph = graph_of(model)
    node_status, edge_status = dict(node_status or {}), dict(edge_status or {})
    unknown_status = sorted({*node_status.values(), *edge_status.values()} - set(style.STATUS_STYLES))
    if unknown_status:
        raise UsageError(f"unknown map status {shown(unknown_status[0])}: use one of {', '.join(style.STATUS_STYLES)}")
    systems, flows = select_elements(model, focus=focus, category=category)
    drawn = {s.id for s in systems}
    drawn_flows = {f.id for f in flows}
    visible = [f for f in (findings or ()) if _on_map(f, drawn, drawn_flows)]
    listed = _ordered(visible)[:max_findings]
    badges = finding_badges or {}
    finding_views = [_finding_view(graph, f, badges.get(f.id)) for f in listed]
    anchored: dict[str, list[Finding]] = {}
    at_system: dict[str, tuple[tuple, Finding]] = {}  # the worst finding anchored at a system, with its rank key
    for f in (findings if style_findings is None else style_findings) or ():
        if f.anchor.type == "flow" and f.anchor.id in drawn_flows:
            anchored.setdefault(f.anchor.id, []).append(f)
        elif f.anchor.type == "system" and f.anchor.id in drawn:
            key = rank_key(f)
            if f.anchor.id not in at_system or key < at_system[f.anchor.id][0]:
                at_system[f.anchor.id] = (key, f)
    for found in anchored.values():
        if len(found) > 1:
            found.sort(key=rank_key)
    sector_order = list(tax.sectors)
    positions = layout_positions(systems, flows, sector_order)
    nodes, details = _nodes(systems, graph, tax, positions, node_status)
    for node in nodes:
        if node["id"] in at_system:
            node["severity"] = at_system[node["id"]][1].severity.name
    edges, edge_details = _edges(flows, tax, anchored, edge_status)
    lod = None
    if len(systems) > cluster_limit:
        colours = {s: style.sector_colour(s, sector_order) for s in {n["sector"] for n in nodes}}
        keys = {by: [group_key(getattr(s, by), by) for s in systems] for by in GROUPINGS}
        lod = cluster_view(nodes, keys, colours, sector_order=sector_order)
        lod["limit"] = cluster_limit
    count = f"{len(visible)} findings" if len(visible) <= max_findings else f"{max_findings} of {len(visible)} findings listed"
    subtitle = " \u00b7 ".join(
        part for part in (
            f"as of {model.as_of}" if model.as_of else "",
            f"{len(systems)} systems, {len(flows)} flows",
            count if findings else "",
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
        physics=len(systems) <= physics_limit and lod is None,
        lod=lod,
        options={"severities": [s.name for s in reversed(Severity)],
                 "categories": sorted({d for f in flows for d in f.data} | {h for s in systems for h in s.holds}),
                 "findingsTotal": len(visible)},
    )


def _nodes(systems, graph: Graph, tax, positions, status) -> tuple[list[dict], dict]:
    """Node items and their tooltip rows (after the heading: the page writes name, id, status,
    kind and sector from the node)."""
    nodes, details = [], {}
    received = received_at_systems(graph, [s.id for s in systems])
    level: dict[str, int] = {}

    def sensitivity(category: str) -> int:
        found = level.get(category)
        if found is None:
            found = level[category] = int(tax.sensitivity(category))
        return found

    for system in systems:
        mine = received.get(system.id, ())
        top = max([0, *(sensitivity(c) for c, _, _ in mine), *(sensitivity(c) for c in system.holds)]) or None
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
        details[system.id] = system_rows(system, mine, tax)
    return nodes, details


def _edges(flows, tax, anchored, status) -> tuple[list[dict], list]:
    edges, row_sets, known = [], [], {}
    widths: dict[tuple[str, ...], float] = {}  # by the categories carried: their most sensitive one
    for flow in flows:
        data = tuple(flow.data)
        width = widths.get(data)
        if width is None:
            width = widths[data] = style.edge_width(max((int(tax.sensitivity(d)) for d in data), default=None))
        found = anchored.get(flow.id)
        worst = found[0] if found else None
        edge = {
            "id": flow.id,
            "from": flow.source,
            "to": flow.target,
            "width": width,
            "style": _flow_style(flow, found or ()),
            "data": list(data),
        }
        if worst is not None:
            edge["severity"] = worst.severity.name
        if flow.bidirectional:
            edge["both"] = True
        state = status.get(flow.id)
        if state:
            edge["status"] = state
        t = flow.transport  # flows often share all that their rows say: format each set of rows once
        key = (tuple(flow.purposes), flow.mode, t.encrypted, t.authenticated, t.logged, tuple(flow.legal_basis),
               flow.automated_decision, flow.human_review, flow.conditions, flow.notes, state,
               (worst.severity, worst.kind) if worst is not None else None)
        rows = known.get(key)
        if rows is None:
            lines = flow_rows(flow)
            if worst is not None:
                lines.insert(0, ["worst finding here", f"{worst.severity.name} ({worst.kind.value.replace('_', ' ')})"])
            if state:
                lines.insert(0, ["status", state])
            rows = known[key] = len(row_sets)
            row_sets.append(lines)
        edge["rows"] = rows
        edges.append(edge)
    return edges, row_sets


def _legend(systems, edges, sector_order, node_status, edge_status) -> dict[str, Any]:
    """What the page needs to style items, and what the legend lists (only what is used)."""
    sectors = sorted({s.sector for s in systems}, key=lambda s: (sector_order.index(s) if s in sector_order else 1e9, s))
    used = {s.kind.value for s in systems}
    kinds = [k for k in style.KIND_SHAPE if k in used]
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
