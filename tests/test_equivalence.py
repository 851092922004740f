"""The speed machinery against the straightforward implementation (issue 15: output is unchanged
by any speed change).

Each fast path of the analysis has a plain counterpart here, written the obvious way: a witness
path by one breadth-first search that stops at nothing but the origins it wants (the library's
search between two ends is run both ways: as it chooses, and always from both ends); the
systems an origin's data reaches read off the reach of every system; evidence by listing every origin and
sorting; every system's store before choosing the chokepoints; a search per linked component
that records each feeder it meets. The rules' findings with every plain counterpart swapped in
must equal, field for field, the findings the library gives: on the curated models, on
synthetic ecosystems of both profiles, and on small random models (Hypothesis), hub-heavy ones
and ones with linked components, retention periods and restricted flows included.
"""

from __future__ import annotations

from collections import deque
from contextlib import ExitStack
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import ROOT, build
from flowmap import graph as graph_module
from flowmap.findings import Severity
from flowmap.graph import Edge, Graph
from flowmap.loader import load_model
from flowmap.rules import ALL_RULES, Context, _support, chokepoint, retention_extension
from flowmap.synth import synthesize
from flowmap.validate import build_model

# -- the plain implementations -------------------------------------------------------------------


def plain_search_back(graph: Graph, start: int, category: str, origin_bits: int, *, allowed=None, limit: int,
                      skip_start: bool = False) -> list[tuple[list[str], list[str]]]:
    """Breadth-first backwards from ``start`` over every hop ``category`` can take; a node is an
    origin when its system's bit is in ``origin_bits``; stop after ``limit`` distinct origins."""
    reverse = _reverse(graph, category)
    systems = len(graph.systems)
    towards = {start: None}
    queue = deque([start])
    met: set[str] = set()
    out = []
    while queue and len(out) < limit:
        node = queue.popleft()
        system = graph._node_system[node]
        position = node if node < systems else graph._position[system]
        if origin_bits >> position & 1 and system not in met and not (skip_start and node == start):
            met.add(system)
            route, flows, at = [system], [], node
            while towards[at] is not None:
                at, hop = towards[at]
                route.append(graph._node_system[at])
                flows.append(hop.flow.id)
            out.append((route, flows))
        for previous, hop in reverse.get(node, ()):
            if previous not in towards and (allowed is None or allowed(hop)):
                towards[previous] = (node, hop)
                queue.append(previous)
    return out


def _reverse(graph: Graph, category: str) -> dict[int, list[tuple[int, Edge]]]:
    """Node -> the (node, edge) hops into it, built once per graph and category."""
    memo = graph.__dict__.setdefault("plain_reverse", {})
    if category not in memo:
        memo[category] = {}
        for source, target, edge in graph._hops(category, None):
            memo[category].setdefault(target, []).append((source, edge))
    return memo[category]


def plain_nearest_paths(self, edge, category, origin_bits, *, allowed=None, key=None, limit=3):
    found = plain_search_back(self, self._crossing_node(edge), category, origin_bits, allowed=allowed, limit=limit)
    return [(route + [edge.target], flows + [edge.flow.id]) for route, flows in found]


def plain_path_to(self, origin, category, edge, *, allowed=None, key=None):
    found = plain_nearest_paths(self, edge, category, self.origin_bit(origin), allowed=allowed, limit=1)
    return found[0] if found else None


def plain_path(self, origin, category, target):
    if origin == target:
        return [origin], []
    found = plain_search_back(self, self._position[target], category, self.origin_bit(origin), limit=1,
                              skip_start=True)
    return found[0] if found else None


def plain_paths(self, origin, wanted):
    return [plain_path(self, origin, category, target) for target, category in wanted]


def plain_reached_bits(self, category, origins):
    """Per origin, the systems whose reach of ``category`` has its bit (one pass over the reach)."""
    out = {o: 0 for o in origins}
    mask = sum(self.origin_bit(o) for o in origins)
    for system in self.systems:
        for origin in self.bits_to_origins(category, self.origin_bits_at(system.id, category) & mask):
            out[origin] |= self.origin_bit(system.id)
    return out


