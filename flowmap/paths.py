"""Routes between two systems: by which flows, and for which categories, data moves from A to B.

For every category available at the source (held there or received), one
breadth-first search along the flows that carry it finds a shortest route to the
target; categories are never combined into paths and paths are never enumerated.

>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
...     {"id": "clinic", "sector": "health", "holds": ["special.health", "identity.contact"],
...      "purposes": ["services.health"]},
...     {"id": "hub", "sector": "interoperability", "kind": "component"},
...     {"id": "police", "sector": "police", "actor": "law_enforcement"}],
...   "flows": [{"from": "clinic", "to": "hub", "data": ["special", "identity"], "purpose": "services.health"},
...             {"from": "hub", "to": "police", "data": ["special.health"], "purpose": "enforcement.law"}]})
>>> [(r.category, r.path, r.flows) for r in routes(m, "clinic", "police")]
[('special.health', ['clinic', 'hub', 'police'], ['clinic->hub', 'hub->police'])]
>>> routes(m, "police", "clinic")
[]
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from flowmap.diagnostics import did_you_mean, shown
from flowmap.errors import UsageError
from flowmap.model import Model
from flowmap.propagation import propagate

__all__ = ["Route", "routes", "routes_to_dict"]


@dataclass(frozen=True)
class Route:
    """A shortest route by which ``category`` data moves from ``path[0]`` to ``path[-1]``."""

    category: str
    path: list[str]  # system ids, source first
    flows: list[str]  # the flow realising each hop (the first by id that carries the category)
    origins: list[str]  # where the category data present at the source was collected

    @property
    def hops(self) -> int:
        return len(self.path) - 1


def _check_system(model: Model, system_id: str, option: str) -> None:
    ids = [s.id for s in model.systems]
    if system_id not in ids:
        raise UsageError(f"{option} {shown(system_id)}: no such system in the model{did_you_mean(system_id, ids)}")


def _wanted(model: Model, categories: list[str], category: str | None) -> list[str]:
    """The propagated categories to follow: all of them, or those ``category`` names (it or its
    children, or its parent when only the parent is ever held)."""
    if category is None:
        return categories
    tax = model.effective_taxonomy
    if category not in tax.categories:
        raise UsageError(
            f"--category {shown(category)}: unknown category{did_you_mean(category, tax.categories)}: "
            "see `flowmap taxonomy`"
        )
    return [c for c in categories if tax.covers(category, c) or tax.covers(c, category)]


def routes(model: Model, source: str, target: str, *, category: str | None = None) -> list[Route]:
    """Shortest routes from ``source`` to ``target``, one per category that travels, sorted by
    category. Empty when no data moves from ``source`` to ``target``.

    Raises :class:`UsageError` for an unknown system or category, or when source is target.

    Notes
    -----
    One propagation (memoised on the model), then one breadth-first search per category
    available at ``source``: O(categories x (V + E)) at worst, never a path enumeration.
    """
    _check_system(model, source, "--from")
    _check_system(model, target, "--to")
    if source == target:
        raise UsageError(f"--from and --to both name {shown(source)}: name two different systems")
    prop = propagate(model)
    present = prop.categories_at(source)
    out = []
    for category in _wanted(model, sorted(present), category):
        path = prop.witness_path(source, category, target)
        if path is None:
            continue
        out.append(Route(category, path, prop.flows_along(path, category), prop.origins_at(source, category)))
    return out


def routes_to_dict(model: Model, source: str, target: str, found: list[Route]) -> dict:
    """The JSON shape of ``flowmap paths --format json``."""
    return {
        "model": model.name,
        "from": source,
        "to": target,
        "routes": [asdict(r) | {"hops": r.hops} for r in found],
    }
