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

from flowmap.findings import Finding, Kind, Severity
from flowmap.rules._support import Leads, flows_on, set_bits, shortest_paths, systems_by_id
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
    longer: dict[tuple[int, int], list[str]] = {}  # (origin, system) -> categories, in sorted order
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
            if shorter:
                for bit in set_bits(shorter):
                    origin = origins[bit]
                    if origin != node:
                        found = longer.get((origin, node))
                        if found is None:
                            longer[(origin, node)] = [category]
                        else:
                            found.append(category)
    leads = Leads(ctx)
    lead = {key: leads(categories) for key, categories in longer.items()}
    paths = shortest_paths(ctx, {key: top for key, (top, _, _) in lead.items()})
    systems = systems_by_id(ctx)
    kept = {node: _days(days) for node, days in retention.items()}
    principles = list(RULE.principles)  # shared: findings are not changed in place
    for key in sorted(longer):  # system indices follow id order
        origin_node, node = key
        origin, system = systems[ids[origin_node]], systems[ids[node]]
        top, listed, sensitivity = lead[key]
        found = paths.get(key)
        if found is None:
            path = [origin.id, system.id]
            flows = flows_on(ctx, path, top)
        else:
            path, flows = found
        yield Finding(
            id=f"retention_extension:{origin.id}:{system.id}",
            rule="retention_extension",
            kind=Kind.retention_extension,
            severity=ctx.grade(RULE, sensitivity=sensitivity, vulnerable=ctx.vulnerable(origin)),
            title=f"{system.display_name} keeps {origin.display_name} data longer ({system.retention} > {origin.retention})",
            message=(
                f"{listed} collected in {origin.display_name}, which keeps it "
                f"{kept[origin_node]} ({origin.retention}), reaches {system.display_name}, which keeps "
                f"it {kept[node]} ({system.retention}), via {' -> '.join(path)}: the origin's retention "
                "limit no longer bounds how long the data exists."
            ),
            systems=[origin.id, system.id],
            flows=flows,
            categories=longer[key],
            path=path,
            principles=principles,
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
