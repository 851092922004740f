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

from flowmap.findings import Finding, Kind, Severity
from flowmap.rules._support import describe, origins_reaching, plural, purpose_in, reach_evidence
from flowmap.rules.base import Context, Rule
from flowmap.taxonomy import Sensitivity

PROTECTED_PURPOSES = ("protection", "services")
ENFORCEMENT_ACTORS = ("immigration_enforcement", "law_enforcement")


def check(ctx: Context):
    position = ctx.propagation.index.position
    # protected origin index -> the protected purposes it collects for, in words
    why = {
        position[s.id]: ", ".join(p for p in sorted(s.purposes) if purpose_in(p, PROTECTED_PURPOSES))
        for s in ctx.systems
        if s.holds and any(purpose_in(p, PROTECTED_PURPOSES) for p in s.purposes)
    }
    actors = [position[s.id] for s in ctx.systems if s.actor in ENFORCEMENT_ACTORS]
    reached = origins_reaching(ctx, actors, origin_ok=why.__contains__)
    grades: dict[tuple, Severity] = {}
    principles = list(RULE.principles)  # shared: findings are not changed in place
    for key, origin, actor, listed, sensitivity, path, flows in reach_evidence(ctx, reached):
        origin_id, actor_id = origin.id, actor.id
        purposes = why[key[0]]
        grading = (max(sensitivity, Sensitivity.high), ctx.vulnerable(origin), actor.actor)
        severity = grades.get(grading)
        if severity is None:
            severity = grades[grading] = ctx.grade(
                RULE, sensitivity=grading[0], vulnerable=grading[1], actor=grading[2]
            )
        yield Finding(
            id=f"firewall:{origin_id}:{actor_id}",
            rule="firewall",
            kind=RULE.kind,
            severity=severity,
            title=f"{origin.display_name} ({purposes}) data reaches {actor.display_name}",
            message=(
                f"{listed} collected in {origin.display_name} for {purposes} can reach "
                f"{describe(actor)} in {plural(len(path) - 1, 'step')} ({' -> '.join(path)}). People who fear "
                "that using this service exposes them to enforcement stop using it: the firewall between "
                "services and enforcement is breached."
            ),
            systems=[origin_id, actor_id],
            flows=flows,
            categories=reached[key],
            path=path,
            principles=principles,
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
