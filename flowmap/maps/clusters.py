"""Level of detail: above :data:`CLUSTER_LIMIT` systems a map opens as clusters.

A cluster is every drawn system that shares a sector (the default), an operator or a
jurisdiction; the reader picks the grouping on the page. Flows between clusters are
aggregated: one line per ordered pair of clusters, its width growing with the number of
flows, its colour the worst severity of the findings anchored at them. The page expands a
cluster on click and shows a searched system with its neighbours k hops out; the static
figure (:mod:`flowmap.figure`) draws the same clusters.

Pure and deterministic, computed from the map's node and edge items.

>>> nodes = [{"id": "a", "sector": "police", "x": 0, "y": 0}, {"id": "b", "sector": "police", "x": 10, "y": 0},
...          {"id": "c", "sector": "asylum", "x": 500, "y": 0}]
>>> edges = [{"from": "a", "to": "c", "severity": "high"}, {"from": "b", "to": "c"}, {"from": "a", "to": "b"}]
>>> lod = cluster_view(nodes, {"sector": ["police", "police", "asylum"]}, {"police": "#882255", "asylum": "#117733"},
...                    sector_order=["asylum", "police"])
>>> [(c["key"], c["count"], c["x"]) for c in lod["groupings"]["sector"]["clusters"]], lod["groupings"]["sector"]["of"]
([('asylum', 1, 500), ('police', 2, 5)], [1, 1, 0])
>>> aggregate(edges, lod["groupings"]["sector"]["of"], {n["id"]: i for i, n in enumerate(nodes)})
[{'from': 1, 'to': 0, 'count': 2, 'severity': 'high', 'width': 1.6}]
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

from flowmap.maps.layout import SPACING, capacity

__all__ = ["CLUSTER_LIMIT", "GROUPINGS", "MAX_CLUSTERS", "SEVERITY_ORDER", "cluster_view", "aggregate",
           "group_key", "worse"]

CLUSTER_LIMIT = 400  # a map of more systems than this opens as clusters
GROUPINGS = ("sector", "operator", "jurisdiction")
MAX_CLUSTERS = 80  # per grouping: the largest groups, the rest in one "other" cluster
SEVERITY_ORDER = ("critical", "high", "medium", "low", "info")
_NEUTRAL = "#DDDDDD"


def group_key(value: str | None, by: str) -> str:
    """The cluster key of a system's sector, operator or jurisdiction (``(no operator)`` if unset)."""
    return value if value else f"(no {by})"


def worse(a: str | None, b: str | None) -> str | None:
    """The worse of two severities (None: no finding).

    >>> worse("low", "high"), worse(None, "info"), worse(None, None)
    ('high', 'info', None)
    """
    if a is None or b is None:
        return a or b
    return a if SEVERITY_ORDER.index(a) <= SEVERITY_ORDER.index(b) else b


def _order(keys: set[str], counts: Mapping[str, int], by: str, sector_order: Sequence[str]) -> list[str]:
    if by == "sector":
        return sorted(keys, key=lambda k: (sector_order.index(k) if k in sector_order else len(sector_order), k))
    return sorted(keys)


