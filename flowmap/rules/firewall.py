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

from functools import cache

from flowmap.findings import Kind, Severity
from flowmap.rules._support import ReachEvidence, describe, origins_reaching, plural, purpose_in, reach_findings
from flowmap.rules.base import Context, Rule
from flowmap.taxonomy import Sensitivity

PROTECTED_PURPOSES = ("protection", "services")
ENFORCEMENT_ACTORS = ("immigration_enforcement", "law_enforcement")
MITIGATION = (
    "Cut the flows on the path from the service to enforcement, or limit them to serious-crime cases "
    "under prior independent authorisation, and tell the people concerned."
)


@cache
def _protected(purpose: str) -> bool:
    return purpose_in(purpose, PROTECTED_PURPOSES)


def check(ctx: Context):
    """One finding per (protected origin, enforcement actor), at least high: severity is decided
    here, the text and path when the finding is first read (see :func:`_render`)."""
    position = ctx.propagation.index.position
    protected = {position[s.id] for s in ctx.model.systems if s.holds and any(map(_protected, s.purposes))}
    actor_type = {position[s.id]: s.actor for s in ctx.systems if s.actor in ENFORCEMENT_ACTORS}
    reached = origins_reaching(ctx, list(actor_type), origins=protected)
    return reach_findings(ctx, RULE, ReachEvidence(ctx, reached), actor_type, _render, least=Sensitivity.high)


def _render(evidence: ReachEvidence, key: tuple[int, int]) -> tuple:
    """The finding's :data:`~flowmap.findings.TEXT_FIELDS`."""
    origin, actor, listed, path, flows = evidence(key)
    purposes = ", ".join(p for p in sorted(origin.purposes) if _protected(p))
    title = f"{origin.display_name} ({purposes}) data reaches {actor.display_name}"
    message = (
        f"{listed} collected in {origin.display_name} for {purposes} can reach "
        f"{describe(actor)} in {plural(len(path) - 1, 'step')} ({' -> '.join(path)}). People who fear "
        "that using this service exposes them to enforcement stop using it: the firewall between "
        "services and enforcement is breached."
    )
    return title, message, [origin.id, actor.id], flows, evidence.reached[key], path, MITIGATION


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
