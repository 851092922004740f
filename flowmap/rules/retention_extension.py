"""Retention extension: data copied into a system that keeps it longer than its origin does.

What it detects
    (origin, system) pairs where data collected at the origin reaches a system
    whose ``retention`` is longer than the origin's. ``indefinite`` and
    ``linked`` (kept as long as linked records exist elsewhere) count as longer
    than any duration, and as equal to each other. Where either retention is
    unknown (omitted or ``unknown``) nothing can be compared and nothing is
    reported. One finding per (origin, system), listing the categories, with
    the shortest witness path.

Why it matters
    A retention limit is part of the legal basis of a system: it is what makes
    keeping the data proportionate (CJEU, Digital Rights Ireland). A copy kept
    longer elsewhere silently lifts that limit, and "linked" retention in
    interoperability components can keep a record alive as long as any system
    still holds a link to it.

How to fix
    Align the receiving system's retention with the origin's for these
    categories (delete or unlink the copy when the origin deletes), or replace
    the copy by a query that leaves the data at its origin.
"""

from __future__ import annotations

import bisect
from collections import defaultdict

from flowmap.findings import Kind, Severity
from flowmap.rules._support import flows_on, systems_by_id, witness_paths
from flowmap.rules.base import Context, Rule
from flowmap.validate import parse_retention


def _days(value: float) -> str:
    if value == float("inf"):
        return "indefinitely"
    years = value / 365.25
    return f"{years:g} years" if years >= 1 and abs(years - round(years)) < 0.01 else f"{value:.0f} days"


def check(ctx: Context):
    prop = ctx.propagation
    ids = prop.index.ids
    retention = {}
    for system in ctx.model.systems:
        days = parse_retention(system.retention)
        if days is not None:
            retention[prop.index.position[system.id]] = days
    if not retention:
        return
    longer: dict[tuple[int, int], list[str]] = defaultdict(list)  # (origin, system) -> categories
    for category in prop.categories:
        origins = prop.origins[category]
        known = sorted((retention[o], bit) for bit, o in enumerate(origins) if o in retention)
        if not known:
            continue
        # prefix[i] = bitset of the origins with the i shortest retentions
        prefix = [0]
        for _, bit in known:
            prefix.append(prefix[-1] | (1 << bit))
        values = [days for days, _ in known]
        for node, bits in prop.reach[category].items():
            days = retention.get(node)
            if days is None:
                continue
            shorter = bits & prefix[bisect.bisect_left(values, days)]
            while shorter:
                low = shorter & -shorter
                origin = origins[low.bit_length() - 1]
                if origin != node:
                    longer[(origin, node)].append(category)
                shorter ^= low
    lead = {key: max(sorted(cats), key=ctx.taxonomy.sensitivity) for key, cats in longer.items()}
    requests: dict[tuple[str, str], list[str]] = defaultdict(list)
    for (origin, node), category in lead.items():
        requests[(ids[origin], category)].append(ids[node])
    paths = witness_paths(ctx, requests)
    for (origin_node, node), categories in sorted(longer.items(), key=lambda item: (ids[item[0][0]], ids[item[0][1]])):
        origin, system = systems_by_id(ctx)[ids[origin_node]], systems_by_id(ctx)[ids[node]]
        categories = sorted(set(categories))
        path = paths.get((origin.id, system.id), [origin.id, system.id])
        yield RULE.finding(
            ctx,
            [origin.id, system.id],
            severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(categories), vulnerable=ctx.vulnerable(origin)),
            title=f"{system.display_name} keeps {origin.display_name} data longer ({system.retention} > {origin.retention})",
            message=(
                f"{', '.join(categories)} collected in {origin.display_name}, which keeps it "
                f"{_days(retention[origin_node])} ({origin.retention}), reaches {system.display_name}, which keeps "
                f"it {_days(retention[node])} ({system.retention}), via {' -> '.join(path)}: the origin's retention "
                "limit no longer bounds how long the data exists."
            ),
            systems=[origin.id, system.id],
            flows=flows_on(ctx, path, lead[(origin_node, node)]),
            categories=categories,
            path=path,
            mitigation=(
                f"Delete or unlink the data in {system.display_name} when {origin.display_name} deletes it, or "
                "replace the copy by a query that leaves the data at its origin."
            ),
        )


RULE = Rule(
    id="retention_extension",
    name="data kept longer downstream than at its origin",
    kind=Kind.retention_extension,
    default_severity=Severity.medium,
    principles=("storage_limitation", "necessity_and_proportionality"),
    linddun="non_compliance",
    check=check,
    doc=__doc__,
)
