"""Function creep: data used downstream for a purpose its collection never allowed.

What it detects
    Data collected at an origin system for its ``purposes`` that a flow
    delivers, anywhere downstream, under a purpose incompatible with *all* of
    them (two purposes are compatible when they share their first segment or
    the taxonomy lists the pair). It is reported once per (origin, flow), on the
    *first* flow where the incompatible use happens: the flow is reached from
    the origin through a chain of compatible flows, and the witness path shows
    that chain. Later flows downstream of an incompatible one are consequences
    of the same creep and are not reported again for that origin. A legal basis
    on the flow does not suppress the finding: the message says the use is
    authorised and by what.

Why it matters
    Purpose limitation (GDPR Art. 5(1)(b), LED Art. 4(1)(b)) is the promise made
    to people when their data is taken: fingerprints given to claim asylum are
    for examining the claim. When the same records are opened to the police or
    used for removal, the people concerned never agreed, often cannot know, and
    lose trust in the service that collected them. A law can authorise the new
    use, but it remains a new use whose necessity and proportionality must be
    shown.

How to fix
    Remove the flow, narrow it to categories and cases where the new purpose
    is compatible, or put it behind safeguards (prior judicial authorisation,
    hit/no-hit only, a cascade that consults other sources first) and record a
    necessity and proportionality assessment; then accept the finding with that
    reason.
"""

from __future__ import annotations

from collections import defaultdict
from typing import NamedTuple

from flowmap.findings import Confidence, Finding, Kind, Severity
from flowmap.propagation import Edge, propagate_bits, set_bits
from flowmap.rules._support import Leads, Trees, bfs_tree, citations, describe, edge_categories, plural, systems_by_id
from flowmap.rules.base import Context, Rule


def _signatures(ctx: Context) -> tuple[list[tuple[str, ...]], dict[tuple[str, ...], tuple[bool, ...]]]:
    """Distinct flow purpose sets, and for each origin purpose set which of them are incompatible.

    A flow purpose set is incompatible with an origin's purposes when one of the
    flow's purposes is compatible with none of the origin's.
    """
    tax = ctx.taxonomy
    flow_sets = sorted({tuple(sorted(set(f.purposes))) for f in ctx.model.flows})
    origin_sets = sorted({tuple(sorted(set(s.purposes))) for s in ctx.model.systems if s.holds and s.purposes})
    signature = {}
    for purposes in origin_sets:
        signature[purposes] = tuple(
            any(all(not tax.compatible(used, p) for p in purposes) for used in flow_set) for flow_set in flow_sets
        )
    return flow_sets, signature


def _adjacency(ctx: Context) -> tuple[dict[str, dict[int, list[tuple[int, int, int]]]], dict[tuple, tuple], dict]:
    """Per category: node -> (target, flow purpose-set index, edge position in the index); the
    origin signatures; and the cache of :func:`_usable`. Entries hold only numbers, so the
    garbage collector stops tracking them."""
    cached = ctx._memo.get("rules.creep_adjacency")
    if cached is None:
        flow_sets, signature = _signatures(ctx)
        set_index = {s: i for i, s in enumerate(flow_sets)}
        flow_set_of = {f.id: set_index[tuple(sorted(set(f.purposes)))] for f in ctx.model.flows}
        adjacency: dict[str, dict[int, list[tuple[int, int, int]]]] = defaultdict(dict)
        for position, (edge, categories) in enumerate(edge_categories(ctx)):
            entry = (edge.target, flow_set_of[edge.flow.id], position)
            for category in categories:
                out = adjacency[category]
                children = out.get(edge.source)
                if children is None:
                    out[edge.source] = [entry]
                else:
                    children.append(entry)
        cached = ctx._memo["rules.creep_adjacency"] = (dict(adjacency), signature, {})
    return cached


