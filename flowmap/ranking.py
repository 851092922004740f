"""The one ranking of findings every output uses.

Findings are ordered by, in turn:

1. **severity**, worst first;
2. **confidence**: established findings (recorded facts) before those that rest on unknowns,
   so no question ever ranks above an established finding of the same severity;
3. **first at its anchor**: where several rules anchor at one flow or system, the best of them
   comes first and the others after every other anchor's best of the same severity and
   confidence, so that the first screen shows different points of action, not one told twice;
4. **safeguards**, fewer first: a finding anchored at a flow on which safeguards stand (prior
   authorisation, a cascade, logging of each access...: ``Finding.safeguards``) ranks after the
   otherwise equal findings with fewer of them; it is still reported, with the same severity;
5. **breadth**, larger first, compared in this order:
   children among the people concerned (1 or 0), special or critical categories involved,
   vulnerable people groups, origins whose data is involved (``origins_total``), actor types
   reached, systems reached (``reached_total``);
6. the **id**, so that the order is total and deterministic.

Rank 1 is the most important finding. A rule records what breadth it saw in
``Finding.breadth`` (see :func:`breadth`).

>>> from flowmap.findings import Anchor, Confidence, Finding, Kind, Severity
>>> def f(id, severity, confidence="high", **b):
...     return Finding(id=id, rule="r", kind=Kind.exposure, severity=Severity[severity],
...                    confidence=Confidence(confidence), title="", message="", anchor=Anchor("flow", id),
...                    breadth=breadth(**b))
>>> [x.id for x in ranked([f("a", "high", "low"), f("b", "high"), f("c", "critical"), f("d", "high", origins=5)])]
['c', 'd', 'b', 'a']
>>> [x.rank for x in ranked([f("a", "low"), f("b", "high")])]
[1, 2]
>>> guarded = f("a", "high", origins=9).replace(safeguards=["cascade", "prior_authorisation"])
>>> [x.id for x in ranked([guarded, f("b", "high", origins=1)])]
['b', 'a']
"""

from __future__ import annotations

from itertools import groupby
from operator import attrgetter
from typing import NamedTuple

from flowmap.findings import Anchor, Confidence, Finding

__all__ = ["BREADTH_ORDER", "Breadth", "breadth", "rank_key", "rank_order", "ranked"]


class Breadth(NamedTuple):
    """What a finding's breadth is made of, in the order it is compared (:data:`BREADTH_ORDER`)."""

    children: int = 0
    special: int = 0
    groups: int = 0
    origins: int = 0
    actor_types: int = 0
    reached: int = 0


BREADTH_ORDER = Breadth._fields
"""What breadth is made of, in the order it is compared: children, special, groups, origins,
actor_types, reached."""


def breadth(*, children: bool = False, special: int = 0, groups: int = 0, origins: int = 0,
            actor_types: int = 0, reached: int = 0) -> Breadth:
    """A finding's breadth, in :data:`BREADTH_ORDER` (a small tuple: one per finding).

    >>> breadth(children=True, origins=3)
    Breadth(children=1, special=0, groups=0, origins=3, actor_types=0, reached=0)
    """
    return Breadth(int(children), special, groups, origins, actor_types, reached)


def rank_key(finding: Finding) -> tuple:
    """The sort key: severity, confidence, safeguards (fewer first), breadth (each larger first),
    then id."""
    wide = finding.breadth
    return (
        -finding.severity,
        _CONFIDENCE_ORDER[finding.confidence],
        len(finding.safeguards),
        -wide[0], -wide[1], -wide[2], -wide[3], -wide[4], -wide[5],  # in BREADTH_ORDER
        finding.id,
    )


_CONFIDENCE_ORDER = {Confidence.high: 0, Confidence.low: 1}
"""Established findings first (a table: an enum member read off its class is slow in Python 3.11)."""


def ranked(findings: list[Finding]) -> list[Finding]:
    """Copies of the findings in rank order, each with its ``rank`` set (1 = most important).

    >>> from flowmap.findings import Anchor, Confidence, Finding, Kind, Severity
    >>> def g(id, anchor, origins):
    ...     return Finding(id=id, rule="r", kind=Kind.exposure, severity=Severity.high, confidence=Confidence.high,
    ...                    title="", message="", anchor=Anchor("flow", anchor), breadth=breadth(origins=origins))
    >>> [f.id for f in ranked([g("creep:x", "x", 5), g("exposure:x", "x", 4), g("exposure:y", "y", 1)])]
    ['creep:x', 'exposure:y', 'exposure:x']
    """
    return [f.replace(rank=number) for number, f in enumerate(rank_order(findings), start=1)]


def rank_order(findings: list[Finding]) -> list[Finding]:
    """The findings themselves in rank order, their ``rank`` not set: for the analysis, which numbers
    the findings it has just made in place (copying tens of thousands to set one number costs more
    than all of the ranking); everyone else calls :func:`ranked`.

    One sort by :func:`rank_key`, which also puts each anchor's findings in their order and leaves
    each severity and confidence together; the findings of each are then dealt, in that order, by
    their place at their anchor."""
    at_anchor: dict[Anchor, int] = {}  # how many findings of each anchor are dealt so far
    order: list[Finding] = []
    for _, tier in groupby(sorted(findings, key=rank_key), key=_severity_and_confidence):
        by_place: dict[int, list[Finding]] = {}  # the tier by place at the anchor: 0 for the best there...
        for finding in tier:
            place = at_anchor.get(finding.anchor, 0)
            at_anchor[finding.anchor] = place + 1
            by_place.setdefault(place, []).append(finding)
        for place in sorted(by_place):
            order += by_place[place]
    return order


_severity_and_confidence = attrgetter("severity", "confidence")
"""The tier of a finding: its severity and confidence, the first two things the ranking weighs."""
