"""The flow-data warning (a flow carries a category its source never holds or receives) propagates
every category at once, as bits (validate._present_bits): it must warn exactly where the plain way
does, one breadth-first search per category, on models with many such warnings, bidirectional
flows, answers, transforms and parents or children carried."""

from __future__ import annotations

import random

import pytest

from flowmap.graph import Graph
from flowmap.structure import Checked
from flowmap.synth import synthesize
from flowmap.taxonomy import ancestors
from flowmap.validate import _flow_data_warnings, build_model

CATEGORIES = ["identity", "identity.biographic", "biometric", "biometric.face", "biometric.face.frontal",
              "biometric.fingerprint", "migration", "migration.asylum_claim", "special.health", "criminal",
              "criminal.record"]


def _plain_present(graph: Graph) -> dict[str, set[str]]:
    """System id -> the propagated categories held at it or reaching it over flows that carry them
    (a flow carrying a parent carries its children), whatever their transforms or answers: one
    breadth-first search per category."""
    present: dict[str, set[str]] = {}
    for category in graph.categories:
        seen = set(graph.origins_of(category))
        queue = list(seen)
        for system in queue:
            for edge in graph.out_edges(system):
                carried = any(category == name or category.startswith(name + ".") for name in edge.flow.data)
                if carried and edge.target not in seen:
                    seen.add(edge.target)
                    queue.append(edge.target)
        for system in seen:
            present.setdefault(system, set()).add(category)
    return present


def _plain_warnings(model) -> list[tuple]:
    """The warnings as the plain way finds them: the categories present at each system, and a
    category carried is answered by one present, a parent of it, or a child of it, at the source
    or, for a bidirectional flow, at either end."""
    present = _plain_present(Graph(model))
    found = []
    for i, flow in enumerate(model.flows):
        have = set(present.get(flow.source, ()))
        if flow.bidirectional:
            have |= present.get(flow.target, set())
        closure = {a for c in have for a in ancestors(c)}
        for j, category in enumerate(flow.data):
            if category not in closure and not any(a in have for a in ancestors(category)):
                found.append(("flows", i, "data", j))
    return found


def _mutated(size: int, seed: int) -> dict:
    """A synthetic ecosystem with flows that carry what their source may not have."""
    rng = random.Random(seed)
    data = synthesize(size, seed=seed, profile="hub-heavy" if seed % 2 else "gentle")
    data["taxonomy"] = {"categories": {"biometric.face.frontal": {"sensitivity": "special"}}}
    for flow in data["flows"]:
        roll = rng.random()
        if roll < 0.15:
            flow["data"] = [rng.choice(CATEGORIES), *flow["data"][:1]]
        elif roll < 0.25:  # what its receiver has may be carried back
            flow["bidirectional"] = True
            flow["data"] = [rng.choice(CATEGORIES)]
            flow.pop("returns", None)
            flow.pop("forwards", None)
        elif roll < 0.3 and not flow.get("bidirectional"):
            flow["returns"] = "hit_no_hit"
        elif roll < 0.33:
            flow["transform"] = "aggregated"
    for system in data["systems"]:
        if rng.random() < 0.2:
            system["holds"] = [rng.choice(CATEGORIES)]
        elif rng.random() < 0.1:
            system["holds"] = []
    return data


@pytest.mark.parametrize("seed", range(12))
def test_the_flow_data_warning_is_where_the_plain_search_puts_it(seed):
    model = build_model(_mutated(60, seed), "m.yaml")
    ours = Checked("m.yaml")
    _flow_data_warnings(model, model.effective_taxonomy, ours)
    warned = [path for path, _, severity, _ in ours.problems if severity == "warning"]
    assert warned == _plain_warnings(model)
    assert warned, "the mutated model should have flows carrying what their source lacks"
