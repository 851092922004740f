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

from collections import defaultdict

from flowmap.findings import Kind, Severity
from flowmap.rules._support import describe, edge_categories, flows_on, plural, purpose_in, systems_by_id, witness_paths
from flowmap.rules.base import Context, Rule

PROTECTED_SUBJECTS = ("asylum_seeker", "refugee")
RETURN_PURPOSES = ("enforcement.return",)


def check(ctx: Context):
    systems = systems_by_id(ctx)
    prop = ctx.propagation
    ids = prop.index.ids
    asylum = {s.id for s in ctx.systems if s.holds and any(x in PROTECTED_SUBJECTS for x in s.subjects)}
    if not asylum:
        return
    reached: dict[tuple[str, str], set[str]] = defaultdict(set)
    # (origin, third-country actor) -> category -> (source, flow id) of the return flow that delivers it
    last_hop: dict[tuple[str, str], dict[str, tuple[str, str]]] = defaultdict(dict)
    for actor in ctx.systems:
        if actor.actor == "origin_country":
            for origin, category in prop.received_at(actor.id):
                if origin in asylum:
                    reached[(origin, actor.id)].add(category)
    for edge, categories in edge_categories(ctx):
        target = systems[ids[edge.target]]
        if target.actor != "third_country" or not any(purpose_in(p, RETURN_PURPOSES) for p in edge.flow.purposes):
            continue
        source = ids[edge.source]
        for category in categories:
            for origin in prop.origins_at(source, category):
                if origin in asylum and origin != target.id:
                    reached[(origin, target.id)].add(category)
                    last_hop[(origin, target.id)].setdefault(category, (source, edge.flow.id))
    requests: dict[tuple[str, str], list[str]] = defaultdict(list)
    lead = {}
    for (origin, actor), categories in reached.items():
        top = lead[(origin, actor)] = max(sorted(categories), key=ctx.taxonomy.sensitivity)
        requests[(origin, top)].append(last_hop[(origin, actor)].get(top, (actor, ""))[0])
    paths = witness_paths(ctx, requests)
    for (origin_id, actor_id), categories in sorted(reached.items()):
        origin, actor = systems[origin_id], systems[actor_id]
        categories = sorted(categories)
        hop = last_hop[(origin_id, actor_id)].get(lead[(origin_id, actor_id)])
        lead_category = lead[(origin_id, actor_id)]
        if hop is None:  # origin country: any path
            path = paths.get((origin_id, actor_id), [origin_id, actor_id])
            flows = flows_on(ctx, path, lead_category)
        else:  # third country: the path to the return flow, then that flow
            chain = paths.get((origin_id, hop[0]), [origin_id])
            path = [*chain, actor_id]
            flows = [*flows_on(ctx, chain, lead_category), hop[1]]
        how = "for return" if hop is not None else "the state they fled"
        yield RULE.finding(
            ctx,
            [origin_id, actor_id],
            severity=ctx.grade(
                RULE, sensitivity=ctx.sensitivity(categories), vulnerable=True, actor=actor.actor
            ),
            title=f"Asylum seekers' data from {origin.display_name} reaches {actor.display_name} ({how})",
            message=(
                f"{', '.join(categories)} about asylum seekers or refugees, collected in {origin.display_name}, "
                f"can reach {describe(actor)} in {plural(len(path) - 1, 'step')} ({' -> '.join(path)}). "
                "Disclosure to the country of origin or for return can expose people and their families to "
                "persecution: a risk of refoulement."
            ),
            systems=[origin_id, actor_id],
            flows=flows,
            categories=categories,
            path=path,
            mitigation=(
                "Never disclose that a person sought asylum to the country of origin; for return, share only what "
                "a final decision requires after an individual refoulement assessment, never for pending claims."
            ),
        )


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
