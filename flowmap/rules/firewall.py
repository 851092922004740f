"""Firewall breach: data collected to protect people or serve them reaches enforcement.

What it detects
    Data collected by a system whose purposes include protection (asylum,
    humanitarian aid, child or victim protection, search and rescue) or public
    services (health, welfare, education, civil registration) that can reach an
    actor of type ``immigration_enforcement`` or ``law_enforcement``, by any
    chain of flows. One finding per (origin, enforcement actor), listing the
    categories, with the shortest witness path. Every category counts, even an
    address: that a person used a clinic, a school or an asylum procedure is
    itself sensitive, so severity treats the data as at least ``high``.

Why it matters
    People avoid doctors, schools, shelters and the police when what they tell
    them can be used to detain or deport them: the harm falls on public health,
    children's education and the reporting of crime, not only on privacy. A
    "firewall" between services and enforcement is what UN and Council of Europe
    bodies (e.g. ECRI General Policy Recommendation No. 16) ask states to keep.

How to fix
    Cut the flow (or the chain) from the service to enforcement, or restrict it
    to narrowly defined serious-crime cases under prior independent
    authorisation; publish the firewall and tell people about it.
"""

from __future__ import annotations

from collections import defaultdict

from flowmap.findings import Kind, Severity
from flowmap.rules._support import describe, flows_on, plural, purpose_in, systems_by_id, witness_paths
from flowmap.rules.base import Context, Rule
from flowmap.taxonomy import Sensitivity

PROTECTED_PURPOSES = ("protection", "services")
ENFORCEMENT_ACTORS = ("immigration_enforcement", "law_enforcement")


def check(ctx: Context):
    prop = ctx.propagation
    protected = {
        s.id for s in ctx.systems if s.holds and any(purpose_in(p, PROTECTED_PURPOSES) for p in s.purposes)
    }
    reached: dict[tuple[str, str], list[str]] = defaultdict(list)
    for actor in ctx.systems:
        if actor.actor in ENFORCEMENT_ACTORS:
            for origin, category in prop.received_at(actor.id):
                if origin in protected:
                    reached[(origin, actor.id)].append(category)
    lead = {key: max(sorted(cats), key=ctx.taxonomy.sensitivity) for key, cats in reached.items()}
    requests: dict[tuple[str, str], list[str]] = defaultdict(list)
    for (origin, actor), category in lead.items():
        requests[(origin, category)].append(actor)
    paths = witness_paths(ctx, requests)
    for (origin_id, actor_id), categories in sorted(reached.items()):
        origin, actor = systems_by_id(ctx)[origin_id], systems_by_id(ctx)[actor_id]
        categories = sorted(set(categories))
        path = paths.get((origin_id, actor_id), [origin_id, actor_id])
        why = ", ".join(p for p in sorted(origin.purposes) if purpose_in(p, PROTECTED_PURPOSES))
        yield RULE.finding(
            ctx,
            [origin_id, actor_id],
            severity=ctx.grade(
                RULE,
                sensitivity=max(ctx.sensitivity(categories), Sensitivity.high),
                vulnerable=ctx.vulnerable(origin),
                actor=actor.actor,
            ),
            title=f"{origin.display_name} ({why}) data reaches {actor.display_name}",
            message=(
                f"{', '.join(categories)} collected in {origin.display_name} for {why} can reach "
                f"{describe(actor)} in {plural(len(path) - 1, 'step')} ({' -> '.join(path)}). People who fear "
                "that using this service exposes them to enforcement stop using it: the firewall between "
                "services and enforcement is breached."
            ),
            systems=[origin_id, actor_id],
            flows=flows_on(ctx, path, lead[(origin_id, actor_id)]),
            categories=categories,
            path=path,
            mitigation=(
                "Cut the flows on the path from the service to enforcement, or limit them to serious-crime cases "
                "under prior independent authorisation, and tell the people concerned."
            ),
        )


RULE = Rule(
    id="firewall",
    name="protection or service data reaches immigration or law enforcement",
    kind=Kind.function_creep,
    default_severity=Severity.high,
    principles=("purpose_limitation", "non_discrimination", "right_to_health_and_education", "necessity_and_proportionality"),
    linddun="data_disclosure",
    check=check,
    doc=__doc__,
)
