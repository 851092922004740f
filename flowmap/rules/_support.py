"""Helpers several rules share: edges by category, witness paths searched when first shown, citations.

What is derived from the model alone is computed once per model (memoised in
``model._cache``) and is linear in the model; nothing enumerates paths.

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
>>> Trees(ctx, lambda: {(0, "biometric.face"): [1]}).path(0, "biometric.face", 1)
(['a', 'b'], ['a->b'])
"""

from __future__ import annotations

from collections import defaultdict
from typing import Callable, Container, Iterable, Mapping

from flowmap.findings import Confidence, Finding
from flowmap.model import System
from flowmap.propagation import Edge, set_bits
from flowmap.rules.base import Context
from flowmap.taxonomy import Sensitivity

__all__ = [
    "edges_carrying",
    "systems_by_id",
    "edge_categories",
    "bfs_tree",
    "path_in",
    "set_bits",
    "sensitivities",
    "Leads",
    "carrying",
    "flows_on",
    "citations",
    "describe",
    "purpose_in",
    "plural",
    "origins_reaching",
    "origin_mask",
    "technologies_of_risk",
    "Trees",
    "ReachEvidence",
    "reach_findings",
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


def sensitivities(ctx: Context) -> dict[str, Sensitivity]:
    """Propagated category -> its sensitivity."""
    level = ctx.taxonomy.sensitivity
    return _memo(ctx, "rules.sensitivities", lambda: {c: level(c) for c in ctx.propagation.categories})


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


def technologies_of_risk(ctx: Context, risk) -> list[tuple[System, str]]:
    """(system, technology) for each technology of this risk level in use, in id then name order."""
    risk_of = ctx.taxonomy.technology_risk
    return [
        (system, technology)
        for system in ctx.systems
        for technology in sorted(set(system.technologies))
        if risk_of(technology) == risk
    ]


def origin_mask(nodes: list[int], wanted: Container[int]) -> int:
    """The bitset over ``nodes`` (a category's origins) of those in ``wanted``.

    >>> bin(origin_mask([3, 5, 8], {5, 8}))
    '0b110'
    """
    return int("".join(["1" if node in wanted else "0" for node in reversed(nodes)]) or "0", 2)


def origins_reaching(
    ctx: Context,
    actors: list[int],
    *,
    category_ok: Callable[[str], bool] = lambda category: True,
    origins: Container[int] | None = None,
) -> dict[tuple[int, int], list[str]]:
    """(origin, actor) system indices -> the categories (sorted) of that origin reaching that actor.

    Counts the categories that pass ``category_ok`` and, when ``origins`` is given, only those
    origins; an actor's own holdings do not count. Reads the propagation's bitsets by bit
    position, masked once per category to the wanted origins.
    """
    prop = ctx.propagation
    reached: dict[tuple[int, int], list[str]] = {}
    for category in prop.categories:
        if not category_ok(category):
            continue
        nodes, at = prop.origins[category], prop.reach[category]
        mask = -1 if origins is None else origin_mask(nodes, origins)
        for actor in actors:
            bits = at.get(actor, 0) & mask
            if bits:
                for bit in set_bits(bits):
                    origin = nodes[bit]
                    if origin != actor:
                        found = reached.get((origin, actor))
                        if found is None:
                            reached[(origin, actor)] = [category]
                        else:
                            found.append(category)
    return reached


class Trees:
    """Breadth-first search trees from an origin along the flows carrying one category, for
    witness paths: each is built the first time it is asked for, grown until it holds every
    target ``requests()`` lists for its (origin, category), and kept. ``requests`` is called
    once, on first use, so a rule that never shows a path never searches.

    ``adjacency(origin, category)`` gives the node -> (target, flow id) pairs to search; by
    default the flows carrying the category (:func:`carrying`).
    """

    def __init__(
        self,
        ctx: Context,
        requests: Callable[[], Mapping[tuple[int, str], Iterable[int]]],
        adjacency: Callable[[int, str], Mapping[int, Iterable[tuple[int, str]]]] | None = None,
    ):
        self.ctx, self.requests = ctx, requests
        self.adjacency = adjacency or (lambda origin, category: carrying(ctx).get(category, {}))
        self.ids = ctx.propagation.index.ids
        self.asked: Mapping[tuple[int, str], Iterable[int]] | None = None
        self.trees: dict[tuple[int, str], tuple[dict[int, int], dict[int, str]]] = {}

    def tree(self, origin: int, category: str) -> tuple[dict[int, int], dict[int, str]]:
        """The :func:`bfs_tree` from ``origin`` for ``category``, grown for its requested targets."""
        tree = self.trees.get((origin, category))
        if tree is None:
            if self.asked is None:
                self.asked = self.requests()
            targets = self.asked.get((origin, category), ())
            tree = self.trees[(origin, category)] = bfs_tree(origin, targets, self.adjacency(origin, category))
        return tree

    def path(self, origin: int, category: str, target: int) -> tuple[list[str], list[str]] | None:
        """A shortest path from ``origin`` to ``target`` along the flows carrying ``category``, as
        (system ids, flow ids), each hop's flow the first by id; None when the tree does not hold it."""
        tree = self.trees.get((origin, category)) or self.tree(origin, category)
        return path_in(tree, target, self.ids) if target in tree[0] else None


class ReachEvidence:
    """What findings keyed (origin, actor) by :func:`origins_reaching` rest on.

    :meth:`sensitivity` is what grades a finding and costs a lookup; :meth:`__call__` gives
    its evidence (lead category, categories in words, a shortest witness path) for a
    renderer, with one breadth-first search per (origin, lead category) serving all that
    origin's actors with that lead, run when the first of them is rendered.
    """

    def __init__(self, ctx: Context, reached: dict[tuple[int, int], list[str]]):
        self.ctx, self.reached = ctx, reached
        self.ids = ctx.propagation.index.ids
        self.systems = systems_by_id(ctx)
        self.levels = sensitivities(ctx)
        self.lead_of: dict[tuple[int, int], tuple[str, str, Sensitivity]] | None = None  # made on the first render
        self.trees = Trees(ctx, self._requests)

    def sensitivity(self, key: tuple[int, int]) -> Sensitivity:
        """The sensitivity of the finding's most sensitive category (its lead's), without finding the lead."""
        categories = self.reached[key]
        if len(categories) == 1:
            return self.levels[categories[0]]
        return max(map(self.levels.__getitem__, categories))

    def __call__(self, key: tuple[int, int]) -> tuple[System, System, str, list[str], list[str]]:
        """(origin, actor, the categories in words, a shortest path carrying the lead category, its flows)."""
        if self.lead_of is None:
            leads = Leads(self.ctx)
            self.lead_of = {pair: leads(categories) for pair, categories in self.reached.items()}
        ids = self.ids
        origin, actor = key
        top, listed, _ = self.lead_of[key]
        found = self.trees.path(origin, top, actor)
        if found is None:
            path = [ids[origin], ids[actor]]
            found = path, flows_on(self.ctx, path, top)
        return self.systems[ids[origin]], self.systems[ids[actor]], listed, *found

    def _requests(self) -> dict[tuple[int, str], list[int]]:
        requests: dict[tuple[int, str], list[int]] = defaultdict(list)
        for (origin, actor), (top, _, _) in self.lead_of.items():
            requests[(origin, top)].append(actor)
        return requests


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


def reach_findings(
    ctx: Context,
    rule,
    evidence: "ReachEvidence",
    actor_type: dict[int, str],
    render: Callable[["ReachEvidence", tuple[int, int]], tuple],
    least: Sensitivity | None = None,
):
    """One deferred finding per (origin, actor) of ``evidence.reached``, in id order, with id
    ``<rule>:<origin>:<actor>``; the severity from the lead sensitivity (at least ``least``),
    the origin's subjects and the actor type; the text by ``render(evidence, key)``."""
    ids = ctx.propagation.index.ids
    systems = systems_by_id(ctx)
    grade = ctx.grader(rule)
    principles = list(rule.principles)  # shared: findings are not changed in place
    deferred, prefix, high = Finding.deferred, f"{rule.id}:", Confidence.high
    current = None
    for key in sorted(evidence.reached):  # system indices follow id order
        origin_node, actor_node = key
        if origin_node != current:
            current = origin_node
            origin_id = ids[origin_node]
            vulnerable = ctx.vulnerable(systems[origin_id])
        level = evidence.sensitivity(key)
        if least is not None and level < least:
            level = least
        yield deferred(
            f"{prefix}{origin_id}:{ids[actor_node]}", rule.id, rule.kind, grade(level, vulnerable, actor_type[actor_node]),
            high, principles, render, (evidence, key),
        )
