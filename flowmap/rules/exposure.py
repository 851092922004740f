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

from collections import defaultdict

from flowmap.findings import Finding, Kind, Severity
from flowmap.rules.base import Context, Rule


def check(ctx: Context):
    prop = ctx.propagation
    actors = [s for s in ctx.systems if s.actor]
    reached: dict[tuple[str, str], list[str]] = defaultdict(list)  # (origin, actor) -> categories
    for actor in actors:
        for origin, category in prop.received_at(actor.id):
            if ctx.is_sensitive(category):
                reached[(origin, actor.id)].append(category)
    # one breadth-first search per (origin, most sensitive category), for all its actors
    wanted: dict[tuple[str, str], list[str]] = defaultdict(list)
    lead: dict[tuple[str, str], str] = {}
    for (origin, actor_id), categories in reached.items():
        top = max(sorted(categories), key=ctx.taxonomy.sensitivity)
        lead[(origin, actor_id)] = top
        wanted[(origin, top)].append(actor_id)
    paths: dict[tuple[str, str], list[str]] = {}
    for (origin, category), targets in sorted(wanted.items()):
        for actor_id, path in prop.witness_paths(origin, category, targets).items():
            paths[(origin, actor_id)] = path
    for (origin_id, actor_id), categories in sorted(reached.items()):
        origin, actor = ctx.system(origin_id), ctx.system(actor_id)
        categories = sorted(set(categories))
        path = paths.get((origin_id, actor_id), [origin_id, actor_id])
        listed = ", ".join(categories)
        hops = len(path) - 1
        yield RULE.finding(
            ctx,
            [origin_id, actor_id],
            severity=ctx.grade(
                RULE, sensitivity=ctx.sensitivity(categories), vulnerable=ctx.vulnerable(origin), actor=actor.actor
            ),
            title=f"{origin.display_name} data reaches {actor.display_name} ({actor.actor})",
            message=(
                f"{listed} collected in {origin.display_name} can reach {actor.display_name}, "
                f"an actor of concern ({actor.actor.replace('_', ' ')}), in {hops} step{'s' if hops != 1 else ''}: "
                f"{' -> '.join(path)}."
            ),
            systems=[origin_id, actor_id],
            flows=_flows_on(ctx, path, lead[(origin_id, actor_id)]),
            categories=categories,
            path=path,
            mitigation=(
                "Narrow or remove the flows on the path, replace copies by hit/no-hit queries, or document "
                "the necessity and proportionality of this access and accept the finding."
            ),
        )


def _flows_on(ctx: Context, path: list[str], category: str) -> list[str]:
    """Ids of the flows that realise each hop of a witness path (the first by id that carries it)."""
    out = []
    for source, target in zip(path, path[1:]):
        for flow in ctx.flows_between(source, target):
            if any(ctx.taxonomy.covers(d, category) for d in flow.data):
                out.append(flow.id)
                break
    return out


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
