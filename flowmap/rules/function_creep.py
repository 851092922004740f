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
from dataclasses import dataclass, field

from flowmap.findings import Kind, Severity
from flowmap.propagation import Edge, propagate_bits
from flowmap.rules._support import bfs_paths, citations, describe, edges_carrying, plural, systems_by_id
from flowmap.rules.base import Context, Rule


@dataclass
class FirstUse:
    """The first incompatible use of an origin's data: on one flow, in one direction."""

    origin: int
    edge: Edge
    group: tuple[bool, ...]  # compatibility signature of the origin's purposes
    categories: set[str] = field(default_factory=set)


class _Usable:
    """Adjacency of one category restricted to the flows compatible with one purpose signature.

    Built lazily node by node, so a propagation or search costs only the part it visits.
    With ``with_flows`` it yields (target, flow id) pairs, as :func:`bfs_paths` wants.
    """

    def __init__(self, out: dict[int, list[tuple[int, int, Edge]]], incompatible: tuple[bool, ...], with_flows=False):
        self.out = out
        self.incompatible = incompatible
        self.with_flows = with_flows
        self.cache: dict[int, list] = {}

    def __len__(self) -> int:
        return len(self.out)

    def get(self, node: int, default=()):
        found = self.cache.get(node)
        if found is None:
            edges = [(t, e) for t, k, e in self.out.get(node, ()) if not self.incompatible[k]]
            found = [(t, e.flow.id) for t, e in edges] if self.with_flows else [t for t, _ in edges]
            self.cache[node] = found
        return found


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


def _adjacency(ctx: Context) -> tuple[dict[str, dict[int, list[tuple[int, int, Edge]]]], dict[tuple, tuple]]:
    """Per category: node -> (target, flow purpose-set index, edge); and the origin signatures."""
    cached = ctx.model._cache.get("rules.creep_adjacency")
    if cached is None:
        flow_sets, signature = _signatures(ctx)
        set_index = {s: i for i, s in enumerate(flow_sets)}
        flow_set_of = {f.id: set_index[tuple(sorted(set(f.purposes)))] for f in ctx.model.flows}
        adjacency: dict[str, dict[int, list[tuple[int, int, Edge]]]] = {}
        for category, edges in edges_carrying(ctx).items():
            out: dict[int, list[tuple[int, int, Edge]]] = defaultdict(list)
            for edge in edges:
                out[edge.source].append((edge.target, flow_set_of[edge.flow.id], edge))
            adjacency[category] = dict(out)
        cached = ctx.model._cache["rules.creep_adjacency"] = (adjacency, signature)
    return cached


def first_uses(ctx: Context) -> dict[tuple[int, str], FirstUse]:
    """(origin index, flow id) -> its first incompatible use, for every origin with purposes.

    Notes
    -----
    Origins are grouped by the compatibility signature of their purposes; per
    (category, group) one bitset propagation runs over the compatible flows,
    and the incompatible flows leaving the reached systems are the first uses.
    Cost: the part of each category's graph that each group reaches.
    """
    cached = ctx.model._cache.get("rules.first_uses")
    if cached is not None:
        return cached
    prop = ctx.propagation
    adjacency, signature = _adjacency(ctx)
    group_of: dict[int, tuple[bool, ...]] = {}
    for system in ctx.model.systems:
        if system.holds and system.purposes:
            group_of[prop.index.position[system.id]] = signature[tuple(sorted(set(system.purposes)))]
    found: dict[tuple[int, str], FirstUse] = {}
    for category, out in sorted(adjacency.items()):
        used_sets = {k for targets in out.values() for _, k, _ in targets}
        groups: dict[tuple[bool, ...], list[int]] = defaultdict(list)
        for origin in prop.origins.get(category, ()):
            group = group_of.get(origin)
            if group is not None and any(group[k] for k in used_sets):
                groups[group].append(origin)
        for group, members in sorted(groups.items()):
            reached = propagate_bits({node: 1 << bit for bit, node in enumerate(members)}, _Usable(out, group))
            for node, bits in reached.items():
                wrong = [edge for _, k, edge in out.get(node, ()) if group[k]]
                if not wrong:
                    continue
                origins = []
                while bits:
                    low = bits & -bits
                    origins.append(members[low.bit_length() - 1])
                    bits ^= low
                for edge in wrong:
                    for origin in origins:
                        key = (origin, edge.flow.id)
                        use = found.get(key)
                        if use is None:
                            use = found[key] = FirstUse(origin, edge, group)
                        use.categories.add(category)
    ctx.model._cache["rules.first_uses"] = found
    return found


def check(ctx: Context):
    prop = ctx.propagation
    ids = prop.index.ids
    uses = first_uses(ctx)
    adjacency, _ = _adjacency(ctx)
    lead = {key: max(sorted(use.categories), key=ctx.taxonomy.sensitivity) for key, use in uses.items()}
    # one breadth-first search per (origin, lead category) over its compatible flows, for all targets
    requests: dict[tuple[int, str], list[int]] = defaultdict(list)
    groups: dict[int, tuple[bool, ...]] = {}
    for key, use in uses.items():
        requests[(use.origin, lead[key])].append(use.edge.source)
        groups[use.origin] = use.group
    paths: dict[tuple[int, str], dict[str, tuple[list[str], list[str]]]] = {}
    for (origin, category), sources in sorted(requests.items()):
        usable = _Usable(adjacency[category], groups[origin], with_flows=True)
        paths[(origin, category)] = bfs_paths(origin, sources, usable, ids)
    tax = ctx.taxonomy
    for (origin_node, flow_id), use in sorted(uses.items(), key=lambda item: (ids[item[0][0]], item[0][1])):
        origin = systems_by_id(ctx)[ids[origin_node]]
        receiver = systems_by_id(ctx)[ids[use.edge.target]]
        flow = use.edge.flow
        source_id = ids[use.edge.source]
        chain, chain_flows = paths[(origin_node, lead[(origin_node, flow_id)])].get(source_id, ([origin.id], []))
        path = [*chain, receiver.id]
        categories = sorted(use.categories)
        wrong = [p for p in flow.purposes if all(not tax.compatible(p, q) for q in origin.purposes)]
        authorised = (
            f"The use is authorised by {citations(ctx, flow.legal_basis)}; authorisation does not make it "
            "compatible with the purposes of collection."
            if flow.legal_basis
            else "No legal basis is recorded for this use."
        )
        hops = len(path) - 1
        yield RULE.finding(
            ctx,
            [origin.id, flow.id],
            severity=ctx.grade(
                RULE, sensitivity=ctx.sensitivity(categories), vulnerable=ctx.vulnerable(origin), actor=receiver.actor
            ),
            title=f"{origin.display_name} data used for {', '.join(wrong)} by {receiver.display_name}",
            message=(
                f"{', '.join(categories)} collected in {origin.display_name} for {', '.join(sorted(origin.purposes))} "
                f"is used by {describe(receiver)} for {', '.join(wrong)} through flow {flow.id}, "
                f"{plural(hops, 'step')} from collection ({' -> '.join(path)}); no purpose of collection is "
                f"compatible with that use. {authorised}"
            ),
            systems=[origin.id, receiver.id],
            flows=[*chain_flows, flow.id],
            categories=categories,
            path=path,
            mitigation=(
                f"Remove or narrow flow {flow.id}, restrict it to hit/no-hit with prior independent authorisation, "
                "or record a necessity and proportionality assessment and accept the finding with that reason."
            ),
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
