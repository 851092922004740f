"""Positions of systems: sectors as clusters on a ring, systems at hashed slots in their cluster.

Stable by construction, so two snapshots of a model can be compared side by side:

- a sector's angle on the ring comes from its place in the taxonomy, not from
  which other sectors the model uses;
- a system's slot in its sector's sunflower (Vogel spiral) comes from a hash of
  its id; collisions move to the next free slot. Adding or removing a system
  moves at most the few systems it collides with, as long as every sector stays
  within the same capacity step (capacities double, so steps are rare; when a
  sector crosses one, its cluster is re-dealt and the ring widens).

Linear in the number of systems (plus the flows, unused so far); no physics.

>>> from flowmap.model import System
>>> systems = [System(id=i, sector=s) for i, s in [("a", "police"), ("b", "police"), ("e", "police"),
...                                                 ("c", "asylum")]]
>>> pos = layout_positions(systems, [], ["asylum", "police"])
>>> pos == layout_positions(list(reversed(systems)), [], ["asylum", "police"])
True
>>> more = layout_positions(systems + [System(id="d", sector="police")], [], ["asylum", "police"])
>>> more["a"] == pos["a"] and more["c"] == pos["c"]
True
"""

from __future__ import annotations

import hashlib
import math
from typing import Iterable

__all__ = ["layout_positions", "capacity", "SPACING"]

SPACING = 42  # distance unit between neighbouring slots, in vis-network canvas pixels
GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


def _hash(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big")


def capacity(count: int) -> int:
    """Slots in a sector's cluster: a power of two with at least 60% headroom.

    >>> capacity(1), capacity(5), capacity(10), capacity(11)
    (4, 8, 16, 32)
    """
    need = max(4, math.ceil(count * 1.6))
    return 1 << (need - 1).bit_length()


def _slot_xy(slot: int) -> tuple[float, float]:
    radius = SPACING * math.sqrt(slot + 0.5)
    angle = slot * GOLDEN_ANGLE
    return radius * math.cos(angle), radius * math.sin(angle)


def _cluster(ids: list[str]) -> tuple[dict[str, tuple[float, float]], float]:
    size = capacity(len(ids))
    taken: set[int] = set()
    out: dict[str, tuple[float, float]] = {}
    for system_id in sorted(ids, key=lambda i: (_hash(i), i)):
        slot = _hash(system_id) % size
        while slot in taken:
            slot = (slot + 1) % size
        taken.add(slot)
        out[system_id] = _slot_xy(slot)
    return out, SPACING * math.sqrt(size)


def layout_positions(systems: Iterable, flows: Iterable, sector_order: list[str]) -> dict[str, tuple[int, int]]:
    """Integer (x, y) canvas positions for each system id; see the module docstring.

    ``flows`` is accepted so a better layout can use them without changing callers.
    """
    by_sector: dict[str, list[str]] = {}
    for system in systems:
        by_sector.setdefault(system.sector, []).append(system.id)
    order = list(sector_order) + sorted(s for s in by_sector if s not in sector_order)
    present = [s for s in order if s in by_sector]
    clusters = {s: _cluster(by_sector[s]) for s in present}
    slots = len(order)
    angle = {s: 2 * math.pi * order.index(s) / slots - math.pi / 2 for s in present}
    ring = 0.0
    if len(present) > 1:
        gap = 2 * SPACING
        for left, right in zip(present, present[1:] + present[:1]):
            delta = (angle[right] - angle[left]) % (2 * math.pi) or 2 * math.pi
            chord = 2 * math.sin(min(delta, math.pi) / 2)
            ring = max(ring, (clusters[left][1] + clusters[right][1] + gap) / chord)
    positions: dict[str, tuple[int, int]] = {}
    for sector in present:
        cx, cy = ring * math.cos(angle[sector]), ring * math.sin(angle[sector])
        for system_id, (x, y) in clusters[sector][0].items():
            positions[system_id] = (round(cx + x), round(cy + y))
    return dict(sorted(positions.items()))