def _importance(ev: _support.Evidence, origin: str) -> tuple:
    ctx = ev.ctx
    system = ctx.system(origin)
    return ("child" not in system.people, -ctx.sensitivity(system.holds), not ctx.vulnerable(system.people), origin)


def plain_named(self, bits, limit=10):
    return sorted(self.ctx.graph.bits_to_origins("", bits), key=lambda o: _importance(self, o))[:limit]


def plain_subjects(self, bits):
    return self.ctx.subjects_of(self.ctx.graph.bits_to_origins("", bits))


def plain_subjects_of(self, systems):
    return self.ctx.subjects_of(systems)


def plain_at(self, system_id, *, category_ok=None):
    """What a system holds, and what its incoming flows bring."""
    graph = self.ctx.graph
    if not hasattr(self, "plain_collected"):
        self.plain_collected = {}
        for category in graph.categories:
            for origin in graph.origins_of(category):
                self.plain_collected.setdefault(origin, []).append(category)
    by_category: dict[str, int] = {}
    for category in self.plain_collected.get(system_id, ()):
        if category_ok is None or category_ok(category):
            by_category[category] = graph.origin_bit(system_id)
    for edge in graph.arriving(system_id):  # an answer (hit/no-hit, reference) brings nothing
        for category in graph.carried(edge):
            if category_ok is None or category_ok(category):
                found = graph.crossing_bits(edge, category)
                if found:
                    by_category[category] = by_category.get(category, 0) | found
    bits = 0
    for found in by_category.values():
        bits |= found
    return bits, sorted(by_category)


def plain_in_order(self, by_category):
    graph = self.ctx.graph
    by_origin: dict[str, list[str]] = {}
    for category, bits in by_category.items():
        for origin in graph.bits_to_origins(category, bits):
            by_origin.setdefault(origin, []).append(category)
    return iter(_support.origins_in_order(self.ctx, by_origin))


def plain_entry_edges(ctx, is_actor):
    out = []
    for edge in ctx.graph.edges:
        target, source = ctx.system(edge.target), ctx.system(edge.source)
        if is_actor(target) and not (source.actor and source.actor == target.actor):
            out.append(edge)
    return out


def plain_chokepoints(ctx):
    found = []
    for system in ctx.systems:
        if system.kind is chokepoint.SystemKind.external:
            continue
        store = chokepoint.store_of(ctx, system.id)
        special, sensitive, total = chokepoint.exposed(ctx, store)
        if total < chokepoint.MIN_PAIRS:
            continue
        if store.origins([c for c in store.data if ctx.is_sensitive(c)]).bit_count() >= chokepoint.MIN_ORIGINS:
            found.append(((-special, -sensitive, -total, system.id), store))
    return [store for _, store in sorted(found, key=lambda item: item[0])[:chokepoint.TOP]]


def plain_feeders(ctx, component: str) -> dict[str, tuple[list[str], list[str], list[str]]]:
    """Feeder -> (route, flows, categories): the route and flows by which the search first met it,
    and every category moving on any of its flows into a linked system the search meets."""
    graph = ctx.graph
    found: dict[str, tuple[list[str], list[str], list[str]]] = {}
    seen = {component}
    queue = deque([(component, [component], [])])
    while queue:
        node, route, flows = queue.popleft()
        for edge in graph.arriving(node):  # an answer feeds no data
            carried = [c for c in graph.carried(edge) if graph.crossing_bits(edge, c)]
            if not carried:
                continue
            source = ctx.system(edge.source)
            if source.id != component and (source.retention != "linked" or source.holds):
                if source.id not in found:
                    found[source.id] = ([source.id, *route], [edge.id, *flows], [])
                found[source.id][2].extend(c for c in carried if c not in found[source.id][2])
            if source.retention == "linked" and source.id not in seen:
                seen.add(source.id)
                queue.append((source.id, [source.id, *route], [edge.id, *flows]))
    return found


