"""The Graph against brute force on small random models (Hypothesis), hub-heavy ones included:
reach with `forwards` restrictions, what crosses each flow, witness paths, and the findings laws
(order independence, stable ids when an unrelated system is added, evidence totals)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import build
from flowmap.analysis import analyze
from flowmap.graph import Graph
from flowmap.rules import ALL_RULES
from flowmap.taxonomy import ancestors

CATEGORIES = ["biometric", "biometric.face", "biometric.fingerprint", "identity", "identity.biographic",
              "special.health", "migration.asylum_claim"]
SECTORS = ["asylum", "health", "police", "immigration", "interoperability", "welfare"]
PURPOSES = ["protection.asylum", "services.health", "enforcement.law", "enforcement.immigration",
            "migration.border_management"]
ACTORS = [None, None, "law_enforcement", "immigration_enforcement", "origin_country", "third_country"]


@st.composite
def random_models(draw, hub_heavy: bool = False):
    n = draw(st.integers(2, 8))
    systems = []
    for i in range(n):
        holds = draw(st.lists(st.sampled_from(CATEGORIES), max_size=3, unique=True))
        system = {"id": f"s{i}", "sector": draw(st.sampled_from(SECTORS)), "holds": holds,
                  "purposes": [draw(st.sampled_from(PURPOSES))] if holds else [],
                  "subjects": draw(st.lists(st.sampled_from(["asylum_seeker", "child", "resident"]), max_size=2,
                                            unique=True))}
        actor = draw(st.sampled_from(ACTORS))
        if actor:
            system["actor"] = actor
        systems.append(system)
    flows = []
    for j in range(draw(st.integers(0, 14))):
        if hub_heavy and draw(st.booleans()):  # about half the flows go into or out of the hub s0
            a, b = (0, draw(st.integers(1, n - 1))) if draw(st.booleans()) else (draw(st.integers(1, n - 1)), 0)
        else:
            a, b = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        flow = {"id": f"f{j:02d}", "from": f"s{a}", "to": f"s{b}",
                "data": draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3, unique=True)),
                "purpose": draw(st.sampled_from(PURPOSES))}
        kind = draw(st.sampled_from(["all", "all", "all", "own", "named", "bidirectional"]))
        if kind == "own":
            flow["forwards"] = "own"
        elif kind == "named":
            into = [f["id"] for f in flows if f["to"] == f"s{a}" or (f.get("bidirectional") and f["from"] == f"s{a}")]
            flow["forwards"] = draw(st.lists(st.sampled_from(into), max_size=2, unique=True)) if into else "own"
        elif kind == "bidirectional":
            flow["bidirectional"] = True
        returns = draw(st.sampled_from([None, None, None, None, "hit_no_hit", "reference", "record"]))
        if returns and kind != "bidirectional":
            flow["returns"] = returns
        transform = draw(st.sampled_from([None, None, None, None, "aggregated", "pseudonymised"]))
        if transform:
            flow["transform"] = transform
        flows.append(flow)
    return systems, flows


STATISTICS = {"aggregated", "anonymised"}
"""Transforms after which no one's data moves on."""


def covers(carried: str, category: str) -> bool:
    return category == carried or category.startswith(carried + ".")


def naive_crossing(systems, flows):
    """Fixed point straight from the format's definition, with `forwards` and `returns` (a hit/no-hit
    flag or a reference crosses, nothing arrives): per flow direction,
    the (origin, category) pairs crossing it; per system, those available there."""
    carried = {d for f in flows for d in f["data"]}
    own = {s["id"]: set() for s in systems}
    for s in systems:
        for c in s["holds"]:
            own[s["id"]].add((s["id"], c))
        for d in carried:
            if any(a in s["holds"] for a in ancestors(d)[1:]):
                own[s["id"]].add((s["id"], d))
    avail = {sid: set(pairs) for sid, pairs in own.items()}
    directions = [(f, f["from"], f["to"]) for f in flows]
    directions += [(f, f["to"], f["from"]) for f in flows if f.get("bidirectional")]
    crossing = {(f["id"], y): set() for f, y, _ in directions}
    arrived = {(f["id"], x): set() for f, _, x in directions}  # what arrived at x through f
    changed = True
    while changed:  # until no flow carries anything new
        changed = False
        for f, y, x in directions:
            forwards = f.get("forwards", "all")
            if forwards == "all":
                passing = set(avail[y])
            else:
                passing = set(own[y])
                for named in forwards if isinstance(forwards, list) else []:
                    passing |= arrived.get((named, y), set())
            if f.get("transform") in STATISTICS:
                passing = set()
            for origin, c in passing:
                if any(covers(d, c) for d in f["data"]) and (origin, c) not in crossing[(f["id"], y)]:
                    crossing[(f["id"], y)].add((origin, c))
                    if f.get("returns") not in ("hit_no_hit", "reference"):  # an answer: nothing arrives
                        arrived[(f["id"], x)].add((origin, c))
                        avail[x].add((origin, c))
                    changed = True
    return avail, crossing


@settings(max_examples=150, deadline=None)
@given(random_models())
def test_reach_and_crossing_match_the_definition(case):
    systems, flows = case
    graph = Graph(build(systems, flows))
    avail, crossing = naive_crossing(systems, flows)
    for s in systems:
        got = {(o, c) for c, origins in graph.holdings_at(s["id"]).items() for o in origins}
        assert got == avail[s["id"]], s["id"]
    for edge in graph.edges:
        got = {(o, c) for c, origins in graph.crossing(edge).items() for o in origins}
        assert got == crossing[(edge.flow.id, edge.source)], edge.flow.id


