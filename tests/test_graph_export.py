"""Graph exports read back with networkx: same nodes, edges and attributes; propagation on the nodes."""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import networkx as nx
import pytest
from click.testing import CliRunner
from conftest import ROOT, build

from flowmap.analysis import analyze
from flowmap.cli import main
from flowmap.graph_export import graph_bytes, model_graph
from flowmap.loader import load_model
from flowmap.maps.style import SEVERITY_COLOURS


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


def _read(fmt: str, data: bytes):
    if fmt == "graphml":
        return nx.read_graphml(io.BytesIO(data), force_multigraph=True)
    if fmt == "gexf":
        return nx.read_gexf(io.BytesIO(data))
    return nx.node_link_graph(json.loads(data), edges="links")


def eu_model():
    return load_model(ROOT / "models" / "eu-interoperability.yaml")


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
@pytest.mark.parametrize("source", ["small", "eu"])
def test_read_back_with_networkx(fmt, source):
    model = small_model() if source == "small" else eu_model()
    expected = model_graph(model, viz=fmt == "gexf")
    for _, _, data in expected.edges(data=True):
        data.pop("viz", None)  # GEXF holds a flow's viz; networkx does not read it back
    graph = _read(fmt, graph_bytes(model, fmt))
    graph = graph if graph.is_multigraph() else nx.MultiDiGraph(graph)  # see the test below
    assert sorted(graph.nodes) == sorted(expected.nodes)
    for node, attributes in expected.nodes(data=True):
        assert {k: v for k, v in graph.nodes[node].items() if k != "label" or fmt != "gexf"} == {
            k: v for k, v in attributes.items() if k != "label" or fmt != "gexf"}, node
        assert graph.nodes[node].get("label") == attributes["label"]
    assert _edges(graph) == _edges(expected)


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
@pytest.mark.parametrize("source", ["small", "eu"])
def test_every_export_reads_back_as_the_graph_it_is_with_flow_ids(fmt, source):
    """A MultiDiGraph keyed by flow id, as exported. GraphML and JSON read back as one always
    (GraphML with networkx's ``force_multigraph=True``); networkx's GEXF reader has no such
    option and returns a DiGraph when no two flows join the same two systems (the EU model),
    each edge keeping its key as the attribute ``id``."""
    model = small_model() if source == "small" else eu_model()
    exported = model_graph(model)
    parallel = any(len(keys) > 1 for _, _, keys in ((u, v, exported[u][v]) for u, v in exported.edges()))
    assert parallel == (source == "small")
    graph = _read(fmt, graph_bytes(model, fmt))
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (exported.number_of_nodes(),
                                                                  exported.number_of_edges())
    if fmt == "gexf" and not parallel:
        assert type(graph) is nx.DiGraph
        assert sorted((u, v, d["id"]) for u, v, d in graph.edges(data=True)) == sorted(exported.edges(keys=True))
    else:
        assert type(graph) is nx.MultiDiGraph
        assert sorted(graph.edges(keys=True)) == sorted(exported.edges(keys=True))
    if fmt == "graphml":
        assert type(nx.read_graphml(io.BytesIO(graph_bytes(model, fmt)))) is (
            nx.MultiDiGraph if parallel else nx.DiGraph)  # without force_multigraph, networkx's same rule


def test_gexf_carries_the_maps_layout_and_colours_in_gephis_viz_namespace():
    from networkx.readwrite.gexf import GEXF

    from flowmap.maps import build_map_data

    model = eu_model()
    data = graph_bytes(model, "gexf")
    namespaces = GEXF.versions["1.2draft"]  # what networkx writes and reads
    root = ET.fromstring(data)
    assert root.tag == f"{{{namespaces['NS_GEXF']}}}gexf" and root.get("version") == "1.2"
    assert b'xmlns:viz="http://www.gexf.net/1.2draft/viz"' in data
    viz = f"{{{namespaces['NS_VIZ']}}}"
    nodes = root.findall(f".//{{{namespaces['NS_GEXF']}}}node")
    assert len(nodes) == len(model.systems)
    assert all(n.find(f"{viz}position") is not None and n.find(f"{viz}color") is not None for n in nodes)
    # the positions, sizes and colours of the map (and of `flowmap map -o fig.svg`); Gephi's y points up
    graph = nx.read_gexf(io.BytesIO(data))
    drawn = build_map_data(model)
    colours = dict(map(tuple, drawn.legend["sectors"]))
    for node in drawn.nodes:
        look = graph.nodes[node["id"]]["viz"]
        assert look["position"] == {"x": node["x"], "y": -node["y"], "z": 0.0}
        assert look["size"] == node["size"]
        assert "#{r:02X}{g:02X}{b:02X}".format(**look["color"]) == colours[node["sector"]].upper()
    assert len({(n["viz"]["position"]["x"], n["viz"]["position"]["y"]) for _, n in graph.nodes(data=True)}) == len(
        model.systems)
    # a flow is coloured by the worst finding anchored at it, and as wide as on the map
    exported = model_graph(model)
    widths = {e["id"]: e["width"] for e in drawn.edges}
    for edge in root.iter(f"{{{namespaces['NS_GEXF']}}}edge"):
        source, target, key = edge.get("source"), edge.get("target"), edge.get("id")
        worst = exported.edges[source, target, key]["worst_severity"]
        colour = edge.find(f"{viz}color")
        expected = SEVERITY_COLOURS.get(worst, "#9E9E9E")
        assert "#{:02X}{:02X}{:02X}".format(*(int(colour.get(c)) for c in "rgb")) == expected.upper(), key
        assert float(edge.find(f"{viz}thickness").get("value")) == widths[key.removesuffix(" (reverse)")]
    assert {exported.edges[e]["worst_severity"] for e in exported.edges(keys=True)} >= {"", "critical"}


def test_graphml_and_gexf_carry_the_findings_of_each_system_and_flow():
    model = eu_model()
    findings = analyze(model).findings
    worst = max(findings, key=lambda f: f.severity)
    at_flow = next(f for f in findings if f.anchor.type == "flow")
    at_system = next(f for f in findings if f.anchor.type == "system")
    for fmt in ("graphml", "gexf"):
        graph = _read(fmt, graph_bytes(model, fmt, findings))
        graph = graph if graph.is_multigraph() else nx.MultiDiGraph(graph)
        flows = {d["flow"]: d for _, _, d in graph.edges(data=True) if not d["reverse"]}
        here = [f for f in findings if f.anchor == at_flow.anchor]
        assert flows[at_flow.anchor.id]["findings"] == len(here)
        assert flows[at_flow.anchor.id]["worst_severity"] == max(f.severity for f in here).name
        assert set(flows[at_flow.anchor.id]["finding_kinds"].split("; ")) == {f.kind.value for f in here}
        system = graph.nodes[at_system.anchor.id]
        assert at_system.kind.value in system["finding_kinds"].split("; ") and system["findings"] >= 1
        assert worst.severity.name in {d["worst_severity"] for d in (*flows.values(), *dict(graph.nodes(data=True)).values())}


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
