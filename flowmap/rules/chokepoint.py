"""Chokepoint: a system whose compromise would expose the most sensitive data.

What it detects
    The blast radius of a system is the number of sensitive (origin,
    category) pairs available there, held or received (sensitivity ``high`` or
    above, as for exposure). A system is reported when its blast radius is at
    least :data:`MIN_BLAST_RADIUS` (10), the pairs come from at least two
    origin systems, and it is among the :data:`TOP` (5) largest blast radii of
    the model (ties broken by id). A lone database holding only its own data is
    not a chokepoint; a hub that aggregates many is.

Why it matters
    Interoperability concentrates data: a component that can see what several
    databases hold is where one breach, one insider or one legal change
    exposes everyone in all of them. These are the systems where security,
    logging and oversight must be strongest, and where a design that keeps
    data apart (queries instead of copies) pays off most.

How to fix
    Reduce what the system can see (hit/no-hit instead of copies, fewer
    categories, separation by purpose), and give it the strongest controls:
    encryption at rest, access logging, independent oversight, all recorded in
    the model.
"""

from __future__ import annotations

from collections import Counter

from flowmap.findings import Kind, Severity
from flowmap.rules._support import plural, systems_by_id
from flowmap.rules.base import Context, Rule

MIN_BLAST_RADIUS = 10
TOP = 5


def blast_radius(ctx: Context) -> dict[str, int]:
    """System id -> number of sensitive (origin, category) pairs available there (non-zero only).

    Notes
    -----
    One pass over the propagation result: O(systems x sensitive categories) bit counts.
    """
    prop = ctx.propagation
    score: Counter[int] = Counter()
    for category in prop.categories:
        if ctx.is_sensitive(category):
            for node, bits in prop.reach[category].items():
                score[node] += bits.bit_count()
    return {prop.index.ids[node]: count for node, count in score.items()}


def check(ctx: Context):
    prop = ctx.propagation
    scores = blast_radius(ctx)
    ranked = sorted((item for item in scores.items() if item[1] >= MIN_BLAST_RADIUS), key=lambda i: (-i[1], i[0]))
    for system_id, score in ranked[:TOP]:
        pairs = [(o, c) for o, c in prop.pairs_at(system_id) if ctx.is_sensitive(c)]
        origins = sorted({o for o, _ in pairs})
        if len(origins) < 2:
            continue
        categories = sorted({c for _, c in pairs})
        system = systems_by_id(ctx)[system_id]
        yield RULE.finding(
            ctx,
            [system_id],
            severity=ctx.grade(
                RULE,
                sensitivity=ctx.sensitivity(categories),
                vulnerable=any(ctx.vulnerable(systems_by_id(ctx)[o]) for o in origins),
            ),
            title=f"{system.display_name} is a chokepoint: blast radius {score}",
            message=(
                f"{plural(score, 'sensitive origin-category pair')} from {plural(len(origins), 'origin system')} "
                f"({', '.join(origins)}) are available at {system.display_name}: compromising it, or one person "
                "with access to it, exposes all of them."
            ),
            systems=[system_id, *[o for o in origins if o != system_id]],
            categories=categories,
            mitigation=(
                "Reduce what it can see (hit/no-hit instead of copies, fewer categories) and give it the "
                "strongest recorded controls: encryption at rest, access logging, independent oversight."
            ),
        )


RULE = Rule(
    id="chokepoint",
    name="system whose compromise exposes the most sensitive data",
    kind=Kind.structural,
    default_severity=Severity.medium,
    principles=("security", "data_minimisation"),
    linddun="data_disclosure",
    check=check,
    doc=__doc__,
)