def _usable(ctx: Context, category: str, group: tuple[bool, ...]) -> dict[int, list[int]]:
    """The adjacency of one category restricted to the flows compatible with one purpose
    signature: node -> targets (for :func:`propagate_bits`). Built once per (category,
    signature); a node whose flows are all compatible shares its list with every signature."""
    adjacency, _, usables = _adjacency(ctx)
    found = usables.get(("targets", category, group))
    if found is None:
        every = usables.get(("every", category))
        if every is None:  # per node: (its flows' purpose sets as a bit mask, all its targets)
            every = usables[("every", category)] = {
                node: (sum({1 << k for _, k, _ in out}), [t for t, _, _ in out])
                for node, out in adjacency[category].items()
            }
        excluded = sum(1 << k for k, wrong in enumerate(group) if wrong)
        out_of = adjacency[category]
        found = {}
        for node, (mask, all_targets) in every.items():
            if not mask & excluded:
                found[node] = all_targets
            elif mask & ~excluded:
                found[node] = [t for t, k, _ in out_of[node] if not group[k]]
        usables[("targets", category, group)] = found
    return found


def _usable_pairs(ctx: Context, category: str, group: tuple[bool, ...]) -> dict[int, list[tuple[int, str]]]:
    """As :func:`_usable`, with the flow of each edge: node -> (target, flow id) pairs, for the
    breadth-first search behind witness paths (built only when a finding is rendered)."""
    adjacency, _, usables = _adjacency(ctx)
    found = usables.get(("pairs", category, group))
    if found is None:
        flow_ids = usables.get("flow ids")
        if flow_ids is None:
            flow_ids = usables["flow ids"] = [edge.flow.id for edge in ctx.propagation.index.edges]
        found = usables[("pairs", category, group)] = {
            node: kept
            for node, out in adjacency[category].items()
            if (kept := [(t, flow_ids[i]) for t, k, i in out if not group[k]])
        }
    return found


class FirstUses(NamedTuple):
    """The first incompatible uses of origins' data, each on one flow, in one direction.

    Keyed by ``origin index * flows + flow number`` (flows numbered in id order): one int
    per use rather than a tuple, so sorting the keys orders uses by origin id, then flow id.
    """

    flows: int  # the number of flows: key // flows is the origin index
    edges: dict[int, Edge]  # the edge of the flow, in the direction of the use
    # the categories used: one name, or a sorted list of several (a name allocates nothing to track)
    categories: dict[int, str | list[str]]
    groups: dict[int, tuple[bool, ...]]  # origin index -> compatibility signature of its purposes
    # a bidirectional flow used both ways: (categories used in the direction of `edges`, those
    # used the other way), each sorted; `categories` holds both
    both_ways: dict[int, tuple[list[str], list[str]]]


