"""Helpers several rules share: what crosses a flow, in which order origins are named, witness paths.

Everything here reads the model through :class:`~flowmap.graph.Graph`; nothing enumerates paths.

>>> from flowmap.model import Model
>>> from flowmap.rules.base import Context
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
...     {"id": "a", "sector": "asylum", "holds": ["biometric.face"], "purposes": ["protection.asylum"],
...      "subjects": ["child"]},
...     {"id": "b", "sector": "police", "actor": "law_enforcement"}],
...   "flows": [{"from": "a", "to": "b", "data": ["biometric"], "purpose": "enforcement.law"}]})
>>> ctx = Context(m)
>>> evidence = Evidence.of(ctx)
>>> edge = ctx.graph.edges[0]
>>> by_category = evidence.by_category(edge)
>>> {c: ctx.graph.bits_to_origins(c, bits) for c, bits in by_category.items()}
{'biometric.face': ['a']}
>>> list(evidence.in_order(by_category))
['a']
>>> evidence.witness_paths(edge, by_category)
[(['a', 'b'], ['a->b'])]
"""

from __future__ import annotations

from functools import cached_property
from itertools import islice
from typing import Callable, Iterable, Iterator

from flowmap.findings import LIST_CAP, PATHS_CAP
from flowmap.graph import Edge, EdgeFilter, bitset
from flowmap.model import Mode, System
from flowmap.rules.base import Context
from flowmap.words import listing

__all__ = [
    "Evidence", "purpose_standing", "union", "origins_in_order", "lead_category", "entry_edges", "entries_by_flow",
    "edges_by_flow", "bulk", "technologies_of_risk", "bitset", "display_names",
]


def union(by_category: dict[str, int]) -> int:
    """The bitset of every origin in ``by_category`` (category -> origins bitset).

    >>> union({"identity": 0b01, "biometric.face": 0b11})
    3
    """
    bits = 0
    for found in by_category.values():
        bits |= found
    return bits


def lead_category(ctx: Context, categories: Iterable[str]) -> str:
    """The most sensitive of ``categories`` (the first by name among equals)."""
    return min(categories, key=lambda c: (-ctx.taxonomy.sensitivity(c), c))


def origins_in_order(ctx: Context, by_origin: dict[str, list[str]]) -> list[str]:
    """Origins most important first: children among their people, then the most sensitive
    data, then vulnerable people, then id."""

    people = Evidence.of(ctx).people_order

    def key(origin: str):
        no_children, not_vulnerable = people[origin]
        return no_children, -ctx.sensitivity(by_origin[origin]), not_vulnerable, origin

    return sorted(by_origin, key=key)


def display_names(ctx: Context) -> dict[str, str]:
    """System id -> the name findings call it by (:attr:`~flowmap.model.System.display_name`),
    read once per analysis: messages name thousands of systems.

    >>> from flowmap.model import Model
    >>> ctx = Context(Model.model_validate({"flowmap": 1, "name": "x", "systems": [
    ...     {"id": "vis", "name": "VIS", "sector": "visa"}, {"id": "a", "sector": "border"}]}))
    >>> display_names(ctx)
    {'a': 'a', 'vis': 'VIS'}
    """
    return ctx.cached("rules.display_names", lambda: {s.id: s.display_name for s in ctx.systems})


FEW = 24
"""A bitset of at most this many origins is decoded and sorted rather than masked tier by tier."""


