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

from flowmap.findings import Finding, Kind, Severity
from flowmap.rules._support import origins_reaching, reach_evidence
from flowmap.rules.base import Context, Rule


def check(ctx: Context):
    position = ctx.propagation.index.position
    actors = [position[s.id] for s in ctx.systems if s.actor]
    reached = origins_reaching(ctx, actors, category_ok=ctx.is_sensitive)
    grades: dict[tuple, Severity] = {}
    principles = list(RULE.principles)  # shared: findings are not changed in place
    for key, origin, actor, listed, sensitivity, path, flows in reach_evidence(ctx, reached):
        origin_id, actor_id = origin.id, actor.id
        hops = len(path) - 1
        vulnerable = ctx.vulnerable(origin)
        grading = (sensitivity, vulnerable, actor.actor)
        severity = grades.get(grading)
        if severity is None:
            severity = grades[grading] = ctx.grade(
                RULE, sensitivity=sensitivity, vulnerable=vulnerable, actor=actor.actor
            )
        yield Finding(
            id=f"exposure:{origin_id}:{actor_id}",
            rule="exposure",
            kind=Kind.exposure,
            severity=severity,
            title=f"{origin.display_name} data reaches {actor.display_name} ({actor.actor})",
            message=(
                f"{listed} collected in {origin.display_name} can reach {actor.display_name}, "
                f"an actor of concern ({actor.actor.replace('_', ' ')}), in {hops} step{'s' if hops != 1 else ''}: "
                f"{' -> '.join(path)}."
            ),
            systems=[origin_id, actor_id],
            flows=flows,
            categories=reached[key],
            path=path,
            principles=principles,
            mitigation=(
                "Narrow or remove the flows on the path, replace copies by hit/no-hit queries, or document "
                "the necessity and proportionality of this access and accept the finding."
            ),
        )


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