def first_uses(ctx: Context) -> FirstUses:
    """Every origin's first incompatible uses, for every origin with purposes.

    Notes
    -----
    Origins are grouped by the compatibility signature of their purposes; per
    (category, group) one bitset propagation runs over the compatible flows,
    and the incompatible flows leaving the reached systems are the first uses.
    Cost: the part of each category's graph that each group reaches.
    """
    cached = ctx._memo.get("rules.first_uses")
    if cached is not None:
        return cached
    prop = ctx.propagation
    adjacency, signature, _ = _adjacency(ctx)
    group_of: dict[int, tuple[bool, ...]] = {}
    for system in ctx.model.systems:
        if system.holds and system.purposes:
            group_of[prop.index.position[system.id]] = signature[tuple(sorted(set(system.purposes)))]
    all_edges = prop.index.edges
    # edges are in flow-id order, the two directions of a bidirectional flow side by side
    flow_number: list[int] = []
    for position, edge in enumerate(all_edges):
        flow_number.append(flow_number[-1] + (edge.flow is not all_edges[position - 1].flow) if position else 0)
    flows = flow_number[-1] + 1 if flow_number else 1
    size = len(prop.index.ids)
    edges: dict[int, Edge] = {}
    used: dict[int, str | list[str]] = {}
    both_ways: dict[int, tuple[list[str], list[str]]] = {}
    for category, out in sorted(adjacency.items()):
        used_sets = {k for targets in out.values() for _, k, _ in targets}
        groups: dict[tuple[bool, ...], list[int]] = defaultdict(list)
        for origin in prop.origins.get(category, ()):
            group = group_of.get(origin)
            if group is not None and any(group[k] for k in used_sets):
                groups[group].append(origin)
        for group, members in sorted(groups.items()):
            reached = propagate_bits({node: 1 << bit for bit, node in enumerate(members)}, _usable(ctx, category, group), size)
            keys = [origin * flows for origin in members]  # bit -> the key of its origin's use of flow 0
            for node, bits in reached.items():
                wrong = [i for _, k, i in out.get(node, ()) if group[k]]
                if not wrong:
                    continue
                bases = [keys[bit] for bit in set_bits(bits)]
                for i in wrong:
                    number, edge = flow_number[i], all_edges[i]
                    for base in bases:
                        key = base + number
                        known = used.get(key)
                        if known is None:
                            edges[key] = edge
                            used[key] = category
                            continue
                        if edges[key] is not edge or key in both_ways:  # rare: a flow used both ways
                            _record_direction(both_ways, key, edges[key] is edge, known, category)
                        if known.__class__ is str:
                            if known != category:
                                used[key] = [known, category]
                        elif known[-1] != category:
                            known.append(category)
    found = ctx._memo["rules.first_uses"] = FirstUses(flows, edges, used, group_of, both_ways)
    return found


def _record_direction(
    both_ways: dict[int, tuple[list[str], list[str]]], key: int, same: bool, before: str | list[str], category: str
) -> None:
    """Note ``category`` as used in the kept direction (``same``) or the other one. The first
    time, the categories recorded so far (``before``) all went the kept direction.

    >>> record = {}
    >>> _record_direction(record, 7, False, "identity", "identity")
    >>> _record_direction(record, 7, True, ["identity"], "travel")
    >>> record
    {7: (['identity', 'travel'], ['identity'])}
    """
    entry = both_ways.get(key)
    if entry is None:
        entry = both_ways[key] = ([before] if before.__class__ is str else list(before), [])
    side = entry[0] if same else entry[1]
    if not side or side[-1] != category:
        side.append(category)


