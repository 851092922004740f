"""The one graph every analysis reads: systems, flows, and which people's data moves where.

A :class:`Graph` is built once per model (and taxonomy). It answers three questions, each
near-linear in the model:

- **what moves**: the propagated categories each flow carries (:meth:`Graph.carried`);
- **whose data is where**: the origins of each category available at a system
  (:meth:`Graph.origins_at`) and crossing a flow (:meth:`Graph.crossing`);
- **by which route**: shortest witness paths, as systems and the flows realising each hop
  (:meth:`Graph.path_to`).

A flow that anonymises or aggregates (``transform``: a term of the taxonomy whose ``personal`` is
false) carries no one's data on; pseudonymised or masked data is still personal and moves on. A
query that returns only a hit/no-hit flag or a reference (``returns``) is about the categories it
carries, which cross it (findings at the flow say only the answer crosses), but nothing arrives
at its receiver: the reach stops there (:meth:`Graph.delivers`). A flow passes on
what its source holds or received (``forwards: all``, the default), only
the source's own records (``forwards: own``: a system that answers queries about its own
records), or only what arrived through named flows. Such a restricted flow gets a node of its
own in the per-category graphs: the node is seeded with the source's own records and fed by
the named flows, so the usual propagation (Tarjan condensation, then origin bitsets pushed in
topological order: :mod:`flowmap.propagation`) honours the restriction and no path is ever
enumerated.

>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
...     {"id": "dmv", "sector": "civil_registry", "holds": ["biometric.face"], "purposes": ["services.civil_registration"]},
...     {"id": "ident", "sector": "immigration", "holds": ["biometric.face"], "purposes": ["migration.border_management"]},
...     {"id": "cloud", "sector": "private", "actor": "private_contractor"}],
...   "flows": [{"from": "dmv", "to": "ident", "data": ["biometric.face"], "purpose": "enforcement.immigration"},
...             {"from": "ident", "to": "cloud", "data": ["biometric"], "purpose": "services.hosting", "forwards": "own"}]})
>>> g = Graph(m)
>>> g.origins_at("ident", "biometric.face")
['dmv', 'ident']
>>> g.crossing(g.edge("ident->cloud"))
{'biometric.face': ['ident']}
>>> g.path_to("ident", "biometric.face", g.edge("ident->cloud"))
(['ident', 'cloud'], ['ident->cloud'])
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from itertools import compress
from operator import attrgetter, itemgetter
from typing import Callable, Iterable, Iterator

from flowmap.model import Flow, Model, System
from flowmap.propagation import bitset, propagate_bits, set_bits
from flowmap.taxonomy import Taxonomy, ancestors

__all__ = ["Edge", "Graph", "graph_of", "bitset"]  # bitset: the bits of origin positions, for the rules


@dataclass(frozen=True, slots=True, eq=False)
class Edge:
    """One direction of a flow (a bidirectional flow gives two); compared by identity."""

    source: str
    target: str
    flow: Flow
    reverse: bool = False  # the to -> from direction of a bidirectional flow

    @property
    def id(self) -> str:
        """The flow's id (both directions of a bidirectional flow share it)."""
        return self.flow.id


EdgeFilter = Callable[[Edge], bool]


SMALL_SEARCH = 60
"""A backward path search that queues more nodes than this gives way to one from both ends."""


def _route_from(node: int, towards: dict[int, tuple[int, Edge] | None], node_system: list[str]) -> tuple[list[str], list[str]]:
    """The route a backward search took to ``node``, read forwards: the systems from ``node``'s to
    the search's start, and the flow of each hop (``towards``: node -> (next node, hop), ``None``
    at the start)."""
    route, flows = [node_system[node]], []
    while towards[node] is not None:
        node, hop = towards[node]
        route.append(node_system[node])
        flows.append(hop.flow.id)
    return route, flows


class _BackwardSearch:
    """A breadth-first search backwards from one node along the hops of one category, kept to be
    read further: the order nodes enter its queue, the hop that took each in, and the first
    node of each system (by position; a restricted node stands for its source) taken in."""

    __slots__ = ("towards", "queue", "first", "read")

    def __init__(self, start: int):
        self.towards: dict[int, tuple[int, Edge] | None] = {start: None}  # node -> (next node, hop) towards start
        self.queue = [start]
        self.first: dict[int, int] = {}  # system position -> its first node taken in (never start)
        self.read = 0  # the nodes of the queue whose senders are taken in

    def widen(self, position: int, reverse: dict[int, list[tuple[int, int, Edge]]], owner: list[int]) -> None:
        """Take in the senders of the queue's next nodes, one node at a time, until a node of
        the system at ``position`` is taken in or the queue is read to its end."""
        towards, queue, first = self.towards, self.queue, self.first
        read = self.read
        while position not in first and read < len(queue):
            node = queue[read]
            read += 1
            for previous, _, hop in reverse.get(node, ()):
                if previous not in towards:
                    towards[previous] = (node, hop)
                    queue.append(previous)
                    if owner[previous] not in first:
                        first[owner[previous]] = previous
        self.read = read


