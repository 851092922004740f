"""One system seen by its DPO: where its data goes, for what, and what is wrong with that.

:func:`system_view` answers, for the data a system collects (it is an origin of it):

- **reach**: the systems its data can reach, per category (:meth:`Graph.reached_from`), and
  for each reached system a shortest route (:meth:`Graph.path`);
- **uses**: the purposes of the flows that carry its data (the edges whose
  :meth:`Graph.crossing` names it), each marked as one of the purposes it was collected for,
  a further purpose a law added, or neither;
- **findings**: the findings its data takes part in, with a route of its data to the
  finding's anchor. A finding anchored at a flow involves the system when its data crosses
  that flow; one anchored at a system, when the system is that one or its data is held there.
  Where a finding names categories, only those count. This is computed from the graph, not
  read from ``Finding.origins``, which is capped.

>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
...     {"id": "clinic", "sector": "health", "holds": ["special.health"], "purposes": ["services.health"]},
...     {"id": "hub", "sector": "interoperability", "kind": "component"},
...     {"id": "police", "sector": "police", "actor": "law_enforcement"}],
...   "flows": [{"from": "clinic", "to": "hub", "data": ["special.health"], "purpose": "services.health"},
...             {"from": "hub", "to": "police", "data": ["special.health"], "purpose": "enforcement.law"}]})
>>> view = system_view(m, "clinic")
>>> [(r.system, r.categories, r.route.systems) for r in view.reached]
[('hub', ['special.health'], ['clinic', 'hub']), ('police', ['special.health'], ['clinic', 'hub', 'police'])]
>>> [(u.purpose, u.standing, u.flows) for u in view.uses]
[('enforcement.law', 'other', ['hub->police']), ('services.health', 'collection', ['clinic->hub'])]
>>> [(i.finding.id, i.route.systems) for i in view.findings if i.finding.rule == "exposure"]
[('exposure:hub->police', ['clinic', 'hub', 'police'])]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flowmap.analysis import Report, analyze
from flowmap.errors import UsageError
from flowmap.findings import Confidence, Finding
from flowmap.graph import Edge, Graph, graph_of
from flowmap.model import Model, System
from flowmap.taxonomy import ancestors

__all__ = ["Route", "Reached", "Use", "Involvement", "SystemView", "system_view", "STANDINGS"]

STANDINGS = {
    "collection": "one of the purposes of collection",
    "added_by_law": "a further purpose added by law",
    "other": "beyond the purposes of collection",
}
"""How a downstream purpose stands to the system's purposes (``Use.standing``), in words."""


@dataclass(frozen=True)
class Route:
    """A shortest route of the system's data: the systems, and the flow realising each hop."""

    systems: list[str]
    flows: list[str]

    def to_dict(self) -> dict[str, list[str]]:
        return {"systems": list(self.systems), "flows": list(self.flows)}


@dataclass(frozen=True)
class Reached:
    """A system the data reaches, with the categories that reach it and one route."""

    system: str
    categories: list[str]
    route: Route  # a shortest route of the first category

    def to_dict(self) -> dict[str, Any]:
        return {"system": self.system, "categories": list(self.categories), "route": self.route.to_dict()}


@dataclass(frozen=True)
class Use:
    """A purpose the data is used for downstream: the flows that carry it for that purpose."""

    purpose: str
    standing: str  # a key of STANDINGS
    flows: list[str]
    categories: list[str]
    recipients: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"purpose": self.purpose, "standing": self.standing, "flows": list(self.flows),
                "categories": list(self.categories), "recipients": list(self.recipients)}


@dataclass(frozen=True)
class Involvement:
    """A finding the system's data takes part in: which of its categories, and a route to the anchor."""

    finding: Finding
    categories: list[str]
    route: Route

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.finding.id, "rank": self.finding.rank, "severity": self.finding.severity.name,
                "confidence": self.finding.confidence.value, "title": self.finding.title,
                "anchor": self.finding.anchor.to_dict(), "categories": list(self.categories),
                "route": self.route.to_dict()}


@dataclass(frozen=True)
class SystemView:
    """The answer of :func:`system_view`; every list sorted, so the same model gives the same view."""

    system: System
    categories: list[str]  # the categories it collects (is an origin of)
    reach: dict[str, list[str]]  # category -> the other systems its data of it reaches
    reached: list[Reached]  # by system id
    uses: list[Use]  # by purpose
    findings: list[Involvement] = field(default_factory=list)  # in rank order

    def to_dict(self) -> dict[str, Any]:
        return {
            "system": {"id": self.system.id, "name": self.system.display_name},
            "categories": list(self.categories),
            "reach": {c: list(s) for c, s in self.reach.items()},
            "reached": [r.to_dict() for r in self.reached],
            "uses": [u.to_dict() for u in self.uses],
            "findings": [i.to_dict() for i in self.findings],
        }


