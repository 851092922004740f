"""Refoulement risk: data about asylum seekers or refugees reaches the state they fled, or a return country.

What it detects
    Data about asylum seekers or refugees (an origin system whose ``subjects``
    include ``asylum_seeker`` or ``refugee``) that can reach an actor of type
    ``origin_country`` by any chain of flows, or reaches an actor of type
    ``third_country`` through a flow whose purpose is ``enforcement.return``
    (or a purpose below it). One finding per (origin, actor), with the
    shortest witness path.

Why it matters
    Non-refoulement is absolute: nobody may be sent back to persecution. Telling
    the persecuting state that a person applied for asylum (even only their
    identity, matched for readmission) can expose them and their family to
    reprisals and can itself create a risk on return (sur place claims).
    Transfers to third countries for return are where this risk is made real.

How to fix
    Never share data that reveals an asylum claim with the country of origin;
    for return, share only what is strictly needed after a final negative
    decision, with a documented individual refoulement assessment, and exclude
    people whose claims are pending.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict

from flowmap.findings import Confidence, Finding, Kind, Severity
from flowmap.propagation import Edge
from flowmap.rules._support import (
    Leads, Trees, describe, edge_categories, flows_on, origin_mask, origins_reaching, plural, purpose_in, sensitivities,
    set_bits, systems_by_id,
)
from flowmap.rules.base import Context, Rule

PROTECTED_SUBJECTS = ("asylum_seeker", "refugee")
RETURN_PURPOSES = ("enforcement.return",)
MITIGATION = (
    "Never disclose that a person sought asylum to the country of origin; for return, share only what "
    "a final decision requires after an individual refoulement assessment, never for pending claims."
)


def check(ctx: Context):
    """One finding per (asylum origin, actor); severity is decided here, the text and path when
    the finding is first read (see :class:`_Evidence`)."""
    prop = ctx.propagation
    ids, position = prop.index.ids, prop.index.position
    asylum = {
        position[s.id] for s in ctx.model.systems if s.holds and any(map(PROTECTED_SUBJECTS.__contains__, s.subjects))
    }
    if not asylum:
        return
    actor_type = {position[s.id]: s.actor for s in ctx.systems if s.actor in ("origin_country", "third_country")}
    states = [node for node, actor in actor_type.items() if actor == "origin_country"]
    returns = _returns(ctx, actor_type)
    # (origin, actor) -> categories: to the country of origin by any flows, to a third country by a flow for return
    reached = {key: set(categories) for key, categories in origins_reaching(ctx, states, origins=asylum).items()}
    reached.update(_returned(ctx, returns, asylum))
    evidence = _Evidence(ctx, reached, returns)
    levels = sensitivities(ctx)
    principles = list(RULE.principles)  # shared: findings are not changed in place
    grade = ctx.grader(RULE)
    for key in sorted(reached):  # system indices follow id order
        severity = grade(max(map(levels.__getitem__, reached[key])), True, actor_type[key[1]])
        yield Finding.deferred(
            f"refoulement:{ids[key[0]]}:{ids[key[1]]}", "refoulement", RULE.kind, severity, Confidence.high,
            principles, evidence, (key,),
        )


def _returns(ctx: Context, actor_type: dict[int, str]) -> dict[int, list[tuple[Edge, tuple[str, ...]]]]:
    """Third-country actor -> the flows for return into it (edges, flow-id order) with their categories."""
    out: dict[int, list[tuple[Edge, tuple[str, ...]]]] = defaultdict(list)
    for edge, categories in edge_categories(ctx):
        if actor_type.get(edge.target) == "third_country" and any(
            purpose_in(p, RETURN_PURPOSES) for p in edge.flow.purposes
        ):
            out[edge.target].append((edge, categories))
    return out


def _returned(ctx: Context, returns: dict, asylum: set[int]) -> dict[tuple[int, int], set[str]]:
    """(asylum origin, third-country actor) -> the categories of that origin's data that the flows
    for return into the actor deliver (the origin's data is at their source)."""
    prop = ctx.propagation
    masks: dict[str, int] = {}
    out: dict[tuple[int, int], set[str]] = {}
    for target, edges in returns.items():
        for edge, categories in edges:
            for category in categories:
                mask = masks.get(category)
                if mask is None:
                    mask = masks[category] = origin_mask(prop.origins[category], asylum)
                bits = prop.reach[category].get(edge.source, 0) & mask
                if bits:
                    nodes = prop.origins[category]
                    for bit in set_bits(bits):
                        if nodes[bit] != target:
                            out.setdefault((nodes[bit], target), set()).add(category)
    return out


class _Evidence:
    """Writes the text and witness path of a refoulement finding when it is first read.

    The path to a third country is the path to the source of the first flow for return (by
    id) that delivers the lead category, then that flow; every hop follows flows carrying the
    lead category. Paths are planned for all findings on the first render: one breadth-first
    search per (origin, lead category), for all the ends its findings need.
    """

    def __init__(self, ctx: Context, reached: dict[tuple[int, int], set[str]], returns: dict):
        self.ctx, self.reached, self.returns = ctx, reached, returns
        self.ids = ctx.propagation.index.ids
        self.systems = systems_by_id(ctx)
        self.leads = Leads(ctx)
        self.trees = Trees(ctx, self._plan)
        self.plan: dict[tuple[int, str], list[int]] | None = None

    def _lead_and_hop(self, key: tuple[int, int]) -> tuple[list[str], str, tuple[int, str] | None]:
        """(the categories, sorted; the lead one; the (source, flow id) of the first flow for return
        that delivers it, or None for the country of origin)."""
        categories = sorted(self.reached[key])
        lead = self.leads(categories)[0]
        origin, actor = key
        prop = self.ctx.propagation
        nodes = prop.origins[lead]
        bit = bisect_left(nodes, origin)
        at = prop.reach[lead]
        for edge, carried in self.returns.get(actor, ()):
            if lead in carried and at.get(edge.source, 0) >> bit & 1:
                return categories, lead, (edge.source, edge.flow.id)
        return categories, lead, None

    def _plan(self) -> dict[tuple[int, str], list[int]]:
        """Every finding's path request, made on the first render: (origin, lead) -> path ends."""
        if self.plan is None:
            requests: dict[tuple[int, str], list[int]] = defaultdict(list)
            for key in self.reached:
                _, lead, hop = self._lead_and_hop(key)
                requests[(key[0], lead)].append(key[1] if hop is None else hop[0])
            self.plan = requests
        return self.plan

    def __call__(self, key: tuple[int, int]) -> tuple:
        """The finding's :data:`~flowmap.findings.TEXT_FIELDS`."""
        origin, actor = self.systems[self.ids[key[0]]], self.systems[self.ids[key[1]]]
        categories, lead, hop = self._lead_and_hop(key)
        if hop is None:  # origin country: any path
            found = self.trees.path(key[0], lead, key[1])
            if found is None:
                path = [origin.id, actor.id]
                found = path, flows_on(self.ctx, path, lead)
            path, flows = found
        else:  # third country: the path to the return flow, then that flow
            chain, flows = self.trees.path(key[0], lead, hop[0]) or ([origin.id], [])
            path, flows = [*chain, actor.id], [*flows, hop[1]]
        how = "for return" if hop is not None else "the state they fled"
        title = f"Asylum seekers' data from {origin.display_name} reaches {actor.display_name} ({how})"
        message = (
            f"{', '.join(categories)} about asylum seekers or refugees, collected in {origin.display_name}, "
            f"can reach {describe(actor)} in {plural(len(path) - 1, 'step')} ({' -> '.join(path)}). "
            "Disclosure to the country of origin or for return can expose people and their families to "
            "persecution: a risk of refoulement."
        )
        return title, message, [origin.id, actor.id], flows, categories, path, MITIGATION


RULE = Rule(
    id="refoulement",
    name="asylum seekers' data reaches the country of origin or a return country",
    kind=Kind.function_creep,
    default_severity=Severity.high,
    principles=("non_refoulement", "purpose_limitation", "right_to_life_and_security"),
    linddun="data_disclosure",
    check=check,
    doc=__doc__,
)
