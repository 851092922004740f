"""Helpers several rules share: edges by category, batched witness paths, citations.

Everything here is computed once per model (memoised in ``model._cache``) and is
linear in the model; nothing enumerates paths.

>>> from flowmap.model import Model
>>> from flowmap.rules.base import Context
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "sources": {"law-1": "Act 1 of 2020"},
...     "systems": [{"id": "a", "sector": "asylum", "holds": ["biometric"], "purposes": ["protection.asylum"]},
...                 {"id": "b", "sector": "police"}],
...     "flows": [{"from": "a", "to": "b", "data": ["biometric.face"], "purpose": "enforcement.law",
...                "legal_basis": ["law-1", "a treaty"]}]})
>>> ctx = Context(m)
>>> [e.flow.id for e in edges_carrying(ctx)["biometric.face"]]
['a->b']
>>> citations(ctx, m.flows[0].legal_basis)
'Act 1 of 2020 [law-1]; a treaty'
>>> witness_paths(ctx, {("a", "biometric.face"): ["b"]})
{('a', 'b'): ['a', 'b']}
"""

from __future__ import annotations

from collections import defaultdict
from typing import Callable, Iterable, Mapping

from flowmap.model import System
from flowmap.propagation import Edge
from flowmap.rules.base import Context
from flowmap.taxonomy import Sensitivity

__all__ = [
    "edges_carrying",
    "systems_by_id",
    "edge_categories",
    "witness_paths",
    "bfs_paths",
    "bfs_tree",
    "path_in",
    "shortest_paths",
    "set_bits",
    "Leads",
    "carrying",
    "witness",
    "flows_on",
    "citations",
    "describe",
    "purpose_in",
    "plural",
    "origins_reaching",
    "technologies_of_risk",
    "reach_evidence",
]


def _memo(ctx: Context, key: str, build: Callable[[], object]):
    return ctx._derived(key, build)


def systems_by_id(ctx: Context) -> dict[str, System]:
    """System id -> System (a plain dict: cheaper than ``ctx.system`` in hot loops)."""
    return _memo(ctx, "rules.systems_by_id", lambda: {s.id: s for s in ctx.model.systems})


def edge_categories(ctx: Context) -> list[tuple[Edge, tuple[str, ...]]]:
    """Every edge (in flow-id order) with the propagated categories it carries, sorted."""

    def build():
        prop = ctx.propagation
        covered_by = prop.covered_by
        out = []
        for edge in prop.index.edges:
            keys: set[str] = set()
            for carried in edge.flow.data:
                keys.update(covered_by.get(carried, ()))
            out.append((edge, tuple(sorted(keys))))
        return out

    return _memo(ctx, "rules.edge_categories", build)


def edges_carrying(ctx: Context) -> dict[str, list[Edge]]:
    """Propagated category -> the edges (flow-id order) that carry it."""

    def build():
        out: dict[str, list[Edge]] = defaultdict(list)
        for edge, keys in edge_categories(ctx):
            for key in keys:
                out[key].append(edge)
        return dict(out)

    return _memo(ctx, "rules.edges_carrying", build)


def carrying(ctx: Context) -> dict[str, dict[int, list[tuple[int, str]]]]:
    """Propagated category -> node -> (target, flow id) of the edges carrying it, in flow-id order.

    The same adjacency as the propagation's, with the flow of each edge: a breadth-first
    search over it finds a shortest path and, for each hop, the first flow by id realising it.
    """

    def build():
        out: dict[str, dict[int, list[tuple[int, str]]]] = {}
        for category, edges in edges_carrying(ctx).items():
            adjacency: dict[int, list[tuple[int, str]]] = {}
            for edge in edges:
                pair = (edge.target, edge.flow.id)
                children = adjacency.get(edge.source)
                if children is None:
                    adjacency[edge.source] = [pair]
                else:
                    children.append(pair)
            out[category] = adjacency
        return out

    return _memo(ctx, "rules.carrying", build)


def bfs_paths(
    start: int, targets: Iterable[int], succ: Mapping[int, Iterable[tuple[int, str]]], ids: list[str]
) -> dict[str, tuple[list[str], list[str]]]:
    """Shortest paths from ``start`` to each reachable target, as (system ids, flow ids): one BFS.

    ``succ`` maps a node to its (child, flow id) pairs; the search stops once every target is found.

    >>> bfs_paths(0, [2], {0: [(1, "f1")], 1: [(2, "f2")]}, ["a", "b", "c"])
    {'c': (['a', 'b', 'c'], ['f1', 'f2'])}
    """
    tree = bfs_tree(start, targets, succ)
    return {ids[t]: path_in(tree, t, ids) for t in sorted(set(targets)) if t in tree[0]}