class _Texts:
    """Strings and values every finding of one analysis reuses, computed once per system,
    flow, category list, or pair of purpose sets."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.systems = systems_by_id(ctx)
        self.lead = Leads(ctx)
        self.singles: dict[str, tuple[str, str, object]] = {}
        self.receivers: dict[str, tuple[str, str, str | None]] = {}
        self.flows: dict[str, tuple[tuple[str, ...], str, str]] = {}
        self.wrong: dict[tuple[tuple[str, ...], tuple[str, ...]], str] = {}

    def single(self, category: str) -> tuple[str, str, object]:
        """:meth:`lead` of a list of one category."""
        found = self.singles.get(category)
        if found is None:
            found = self.singles[category] = self.lead([category])
        return found

    def receiver(self, system_id: str) -> tuple[str, str, str | None]:
        found = self.receivers.get(system_id)
        if found is None:
            system = self.systems[system_id]
            found = self.receivers[system_id] = (system.display_name, describe(system), system.actor)
        return found

    def flow(self, flow) -> tuple[tuple[str, ...], str, str]:
        """(the flow's purposes, the authorisation sentence, the mitigation)."""
        found = self.flows.get(flow.id)
        if found is None:
            authorised = (
                f"The use is authorised by {citations(self.ctx, flow.legal_basis)}; authorisation does not make it "
                "compatible with the purposes of collection."
                if flow.legal_basis
                else "No legal basis is recorded for this use."
            )
            mitigation = (
                f"Remove or narrow flow {flow.id}, restrict it to hit/no-hit with prior independent authorisation, "
                "or record a necessity and proportionality assessment and accept the finding with that reason."
            )
            found = self.flows[flow.id] = (tuple(flow.purposes), authorised, mitigation)
        return found

    def incompatible(self, collected: tuple[str, ...], used: tuple[str, ...]) -> str:
        """The purposes in ``used`` compatible with none in ``collected``, in words."""
        key = (collected, used)
        found = self.wrong.get(key)
        if found is None:
            compatible = self.ctx.taxonomy.compatible
            found = self.wrong[key] = ", ".join(p for p in used if all(not compatible(p, q) for q in collected))
        return found


class _Evidence:
    """Writes the text and witness path of a function-creep finding when it is first read.

    The breadth-first search behind the paths runs once per (origin, lead category), for all
    that origin's first uses of it, the first time one of them is rendered.
    """

    def __init__(self, ctx: Context, uses: FirstUses, leads: dict, texts: _Texts):
        self.ctx, self.uses, self.leads, self.texts = ctx, uses, leads, texts
        self.ids = ctx.propagation.index.ids
        # searches run over the flows compatible with the origin's purposes
        self.trees = Trees(ctx, self._requests, lambda origin, category: _usable_pairs(ctx, category, uses.groups[origin]))
        self.origins: dict[int, tuple[str, str, tuple[str, ...], str]] = {}
        self.chains: dict[tuple[int, str, int], tuple[list[str], list[str], str]] = {}

    def _requests(self) -> dict[tuple[int, str], list[int]]:
        """(origin, lead category) -> the sources of its first uses, for every finding."""
        requests: dict[tuple[int, str], list[int]] = defaultdict(list)
        flows = self.uses.flows
        for key, edge in self.uses.edges.items():
            requests[(key // flows, self.leads[key][0])].append(edge.source)
        return requests

    def _origin(self, node: int) -> tuple[str, str, tuple[str, ...], str]:
        """(id, display name, purposes, purposes in words) of an origin, computed once."""
        found = self.origins.get(node)
        if found is None:
            origin = self.texts.systems[self.ids[node]]
            found = self.origins[node] = (
                origin.id, origin.display_name, tuple(origin.purposes), ", ".join(sorted(origin.purposes))
            )
        return found

    def _chain(
        self, origin: int, category: str, source: int, tree: tuple[dict[int, int], dict[int, str]] | None = None
    ) -> tuple[list[str], list[str], str] | None:
        """The chain of compatible flows from ``origin`` to ``source`` for ``category``, read back
        from the tree: (system ids, flow ids, the systems joined by ' -> '); None when the tree
        does not reach ``source``. Shared by every first use leaving ``source``."""
        key = (origin, category, source)
        found = self.chains.get(key)
        if found is None:
            parent, via = tree or self.trees.tree(origin, category)
            if source not in parent:
                return None
            ids = self.ids
            path, flows = [], []
            node = source
            while (up := parent[node]) != -1:
                path.append(ids[node])
                flows.append(via[node])
                node = up
            path.append(ids[origin])
            path.reverse()
            flows.reverse()
            found = self.chains[key] = (path, flows, " -> ".join(path))
        return found

    def _chain_of(self, key: int, origin: int, source: int) -> tuple[list[str], list[str], str]:
        """The chain for a use: along its lead category; or, when the use is of a bidirectional
        flow whose lead category went the other way, along the first category found going this
        way (its search reached ``source`` by construction; a rare case, searched on its own)."""
        chain = self._chain(origin, self.leads[key][0], source)
        if chain is None:
            used = self.uses.categories[key]
            first = used if used.__class__ is str else used[0]
            tree = bfs_tree(origin, [source], _usable_pairs(self.ctx, first, self.uses.groups[origin]))
            chain = self._chain(origin, first, source, tree)
        assert chain is not None, "a first use's source is reached by the category it was found with"
        return chain

    def __call__(self, key: int) -> tuple:
        """The finding's :data:`~flowmap.findings.TEXT_FIELDS` (``key`` as in :class:`FirstUses`)."""
        texts = self.texts
        origin_node = key // self.uses.flows
        origin_id, origin_name, collected, collected_text = self.origins.get(origin_node) or self._origin(origin_node)
        edge = self.uses.edges[key]
        flow_id = edge.flow.id
        receiver_id = self.ids[edge.target]
        receiver_name, receiver_text, _ = texts.receivers.get(receiver_id) or texts.receiver(receiver_id)
        used, authorised, mitigation = texts.flows.get(flow_id) or texts.flow(edge.flow)
        listed = self.leads[key][1]
        chain, chain_flows, chain_text = self._chain_of(key, origin_node, edge.source)
        categories = self.uses.categories[key]
        wrong = texts.wrong.get((collected, used)) or texts.incompatible(collected, used)
        title = f"{origin_name} data used for {wrong} by {receiver_name}"
        both = self.uses.both_ways.get(key)
        if both is not None:  # a bidirectional flow used both ways: say which data went which way
            listed = ", ".join(both[0])
            other_id = self.ids[edge.source]
            other_text = (texts.receivers.get(other_id) or texts.receiver(other_id))[1]
            verb = "reaches" if len(both[1]) == 1 else "reach"
            other_way = f" The flow runs both ways: {', '.join(both[1])} also {verb} {other_text} through it."
        else:
            other_way = ""
        message = (
            f"{listed} collected in {origin_name} for {collected_text} is used by {receiver_text} "
            f"for {wrong} through flow {flow_id}, {plural(len(chain), 'step')} from collection "
            f"({chain_text} -> {receiver_id}); no purpose of collection is compatible with that use.{other_way} "
            f"{authorised}"
        )
        categories = [categories] if categories.__class__ is str else list(categories)
        return (
            title, message, [origin_id, receiver_id], [*chain_flows, flow_id], categories, [*chain, receiver_id],
            mitigation,
        )


def check(ctx: Context):
    """One finding per (origin, first incompatible flow); severity is decided here, the text and
    path when the finding is first read (see :class:`_Evidence`)."""
    ids = ctx.propagation.index.ids
    uses = first_uses(ctx)
    texts = _Texts(ctx)
    leads = {}
    for key, used in uses.categories.items():
        leads[key] = texts.lead(used) if used.__class__ is list else texts.single(used)
    evidence = _Evidence(ctx, uses, leads, texts)
    principles = list(RULE.principles)  # shared: findings are not changed in place
    receivers, grade = texts.receivers, ctx.grader(RULE)
    deferred, kind, high = Finding.deferred, Kind.function_creep, Confidence.high
    current = None
    flows = uses.flows
    for key in sorted(uses.edges):  # origin index, then flow id: origin id order, as ids are sorted
        origin_node = key // flows
        edge = uses.edges[key]
        if origin_node != current:
            current = origin_node
            origin = texts.systems[ids[origin_node]]
            origin_id = origin.id
            vulnerable = ctx.vulnerable(origin)
        receiver_id = ids[edge.target]
        actor = (receivers.get(receiver_id) or texts.receiver(receiver_id))[2]
        sensitivity = leads[key][2]
        severity = grade(sensitivity, vulnerable, actor)
        yield deferred(
            f"function_creep:{origin_id}:{edge.flow.id}", "function_creep", kind, severity, high, principles,
            evidence, (key,),
        )


RULE = Rule(
    id="function_creep",
    name="data used for a purpose incompatible with its collection",
    kind=Kind.function_creep,
    default_severity=Severity.medium,
    principles=("purpose_limitation", "necessity_and_proportionality"),
    linddun="non_compliance",
    check=check,
    doc=__doc__,
)
