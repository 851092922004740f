"""Exposure: sensitive data from an origin reaches an actor of concern.

What it detects
    Data of high sensitivity or above (configurable), collected at an origin
    system, that can reach a system marked ``actor:`` (law enforcement,
    immigration enforcement, intelligence, military, a third country, the
    country a person fled, a private contractor, an international
    organisation) through any chain of flows. One finding per (origin, actor),
    listing the categories; the witness path is a shortest chain of flows that
    carries the most sensitive of them.

Why it matters
    Every actor that can see data is a place where it can be misused, leaked or
    used against the person. Interoperability multiplies such places.

How to fix
    Remove or narrow the flows on the path (carry fewer categories, replace a
    copy by a hit/no-hit query), or document why the access is necessary and
    proportionate and accept the finding with a reason.
"""

from __future__ import annotations

from flowmap.findings import Kind, Severity
from flowmap.rules._support import ReachEvidence, origins_reaching, reach_findings
from flowmap.rules.base import Context, Rule

MITIGATION = (
    "Narrow or remove the flows on the path, replace copies by hit/no-hit queries, or document "
    "the necessity and proportionality of this access and accept the finding."
)


def check(ctx: Context):
    """One finding per (origin, actor); severity is decided here, the text and path when the
    finding is first read (see :func:`_render`)."""
    index = ctx.propagation.index
    actor_type = {index.position[s.id]: s.actor for s in ctx.systems if s.actor}
    reached = origins_reaching(ctx, list(actor_type), category_ok=ctx.is_sensitive)
    return reach_findings(ctx, RULE, ReachEvidence(ctx, reached), actor_type, _render)


def _render(evidence: ReachEvidence, key: tuple[int, int]) -> tuple:
    """The finding's :data:`~flowmap.findings.TEXT_FIELDS`."""
    origin, actor, listed, path, flows = evidence(key)
    origin_name, actor_name, actor_type = origin.display_name, actor.display_name, actor.actor
    hops = len(path) - 1
    title = f"{origin_name} data reaches {actor_name} ({actor_type})"
    message = (
        f"{listed} collected in {origin_name} can reach {actor_name}, "
        f"an actor of concern ({actor_type.replace('_', ' ')}), in {hops} step{'s' if hops != 1 else ''}: "
        f"{' -> '.join(path)}."
    )
    return title, message, [origin.id, actor.id], flows, evidence.reached[key], path, MITIGATION


RULE = Rule(
    id="exposure",
    name="sensitive data reaches an actor of concern",
    kind=Kind.exposure,
    default_severity=Severity.medium,
    principles=("purpose_limitation", "necessity_and_proportionality", "security"),
    linddun="data_disclosure",
    check=check,
    doc=__doc__,
)