def bfs_tree(
    start: int, targets: Iterable[int], succ: Mapping[int, Iterable[tuple[int, str]]]
) -> tuple[dict[int, int], dict[int, str]]:
    """A breadth-first search tree from ``start``, grown until every reachable target is in it:
    (node -> parent node, node -> flow id from the parent). The start's parent is -1.

    Two flat dicts rather than a tuple per node: nothing for the garbage collector to track.

    >>> bfs_tree(0, [1], {0: [(1, "f1"), (2, "f2")]})
    ({0: -1, 1: 0, 2: 0}, {0: '', 1: 'f1', 2: 'f2'})
    """
    wanted = set(targets)
    parent = {start: -1}
    via = {start: ""}
    remaining = len(wanted - {start})
    queue = [start]
    get = succ.get
    for node in queue:  # the list grows while it is read: a FIFO queue without deque overhead
        if not remaining:
            break
        for child, flow_id in get(node, ()):
            if child not in parent:
                parent[child] = node
                via[child] = flow_id
                if child in wanted:
                    remaining -= 1
                queue.append(child)
    return parent, via


def path_in(tree: tuple[dict[int, int], dict[int, str]], target: int, ids: list[str]) -> tuple[list[str], list[str]]:
    """The path from the root of a :func:`bfs_tree` to ``target`` (in the tree): (system ids, flow ids)."""
    parent, via = tree
    nodes, flows = [ids[target]], []
    node = target
    while (up := parent[node]) != -1:
        flows.append(via[node])
        nodes.append(ids[up])
        node = up
    nodes.reverse()
    flows.reverse()
    return nodes, flows


def shortest_paths(ctx: Context, leads: Mapping[tuple[int, int], str]) -> dict[tuple[int, int], tuple[list[str], list[str]]]:
    """For each (origin, target) pair of system indices, a shortest path along the flows carrying
    its category, as (system ids, flow ids): one BFS per (origin, category).

    Each hop's flow is the first by id that carries the category, as :func:`flows_on` finds.
    Pairs with no such path are left out.
    """
    requests: dict[tuple[int, str], list[int]] = defaultdict(list)
    for (origin, target), category in leads.items():
        requests[(origin, category)].append(target)
    adjacency = carrying(ctx)
    ids = ctx.propagation.index.ids
    out: dict[tuple[int, int], tuple[list[str], list[str]]] = {}
    for (origin, category), targets in requests.items():
        tree = bfs_tree(origin, targets, adjacency.get(category, {}))
        for target in targets:
            if target in tree[0]:
                out[(origin, target)] = path_in(tree, target, ids)
    return out


def set_bits(bits: int) -> list[int]:
    """Positions of the set bits, lowest first; cost follows the width once, not per bit.

    >>> set_bits(0b10110)
    [1, 2, 4]
    """
    text = bin(bits)[:1:-1]
    out = []
    position = text.find("1")
    while position != -1:
        out.append(position)
        position = text.find("1", position + 1)
    return out


class Leads:
    """For a sorted list of categories: (its most sensitive one, the first by name among equals;
    the list in words; its sensitivity), memoised per list."""

    def __init__(self, ctx: Context):
        self.sensitivity = ctx.taxonomy.sensitivity
        self.cache: dict[tuple[str, ...], tuple[str, str, Sensitivity]] = {}

    def __call__(self, categories: list[str]) -> tuple[str, str, Sensitivity]:
        key = tuple(categories)
        found = self.cache.get(key)
        if found is None:
            top = max(categories, key=self.sensitivity)
            found = self.cache[key] = (top, ", ".join(categories), self.sensitivity(top))
        return found


def witness(ctx: Context, requests: Mapping[tuple[str, str], Iterable[str]]) -> dict[tuple[str, str], tuple[list[str], list[str]]]:
    """Shortest paths with their flows for many (origin, target) pairs: one BFS per (origin, category).

    ``requests`` maps (origin, category) to the targets wanted; the result maps
    (origin, target) to (system ids, flow ids) (the first request, in sorted order,
    that reaches it). Each hop's flow is the first by id that carries the category,
    as :func:`flows_on` would find.
    """
    adjacency = carrying(ctx)
    index = ctx.propagation.index
    ids, position = index.ids, index.position
    out: dict[tuple[str, str], tuple[list[str], list[str]]] = {}
    for (origin, category), targets in sorted(requests.items()):
        found = bfs_paths(position[origin], [position[t] for t in targets], adjacency.get(category, {}), ids)
        for target, path in found.items():
            out.setdefault((origin, target), path)
    return out