def _system(model: Model, system_id: str) -> System:
    known = {s.id: s for s in model.systems}
    if system_id not in known:
        from flowmap.diagnostics import did_you_mean

        raise UsageError(f"unknown system '{system_id}'{did_you_mean(system_id, known)}: "
                         "use the id of a system of the model")
    return known[system_id]


def _own_categories(graph: Graph, system_id: str) -> list[str]:
    return [c for c in graph.categories if system_id in graph.origins_of(c)]


def _standing(graph: Graph, system: System, purpose: str) -> str:
    compatible = graph.taxonomy.compatible
    if any(compatible(purpose, p) for p in system.purposes):
        return "collection"
    if any(compatible(purpose, p.purpose) for p in system.further_purposes):
        return "added_by_law"
    return "other"


def _counts(category: str, named: list[str]) -> bool:
    """Whether a category is among a finding's categories (or under one of them)."""
    return not named or any(c in named for c in ancestors(category))


def _edges_of(graph: Graph, flow_id: str) -> list[Edge]:
    flow = graph.flow(flow_id)
    return [e for e in graph.out_edges(flow.source) if e.flow is flow] + (
        [e for e in graph.out_edges(flow.target) if e.flow is flow] if flow.bidirectional else [])


def _involvement(graph: Graph, system_id: str, own: list[str], finding: Finding) -> Involvement | None:
    anchor = finding.anchor
    if anchor.type == "flow":
        for edge in _edges_of(graph, anchor.id):
            crossing = graph.crossing(edge)
            categories = [c for c in own if system_id in crossing.get(c, ()) and _counts(c, finding.categories)]
            if categories:
                systems, flows = graph.path_to(system_id, categories[0], edge)
                return Involvement(finding, categories, Route(systems, flows))
        return None
    if anchor.id == system_id:
        categories = [c for c in own if _counts(c, finding.categories)]
        return Involvement(finding, categories, Route([system_id], []))
    categories = [c for c in own if system_id in graph.origins_at(anchor.id, c) and _counts(c, finding.categories)]
    if not categories:
        return None
    systems, flows = graph.path(system_id, categories[0], anchor.id)
    return Involvement(finding, categories, Route(systems, flows))


def system_view(model: Model, system_id: str, *, report: Report | None = None,
                min_confidence: Confidence = Confidence.low) -> SystemView:
    """Where ``system_id``'s data goes, for what, and the findings it takes part in.

    ``report`` is the analysis to read findings from (default: :func:`~flowmap.analysis.analyze`
    of the model with ``min_confidence``). An unknown id raises :class:`UsageError` with a
    did-you-mean.

    Notes
    -----
    One reach per category (shared with the analysis through :func:`graph_of`), one crossing
    per edge, and one memoised breadth-first search per (system, category) for the routes:
    near-linear in the model plus the findings.
    """
    system = _system(model, system_id)
    graph = graph_of(model)
    own = _own_categories(graph, system_id)
    reach: dict[str, list[str]] = {}
    by_system: dict[str, list[str]] = {}
    for category in own:
        others = [s for s in graph.reached_from(system_id, category) if s != system_id]
        if others:
            reach[category] = others
        for other in others:
            by_system.setdefault(other, []).append(category)
    reached = []
    for other, categories in sorted(by_system.items()):
        systems, flows = graph.path(system_id, categories[0], other)
        reached.append(Reached(other, categories, Route(systems, flows)))
    uses: dict[str, dict[str, dict]] = {}
    for edge in graph.edges:
        crossing = graph.crossing(edge)
        categories = [c for c in own if system_id in crossing.get(c, ())]
        if not categories:
            continue
        for purpose in edge.flow.purposes:
            use = uses.setdefault(purpose, {"flows": {}, "categories": {}, "recipients": {}})
            use["flows"][edge.id] = None
            use["categories"].update(dict.fromkeys(categories))
            use["recipients"][edge.target] = None
    use_list = [Use(purpose, _standing(graph, system, purpose), sorted(u["flows"]), sorted(u["categories"]),
                    sorted(u["recipients"])) for purpose, u in sorted(uses.items())]
    if report is None:
        report = analyze(model, min_confidence=min_confidence)
    involved = [i for i in (_involvement(graph, system_id, own, f) for f in report.findings) if i is not None]
    return SystemView(system, own, reach, reached, use_list, involved)