def plain_feeders_of(self, component):
    fed = plain_feeders(self.ctx, component)
    return (sum(self.ctx.graph.origin_bit(s) for s in fed), sorted({c for _, _, cats in fed.values() for c in cats}))


def plain_route(self, component, feeder):
    route, flows, _ = plain_feeders(self.ctx, component)[feeder]
    return route, flows


def plain_patches() -> ExitStack:
    """Every fast path replaced by its plain counterpart, until the stack closes."""
    stack = ExitStack()
    for target, name, plain in [
        (Graph, "nearest_paths", plain_nearest_paths), (Graph, "path_to", plain_path_to), (Graph, "path", plain_path),
        (Graph, "paths", plain_paths),
        (Graph, "reached_bits", plain_reached_bits),
        (_support.Evidence, "named", plain_named), (_support.Evidence, "subjects", plain_subjects),
        (_support.Evidence, "subjects_of", plain_subjects_of),
        (_support.Evidence, "at", plain_at), (_support.Evidence, "in_order", plain_in_order),
        (_support, "entry_edges", plain_entry_edges), (chokepoint, "chokepoints", plain_chokepoints),
        (retention_extension.Feeders, "of", plain_feeders_of), (retention_extension.Feeders, "route", plain_route),
    ]:
        stack.enter_context(mock.patch.object(target, name, plain))
    return stack


def findings(model) -> list[dict]:
    """Every rule's findings on a fresh analysis of ``model``, as the contract's dicts."""
    model._cache.pop("graph", None)
    ctx = Context(model)
    return [f.to_dict() for rule in ALL_RULES for f in rule.check(ctx)]


def assert_same_as_plain(model) -> None:
    """The library's findings equal the plain implementation's, with path searches as the library
    chooses them and with every search between two ends made from both ends."""
    with plain_patches():
        plain = findings(model)
    for small_search in (graph_module.SMALL_SEARCH, 0):
        with mock.patch.object(graph_module, "SMALL_SEARCH", small_search):
            fast = findings(model)
        assert len(fast) == len(plain)
        for got, expected in zip(fast, plain):
            assert got == expected, (small_search, got["id"])


# -- the models ------------------------------------------------------------------------------------

CURATED = sorted((ROOT / "models").glob("*.yaml")) + [ROOT / "examples" / "every-rule.yaml"]


@pytest.mark.parametrize("path", CURATED, ids=lambda p: Path(p).name)
def test_curated_models_find_the_same_as_the_plain_implementation(path):
    assert_same_as_plain(load_model(str(path)))


@pytest.mark.parametrize("profile", ["hub-heavy", "gentle"])
def test_synthetic_ecosystems_find_the_same_as_the_plain_implementation(profile):
    model = build_model(synthesize(400, seed=5, profile=profile), "synth.json")
    assert_same_as_plain(model)