def witness_paths(ctx: Context, requests: Mapping[tuple[str, str], Iterable[str]]) -> dict[tuple[str, str], list[str]]:
    """Shortest paths for many (origin, target) pairs: one BFS per (origin, category) request.

    ``requests`` maps (origin, category) to the targets wanted; the result maps
    (origin, target) to a path (the first request, in sorted order, that reaches it).
    """
    return {key: nodes for key, (nodes, _) in witness(ctx, requests).items()}


def technologies_of_risk(ctx: Context, risk) -> list[tuple[System, str]]:
    """(system, technology) for each technology of this risk level in use, in id then name order."""
    risk_of = ctx.taxonomy.technology_risk
    return [
        (system, technology)
        for system in ctx.systems
        for technology in sorted(set(system.technologies))
        if risk_of(technology) == risk
    ]


def origins_reaching(
    ctx: Context,
    actors: list[int],
    *,
    category_ok: Callable[[str], bool] = lambda category: True,
    origin_ok: Callable[[int], bool] = lambda origin: True,
) -> dict[tuple[int, int], list[str]]:
    """(origin, actor) system indices -> the categories (sorted) of that origin reaching that actor.

    Reads the propagation's bitsets by bit position; an actor's own holdings do not count.
    """
    prop = ctx.propagation
    reached: dict[tuple[int, int], list[str]] = {}
    for category in prop.categories:
        if not category_ok(category):
            continue
        origins, at = prop.origins[category], prop.reach[category]
        for actor in actors:
            bits = at.get(actor)
            if bits:
                for bit in set_bits(bits):
                    origin = origins[bit]
                    if origin != actor and origin_ok(origin):
                        found = reached.get((origin, actor))
                        if found is None:
                            reached[(origin, actor)] = [category]
                        else:
                            found.append(category)
    return reached


def reach_evidence(ctx: Context, reached: dict[tuple[int, int], list[str]]):
    """For each (origin, actor) of :func:`origins_reaching`, in id order: the two systems, the lead
    category, the categories in words, their sensitivity, and a shortest witness path with its flows.

    One breadth-first search per (origin, lead category) serves all its actors.
    """
    prop = ctx.propagation
    ids = prop.index.ids
    systems = systems_by_id(ctx)
    leads = Leads(ctx)
    lead = {key: leads(categories) for key, categories in reached.items()}
    paths = shortest_paths(ctx, {key: top for key, (top, _, _) in lead.items()})
    for key in sorted(reached):  # system indices follow id order
        origin, actor = systems[ids[key[0]]], systems[ids[key[1]]]
        top, listed, sensitivity = lead[key]
        found = paths.get(key)
        if found is None:
            path = [origin.id, actor.id]
            flows = flows_on(ctx, path, top)
        else:
            path, flows = found
        yield key, origin, actor, listed, sensitivity, path, flows


def flows_on(ctx: Context, path: list[str], category: str) -> list[str]:
    """Ids of the flows realising each hop of ``path`` (the first by id that carries ``category``)."""
    return ctx.propagation.flows_along(path, category)


def citations(ctx: Context, legal_basis: Iterable[str], limit: int = 160) -> str:
    """A legal basis in words: source keys resolved to their citations (each cut to about ``limit``
    characters, with its key), joined by '; '.

    >>> from flowmap.model import Model
    >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [{"id": "a", "sector": "asylum"}],
    ...     "sources": {"reg": "Regulation 1 on a very long title"}})
    >>> citations(Context(m), ["reg"], limit=20)
    'Regulation 1 on a… [reg]'
    """
    sources = ctx.model.sources
    out = []
    for entry in legal_basis:
        text = sources.get(entry)
        if text is None:
            out.append(entry)
            continue
        if len(text) > limit:
            text = text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
        out.append(f"{text} [{entry}]")
    return "; ".join(out)


def purpose_in(purpose: str, families: Iterable[str]) -> bool:
    """Whether ``purpose`` is one of ``families`` or below one of them.

    >>> purpose_in("enforcement.return.charter", ["enforcement.return"]), purpose_in("services", ["services"])
    (True, True)
    >>> purpose_in("enforcement.law", ["enforcement.return"])
    False
    """
    return any(purpose == f or purpose.startswith(f + ".") for f in families)


def plural(count: int, word: str) -> str:
    """``1 step``, ``2 steps``.

    >>> plural(1, "step"), plural(3, "origin")
    ('1 step', '3 origins')
    """
    return f"{count} {word}{'' if count == 1 else 's'}"


def describe(system: System) -> str:
    """A system's display name with its actor type, when it has one."""
    return f"{system.display_name} ({system.actor.replace('_', ' ')})" if system.actor else system.display_name
