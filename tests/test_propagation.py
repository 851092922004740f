"""Propagation against a naive fixed point, on random models (Hypothesis)."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import build
from flowmap.propagation import bitset, propagate, propagate_bits, set_bits, strongly_connected_components
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


@st.composite
def random_graphs(draw):
    """A graph on up to 12 nodes and seeds with bitsets, zero among them."""
    n = draw(st.integers(1, 12))
    succ: dict[int, list[int]] = {}
    for _ in range(draw(st.integers(0, 30))):
        succ.setdefault(draw(st.integers(0, n - 1)), []).append(draw(st.integers(0, n - 1)))
    seeds = draw(st.dictionaries(st.integers(0, n - 1), st.integers(0, 63), min_size=1, max_size=4))
    return n, succ, seeds


@settings(max_examples=300, deadline=None)
@given(random_graphs())
def test_propagate_bits_is_the_fixed_point_over_the_nodes_reached(case):
    n, succ, seeds = case
    reached, queue = set(seeds), list(seeds)
    for node in queue:
        for child in succ.get(node, ()):
            if child not in reached:
                reached.add(child)
                queue.append(child)
    bits = {node: seeds.get(node, 0) for node in reached}
    changed = True
    while changed:
        changed = False
        for node in reached:
            for child in succ.get(node, ()):
                if bits[child] | bits[node] != bits[child]:
                    bits[child] |= bits[node]
                    changed = True
    assert list(propagate_bits(seeds, succ, n).items()) == sorted(bits.items())
    components = strongly_connected_components(sorted(seeds), succ, n)
    graph = nx.DiGraph([(a, b) for a, targets in succ.items() for b in targets])
    graph.add_nodes_from(range(n))
    expected = {frozenset(c) & frozenset(reached) for c in nx.strongly_connected_components(graph)}
    assert {frozenset(c) for c in components} == expected - {frozenset()}
    assert all(component == sorted(component) for component in components)


@given(st.sets(st.integers(0, 20_000), max_size=400))
def test_set_bits_and_bitset_are_inverse(positions):
    bits = bitset(positions)
    assert bits == sum(1 << p for p in positions)
    assert set_bits(bits) == sorted(positions)


@settings(max_examples=300, deadline=None)
@given(random_graphs())
def test_components_come_out_after_every_component_they_reach(case):
    n, succ, seeds = case
    components = strongly_connected_components(sorted(seeds), succ, n)
    emitted = {node: number for number, component in enumerate(components) for node in component}
    for node in emitted:
        for child in succ.get(node, ()):
            assert emitted[child] <= emitted[node]