def test_a_feeder_counts_with_every_flow_into_the_linked_systems():
    """The feeder ``a`` is met at ``cir`` through its first flow there, which moves identity data;
    its second flow there and its flow into ``sbms`` (which feeds ``cir``) move facial images. All
    of them count: the component's link joins everything ``a`` brings into the linked systems, and
    facial images are special category data that grade the finding. The route stays the shortest,
    by the flow the search meets first."""
    model = build(
        [{"id": "a", "sector": "border", "holds": ["identity.biographic", "biometric.face"],
          "purposes": ["migration.border_management"], "retention": "P5Y"},
         {"id": "b", "sector": "visa", "holds": ["identity.biographic"], "purposes": ["migration.visa"],
          "retention": "P10Y"},
         {"id": "cir", "sector": "interoperability", "retention": "linked"},
         {"id": "sbms", "sector": "interoperability", "retention": "linked"}],
        [{"id": "a-cir-1", "from": "a", "to": "cir", "data": ["identity"], "purpose": "operations.interoperability"},
         {"id": "a-cir-2", "from": "a", "to": "cir", "data": ["biometric"], "purpose": "operations.interoperability"},
         {"from": "a", "to": "sbms", "data": ["biometric"], "purpose": "operations.interoperability"},
         {"from": "b", "to": "cir", "data": ["identity"], "purpose": "operations.interoperability"},
         {"from": "sbms", "to": "cir", "data": ["biometric"], "purpose": "operations.interoperability"}])
    ctx = Context(model)
    assert plain_feeders(ctx, "cir")["a"] == (["a", "cir"], ["a-cir-1"], ["identity.biographic", "biometric.face"])
    assert plain_feeders(ctx, "sbms")["a"] == (["a", "sbms"], ["a->sbms"], ["biometric.face"])
    feeders = retention_extension.Feeders(ctx)
    assert feeders.of("cir")[1] == ["biometric.face", "identity.biographic"]
    assert feeders.route("cir", "a") == (["a", "cir"], ["a-cir-1"])
    (link,) = [f for f in retention_extension.check(ctx) if f.id == "retention_extension:cir:link_lifetime"]
    assert link.categories == ["biometric.face", "identity.biographic"]
    assert link.severity is Severity.medium  # identity data alone would leave it low
    assert_same_as_plain(model)


def test_a_feeder_through_a_linked_system_counts_with_its_flows_there():
    """``a`` feeds ``cir`` only through ``sbms``: its facial images there count at ``cir`` too."""
    model = build(
        [{"id": "a", "sector": "border", "holds": ["biometric.face"], "purposes": ["migration.border_management"],
          "retention": "P5Y"},
         {"id": "b", "sector": "visa", "holds": ["identity.biographic"], "purposes": ["migration.visa"],
          "retention": "P10Y"},
         {"id": "cir", "sector": "interoperability", "retention": "linked"},
         {"id": "sbms", "sector": "interoperability", "retention": "linked"}],
        [{"from": "a", "to": "sbms", "data": ["biometric"], "purpose": "operations.interoperability"},
         {"from": "b", "to": "cir", "data": ["identity"], "purpose": "operations.interoperability"},
         {"from": "b", "to": "sbms", "data": ["identity"], "purpose": "operations.interoperability"},
         {"from": "sbms", "to": "cir", "data": ["identity"], "purpose": "operations.interoperability"}])
    ctx = Context(model)
    assert plain_feeders(ctx, "cir")["a"] == (["a", "sbms", "cir"], ["a->sbms", "sbms->cir"], ["biometric.face"])
    (link,) = [f for f in retention_extension.check(ctx) if f.id == "retention_extension:cir:link_lifetime"]
    assert link.categories == ["biometric.face", "identity.biographic"]
    assert_same_as_plain(model)


CATEGORIES = ["biometric", "biometric.face", "biometric.fingerprint", "identity", "identity.biographic",
              "special.health", "criminal.suspicion"]
SECTORS = ["asylum", "health", "police", "immigration", "interoperability", "welfare"]
PURPOSES = ["protection.asylum", "services.health", "enforcement.law", "enforcement.immigration",
            "migration.border_management", "enforcement.return"]
ACTORS = [None, None, None, "law_enforcement", "immigration_enforcement", "origin_country", "third_country"]
RETENTIONS = [None, "linked", "linked", "P5Y", "P10Y", "P75Y", "indefinite", "unknown"]
MODES = [None, None, "query", "hit_no_hit", "bulk", "replication"]