@settings(max_examples=100, deadline=None)
@given(random_models(hub_heavy=True), st.data())
def test_crossed_reads_the_crossing_bits_of_many_edges_at_once(case, data):
    systems, flows = case
    graph = Graph(build(systems, flows))
    for category in graph.categories:
        edges = data.draw(st.lists(st.sampled_from(graph.edges), max_size=8)) if graph.edges else []
        origins = data.draw(st.lists(st.sampled_from(graph.origins_of(category)), unique=True))
        reach = graph.reach(category, origins=origins, allowed=lambda edge: edge.flow.id < "f07")
        for chosen in (None, reach):
            expected = [(edge, graph.crossing_bits(edge, category, chosen)) for edge in edges]
            assert graph.crossed(edges, category, chosen) == [(edge, bits) for edge, bits in expected if bits]


@settings(max_examples=100, deadline=None)
@given(random_models(hub_heavy=True))
def test_witness_paths_end_by_crossing_the_edge_and_follow_real_flows(case):
    systems, flows = case
    graph = Graph(build(systems, flows))
    by_id = {f["id"]: f for f in flows}
    for edge in graph.edges:
        for category, origins in graph.crossing(edge).items():
            for origin in origins:
                found = graph.path_to(origin, category, edge)
                assert found is not None, (origin, category, edge.flow.id)
                path, hops = found
                assert path[0] == origin and path[-2:] == [edge.source, edge.target] and hops[-1] == edge.flow.id
                assert len(hops) == len(path) - 1
                for (a, b), flow_id in zip(zip(path, path[1:]), hops):
                    flow = by_id[flow_id]
                    assert (flow["from"], flow["to"]) == (a, b) or (
                        flow.get("bidirectional") and (flow["to"], flow["from"]) == (a, b))
                    assert any(covers(d, category) for d in flow["data"])


def _ids(systems, flows):
    return [f.to_dict() for f in analyze(build(systems, flows)).findings]


@settings(max_examples=60, deadline=None)
@given(random_models(hub_heavy=True), st.randoms())
def test_findings_do_not_depend_on_the_order_of_systems_and_flows(case, rnd):
    systems, flows = case
    shuffled_s, shuffled_f = systems[:], flows[:]
    rnd.shuffle(shuffled_s)
    rnd.shuffle(shuffled_f)
    assert _ids(systems, flows) == _ids(shuffled_s, shuffled_f)


@settings(max_examples=60, deadline=None)
@given(random_models(hub_heavy=True))
def test_ids_are_stable_when_an_unrelated_system_is_added(case):
    systems, flows = case
    before = {f.id for f in analyze(build(systems, flows)).findings}
    lonely = {"id": "zz-unrelated", "sector": "welfare", "holds": ["identity"], "purposes": ["services.welfare"],
              "subjects": ["resident"]}
    after = {f.id for f in analyze(build([*systems, lonely], flows)).findings}
    assert {i for i in after if "zz-unrelated" not in i} == before


@settings(max_examples=100, deadline=None)
@given(random_models(hub_heavy=True))
def test_evidence_totals_equal_a_brute_force_count(case):
    """Flow-anchored findings of the reach rules: origins_total is the number of origins whose
    data crosses the anchor (as the rule filters them), counted by the naive fixed point."""
    systems, flows = case
    model = build(systems, flows)
    _, crossing = naive_crossing(systems, flows)
    tax = model.effective_taxonomy
    by_system = {s["id"]: s for s in systems}
    for finding in analyze(model).findings:
        if finding.rule != "exposure":
            continue
        flow = next(f for f in flows if f["id"] == finding.anchor.id)
        directions = [(flow["from"], flow["to"])] + ([(flow["to"], flow["from"])] if flow.get("bidirectional") else [])
        expected = set()
        for source, target in directions:
            if by_system[target].get("actor") and by_system[source].get("actor") != by_system[target]["actor"]:
                expected |= {o for o, c in crossing[(flow["id"], source)] if tax.sensitivity(c) >= 3 and o != target}
        assert finding.origins_total == len(expected), finding.id
        assert finding.origins == sorted(expected, key=finding.origins.index)[:10] or set(finding.origins) <= expected


@settings(max_examples=60, deadline=None)
@given(random_models(hub_heavy=True))
def test_one_finding_per_element_and_aspect_and_lists_capped(case):
    systems, flows = case
    report = analyze(build(systems, flows))
    ids = [f.id for f in report.findings]
    assert len(ids) == len(set(ids))
    elements = {s["id"] for s in systems} | {f["id"] for f in flows}
    rules = {r.id: r for r in ALL_RULES}
    for f in report.findings:
        assert f.anchor.id in elements
        assert f.id == ":".join([f.rule, f.anchor.id, *([f.aspect] if f.aspect else [])])
        assert f.aspect is None or f.aspect in rules[f.rule].aspects
        assert len(f.origins) <= 10 and f.origins_total >= len(f.origins)
        assert len(f.paths) <= 3
        assert not (f.confidence.value == "low" and f.severity.name == "critical")