def cluster_view(
    nodes: Sequence[Mapping[str, Any]],
    keys: Mapping[str, Sequence[str]],
    sector_colours: Mapping[str, str],
    *,
    sector_order: Sequence[str] = (),
    max_clusters: int = MAX_CLUSTERS,
) -> dict[str, Any]:
    """Clusters of ``nodes`` for each grouping in ``keys`` (grouping -> a key per node, in node order).

    Returns ``{"by": first grouping, "groupings": {by: {"clusters": [...], "of": [cluster index per
    node]}}}``; a cluster has its ``key``, ``label``, ``count`` of systems, centre ``x``/``y`` and
    radius ``r`` (canvas units), fill ``colour`` and ``severity`` (worst finding anchored at one of
    its systems). Sector clusters sit where their systems are; other groupings, whose systems are
    spread over sectors, get a ring of their own, ordered by key.
    """
    out: dict[str, Any] = {"by": next(iter(keys)), "groupings": {}}
    for by, per_node in keys.items():
        counts: dict[str, int] = {}
        for key in per_node:
            counts[key] = counts.get(key, 0) + 1
        other = f"other {by}s"
        kept = set(counts)
        if len(counts) > max_clusters:  # the largest groups (ties by key); the rest together
            kept = set(sorted(counts, key=lambda k: (-counts[k], k))[: max_clusters - 1])
        final = [k if k in kept else other for k in per_node]
        ordered = _order(set(final), counts, by, sector_order)
        index = {k: i for i, k in enumerate(ordered)}
        members: list[list[int]] = [[] for _ in ordered]
        for i, key in enumerate(final):
            members[index[key]].append(i)
        clusters = []
        for key, mine in zip(ordered, members):
            severity = None
            sectors = set()
            for i in mine:
                severity = worse(severity, nodes[i].get("severity"))
                sectors.add(nodes[i]["sector"])
            colour = sector_colours.get(next(iter(sectors)), _NEUTRAL) if len(sectors) == 1 else _NEUTRAL
            clusters.append({"key": key, "label": key.replace("_", " ") if by == "sector" else key,
                             "count": len(mine), "colour": colour, "severity": severity})
        if by == "sector":
            for cluster, mine in zip(clusters, members):
                cx = sum(nodes[i]["x"] for i in mine) / len(mine)
                cy = sum(nodes[i]["y"] for i in mine) / len(mine)
                spread = max(math.hypot(nodes[i]["x"] - cx, nodes[i]["y"] - cy) for i in mine)
                cluster.update(x=round(cx), y=round(cy), r=round(max(spread + SPACING / 2, 2 * SPACING)))
        else:
            _ring(clusters)
        out["groupings"][by] = {"clusters": clusters, "of": [index[k] for k in final]}
    return out


def _ring(clusters: list[dict[str, Any]]) -> None:
    """Place clusters on a ring, in order, with no two overlapping; radius as if packed like a sector."""
    for c in clusters:
        c["r"] = round(SPACING * math.sqrt(capacity(c["count"])))
    n = len(clusters)
    if n == 1:
        clusters[0].update(x=0, y=0)
        return
    ring = 0.0
    chord = 2 * math.sin(math.pi / n)
    for a, b in zip(clusters, clusters[1:] + clusters[:1]):
        ring = max(ring, (a["r"] + b["r"] + 2 * SPACING) / chord)
    for i, c in enumerate(clusters):
        angle = 2 * math.pi * i / n - math.pi / 2
        c.update(x=round(ring * math.cos(angle)), y=round(ring * math.sin(angle)))


def aggregate(edges: Sequence[Mapping[str, Any]], of: Sequence[int], index: Mapping[str, int]) -> list[dict[str, Any]]:
    """Flows between clusters, one item per ordered pair (a bidirectional flow counts both ways),
    sorted: ``count`` of flows, worst ``severity`` of the findings anchored at them, and a ``width``
    growing with the logarithm of the count. Flows inside a cluster are not drawn."""
    pairs: dict[tuple[int, int], list] = {}
    for e in edges:
        a, b = of[index[e["from"]]], of[index[e["to"]]]
        if a == b:
            continue
        for pair in ((a, b), (b, a)) if e.get("both") else ((a, b),):
            item = pairs.setdefault(pair, [0, None])
            item[0] += 1
            item[1] = worse(item[1], e.get("severity"))
    return [{"from": a, "to": b, "count": n, "severity": s, "width": edge_width(n)}
            for (a, b), (n, s) in sorted(pairs.items())]


def edge_width(count: int) -> float:
    """Width of an aggregated flow: 1 for one flow, +2 per tenfold.

    >>> edge_width(1), edge_width(10), edge_width(1000)
    (1.0, 3.0, 7.0)
    """
    return round(1.0 + 2 * math.log10(max(count, 1)), 1)
