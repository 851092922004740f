"""Propagation against a naive fixed point, on random models (Hypothesis)."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import build
from flowmap.propagation import propagate, strongly_connected_components
from flowmap.taxonomy import ancestors

CATEGORIES = ["biometric", "biometric.face", "biometric.fingerprint", "identity", "identity.biographic",
              "special.health", "migration.asylum_claim"]

@st.composite
def random_models(draw):
    n = draw(st.integers(1, 7))
    systems = []
    for i in range(n):
        holds = draw(st.lists(st.sampled_from(CATEGORIES), max_size=3, unique=True))
        systems.append({"id": f"s{i}", "sector": "asylum", "holds": holds,
                        "purposes": ["protection.asylum"] if holds else []})
    flows = []
    for j in range(draw(st.integers(0, 12))):
        a, b = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        data = draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=3, unique=True))
        flows.append({"id": f"f{j}", "from": f"s{a}", "to": f"s{b}", "data": data, "purpose": "protection.asylum",
                      "bidirectional": draw(st.booleans())})
    return systems, flows

def naive_pairs(systems, flows):
    """Fixed-point iteration straight from the format's definition."""
    carried = {d for f in flows for d in f["data"]}
    avail = {s["id"]: set() for s in systems}
    for s in systems:
        for c in s["holds"]:
            avail[s["id"]].add((s["id"], c))
        for d in carried:  # holding a parent means holding the more specific categories flows carry
            if any(a in s["holds"] for a in ancestors(d)[1:]):
                avail[s["id"]].add((s["id"], d))
    edges = [(f["from"], f["to"], f["data"]) for f in flows]
    edges += [(f["to"], f["from"], f["data"]) for f in flows if f["bidirectional"]]
    changed = True
    while changed:
        changed = False
        for y, x, data in edges:
            for origin, c in list(avail[y]):
                if any(c == d or c.startswith(d + ".") for d in data) and (origin, c) not in avail[x]:
                    avail[x].add((origin, c))
                    changed = True
    return avail

@settings(max_examples=150, deadline=None)
@given(random_models())
def test_propagation_matches_the_definition(case):
    systems, flows = case
    model = build(systems, flows)
    result = propagate(model)
    expected = naive_pairs(systems, flows)
    for s in systems:
        assert set(result.pairs_at(s["id"])) == expected[s["id"]]

@settings(max_examples=60, deadline=None)
@given(random_models(), st.randoms())
def test_order_of_systems_and_flows_does_not_matter(case, rnd):
    systems, flows = case
    first = propagate(build(systems, flows))
    shuffled_s, shuffled_f = systems[:], flows[:]
    rnd.shuffle(shuffled_s)
    rnd.shuffle(shuffled_f)
    second = propagate(build(shuffled_s, shuffled_f))
    for s in systems:
        assert list(first.pairs_at(s["id"])) == list(second.pairs_at(s["id"]))

@settings(max_examples=100, deadline=None)
@given(random_models())
def test_witness_paths_are_shortest_carrying_paths(case):
    systems, flows = case
    result = propagate(build(systems, flows))
    for s in systems:
        for origin, category in result.pairs_at(s["id"]):
            path = result.witness_path(origin, category, s["id"])
            assert path[0] == origin and path[-1] == s["id"]
            graph = nx.DiGraph()
            graph.add_nodes_from(x["id"] for x in systems)
            for f in flows:
                if any(category == d or category.startswith(d + ".") for d in f["data"]):
                    graph.add_edge(f["from"], f["to"])
                    if f["bidirectional"]:
                        graph.add_edge(f["to"], f["from"])
            assert len(path) - 1 == nx.shortest_path_length(graph, origin, s["id"])
            for a, b in zip(path, path[1:]):
                assert graph.has_edge(a, b)

def test_scc_on_a_long_cycle_does_not_recurse():
    n = 50_000
    succ = {i: [(i + 1) % n] for i in range(n)}
    components = strongly_connected_components([0], succ)
    assert len(components) == 1 and len(components[0]) == n

def test_cycles_share_everything_inside_them():
    systems = [{"id": f"s{i}", "sector": "asylum", "holds": ["identity"], "purposes": ["protection.asylum"]}
               for i in range(3)]
    flows = [{"from": f"s{i}", "to": f"s{(i + 1) % 3}", "data": ["identity"], "purpose": "protection.asylum"}
             for i in range(3)]
    result = propagate(build(systems, flows))
    assert result.origins_at("s0", "identity") == ["s0", "s1", "s2"]