@st.composite
def ecosystems(draw):
    """Small models with hubs, linked components, retention periods, children's biometrics,
    actors of concern, linking technology and restricted flows."""
    n = draw(st.integers(3, 12))
    hubs = draw(st.integers(1, 2))
    systems = []
    for i in range(n):
        holds = draw(st.lists(st.sampled_from(CATEGORIES), max_size=3, unique=True))
        system = {"id": f"s{i:02d}", "sector": draw(st.sampled_from(SECTORS)), "holds": holds,
                  "purposes": draw(st.lists(st.sampled_from(PURPOSES), min_size=1, max_size=2, unique=True))
                  if holds else [],
                  "subjects": draw(st.lists(st.sampled_from(["asylum_seeker", "child", "resident", "refugee"]),
                                            max_size=2, unique=True))}
        for key, choices in (("actor", ACTORS), ("retention", RETENTIONS)):
            value = draw(st.sampled_from(choices))
            if value:
                system[key] = value
        if i < hubs and draw(st.booleans()):
            system["technologies"] = ["identity_linking"]
        systems.append(system)
    flows = []
    for j in range(draw(st.integers(0, 3 * n))):
        if draw(st.booleans()):  # about half the flows go into or out of a hub
            hub, other = draw(st.integers(0, hubs - 1)), draw(st.integers(0, n - 1))
            a, b = (hub, other) if draw(st.booleans()) else (other, hub)
        else:
            a, b = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        if a == b:
            continue
        flow = {"id": f"f{j:02d}", "from": f"s{a:02d}", "to": f"s{b:02d}",
                "data": draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3, unique=True)),
                "purpose": draw(st.sampled_from(PURPOSES))}
        mode = draw(st.sampled_from(MODES))
        if mode:
            flow["mode"] = mode
        kind = draw(st.sampled_from(["all", "all", "all", "own", "named", "bidirectional"]))
        if kind == "own":
            flow["forwards"] = "own"
        elif kind == "named":
            into = [f["id"] for f in flows if f["to"] == flow["from"]
                    or (f.get("bidirectional") and f["from"] == flow["from"])]
            flow["forwards"] = draw(st.lists(st.sampled_from(into), max_size=2, unique=True)) if into else "own"
        elif kind == "bidirectional":
            flow["bidirectional"] = True
        flows.append(flow)
    return systems, flows


@settings(max_examples=200, deadline=None)
@given(ecosystems())
def test_random_ecosystems_find_the_same_as_the_plain_implementation(case):
    systems, flows = case
    assert_same_as_plain(build(systems, flows))


@settings(max_examples=150, deadline=None)
@given(ecosystems(), st.data())
def test_nearest_paths_equal_a_plain_search_for_any_origins_and_limit(case, data):
    """The backward search that stops widening early, for any wanted origins, limit and choice of
    flows, against the search that widens to the end."""
    systems, flows = case
    graph = Graph(build(systems, flows))
    for edge in graph.edges:
        for category in graph.carried(edge):
            wanted = data.draw(st.sets(st.sampled_from([s["id"] for s in systems])))
            bits = sum(graph.origin_bit(o) for o in wanted)
            limit = data.draw(st.integers(1, 4))
            purpose = data.draw(st.sampled_from(PURPOSES))
            allowed = data.draw(st.sampled_from([None, lambda e, p=purpose: p not in e.flow.purposes]))
            assert graph.nearest_paths(edge, category, bits, allowed=allowed, limit=limit) == \
                plain_nearest_paths(graph, edge, category, bits, allowed=allowed, limit=limit)


@settings(max_examples=150, deadline=None)
@given(ecosystems(), st.data())
def test_paths_equal_a_plain_search_per_target_for_every_origin_in_turn(case, data):
    """The routes of one origin to several targets, read off backward searches that later
    origins read further, against one plain search per target; with the small first search
    as the library chooses it and with none (every route then read off a kept search)."""
    systems, flows = case
    ids = [s["id"] for s in systems]
    for small_search in (graph_module.SMALL_SEARCH, 0):
        graph = Graph(build(systems, flows))
        categories = graph.categories or ["identity"]
        with mock.patch.object(graph_module, "SMALL_SEARCH", small_search):
            for origin in data.draw(st.lists(st.sampled_from(ids), max_size=2 * len(ids))):
                wanted = data.draw(st.lists(st.tuples(st.sampled_from(ids), st.sampled_from(categories)),
                                            max_size=4))
                expected = [plain_path(graph, origin, category, target) for target, category in wanted]
                assert graph.paths(origin, wanted) == expected
                assert [graph.path(origin, category, target) for target, category in wanted] == expected
