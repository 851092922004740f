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

from flowmap.findings import Confidence, Finding, Kind, Severity
from flowmap.rules._support import Leads, Trees, flows_on, set_bits, systems_by_id
from flowmap.rules.base import Context, Rule
from flowmap.validate import parse_retention


def _days(value: float) -> str:
    """A retention in days, in words.

    >>> _days(float("inf")), _days(365.25 * 5), _days(90)
    ('indefinitely', '5 years', '90 days')
    """
    if value == float("inf"):
        return "indefinitely"
    years = value / 365.25
    return f"{years:g} years" if years >= 1 and abs(years - round(years)) < 0.01 else f"{value:.0f} days"


def longer_kept(ctx: Context) -> tuple[dict[tuple[int, int], list[str]], dict[int, float]]:
    """(origin, system) system indices -> the categories (sorted) of the origin's data that reach
    the system, which keeps them longer than the origin; and system index -> retention in days,
    for the systems whose retention is known."""
    prop = ctx.propagation
    retention = {}
    for system in ctx.model.systems:
        days = parse_retention(system.retention)
        if days is not None:
            retention[prop.index.position[system.id]] = days
    longer: dict[tuple[int, int], list[str]] = {}
    if not retention:
        return longer, retention
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
    return longer, retention


def check(ctx: Context):
    """One finding per (origin, system); severity is decided here, from grades memoised per
    (sensitivity, vulnerability), and the text and path when the finding is first read
    (see :class:`_Evidence`)."""
    longer, retention = longer_kept(ctx)
    if not longer:
        return
    ids = ctx.propagation.index.ids
    systems = systems_by_id(ctx)
    levels: dict[tuple[str, ...], object] = {}  # categories -> their sensitivity
    grade = ctx.grader(RULE)
    evidence = _Evidence(ctx, longer, retention)
    principles = list(RULE.principles)  # shared: findings are not changed in place
    deferred, kind, high = Finding.deferred, Kind.retention_extension, Confidence.high
    current = None
    for key in sorted(longer):  # system indices follow id order
        origin_node, node = key
        if origin_node != current:
            current = origin_node
            origin = systems[ids[origin_node]]
            prefix = f"retention_extension:{origin.id}:"
            vulnerable = ctx.vulnerable(origin)
        categories = tuple(longer[key])
        level = levels.get(categories)
        if level is None:
            level = levels[categories] = ctx.sensitivity(categories)
        yield deferred(
            prefix + ids[node], "retention_extension", kind, grade(level, vulnerable), high, principles, evidence, (key,)
        )


class _Evidence:
    """Writes the text and witness path of a retention-extension finding when it is first read.

    The breadth-first search behind the paths runs once per (origin, lead category), for all
    that origin's systems reached with that lead, the first time one of them is rendered.
    """

    def __init__(self, ctx: Context, longer: dict[tuple[int, int], list[str]], retention: dict[int, float]):
        self.ctx, self.longer, self.retention = ctx, longer, retention
        self.ids = ctx.propagation.index.ids
        self.systems = systems_by_id(ctx)
        self.leads = Leads(ctx)
        self.trees = Trees(ctx, self._requests)

    def _requests(self) -> dict[tuple[int, str], list[int]]:
        """(origin, lead category) -> the systems its paths go to, for every finding."""
        requests: dict[tuple[int, str], list[int]] = defaultdict(list)
        for (source, target), categories in self.longer.items():
            requests[(source, self.leads(categories)[0])].append(target)
        return requests

    def _path(self, origin: int, node: int, top: str) -> tuple[list[str], list[str]]:
        """A shortest path from ``origin`` to ``node`` along the flows carrying ``top``, with its flows."""
        found = self.trees.path(origin, top, node)
        if found is not None:
            return found
        path = [self.ids[origin], self.ids[node]]
        return path, flows_on(self.ctx, path, top)

    def __call__(self, key: tuple[int, int]) -> tuple:
        """The finding's :data:`~flowmap.findings.TEXT_FIELDS`."""
        origin_node, node = key
        origin, system = self.systems[self.ids[origin_node]], self.systems[self.ids[node]]
        categories = self.longer[key]
        top, listed, _ = self.leads(categories)
        path, flows = self._path(origin_node, node, top)
        origin_name, name = origin.display_name, system.display_name
        title = f"{name} keeps {origin_name} data longer ({system.retention} > {origin.retention})"
        message = (
            f"{listed} collected in {origin_name}, which keeps it {_days(self.retention[origin_node])} "
            f"({origin.retention}), reaches {name}, which keeps it {_days(self.retention[node])} "
            f"({system.retention}), via {' -> '.join(path)}: the origin's retention limit no longer bounds how "
            "long the data exists."
        )
        mitigation = (
            f"Delete or unlink the data in {name} when {origin_name} deletes it, or replace the copy by a "
            "query that leaves the data at its origin."
        )
        return title, message, [origin.id, system.id], flows, categories, path, mitigation


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
