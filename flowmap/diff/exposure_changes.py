"""How the reach of actors of concern changed: exposures that appeared or went away.

An *exposure* here is a (category, actor) pair: sensitive data of that category,
collected elsewhere, can reach the actor (a system with ``actor:`` set) through
some chain of flows, as the model's :class:`~flowmap.graph.Graph` propagates it (honouring
what each flow ``forwards``). For each actor the diff
also counts the sensitive (origin, category) pairs it can reach before and
after, and how many it gained and lost (a swap shows even when the totals match).

>>> from flowmap.model import Model
>>> def model(flows):
...     return Model.model_validate({"flowmap": 1, "name": "x", "systems": [
...         {"id": "clinic", "sector": "health", "holds": ["special.health"], "purposes": ["services.health"]},
...         {"id": "police", "sector": "police", "actor": "law_enforcement"}], "flows": flows})
>>> flow = {"from": "clinic", "to": "police", "data": ["special.health"], "purpose": "enforcement.law"}
>>> changes = compare_exposure(model([]), model([flow]))
>>> [(e.category, e.actor) for e in changes.appeared], [(r.actor, r.before, r.after) for r in changes.actors]
([('special.health', 'police')], [('police', 0, 1)])
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flowmap.model import Model
from flowmap.graph import graph_of
from flowmap.taxonomy import Sensitivity

__all__ = ["Exposure", "ActorReach", "ExposureChanges", "compare_exposure", "sensitive_reach"]


@dataclass(frozen=True, order=True)
class Exposure:
    """Sensitive data of ``category`` reaches ``actor`` (of type ``actor_type``)."""

    category: str
    actor: str
    actor_type: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"category": self.category, "actor": self.actor, "actor_type": self.actor_type}


@dataclass(frozen=True)
class ActorReach:
    """Sensitive (origin, category) pairs an actor can reach, before and after."""

    actor: str
    actor_type: str
    before: int
    after: int
    gained: int
    lost: int

    def mirror(self) -> "ActorReach":
        return ActorReach(self.actor, self.actor_type, self.after, self.before, self.lost, self.gained)

    def to_dict(self) -> dict[str, Any]:
        return {
            "actor": self.actor,
            "actor_type": self.actor_type,
            "before": self.before,
            "after": self.after,
            "gained": self.gained,
            "lost": self.lost,
        }


@dataclass
class ExposureChanges:
    appeared: list[Exposure] = field(default_factory=list)
    disappeared: list[Exposure] = field(default_factory=list)
    actors: list[ActorReach] = field(default_factory=list)  # only actors whose reach changed, by id

    def is_empty(self) -> bool:
        return not (self.appeared or self.disappeared or self.actors)

    def mirror(self) -> "ExposureChanges":
        return ExposureChanges(list(self.disappeared), list(self.appeared), [a.mirror() for a in self.actors])

    def to_dict(self) -> dict[str, Any]:
        return {
            "appeared": [e.to_dict() for e in self.appeared],
            "disappeared": [e.to_dict() for e in self.disappeared],
            "actors": [a.to_dict() for a in self.actors],
        }


def sensitive_reach(
    model: Model, *, sensitive_from: Sensitivity = Sensitivity.high
) -> dict[str, tuple[str, set[tuple[str, str]]]]:
    """Actor id -> (actor type, sensitive (origin, category) pairs received from elsewhere).

    Notes
    -----
    Reads the model's graph (built once, shared with the analysis); linear in the pairs
    available at actors.
    """
    graph = graph_of(model)
    tax = graph.taxonomy
    sensitive = [c for c in graph.categories if tax.sensitivity(c) >= sensitive_from]
    out: dict[str, tuple[str, set[tuple[str, str]]]] = {}
    for system in graph.systems:
        if system.actor:
            pairs = {(o, c) for c in sensitive for o in graph.origins_at(system.id, c) if o != system.id}
            out[system.id] = (system.actor, pairs)
    return out


def compare_exposure(old: Model, new: Model, *, sensitive_from: Sensitivity = Sensitivity.high) -> ExposureChanges:
    """Exposure changes from ``old`` to ``new``.

    Notes
    -----
    One propagation per model (memoised, shared with the analysis) and set differences
    per actor: linear in the pairs available at actors.
    """
    before = sensitive_reach(old, sensitive_from=sensitive_from)
    after = sensitive_reach(new, sensitive_from=sensitive_from)
    result = ExposureChanges()
    empty: tuple[str, set] = ("", set())
    for actor in sorted(set(before) | set(after)):
        type_before, pairs_before = before.get(actor, empty)
        type_after, pairs_after = after.get(actor, empty)
        cats_before = {c for _, c in pairs_before}
        cats_after = {c for _, c in pairs_after}
        result.appeared.extend(Exposure(c, actor, type_after) for c in cats_after - cats_before)
        result.disappeared.extend(Exposure(c, actor, type_before) for c in cats_before - cats_after)
        gained, lost = len(pairs_after - pairs_before), len(pairs_before - pairs_after)
        if gained or lost:
            result.actors.append(
                ActorReach(actor, type_after or type_before, len(pairs_before), len(pairs_after), gained, lost)
            )
    result.appeared.sort()
    result.disappeared.sort()
    return result