class Evidence:
    """Evidence about origins read straight from reach bitsets (:meth:`Graph.origin_bit`): how
    many, the most important few, their people, without listing thousands of origins.

    The order of importance is fixed per origin: children among its people, then the most
    sensitive category it collects, then vulnerable people, then id. Origins are grouped into
    tiers of equal importance, one bitset each, so the first ``limit`` of a bitset are found by
    masking it with each tier in turn and decoding only what is named.

    >>> from flowmap.model import Model
    >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
    ...     {"id": "a", "sector": "police", "holds": ["criminal.suspicion"], "purposes": ["enforcement.law"]},
    ...     {"id": "b", "sector": "asylum", "holds": ["biometric.face"], "purposes": ["protection.asylum"],
    ...      "subjects": ["asylum_seeker", "child"]}]})
    >>> ctx = Context(m)
    >>> ev = Evidence.of(ctx)
    >>> bits = ctx.graph.origin_bit("a") | ctx.graph.origin_bit("b")
    >>> ev.named(bits), ev.subjects(bits), bits.bit_count()
    (['b', 'a'], ['asylum_seeker', 'child'], 2)
    """

    def __init__(self, ctx: Context):
        self.ctx = ctx
        graph = ctx.graph
        tiers: dict[tuple, list[int]] = {}  # the positions of the origins of each tier, then of each people group
        members: dict[str, list[int]] = {}
        children, vulnerable = [], []
        keys, people_of = [], []
        level_of: dict[tuple[str, ...], int] = {}  # what a system holds -> its most sensitive level, negated
        fragile: dict[tuple[str, ...], bool] = {}  # people groups -> whether one is vulnerable
        for position, system in enumerate(graph.systems):  # bit i stands for the i-th system in id order
            people, holds = tuple(system.people), tuple(system.holds)  # systems share a few of each
            level = level_of.get(holds)
            if level is None:
                level = level_of[holds] = -ctx.sensitivity(holds)
            vulnerable_people = fragile.get(people)
            if vulnerable_people is None:
                vulnerable_people = fragile[people] = ctx.vulnerable(people)
            key = ("child" not in people, level, not vulnerable_people)
            keys.append(key)
            people_of.append(people)
            tiers.setdefault(key, []).append(position)
            for subject in people:  # children too where a min_age says so
                members.setdefault(subject, []).append(position)
            if not key[0]:
                children.append(position)
            if not key[2]:
                vulnerable.append(position)
        tiers = {key: bitset(positions) for key, positions in tiers.items()}
        subject_masks = {subject: bitset(positions) for subject, positions in members.items()}
        # for bitsets of few origins: each system's people groups as bits, in the groups' sorted order
        self._subject_names = sorted(members)
        subject_bit = {subject: 1 << number for number, subject in enumerate(self._subject_names)}
        people_bits: dict[tuple[str, ...], int] = {}
        for people in people_of:
            if people not in people_bits:
                people_bits[people] = sum(subject_bit[s] for s in set(people))
        self._people_bits = [people_bits[people] for people in people_of]
        self._people_bits_of = {system.id: bits for system, bits in zip(graph.systems, self._people_bits)}
        self._people_named: dict[int, list[str]] = {}  # people bits -> the groups (few combinations)
        children, vulnerable = bitset(children), bitset(vulnerable)
        order = sorted(tiers)
        self._tiers = [tiers[key] for key in order]
        self._subjects = sorted(subject_masks.items())
        # the same order per origin, for bitsets of few origins: decoded, then sorted by it
        tier_of = {key: number for number, key in enumerate(order)}
        count = len(graph.systems)
        self._rank = [tier_of[key] * count + position for position, key in enumerate(keys)]
        self._ids = [system.id for system in graph.systems]
        self._children, self._vulnerable = children, vulnerable
        self._decoded: tuple[int, list[int] | None] = (0, [])
        alike: dict[tuple[bool, bool], tuple[bool, bool]] = {}  # four values: each tuple made once
        self.people_order = {system.id: alike.setdefault((key[0], key[2]), (key[0], key[2]))
                             for system, key in zip(graph.systems, keys)}
        """System id -> (no children among its people, no vulnerable group among them): the parts of
        the order of origins fixed per system (:func:`origins_in_order`)."""
        self._category_rank = {category: rank for rank, category in enumerate(
            sorted(graph.categories, key=lambda c: (-ctx.taxonomy.sensitivity(c), c)))}
        self.sensitive = frozenset(c for c in graph.categories if ctx.is_sensitive(c))
        """The propagated categories of high sensitivity or above (as :meth:`Context.is_sensitive`):
        ``category_ok=evidence.sensitive.__contains__`` decides each category once."""

    @classmethod
    def of(cls, ctx: Context) -> "Evidence":
        """The evidence helper of this analysis (built once)."""
        return ctx.cached("rules.evidence", lambda: cls(ctx))

    def named(self, bits: int, limit: int = LIST_CAP) -> list[str]:
        """The ``limit`` most important origins of ``bits``, most important first."""
        few = self._few(bits)
        if few is not None:
            ids = self._ids  # bit i stands for the i-th system in id order
            positions = sorted(few, key=self._rank.__getitem__)
            return [ids[p] for p in positions[:limit]]
        out: list[str] = []
        graph = self.ctx.graph
        for mask in self._tiers:
            found = bits & mask
            if found:
                out += graph.bits_to_origins("", found, limit=limit - len(out))
                if len(out) >= limit:
                    break
        return out

    def _few(self, bits: int) -> list[int] | None:
        """The positions of the origins of ``bits`` (:meth:`Graph.positions
        <flowmap.graph.Graph.positions>`) when they are at most :data:`FEW`, else ``None``. The
        last bitset's answer is kept: a finding reads the names and the people of the same
        origins. The list is shared: read it, do not change it."""
        if bits != self._decoded[0]:
            self._decoded = (bits, self.ctx.graph.positions(bits) if bits.bit_count() <= FEW else None)
        return self._decoded[1]

    def subjects(self, bits: int) -> list[str]:
        """The people groups whose data the origins of ``bits`` collect, sorted."""
        few = self._few(bits)
        if few is not None:
            people, people_bits = 0, self._people_bits
            for position in few:
                people |= people_bits[position]
            return self._groups(people)
        return [subject for subject, mask in self._subjects if bits & mask]

    def subjects_of(self, systems: Iterable[str]) -> list[str]:
        """The people groups whose data these systems (ids) collect, sorted: :meth:`subjects`
        of their bits, as :meth:`Context.subjects_of <flowmap.rules.base.Context.subjects_of>`
        says, from the groups of each system noted once.

        >>> from flowmap.model import Model
        >>> ctx = Context(Model.model_validate({"flowmap": 1, "name": "x", "systems": [
        ...     {"id": "a", "sector": "asylum", "subjects": ["asylum_seeker", "child"]},
        ...     {"id": "b", "sector": "visa", "subjects": ["visa_applicant"]}]}))
        >>> Evidence.of(ctx).subjects_of(["b", "a"]) == ctx.subjects_of(["b", "a"])
        True
        """
        people, people_bits = 0, self._people_bits_of
        for system in systems:
            people |= people_bits[system]
        return self._groups(people)

    def _groups(self, people: int) -> list[str]:
        """The people groups of ``people`` (bit i: the i-th group in sorted order), sorted."""
        found = self._people_named.get(people)
        if found is None:
            names = self._subject_names
            found = self._people_named[people] = [names[i] for i in range(people.bit_length()) if people >> i & 1]
        return list(found)

    def by_category(self, edges: Edge | list[Edge], *, category_ok: Callable[[str], bool] | None = None,
                    exclude: int = 0, within: int = -1) -> dict[str, int]:
        """Category -> bitset of the origins whose data of it crosses ``edges`` (one edge, or both
        directions of a flow): categories filtered by ``category_ok``, origins with no bit in
        ``exclude`` and every bit in ``within`` (a mask; -1 is everyone). Only categories some
        origin's data crosses with, in the order the flows carry them."""
        graph = self.ctx.graph
        keep = within & ~exclude if within != -1 or exclude != 0 else None
        out: dict[str, int] = {}
        for edge in [edges] if isinstance(edges, Edge) else edges:
            for category in graph.carried(edge):
                if category_ok is not None and not category_ok(category):
                    continue
                found = graph.crossing_bits(edge, category)
                if keep is not None and found:
                    found &= keep
                if found:
                    known = out.get(category)
                    out[category] = found if known is None else known | found
        return out

    def crossing(self, edges: Edge | list[Edge], *, category_ok: Callable[[str], bool] | None = None,
                 exclude: int = 0, within: int = -1) -> tuple[int, list[str]]:
        """(origins bitset, categories) of the data crossing ``edges``, filtered as in :meth:`by_category`."""
        found = self.by_category(edges, category_ok=category_ok, exclude=exclude, within=within)
        return union(found), sorted(found)

    def in_order(self, by_category: dict[str, int]) -> Iterator[str]:
        """The origins of ``by_category`` (category -> origins bitset), most important first as
        :func:`origins_in_order` puts them: children among their people, then the most sensitive
        of *these* categories of theirs, then vulnerable people, then id. Decodes only what is read.

        >>> from flowmap.model import Model
        >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
        ...     {"id": "a", "sector": "police", "holds": ["criminal.suspicion", "identity.contact"],
        ...      "purposes": ["enforcement.law"]},
        ...     {"id": "b", "sector": "asylum", "holds": ["identity.contact"], "purposes": ["protection.asylum"],
        ...      "subjects": ["asylum_seeker"]}]})
        >>> ctx = Context(m)
        >>> a, b = ctx.graph.origin_bit("a"), ctx.graph.origin_bit("b")
        >>> ev = Evidence.of(ctx)
        >>> list(ev.in_order({"identity.contact": a | b})), list(ev.in_order({"identity.contact": a | b, "criminal.suspicion": a}))
        (['b', 'a'], ['a', 'b'])
        """
        levels: dict[int, int] = {}
        for category, bits in by_category.items():
            level = self.ctx.taxonomy.sensitivity(category)
            levels[level] = levels.get(level, 0) | bits
        tiers, higher = [], 0
        for level in sorted(levels, reverse=True):  # an origin counts at the level of its most sensitive category
            tiers.append(levels[level] & ~higher)
            higher |= levels[level]
        systems = self.ctx.graph.systems  # bit i stands for the i-th system in id order
        children, vulnerable = self._children, self._vulnerable
        for young in (children, ~children):
            for tier in tiers:
                for people in (vulnerable, ~vulnerable):
                    found = tier & young & people
                    while found:
                        low = found & -found
                        yield systems[low.bit_length() - 1].id
                        found ^= low

    def witness_paths(self, edges: Edge | list[Edge], by_category: dict[str, int], *,
                      allowed: EdgeFilter | None = None) -> list[tuple[list[str], list[str]]]:
        """Shortest routes of the first :data:`~flowmap.findings.PATHS_CAP` origins of ``by_category``
        (:meth:`in_order`), each of its most sensitive category here, that end by crossing ``edges``
        (``allowed`` restricts the flows, as in :meth:`~flowmap.graph.Graph.path_to`)."""
        graph = self.ctx.graph
        paths = []
        for origin in islice(self.in_order(by_category), PATHS_CAP):
            bit = graph.origin_bit(origin)
            category = lead_category(self.ctx, [c for c, bits in by_category.items() if bits & bit])
            for edge in [edges] if isinstance(edges, Edge) else edges:
                found = graph.path_to(origin, category, edge, allowed=allowed)
                if found is not None:
                    paths.append(found)
                    break
        return paths

    def at(self, system_id: str, *, category_ok: Callable[[str], bool] | None = None) -> tuple[int, list[str]]:
        """(origins bitset, categories) of the data available at a system: what it holds and what
        arrives through its incoming flows, categories filtered by ``category_ok``.

        >>> from flowmap.model import Model
        >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
        ...     {"id": "a", "sector": "police", "holds": ["criminal.suspicion", "identity.contact"],
        ...      "purposes": ["enforcement.law"]},
        ...     {"id": "b", "sector": "police", "holds": ["identity.contact"], "purposes": ["enforcement.law"]}],
        ...   "flows": [{"from": "a", "to": "b", "data": ["criminal", "identity"], "purpose": "enforcement.law"}]})
        >>> ctx = Context(m)
        >>> ev = Evidence.of(ctx)
        >>> bits, categories = ev.at("b")
        >>> ctx.graph.bits_to_origins("", bits), categories
        (['a', 'b'], ['criminal.suspicion', 'identity.contact'])
        >>> bits, categories = ev.at("b", category_ok=ctx.is_sensitive)
        >>> ctx.graph.bits_to_origins("", bits), categories
        (['a'], ['criminal.suspicion'])
        """
        graph = self.ctx.graph
        bits, categories = 0, []
        for category in graph.categories:  # the reach at a system: what it holds, and what its flows bring
            if category_ok is None or category_ok(category):
                found = graph.origin_bits_at(system_id, category)
                if found:
                    bits |= found
                    categories.append(category)
        return bits, categories

    def everywhere(self, *, category_ok: Callable[[str], bool] | None = None) -> dict[str, tuple[int, list[str]]]:
        """:meth:`at` every system where some data is available, read off each category's reach
        once (:meth:`~flowmap.graph.Graph.available`) rather than asking each category per system.
        Not kept: the caller reads it and lets it go.

        >>> from flowmap.model import Model
        >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
        ...     {"id": "a", "sector": "police", "holds": ["criminal.suspicion"], "purposes": ["enforcement.law"]},
        ...     {"id": "b", "sector": "police"}, {"id": "c", "sector": "police"}],
        ...   "flows": [{"from": "a", "to": "b", "data": ["criminal"], "purpose": "enforcement.law"}]})
        >>> ev = Evidence.of(Context(m))
        >>> sorted(ev.everywhere()) == ["a", "b"] and ev.everywhere()["b"] == ev.at("b")
        True
        """
        graph = self.ctx.graph
        out: dict[str, tuple[int, list[str]]] = {}
        for category in graph.categories:
            if category_ok is None or category_ok(category):
                for system_id, found in graph.available(category):
                    if found:
                        bits, categories = out.get(system_id, (0, []))
                        categories.append(category)
                        out[system_id] = (bits | found if bits else found, categories)
        return out

    def carried(self, edge: Edge) -> list[str]:
        """:meth:`Graph.carried <flowmap.graph.Graph.carried>` (computed once per edge there)."""
        return self.ctx.graph.carried(edge)

    @cached_property
    def _display_names(self) -> dict[str, str]:
        """:func:`display_names`, looked up once for the many findings that list origins."""
        return display_names(self.ctx)

    def listed(self, bits: int, limit: int = 3, *, named: list[str] | None = None) -> str:
        """The ``limit`` most important origins of ``bits`` by name, the rest counted:
        "Eurodac, VIS, SIS and 4 others" (``named``: :meth:`named` of ``bits``, if already found)."""
        name_of = self._display_names
        names = [name_of[o] for o in (self.named(bits, limit) if named is None else named[:limit])]
        return listing(names, limit=limit, total=bits.bit_count())

    def across_flows(self, flows: Iterable) -> tuple[int, list[str]]:
        """(origins bitset, categories) of what crosses any of ``flows`` (both directions of a
        bidirectional one); a flow that carries no held category counts with what it lists."""
        edges = edges_by_flow(self.ctx)
        bits, categories = 0, set()
        for flow in flows:
            found, kinds = self.crossing(edges[flow.id])
            bits |= found
            categories.update(kinds or flow.data)
        return bits, sorted(categories)

    def paths(self, edges: Edge | list[Edge], bits: int, categories: list[str], *,
              allowed: EdgeFilter | None = None, limit: int = PATHS_CAP) -> list[tuple[list[str], list[str]]]:
        """Up to ``limit`` shortest routes ending by crossing ``edges``, each of another origin of
        ``bits``: the origins nearest to the anchor, the most sensitive category first
        (:meth:`~flowmap.graph.Graph.nearest_paths`; ``allowed`` restricts the flows)."""
        graph = self.ctx.graph
        out: list[tuple[list[str], list[str]]] = []
        for category in self.most_sensitive_first(categories):
            for edge in [edges] if isinstance(edges, Edge) else edges:
                wanted = graph.crossing_bits(edge, category) & bits
                if not wanted:
                    continue
                for path in graph.nearest_paths(edge, category, wanted, allowed=allowed, limit=limit - len(out)):
                    bits ^= graph.origin_bit(path[0][0])  # one route per origin (its bit is set: it was wanted)
                    out.append(path)
                if len(out) >= limit:
                    return out
        return out

    def most_sensitive_first(self, categories: Iterable[str]) -> list[str]:
        """``categories`` the most sensitive first, by name among equals.

        >>> from flowmap.model import Model
        >>> ctx = Context(Model.model_validate({"flowmap": 1, "name": "x", "systems": [{"id": "a",
        ...     "sector": "police", "holds": ["identity.contact", "biometric.face"], "purposes": ["enforcement.law"]}]}))
        >>> Evidence.of(ctx).most_sensitive_first(["identity.contact", "biometric.face", "criminal.record"])
        ['biometric.face', 'criminal.record', 'identity.contact']
        """
        try:
            return sorted(categories, key=self._category_rank.__getitem__)
        except KeyError:  # a category no system holds: decided here
            return sorted(categories, key=lambda c: (-self.ctx.taxonomy.sensitivity(c), c))