class Graph:
    """Systems, flows and per-category reach of one model; see the module docstring.

    Systems and flows are kept sorted by id, so every answer is independent of their order
    in the file.
    """

    def __init__(self, model: Model, taxonomy: Taxonomy | None = None):
        self.model = model
        self.taxonomy = taxonomy or model.effective_taxonomy
        self.systems: list[System] = sorted(model.systems, key=attrgetter("id"))
        self.flows: list[Flow] = sorted(model.flows, key=attrgetter("id"))
        self._ids = [s.id for s in self.systems]
        self._position = {sid: i for i, sid in enumerate(self._ids)}
        self._system = dict(zip(self._ids, self.systems))
        self._flow: dict[str, Flow] = {}
        self._out: dict[str, list[Edge]] = {sid: [] for sid in self._ids}
        self._in: dict[str, list[Edge]] = {sid: [] for sid in self._ids}
        # nodes: one per system (in id order), then one per restricted edge (forwards not "all")
        self._edge_node: dict[Edge, int] = {}
        self._cross: dict[Edge, int] = {}  # edge -> the node whose origins cross it
        self._alike: dict[tuple[tuple[str, ...], str | None], list[Edge]] = {}
        """(data, transform) -> the edges of the flows that have them: they carry the same categories."""
        edges: list[Edge] = []
        answers: list[Edge] = []  # edges nothing arrives through
        out_of, into, position, edge_node, cross = self._out, self._in, self._position, self._edge_node, self._cross
        flow_of, alike_of, systems = self._flow, self._alike, len(self._ids)
        for flow in self.flows:  # one pass: each flow of a large model is read once here
            flow_of[flow.id] = flow
            source, target = flow.source, flow.target
            these = [Edge(source, target, flow)]
            if flow.bidirectional:
                these.append(Edge(target, source, flow, reverse=True))
            restricted = flow.forwards != "all"
            for edge in these:
                edges.append(edge)
                out_of[edge.source].append(edge)
                into[edge.target].append(edge)
                if restricted:
                    cross[edge] = edge_node[edge] = systems + len(edge_node)
                else:
                    cross[edge] = position[edge.source]
            if not flow.delivers:
                answers.extend(these)
            terms = (tuple(flow.data), flow.transform)
            alike = alike_of.get(terms)
            if alike is None:
                alike_of[terms] = these
            else:
                alike.extend(these)
        self.edges: list[Edge] = edges
        self._answers = frozenset(answers)
        self._origins = self._origins_by_category({term for data, _ in self._alike for term in data})
        self._covered_by: dict[str, list[str]] = {}
        for category in self._origins:
            for ancestor in ancestors(category):
                self._covered_by.setdefault(ancestor, []).append(category)
        self._node_system = self._ids + [e.source for e in self._edge_node]
        self._node_owner = list(range(len(self._ids))) + [position[e.source] for e in self._edge_node]
        """Node -> the position of its system (a restricted edge's node stands for its source)."""
        self._full: dict[str, dict[int, int]] = {}  # category -> its reach from every origin
        self._reach: dict[tuple, dict[int, int]] = {}
        self._all_hops: dict[str, list[tuple[int, int, Edge]]] = {}
        self._reverse: dict[str, dict[int, list[tuple[int, int, Edge]]]] = {}
        self._forward: dict[str, dict[int, list[int]]] = {}
        self._backward: dict[tuple[str, int], _BackwardSearch] = {}  # (category, start) -> the search kept

    # -- elements ---------------------------------------------------------------------------

    def system(self, system_id: str) -> System:
        """The system with this id."""
        return self._system[system_id]

    def flow(self, flow_id: str) -> Flow:
        """The flow with this id."""
        return self._flow[flow_id]

    def edge(self, flow_id: str, *, reverse: bool = False) -> Edge:
        """The edge of a flow (``reverse`` for the to -> from direction of a bidirectional one)."""
        flow = self._flow[flow_id]
        source, target = (flow.target, flow.source) if reverse else (flow.source, flow.target)
        return next(e for e in self._out[source] if e.flow is flow and e.target == target and e.reverse == reverse)

    def out_edges(self, system_id: str) -> list[Edge]:
        """Edges leaving a system, in flow-id order."""
        return self._out[system_id]

    def in_edges(self, system_id: str) -> list[Edge]:
        """Edges arriving at a system, in flow-id order."""
        return self._in[system_id]

    # -- categories --------------------------------------------------------------------------

    def _origins_by_category(self, named: set[str]) -> dict[str, list[str]]:
        """Propagated category -> its origin systems, sorted. A system holding a parent category
        (``biometric``) is also the origin of every more specific category some flow ``named``."""
        origins: dict[str, set[str]] = {}
        for system in self.systems:
            for category in system.holds:
                holding = origins.get(category)
                if holding is None:
                    origins[category] = {system.id}
                else:
                    holding.add(system.id)
        for category in sorted(named):
            for ancestor in ancestors(category)[1:]:
                if ancestor in origins:
                    origins.setdefault(category, set()).update(origins[ancestor])
        return {c: sorted(o) for c, o in sorted(origins.items())}

    @property
    def categories(self) -> list[str]:
        """The propagated categories (held somewhere), sorted."""
        return list(self._origins)

    def origins_of(self, category: str) -> list[str]:
        """Systems where ``category`` is collected, sorted."""
        return self._origins.get(category, [])

    def carried(self, edge: Edge) -> list[str]:
        """The propagated categories an edge carries (a parent category covers its children), sorted.
        The list is shared: read it, do not change it.

        >>> from flowmap.model import Model
        >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
        ...     {"id": "a", "sector": "asylum", "holds": ["biometric.face", "identity"], "purposes": ["protection.asylum"]},
        ...     {"id": "b", "sector": "police"}],
        ...   "flows": [{"from": "a", "to": "b", "data": ["biometric"], "purpose": "enforcement.law"}]})
        >>> g = Graph(m)
        >>> g.carried(g.edges[0])
        ['biometric.face']
        """
        found = self._carried.get(edge)
        return self._categories_of(edge.flow.data, edge.flow.transform) if found is None else found

    def _categories_of(self, data: Iterable[str], transform: str | None) -> list[str]:
        """The propagated categories a flow with this ``data`` and ``transform`` carries, sorted:
        those its terms cover, none when the transform leaves no one's data (statistics)."""
        if not self.taxonomy.personal(transform):
            return []
        found: set[str] = set()
        for term in data:
            found.update(self._covered_by.get(term, ()))
        return sorted(found)

    @cached_property
    def _carried(self) -> dict[Edge, list[str]]:
        """Edge -> the propagated categories it carries, sorted: one list per (data, transform)
        of the flows, shared by the edges alike."""
        out = {}
        for (data, transform), edges in self._alike.items():
            carried = self._categories_of(data, transform)
            for edge in edges:
                out[edge] = carried
        return out

    @cached_property
    def _carrying(self) -> dict[str, list[Edge]]:
        """Category -> the edges that carry it, in flow-id order."""
        out: dict[str, list[Edge]] = {c: [] for c in self._origins}
        carried = self._carried
        for edge in self.edges:
            for category in carried[edge]:
                out[category].append(edge)
        return out

    def edges_carrying(self, category: str) -> list[Edge]:
        """Edges that carry ``category``, in flow-id order."""
        return self._carrying.get(category, [])

    @staticmethod
    def delivers(edge: Edge) -> bool:
        """Whether what crosses ``edge`` arrives at its target, to be held there and passed on:
        not when the flow ``returns`` only a hit/no-hit flag or a reference. What crosses such an
        edge (:meth:`crossing`) is what the answer is about; the receiver learns whether, or
        where, a record exists, not the record.

        >>> from flowmap.model import Model
        >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
        ...     {"id": "eurodac", "sector": "asylum", "holds": ["biometric.fingerprint"], "purposes": ["protection.asylum"]},
        ...     {"id": "police", "sector": "police"}, {"id": "partner", "sector": "police"}],
        ...   "flows": [{"from": "eurodac", "to": "police", "data": ["biometric"], "purpose": "enforcement.law",
        ...              "returns": "hit_no_hit"},
        ...             {"from": "police", "to": "partner", "data": ["biometric"], "purpose": "enforcement.law"}]})
        >>> g = Graph(m)
        >>> g.delivers(g.edge("eurodac->police")), g.crossing(g.edge("eurodac->police"))
        (False, {'biometric.fingerprint': ['eurodac']})
        >>> g.origins_at("police", "biometric.fingerprint"), g.crossing(g.edge("police->partner"))
        ([], {})
        """
        return edge.flow.delivers

    def arriving(self, system_id: str) -> list[Edge]:
        """Edges into a system through which data arrives there (:meth:`delivers`), in flow-id order."""
        edges = self._in[system_id]
        return [e for e in edges if e not in self._answers] if self._answers else edges

    def forget_searches(self) -> None:
        """Drop what path searches and filtered reaches memoised (the hops per category, the
        reaches kept under a key, the backward searches :meth:`paths` keeps); the full reach of each category stays. The analysis calls
        this once its rules are done, so that the memory goes to the findings' copies instead.
        Later calls build what they need again."""
        self._reach.clear()
        self._all_hops.clear()
        self._reverse.clear()
        self._forward.clear()
        self._backward.clear()

    def _crossing_node(self, edge: Edge) -> int:
        """The node whose origins cross ``edge``: its own node when restricted, else its source."""
        return self._cross[edge]

    def _hops(self, category: str, allowed: EdgeFilter | None) -> list[tuple[int, int, Edge]]:
        """(from node, to node, edge) for every hop ``category`` can take: each allowed edge from
        its crossing node to its target, and each allowed named flow into a restricted edge's node."""
        every = self._all_hops.get(category)
        if every is None and not self._edge_node:  # no restricted flow: one hop per edge that delivers
            self._all_hops.update(self._delivering_hops())
            every = self._all_hops.setdefault(category, [])
        elif every is None:
            every = self._all_hops[category] = []
            carrying = set(self.edges_carrying(category))
            for edge in self.edges_carrying(category):
                if edge not in self._answers:  # an answer (hit/no-hit, reference) crosses, nothing arrives
                    every.append((self._crossing_node(edge), self._position[edge.target], edge))
                node = self._edge_node.get(edge)
                if node is not None and isinstance(edge.flow.forwards, list):
                    for feed in self._in[edge.source]:
                        if feed.flow.id in edge.flow.forwards and feed in carrying and feed not in self._answers:
                            every.append((self._crossing_node(feed), node, feed))
        if allowed is None:
            return every
        return [hop for hop in every if allowed(hop[2])]

    def _delivering_hops(self) -> dict[str, list[tuple[int, int, Edge]]]:
        """:meth:`_hops` of every category at once when no flow is restricted: one hop per edge
        that delivers, shared by the categories it carries."""
        hops: dict[str, list[tuple[int, int, Edge]]] = {category: [] for category in self._origins}
        cross, position, answers, carried = self._cross, self._position, self._answers, self._carried
        for edge in self.edges:
            categories = carried[edge]
            if categories and edge not in answers:
                hop = (cross[edge], position[edge.target], edge)
                for category in categories:
                    hops[category].append(hop)
        return hops

    def _adjacency(self, category: str, allowed: EdgeFilter | None) -> dict[int, list[int]]:
        """Node -> the nodes its hops for ``category`` (through ``allowed`` edges) lead to."""
        hops: Iterable[tuple[int, int, Edge]] = self._hops(category, None)
        if allowed is not None:  # map and compress: no Python-level loop around a set's membership test
            hops = compress(hops, map(allowed, map(itemgetter(2), hops)))
        succ: dict[int, list[int]] = {}
        get = succ.get
        for source, target, _ in hops:
            targets = get(source)
            if targets is None:
                succ[source] = [target]
            else:
                targets.append(target)
        return succ

    def origin_bit(self, origin: str) -> int:
        """The bit that stands for ``origin`` in every reach bitset: its position among the
        systems in id order, the same for every category, so bitsets of several categories
        can be joined with ``|`` and counted with ``int.bit_count``."""
        return 1 << self._position[origin]

    def _seeds(self, category: str, origins: Iterable[str]) -> dict[int, int]:
        """Bit per origin (:meth:`origin_bit`), at the origin and at the restricted nodes of its
        outgoing edges (a system always passes on its own records)."""
        position = self._position
        origins = list(origins)
        seeds = {position[origin]: 1 << position[origin] for origin in origins}
        if self._edge_node:
            for origin in origins:
                for edge in self._out[origin]:
                    node = self._edge_node.get(edge)
                    if node is not None:
                        seeds[node] = seeds.get(node, 0) | 1 << position[origin]
        return seeds

    def reach(self, category: str, *, origins: Iterable[str] | None = None, allowed: EdgeFilter | None = None,
              key: object = None) -> dict[int, int]:
        """Node -> bitset of origins (:meth:`origin_bit`): whose ``category`` data can be there.

        ``origins`` limits the seeds, ``allowed`` the edges; such a reach is kept only when a
        hashable ``key`` names the choice (without one it is the caller's to keep or drop: a
        reach per category and choice can weigh more than the rest of the graph). Nodes are
        internal; read results through :meth:`origins_at`, :meth:`crossing` and :meth:`bits_to_origins`.

        Notes
        -----
        One Tarjan condensation and one bitset push over the edges carrying ``category``.
        """
        if origins is None and allowed is None:
            found = self._full.get(category)
            if found is None:
                seeds = self._seeds(category, self.origins_of(category))
                found = self._full[category] = propagate_bits(seeds, self._adjacency(category, None),
                                                              len(self._node_system))
            return found
        memo = (category, key)
        found = self._reach.get(memo) if key is not None else None
        if found is None:
            seeds = self._seeds(category, self.origins_of(category) if origins is None else origins)
            found = propagate_bits(seeds, self._adjacency(category, allowed), len(self._node_system))
            if key is not None:
                self._reach[memo] = found
        return found

    @staticmethod
    def positions(bits: int) -> list[int]:
        """The positions (among the systems, in id order) of the origins whose bits are set, ascending.

        >>> Graph.positions(0b1010)
        [1, 3]
        """
        return set_bits(bits)

    def bits_to_origins(self, category: str, bits: int, limit: int | None = None) -> list[str]:
        """The origins whose bits are set, sorted by id (``category`` is not needed: every
        category numbers origins alike; it stays for the readers' sake); with ``limit``, the
        first ``limit`` of them, found without decoding the rest.

        >>> from flowmap.model import Model
        >>> g = Graph(Model.model_validate({"flowmap": 1, "name": "x", "systems": [
        ...     {"id": i, "sector": "police"} for i in "abc"]}))
        >>> g.bits_to_origins("", 0b111), g.bits_to_origins("", 0b111, limit=2)
        (['a', 'b', 'c'], ['a', 'b'])
        """
        ids = self._ids
        if limit is None or bits.bit_count() <= limit:
            return [ids[i] for i in set_bits(bits)]
        out = []
        while bits and len(out) < limit:
            low = bits & -bits
            out.append(ids[low.bit_length() - 1])
            bits ^= low
        return out

    def crossing_union(self, edge: Edge, categories: Iterable[str] | None = None) -> int:
        """Bitset of the origins whose data of any of ``categories`` (default: all it carries)
        crosses ``edge``; ``.bit_count()`` is their exact number, without listing them."""
        bits = 0
        for category in self.carried(edge) if categories is None else categories:
            bits |= self.crossing_bits(edge, category)
        return bits

    def origins_at(self, system_id: str, category: str) -> list[str]:
        """Origins whose ``category`` data is available at a system (held or received), sorted."""
        return self.bits_to_origins(category, self.origin_bits_at(system_id, category))

    def origin_bits_at(self, system_id: str, category: str) -> int:
        """Bitset of the origins whose ``category`` data is available at a system (held or received)."""
        return self.reach(category).get(self._position[system_id], 0)

    def available(self, category: str) -> Iterator[tuple[str, int]]:
        """(system id, bitset of the origins whose ``category`` data is available there) for
        every system where some is, in id order."""
        ids, count = self._ids, len(self._ids)
        for node, bits in self.reach(category).items():  # sorted by node: systems first, in id order
            if node >= count:
                break
            yield ids[node], bits

    def holdings_at(self, system_id: str) -> dict[str, list[str]]:
        """Category -> origins, for every category available at a system."""
        out = {}
        for category in self.categories:
            origins = self.origins_at(system_id, category)
            if origins:
                out[category] = origins
        return out

    def crossing_bits(self, edge: Edge, category: str, reach: dict[int, int] | None = None) -> int:
        """Bitset of the origins whose ``category`` data crosses ``edge`` (0 when it does not carry it)."""
        if reach is None:
            reach = self.reach(category)  # the category's full reach, kept once made
        return reach.get(self._cross[edge], 0)

    def crossed(self, edges: list[Edge], category: str, reach: dict[int, int] | None = None) -> list[tuple[Edge, int]]:
        """(edge, :meth:`crossing_bits`) for each of ``edges`` that some origin's ``category``
        data crosses, in the order given: the bits of many edges read at once.

        >>> from flowmap.model import Model
        >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
        ...     {"id": "a", "sector": "asylum", "holds": ["identity"], "purposes": ["protection.asylum"]},
        ...     {"id": "b", "sector": "police"}, {"id": "c", "sector": "police"}],
        ...   "flows": [{"from": "a", "to": "b", "data": ["identity"], "purpose": "enforcement.law"},
        ...             {"from": "c", "to": "b", "data": ["identity"], "purpose": "enforcement.law"}]})
        >>> g = Graph(m)
        >>> [(edge.id, bits == g.origin_bit("a")) for edge, bits in g.crossed(g.edges, "identity")]
        [('a->b', True)]
        """
        if reach is None:
            reach = self.reach(category)  # the category's full reach, kept once made
        found = list(map(reach.get, map(self._cross.__getitem__, edges)))  # None where nothing crosses
        return list(compress(zip(edges, found), found))

    def crossing(self, edge: Edge) -> dict[str, list[str]]:
        """Category -> origins whose data of it crosses ``edge``, for the categories it carries."""
        out = {}
        for category in self.carried(edge):
            origins = self.bits_to_origins(category, self.crossing_bits(edge, category))
            if origins:
                out[category] = origins
        return out

    def reached_from(self, origin: str, category: str) -> list[str]:
        """Systems that ``origin``'s ``category`` data can reach (the origin included), sorted."""
        bit = self.origin_bit(origin)
        reach = self.reach(category)
        return sorted({self._node_system[n] for n, bits in reach.items() if bits & bit and n < len(self._ids)})

    def reached_bits(self, category: str, origins: Iterable[str]) -> dict[str, int]:
        """Origin -> bitset of the systems its ``category`` data can reach (itself included), for
        each of ``origins`` (0 for a system that is no origin of ``category``); a system's bit is
        :meth:`origin_bit`, so :meth:`bits_to_origins` names them.

        >>> from flowmap.model import Model
        >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
        ...     {"id": "a", "sector": "asylum", "holds": ["identity"], "purposes": ["protection.asylum"]},
        ...     {"id": "b", "sector": "police"}, {"id": "c", "sector": "police"}],
        ...   "flows": [{"from": "a", "to": "b", "data": ["identity"], "purpose": "enforcement.law"},
        ...             {"from": "b", "to": "c", "data": ["identity"], "purpose": "enforcement.law"}]})
        >>> g = Graph(m)
        >>> g.bits_to_origins("identity", g.reached_bits("identity", ["a"])["a"])
        ['a', 'b', 'c']

        Notes
        -----
        Read off the reach (each system's bitset of origins, turned round) when the (origin,
        system) pairs are few next to the hops; else the reverse of :meth:`reach`: system bits
        pushed backwards along the hops give each node the systems downstream of it (one
        condensation and one push, whatever the number of pairs; an origin's data leaves from
        its own node and from its restricted flows).
        """
        known = set(self.origins_of(category))
        origins = [o for o in dict.fromkeys(origins) if o in known]
        out = {o: 0 for o in origins}
        mask = 0
        for origin in origins:
            mask |= self.origin_bit(origin)
        systems = len(self._ids)
        reach = self.reach(category)
        hops = self._hops(category, None)
        pairs = 0
        for node, bits in reach.items():
            if node >= systems:
                break  # nodes are sorted: the systems come first
            pairs += (bits & mask).bit_count()
        if pairs <= 4 * (len(hops) + systems):  # a pair read costs about a quarter of a hop pushed
            reached: dict[int, list[int]] = {}  # origin position -> the systems its data reaches
            for node, bits in reach.items():
                if node >= systems:
                    break
                found = bits & mask
                if found:
                    for position in set_bits(found):
                        nodes = reached.get(position)
                        if nodes is None:
                            reached[position] = [node]
                        else:
                            nodes.append(node)
            for origin in origins:
                out[origin] = bitset(reached.get(self._position[origin], ()))
            return out
        upstream: dict[int, list[int]] = {}
        for source, target, _ in hops:
            upstream.setdefault(target, []).append(source)
        seeds = {node: 1 << node for node in range(systems)}
        downstream = propagate_bits(seeds, upstream, len(self._node_system))
        for origin in origins:
            bits = downstream.get(self._position[origin], 0)
            for edge in self._out[origin]:
                node = self._edge_node.get(edge)
                if node is not None:
                    bits |= downstream.get(node, 0)
            out[origin] = bits
        return out

    # -- witness paths -----------------------------------------------------------------------

    def _reverse_hops(self, category: str) -> dict[int, list[tuple[int, int, Edge]]]:
        """Node -> the hops for ``category`` that lead into it (memoised)."""
        found = self._reverse.get(category)
        if found is None:
            found = self._reverse[category] = {}
            for hop in self._hops(category, None):
                into = found.get(hop[1])
                if into is None:
                    found[hop[1]] = [hop]
                else:
                    into.append(hop)
        return found

    def _forward_hops(self, category: str) -> dict[int, list[int]]:
        """Node -> the nodes its hops for ``category`` lead to (memoised)."""
        found = self._forward.get(category)
        if found is None:
            found = self._forward[category] = self._adjacency(category, None)
        return found

    def _search_back(self, start: int, category: str, origin_bits: int, *, allowed: EdgeFilter | None,
                     limit: int, skip_start: bool = False, within: set[int] | None = None,
                     budget: int | None = None) -> list[tuple[list[str], list[str]]] | None:
        """The one path search: breadth-first backwards from ``start`` along the hops ``category``
        can take (through ``allowed`` edges), stopped once ``limit`` distinct origins of
        ``origin_bits`` are met. Each route runs from its origin to ``start`` (systems, and the
        flow of each hop). A restricted node stands for its source system and always carries
        that system's own records. ``within`` keeps the search to those nodes (see
        :meth:`_shortest_nodes`). With a ``budget``, ``None`` once more nodes than that are
        queued before the search ends.

        Once the queue holds enough origins not yet met, nothing found later can come before
        them: the search stops widening (a hub's thousands of senders are not all queued to
        find the three nearest origins among the first of them)."""
        node_system, owner = self._node_system, self._node_owner
        reverse = self._reverse_hops(category)
        limit = min(limit, origin_bits.bit_count())  # no more routes than origins to find
        if not limit:
            return []
        towards: dict[int, tuple[int, Edge] | None] = {start: None}  # node -> (next node, flow) towards start
        queue = [start]
        met: set[int] = set()  # the origins (positions) whose route is found
        counted: set[int] = set()  # those and the origins waiting in the queue
        out: list[tuple[list[str], list[str]]] = []
        widening = True
        for node in queue:  # grows while read: breadth-first, until the last route wanted is found
            origin = owner[node]
            if origin not in met and origin_bits >> origin & 1 and not (skip_start and node == start):
                met.add(origin)
                counted.add(origin)
                out.append(_route_from(node, towards, node_system))
                if len(out) >= limit:  # the last route wanted: no need to read this node's senders
                    break
            if not widening:
                continue
            for previous, _, hop in reverse.get(node, ()):
                if previous not in towards and (within is None or previous in within) \
                        and (allowed is None or allowed(hop)):
                    towards[previous] = (node, hop)
                    queue.append(previous)
                    if budget is not None and len(towards) > budget:
                        return None
                    origin = owner[previous]
                    if origin not in met and origin_bits >> origin & 1:
                        counted.add(origin)
                        if len(counted) >= limit:
                            widening = False
                            break
        return out

    def _shortest_nodes(self, origin: str, category: str, start: int) -> set[int] | None:
        """The nodes on the shortest routes of ``origin``'s ``category`` data to ``start``
        (``None`` when there is none), found by a breadth-first search from both ends at once,
        each step widening the side whose next step reads fewer hops.

        Confined to these nodes, the backward search of :meth:`_search_back` meets the origin
        by the same route as unconfined: the route it takes to a node is the first, in its
        order, of the shortest ones, and every node on a shortest route to a node on a shortest
        route from the origin is itself on one. Near a hub the two sides meet after a step or
        two each, where one side alone would cross the hub's thousands of neighbours.
        """
        forward = self._forward_hops(category)
        backward = self._reverse_hops(category)
        sources = [self._position[origin]] + [self._edge_node[e] for e in self._out[origin] if e in self._edge_node]
        ahead = dict.fromkeys(sources, 0)  # node -> hops from the origin
        behind = {start: 0}  # node -> hops to start
        if start in ahead:
            return {start}
        front, back = list(ahead), [start]
        met: list[int] = []
        while front and back and not met:
            if sum(len(forward.get(n, ())) for n in front) <= sum(len(backward.get(n, ())) for n in back):
                grown = []
                for node in front:
                    steps = ahead[node] + 1
                    for following in forward.get(node, ()):
                        if following not in ahead:
                            ahead[following] = steps
                            grown.append(following)
                front = grown
                met = [n for n in grown if n in behind]
            else:
                grown = []
                for node in back:
                    steps = behind[node] + 1
                    for previous, _, _ in backward.get(node, ()):
                        if previous not in behind:
                            behind[previous] = steps
                            grown.append(previous)
                back = grown
                met = [n for n in grown if n in ahead]
        if not met:
            return None
        nodes = set(met)
        todo = list(met)
        while todo:  # towards the origin: the hops that bring a node one step nearer
            node = todo.pop()
            nearer = ahead[node] - 1
            if nearer < 0:
                continue
            for previous, _, _ in backward.get(node, ()):
                if ahead.get(previous) == nearer and previous not in nodes:
                    nodes.add(previous)
                    todo.append(previous)
        todo = list(met)
        while todo:  # towards start
            node = todo.pop()
            nearer = behind[node] - 1
            if nearer < 0:
                continue
            for following in forward.get(node, ()):
                if behind.get(following) == nearer and following not in nodes:
                    nodes.add(following)
                    todo.append(following)
        return nodes

    def _route(self, origin: str, category: str, start: int, *, skip_start: bool = False):
        """The shortest route of ``origin``'s ``category`` data to node ``start`` that
        :meth:`_search_back` finds: by that search while it stays small, else searched only among
        the nodes of :meth:`_shortest_nodes`."""
        found = self._search_back(start, category, self.origin_bit(origin), allowed=None, limit=1,
                                  skip_start=skip_start, budget=SMALL_SEARCH)
        if found is not None:
            return found[0] if found else None
        within = self._shortest_nodes(origin, category, start)
        if within is None:
            return None
        found = self._search_back(start, category, self.origin_bit(origin), allowed=None, limit=1,
                                  skip_start=skip_start, within=within)
        return found[0] if found else None

    def nearest_paths(self, edge: Edge, category: str, origin_bits: int, *, allowed: EdgeFilter | None = None,
                      key: object = None, limit: int = 3) -> list[tuple[list[str], list[str]]]:
        """The shortest routes by which ``category`` data of the origins in ``origin_bits``
        ends by crossing ``edge``, for the ``limit`` origins nearest to it (ties in flow-id order).

        One backward breadth-first search from the edge (through ``allowed`` edges only, when
        given), stopped as soon as ``limit`` origins are found: near the anchor, whatever the
        size of the model. ``key`` is ignored: the search keeps nothing per choice of flows.

        >>> from flowmap.model import Model
        >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
        ...     {"id": "a", "sector": "asylum", "holds": ["identity"], "purposes": ["protection.asylum"]},
        ...     {"id": "b", "sector": "asylum", "holds": ["identity"], "purposes": ["protection.asylum"]},
        ...     {"id": "p", "sector": "police"}],
        ...   "flows": [{"from": "a", "to": "b", "data": ["identity"], "purpose": "protection.asylum"},
        ...             {"from": "b", "to": "p", "data": ["identity"], "purpose": "enforcement.law"}]})
        >>> g = Graph(m)
        >>> g.nearest_paths(g.edge("b->p"), "identity", g.origin_bit("a") | g.origin_bit("b"))
        [(['b', 'p'], ['b->p']), (['a', 'b', 'p'], ['a->b', 'b->p'])]
        """
        found = self._search_back(self._crossing_node(edge), category, origin_bits, allowed=allowed, limit=limit)
        for route, flows in found:  # each search builds its own lists
            route.append(edge.target)
            flows.append(edge.flow.id)
        return found

    def path_to(self, origin: str, category: str, edge: Edge, *, allowed: EdgeFilter | None = None,
                key: object = None) -> tuple[list[str], list[str]] | None:
        """A shortest route of ``origin``'s ``category`` data that ends by crossing ``edge``: the
        systems, and the flow realising each hop. ``None`` when there is none. ``allowed`` keeps
        the route to those edges (``key`` is ignored, as in :meth:`nearest_paths`)."""
        if allowed is not None:
            found = self.nearest_paths(edge, category, self.origin_bit(origin), allowed=allowed, limit=1)
            return found[0] if found else None
        found = self._route(origin, category, self._crossing_node(edge))
        return None if found is None else (found[0] + [edge.target], found[1] + [edge.flow.id])

    def paths(self, origin: str, wanted: Iterable[tuple[str, str]]) -> list[tuple[list[str], list[str]] | None]:
        """:meth:`path` of ``origin``'s data to each (target, category) of ``wanted``, in that
        order: the same routes, found with less work when many origins ask for routes to the
        same few targets.

        A target near its origins is searched as :meth:`path` searches it. Past that small
        search, the backward search from the target (:meth:`_search_back`, which widens
        alike whichever origin it looks for: only where it stops depends on the origin) is kept
        for the target and category, and widened only as far as the origins asked for so far
        need; each route is read off it (:meth:`_route_back`). The searches kept are dropped
        by :meth:`forget_searches`.

        >>> from flowmap.model import Model
        >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
        ...     {"id": "a", "sector": "asylum", "holds": ["identity"], "purposes": ["protection.asylum"]},
        ...     {"id": "b", "sector": "police"}, {"id": "c", "sector": "police"}],
        ...   "flows": [{"from": "a", "to": "b", "data": ["identity"], "purpose": "enforcement.law"},
        ...             {"from": "b", "to": "c", "data": ["identity"], "purpose": "enforcement.law"}]})
        >>> g = Graph(m)
        >>> g.paths("a", [("c", "identity"), ("a", "identity"), ("b", "identity"), ("c", "biometric")])
        [(['a', 'b', 'c'], ['a->b', 'b->c']), (['a'], []), (['a', 'b'], ['a->b']), None]
        """
        bit = self.origin_bit(origin)
        out: list[tuple[list[str], list[str]] | None] = []
        for target, category in wanted:
            if origin == target:
                out.append(([origin], []))
                continue
            start = self._position[target]
            found = self._search_back(start, category, bit, allowed=None, limit=1, skip_start=True,
                                      budget=SMALL_SEARCH)
            if found is None:  # a search that grows: kept for the next origins asking for this target
                out.append(self._route_back(origin, category, start))
            else:
                out.append(found[0] if found else None)
        return out

    def _route_back(self, origin: str, category: str, start: int) -> tuple[list[str], list[str]] | None:
        """The route by which :meth:`_search_back` from ``start`` (unconfined, one origin) meets
        ``origin``: from the first node of ``origin`` its queue takes in, read back along the
        hops that took each node in. That queue is the same whatever origin is sought, so one
        queue per (category, start) is kept and read further only when an origin asked for is
        not yet in it."""
        position = self._position[origin]
        search = self._backward.get((category, start))
        if search is None:
            search = self._backward[category, start] = _BackwardSearch(start)
        if position not in search.first:
            search.widen(position, self._reverse_hops(category), self._node_owner)
        node = search.first.get(position)
        return None if node is None else _route_from(node, search.towards, self._node_system)

    def path(self, origin: str, category: str, target: str) -> tuple[list[str], list[str]] | None:
        """A shortest route of ``origin``'s ``category`` data to a system, or ``None``: one
        backward search from the target, stopped when it meets the origin (or one of its
        restricted flows, which always pass on its own records)."""
        if origin == target:
            return [origin], []
        return self._route(origin, category, self._position[target], skip_start=True)


def graph_of(model: Model) -> Graph:
    """The model's graph for its own taxonomy, built once and kept on the model."""
    found = model._cache.get("graph")
    if found is None:
        found = model._cache["graph"] = Graph(model)
    return found
