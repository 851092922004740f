"""Routes between two systems: by which flows, and for which categories, data moves from A to B.

For every category available at the source (held there or received), one
breadth-first search along the flows that carry it finds a shortest route to the
target; categories are never combined into paths and paths are never enumerated.
Routes come from the model's :class:`~flowmap.graph.Graph`, so they honour what each flow
``forwards``: a flow that passes on only its source's own records carries nothing the
source received from elsewhere.

>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
...     {"id": "clinic", "sector": "health", "holds": ["special.health", "identity.contact"],
...      "purposes": ["services.health"]},
...     {"id": "hub", "sector": "interoperability", "kind": "component"},
...     {"id": "police", "sector": "police", "actor": "law_enforcement"}],
...   "flows": [{"from": "clinic", "to": "hub", "data": ["special", "identity"], "purpose": "services.health"},
...             {"from": "hub", "to": "police", "data": ["special.health"], "purpose": "enforcement.law"}]})
>>> [(r.category, r.path, r.flows) for r in routes(m, "clinic", "police")]
[('special.health', ['clinic', 'hub', 'police'], ['clinic->hub', 'hub->police'])]
>>> routes(m, "police", "clinic")
[]
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flowmap.diagnostics import did_you_mean, shown
from flowmap.errors import UsageError
from flowmap.graph import Edge, Graph, graph_of
from flowmap.model import Model

__all__ = ["Route", "routes", "routes_to_dict"]


@dataclass(frozen=True)
class Route:
    """A shortest route by which ``category`` data moves from ``path[0]`` to ``path[-1]``."""

    category: str
    path: list[str]  # system ids, source first
    flows: list[str]  # the flow realising each hop (the first by id that carries the category)
    origins: list[str]  # where the category data present at the source was collected

    @property
    def hops(self) -> int:
        return len(self.path) - 1


def _check_system(model: Model, system_id: str, option: str) -> None:
    ids = [s.id for s in model.systems]
    if system_id not in ids:
        raise UsageError(f"{option} {shown(system_id)}: no such system in the model{did_you_mean(system_id, ids)}")


def _wanted(model: Model, categories: list[str], category: str | None) -> list[str]:
    """The propagated categories to follow: all of them, or those ``category`` names (it or its
    children, or its parent when only the parent is ever held)."""
    if category is None:
        return categories
    tax = model.effective_taxonomy
    if category not in tax.categories:
        raise UsageError(
            f"--category {shown(category)}: unknown category{did_you_mean(category, tax.categories)}: "
            "see `flowmap taxonomy`"
        )
    return [c for c in categories if tax.covers(category, c) or tax.covers(c, category)]


def _route(graph: Graph, source: str, target: str, category: str) -> tuple[list[str], list[str]] | None:
    """A shortest route of ``category`` data from ``source`` to ``target`` (systems, flows), or None.

    The search starts at ``source`` with whatever data of the category is there: a flow out of
    ``source`` that forwards only some of it (its own records, or what came through named
    flows) is taken only when something it forwards is there.
    """

    def allowed(edge: Edge) -> bool:
        return (edge.source != source or edge.flow.forwards == "all"
                or graph.crossing_bits(edge, category) != 0)

    best = None
    for edge in graph.in_edges(target):
        if edge.source == target or category not in graph.carried(edge) or not allowed(edge):
            continue
        found = graph.path_to(source, category, edge, allowed=allowed, key=("route from", source))
        if found is not None and (best is None or len(found[1]) < len(best[1])):
            best = found
    return best


def routes(model: Model, source: str, target: str, *, category: str | None = None) -> list[Route]:
    """Shortest routes from ``source`` to ``target``, one per category that travels, sorted by
    category. Empty when no data moves from ``source`` to ``target``.

    Raises :class:`UsageError` for an unknown system or category, or when source is target.

    Notes
    -----
    The model's graph (built once, kept on the model), then one breadth-first search per
    category available at ``source``: O(categories x (V + E)) at worst, never a path enumeration.
    """
    _check_system(model, source, "--from")
    _check_system(model, target, "--to")
    if source == target:
        raise UsageError(f"--from and --to both name {shown(source)}: name two different systems")
    graph = graph_of(model)
    present = graph.holdings_at(source)
    out = []
    for category in _wanted(model, sorted(present), category):
        found = _route(graph, source, target, category)
        if found is None:
            continue
        systems, flows = found
        out.append(Route(category, systems, flows, present[category]))
    return out


def routes_to_dict(model: Model, source: str, target: str, found: list[Route]) -> dict:
    """The JSON shape of ``flowmap paths --format json``."""
    return {
        "model": model.name,
        "from": source,
        "to": target,
        "routes": [asdict(r) | {"hops": r.hops} for r in found],
    }