def purpose_standing(ctx: Context, system: System, used: Iterable[str]) -> str:
    """How the purposes a flow serves stand against why a system collected its data:
    ``"collection"`` when each is compatible with a purpose of collection, ``"further"`` when the
    rest are purposes a law added (``further_purposes``: that purpose or one below it), else
    ``"beyond"``.

    >>> from flowmap.model import Model
    >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [{"id": "e", "sector": "asylum",
    ...     "holds": ["biometric"], "purposes": ["protection.asylum"],
    ...     "further_purposes": [{"purpose": "enforcement.return", "by": ["Art. 1(1)(c)"]}]}]})
    >>> ctx = Context(m)
    >>> [purpose_standing(ctx, m.systems[0], [p]) for p in ("protection.asylum", "enforcement.return", "enforcement.law")]
    ['collection', 'further', 'beyond']
    """
    tax = ctx.taxonomy
    standing = "collection"
    for purpose in used:
        if any(tax.compatible(purpose, p) for p in system.purposes):
            continue
        if any(purpose == fp.purpose or purpose.startswith(fp.purpose + ".") for fp in system.further_purposes):
            standing = "further"
            continue
        return "beyond"
    return standing


def entry_edges(ctx: Context, is_actor: Callable[[System], bool]) -> list[Edge]:
    """Edges where data enters the hands of an actor of concern: the target is one, and the
    source is not an actor of the same type (within one actor's hands data has already entered)."""
    out = []
    for target in ctx.systems:
        if is_actor(target):
            for edge in ctx.graph.in_edges(target.id):
                source = ctx.system(edge.source)
                if not (source.actor and source.actor == target.actor):
                    out.append(edge)
    return sorted(out, key=lambda e: (e.flow.id, e.reverse))  # in the order of the graph's edges


