"""Graph exports read back with networkx: same nodes, edges and attributes; propagation on the nodes."""

from __future__ import annotations

import io
import json

import networkx as nx
import pytest
from click.testing import CliRunner
from conftest import ROOT, build

from flowmap.analysis import analyze
from flowmap.cli import main
from flowmap.graph_export import graph_bytes, model_graph
from flowmap.loader import load_model


def small_model():
    return build(
        [
            {"id": "clinic", "sector": "health", "holds": ["special.health", "identity.biographic"],
             "purposes": ["services.health"], "controls": {"redress": False}, "tags": ["x", "y"]},
            {"id": "registry", "sector": "asylum", "holds": ["identity.biographic"], "purposes": ["protection.asylum"]},
            {"id": "hub", "sector": "interoperability", "kind": "component"},
            {"id": "police", "name": "Police <b>", "sector": "police", "actor": "law_enforcement"},
        ],
        [
            {"from": "clinic", "to": "hub", "data": ["special.health", "identity"], "purpose": "services.health",
             "transport": {"encrypted": True, "logged": False}},
            {"from": "registry", "to": "hub", "data": ["identity.biographic"], "purpose": "protection.asylum",
             "bidirectional": True},
            {"from": "hub", "to": "police", "data": ["special", "identity"], "purpose": "enforcement.law"},
            {"id": "hub-police-2", "from": "hub", "to": "police", "data": ["identity"], "purpose": "enforcement.law"},
        ],
    )


def test_propagation_result_on_nodes():
    graph = model_graph(small_model())
    police = graph.nodes["police"]
    assert police["received_categories"] == "identity.biographic; special.health"
    assert police["received_origins"] == 2
    assert graph.nodes["registry"]["received_categories"] == "identity.biographic"  # back over the bidirectional flow
    assert graph.nodes["registry"]["received_origins"] == 1
    assert graph.nodes["clinic"]["received_origins"] == 0
    assert graph.nodes["clinic"]["controls.redress"] == "false"
    assert graph.nodes["clinic"]["controls.human_review"] == "unknown"
    assert graph.nodes["clinic"]["tags"] == "x; y"
    assert police["label"] == "Police <b>" and police["actor"] == "law_enforcement"


def test_received_data_honours_what_a_flow_forwards():
    model = small_model()
    data = model.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    for flow in data["flows"]:
        if flow["id"] in ("hub->police", "hub-police-2"):
            flow["forwards"] = "own"  # the hub answers about its own records only: it holds none
    graph = model_graph(build(data["systems"], data["flows"]))
    assert graph.nodes["police"]["received_categories"] == "" and graph.nodes["police"]["received_origins"] == 0
    assert graph.nodes["hub"]["received_origins"] == 2


def test_findings_anchored_at_each_system_and_flow():
    from flowmap.findings import Anchor, Confidence, Finding, Kind, Severity

    def finding(fid, kind, severity, where, anchor):
        return Finding(id=fid, rule=kind.value, kind=kind, severity=severity, confidence=Confidence.high,
                       title="t", message="m", anchor=Anchor(where, anchor))

    findings = [finding("exposure:hub->police", Kind.exposure, Severity.high, "flow", "hub->police"),
                finding("function_creep:hub->police", Kind.function_creep, Severity.critical, "flow", "hub->police"),
                finding("chokepoint:hub", Kind.structural, Severity.medium, "system", "hub"),
                finding("insecure_link:registry->hub", Kind.insecure_link, Severity.low, "flow", "registry->hub")]
    graph = model_graph(small_model(), findings)
    edge = graph.edges["hub", "police", "hub->police"]
    assert (edge["findings"], edge["worst_severity"], edge["finding_kinds"]) == (2, "critical", "exposure; function_creep")
    assert graph.edges["hub", "police", "hub-police-2"]["worst_severity"] == ""
    assert graph.edges["hub", "registry", "registry->hub (reverse)"]["finding_kinds"] == "insecure_link"
    assert (graph.nodes["hub"]["findings"], graph.nodes["hub"]["worst_severity"]) == (1, "medium")
    assert (graph.nodes["police"]["findings"], graph.nodes["police"]["finding_kinds"]) == (0, "")
    # the analysis of the model is the default: every anchor of it is on the graph
    analysed = model_graph(small_model())
    assert sum(d["findings"] for _, d in analysed.nodes(data=True)) + sum(
        d["findings"] for _, _, k, d in analysed.edges(keys=True, data=True) if not k.endswith("(reverse)")) == len(
        analyze(small_model()).findings)


