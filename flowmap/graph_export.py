"""Graph exports for Gephi, Cytoscape and notebooks: GraphML, GEXF and networkx node-link JSON.

A model becomes a networkx ``MultiDiGraph``: one node per system (keyed by
id), one edge per flow (keyed by flow id; a bidirectional flow also gets its
reverse edge keyed ``<id> (reverse)``). Attributes are flattened to scalars
those formats accept: nested fields as ``controls.redress``, lists joined with
``;`` (as in the spreadsheet shape), tri-states as ``"true"``/``"false"``/
``"unknown"``, an absent text as ``""``. Each node also carries the
propagation result: ``received_categories`` (categories reaching it from
other systems) and ``received_origins`` (how many other systems they come
from). Output is deterministic: nodes and edges in id order.

>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
...     {"id": "clinic", "sector": "health", "holds": ["special.health"], "purposes": ["services.health"]},
...     {"id": "police", "sector": "police", "actor": "law_enforcement"}],
...   "flows": [{"from": "clinic", "to": "police", "data": ["special.health"], "purpose": "enforcement.law"}]})
>>> g = model_graph(m)
>>> g.nodes["police"]["received_categories"], g.nodes["police"]["received_origins"]
('special.health', 1)
>>> g.nodes["clinic"]["controls.redress"], list(g.edges(keys=True))
('unknown', [('clinic', 'police', 'clinic->police')])
"""

from __future__ import annotations

import io
import json
import re
from typing import Any

import networkx as nx

from flowmap.model import Flow, Model, System
from flowmap.propagation import propagate
from flowmap.spreadsheet.columns import FLOWS, SYSTEMS, Column, join_list

__all__ = ["GRAPH_FORMATS", "model_graph", "graph_bytes"]

GRAPH_FORMATS = ("graphml", "gexf", "json")


def _scalar(value: Any, column: Column) -> Any:
    if column.kind == "tristate":
        return "unknown" if value is None else ("true" if value else "false")
    if column.kind == "bool":
        return bool(value)
    if column.kind == "list":
        return join_list([str(v) for v in value or []])
    if value is None:
        return ""
    return str(getattr(value, "value", value))


def _attributes(element: System | Flow, columns: tuple[Column, ...], skip: tuple[str, ...]) -> dict[str, Any]:
    data = element.model_dump(by_alias=True)
    out: dict[str, Any] = {}
    for column in columns:
        if column.name in skip:
            continue
        head, dot, sub = column.name.partition(".")
        value = data[head][sub] if dot else data[column.name]
        out[column.name] = _scalar(value, column)
    out["incidents"] = len(element.incidents)
    return out


def model_graph(model: Model) -> nx.MultiDiGraph:
    """The model as a MultiDiGraph with flat attributes and the propagation result on the nodes.

    Notes
    -----
    O(systems + flows + received (origin, category) pairs), plus one propagation (memoised on the model).
    """
    result = propagate(model)
    graph = nx.MultiDiGraph(name=model.name, as_of=model.as_of or "")
    for system in sorted(model.systems, key=lambda s: s.id):
        received = list(result.received_at(system.id))
        graph.add_node(
            system.id,
            label=system.display_name,
            **_attributes(system, SYSTEMS.columns, skip=("id",)),
            received_categories=join_list(sorted({c for _, c in received})),
            received_origins=len({o for o, _ in received}),
        )
    for flow in sorted(model.flows, key=lambda f: f.id):
        attributes = _attributes(flow, FLOWS.columns, skip=("id", "from", "to"))
        graph.add_edge(flow.source, flow.target, key=flow.id, label=flow.id, flow=flow.id, reverse=False,
                       **attributes)
        if flow.bidirectional:
            graph.add_edge(flow.target, flow.source, key=f"{flow.id} (reverse)", label=flow.id, flow=flow.id,
                           reverse=True, **attributes)
    return graph


def graph_bytes(model: Model, fmt: str) -> bytes:
    """The model graph as GraphML, GEXF (1.2) or node-link JSON bytes; same model, same bytes."""
    graph = model_graph(model)
    if fmt == "json":
        data = nx.node_link_data(graph, edges="links")
        return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(graph, buffer, encoding="utf-8", prettyprint=True)
        return buffer.getvalue()
    if fmt == "gexf":
        for _, _, key, data in graph.edges(keys=True, data=True):
            data["id"] = key  # the GEXF writer takes an edge's id from this attribute
        nx.write_gexf(graph, buffer, encoding="utf-8", prettyprint=True, version="1.2draft")
        # networkx stamps today's date: use the model's own date (or none) so output is reproducible
        stamp = f' lastmodifieddate="{model.as_of}"'.encode() if _is_date(model.as_of) else b""
        return re.sub(rb' lastmodifieddate="[^"]*"', stamp, buffer.getvalue(), count=1)
    raise ValueError(f"unknown graph format {fmt!r}: use one of {', '.join(GRAPH_FORMATS)}")


def _is_date(text: str | None) -> bool:
    return bool(text and re.fullmatch(r"\d{4}-\d{2}-\d{2}", text))