def entries_by_flow(ctx: Context, is_actor: Callable[[System], bool]) -> list[list[Edge]]:
    """:func:`entry_edges` grouped by flow, in flow-id order: both directions of a bidirectional
    flow may enter an actor's hands, and a finding is anchored once per flow."""
    grouped: dict[str, list[Edge]] = {}
    for edge in entry_edges(ctx, is_actor):
        grouped.setdefault(edge.flow.id, []).append(edge)
    return list(grouped.values())


def edges_by_flow(ctx: Context) -> dict[str, list[Edge]]:
    """Flow id -> its edges: one, or both directions of a bidirectional flow (built once)."""

    def build():
        out: dict[str, list[Edge]] = {}
        for edge in ctx.graph.edges:
            out.setdefault(edge.flow.id, []).append(edge)
        return out

    return ctx.cached("rules.edges_by_flow", build)


WHOLE_DATASETS = frozenset({Mode.bulk, Mode.replication})
"""The modes of a flow that moves whole datasets at once."""


def bulk(edge: Edge) -> bool:
    """Whether the flow moves whole datasets at once (mode ``bulk`` or ``replication``)."""
    return edge.flow.mode in WHOLE_DATASETS


def technologies_of_risk(ctx: Context, risk) -> list[tuple[System, str]]:
    """(system, technology) pairs whose technology has this risk level, in id order."""
    tax = ctx.taxonomy
    return [(s, t) for s in ctx.systems for t in sorted(set(s.technologies)) if tax.technology_risk(t) == risk]