def test_edges_keyed_by_flow_id_with_reverse_for_bidirectional():
    graph = model_graph(small_model())
    assert sorted(graph.edges(keys=True)) == [
        ("clinic", "hub", "clinic->hub"),
        ("hub", "police", "hub->police"),
        ("hub", "police", "hub-police-2"),
        ("hub", "registry", "registry->hub (reverse)"),
        ("registry", "hub", "registry->hub"),
    ]
    edge = graph.edges["clinic", "hub", "clinic->hub"]
    assert (edge["transport.encrypted"], edge["transport.logged"], edge["transport.authenticated"]) == (
        "true", "false", "unknown")
    assert edge["data"] == "special.health; identity" and edge["automated_decision"] is False


def _edges(graph) -> dict:
    """(source, target, flow id or key) -> attributes, whatever the reader made of the keys."""
    out = {}
    for u, v, key, data in graph.edges(keys=True, data=True):
        data = dict(data)
        data.pop("id", None)
        out[(u, v, data["flow"] + (" (reverse)" if data["reverse"] else ""))] = data
    return out


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
@pytest.mark.parametrize("source", ["small", "eu"])
def test_read_back_with_networkx(fmt, source):
    model = small_model() if source == "small" else load_model(ROOT / "models" / "eu-interoperability.yaml")
    expected = model_graph(model)
    data = graph_bytes(model, fmt)
    if fmt == "graphml":
        graph = nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    elif fmt == "gexf":
        graph = nx.read_gexf(io.BytesIO(data))
        graph = graph if graph.is_multigraph() else nx.MultiDiGraph(graph)
    else:
        graph = nx.node_link_graph(json.loads(data), edges="links")
    assert sorted(graph.nodes) == sorted(expected.nodes)
    for node, attributes in expected.nodes(data=True):
        assert {k: v for k, v in graph.nodes[node].items() if k != "label" or fmt != "gexf"} == {
            k: v for k, v in attributes.items() if k != "label" or fmt != "gexf"}, node
        assert graph.nodes[node].get("label") == attributes["label"]
    assert _edges(graph) == _edges(expected)


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_deterministic_and_dated_by_the_model(fmt):
    path = ROOT / "models" / "eu-interoperability.yaml"
    data = graph_bytes(load_model(path), fmt)
    assert data == graph_bytes(load_model(path), fmt)
    if fmt == "gexf":
        assert b'lastmodifieddate="2024-06-01"' in data


def test_export_cli_writes_files_and_stdout(tmp_path):
    runner = CliRunner()
    model = ROOT / "models" / "uk-health-immigration-firewall.yaml"
    result = runner.invoke(main, ["export", str(model), "--to", "gexf", "-o", str(tmp_path / "uk.gexf")])
    assert result.exit_code == 0 and "wrote" in result.stderr
    assert nx.read_gexf(tmp_path / "uk.gexf").number_of_nodes() == len(load_model(model).systems)
    result = runner.invoke(main, ["export", str(model), "--to", "json", "-o", "-"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["graph"]["as_of"] == "2018-03-01"
    result = runner.invoke(main, ["export", str(model), "--to", "csv", "-o", str(tmp_path / "tables")])
    assert result.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == [
        "accepted.csv", "flows.csv", "incidents.csv", "model.csv", "sources.csv", "systems.csv", "taxonomy.csv"]
    result = runner.invoke(main, ["export", str(tmp_path / "missing.yaml"), "--to", "json"])
    assert result.exit_code == 2 and result.stderr.startswith("Error: ")
