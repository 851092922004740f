"""Map data, layout and HTML, without a browser."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from conftest import build
from map_fixtures import HOSTILE, hostile_model_data, small_model_data

from flowmap.cli import main
from flowmap.errors import UsageError
from flowmap.findings import Anchor, Confidence, Finding, Kind, Severity
from flowmap.maps import build_map_data, map_fragment, render_html, render_map
from flowmap.maps.html import csp_hash, escape_json
from flowmap.maps.layout import layout_positions
from flowmap.model import System


def model_from(data: dict):
    top = {k: v for k, v in data.items() if k not in ("systems", "flows", "flowmap")}
    return build(data["systems"], data["flows"], **top)


@pytest.fixture
def small():
    return model_from(small_model_data())


def finding(fid: str, kind: Kind, anchor: str, *, flows=(), paths=(), systems=(), confidence=Confidence.high,
            severity=Severity.high, rank=0, categories=()) -> Finding:
    """A finding anchored at a flow (an id with ``->`` or ``-``) or at a system."""
    where = Anchor("flow" if "-" in anchor else "system", anchor)
    return Finding(id=fid, rule=kind.value, kind=kind, severity=severity, confidence=confidence, title=f"t {fid}",
                   message="m", anchor=where, flows=list(flows), paths=[list(p) for p in paths],
                   systems=list(systems), rank=rank, categories=list(categories))


def test_nodes_are_the_systems_with_shape_size_and_actor_mark(small):
    data = build_map_data(small)
    nodes = {n["id"]: n for n in data.nodes}
    assert [n["id"] for n in data.nodes] == ["asylum", "clinic", "hub", "police", "stats"]
    assert nodes["police"]["label"] == "\u2691 Police" and nodes["police"]["actor"] == "law_enforcement"
    assert "actor" not in nodes["clinic"]
    assert {k: nodes[k]["kind"] for k in nodes} == {
        "asylum": "registry", "clinic": "database", "hub": "component", "police": "authority", "stats": "service"}
    # size by the most sensitive data held or received: asylum claim (critical), health (special),
    # stats receives only identity.biographic (medium)
    assert nodes["asylum"]["size"] == 34 and nodes["clinic"]["size"] == 28 and nodes["police"]["size"] == 34
    assert nodes["stats"]["size"] == 16
    assert data.legend["sectors"] == [["asylum", "#117733"], ["police", "#882255"], ["health", "#DDCC77"],
                                      ["welfare", "#EE8866"], ["interoperability", "#EEDD88"]]
    assert data.legend["kinds"] == [["database", "dot"], ["registry", "square"], ["component", "diamond"],
                                    ["service", "hexagon"], ["authority", "triangle"]]
    assert data.physics is True


def test_edges_are_the_flows_styled_by_security_and_sensitivity(small):
    data = build_map_data(small)
    edges = {e["id"]: e for e in data.edges}
    assert sorted(edges) == ["asylum->hub", "asylum->police", "clinic->hub", "hub->police", "hub-stats"]
    assert {k: e["style"] for k, e in edges.items()} == {
        "asylum->hub": "normal", "asylum->police": "unknown", "clinic->hub": "insecure",
        "hub->police": "unknown", "hub-stats": "normal"}
    assert edges["asylum->police"]["width"] == 5.4  # critical
    assert edges["asylum->hub"]["width"] == 2.1  # medium
    assert edges["hub-stats"].get("both") is True and "both" not in edges["hub->police"]
    rows = data.edge_details[edges["hub->police"]["rows"]]
    assert rows == [["purpose", "enforcement.law"], ["mode", "query"],
                    ["transport", "encrypted: unknown; authenticated: unknown; logged: unknown"],
                    ["legal basis", "none known"]]


def test_findings_style_the_flows_they_are_anchored_at(small):
    findings = [
        # the flow is read from the anchor, never from the id
        finding("function_creep:hub->police", Kind.function_creep, "hub->police", flows=["clinic->hub", "hub->police"],
                paths=[["clinic", "hub", "police"]]),
        finding("insecure_link:asylum->police", Kind.insecure_link, "asylum->police"),
        finding("insecure_link:hub-stats", Kind.insecure_link, "hub-stats", confidence=Confidence.low),
    ]
    data = build_map_data(small, findings=findings)
    edges = {e["id"]: e for e in data.edges}
    style = {k: e["style"] for k, e in edges.items()}
    assert style["hub->police"] == "creep" and style["clinic->hub"] == "insecure"  # the latter from its transport
    assert style["asylum->police"] == "insecure" and style["hub-stats"] == "normal"  # an unknown is not a style
    assert {k: e.get("severity") for k, e in edges.items()} == {
        "hub->police": "high", "asylum->police": "high", "hub-stats": "high", "clinic->hub": None, "asylum->hub": None}
    assert data.edge_details[edges["hub->police"]["rows"]][0] == ["worst finding here", "high (function creep)"]
    view = data.findings[0]
    assert view["anchor"] == ["flow", "hub->police"]
    assert view["paths"] == [["clinic", "hub", "police"]]
    assert view["pathFlows"] == [["clinic->hub", "hub->police"]]


def test_the_worst_finding_anchored_at_a_flow_decides_its_style(small):
    def at(flow, creep, insecure):
        return [finding(f"function_creep:{flow}", Kind.function_creep, flow, severity=creep),
                finding(f"insecure_link:{flow}", Kind.insecure_link, flow, severity=insecure),
                finding(f"exposure:{flow}", Kind.exposure, flow, severity=Severity.critical)]

    data = build_map_data(small, findings=[*at("asylum->hub", Severity.critical, Severity.medium),
                                           *at("hub-stats", Severity.low, Severity.high)])
    edges = {e["id"]: e for e in data.edges}
    assert edges["asylum->hub"]["style"] == "creep" and edges["hub-stats"]["style"] == "insecure"
    assert edges["asylum->hub"]["severity"] == edges["hub-stats"]["severity"] == "critical"  # the exposure


def test_findings_are_listed_established_first_then_questions_by_rank(small):
    findings = [
        finding("q:hub", Kind.accountability_gap, "hub", confidence=Confidence.low, severity=Severity.medium, rank=2),
        finding("e:clinic", Kind.model_quality, "clinic", severity=Severity.low, rank=3),
        finding("e:hub->police", Kind.exposure, "hub->police", severity=Severity.critical, rank=1),
        finding("q:police", Kind.accountability_gap, "police", confidence=Confidence.low, severity=Severity.low, rank=4),
    ]
    data = build_map_data(small, findings=findings)
    assert [(f["id"], f["confidence"]) for f in data.findings] == [
        ("e:hub->police", "high"), ("e:clinic", "high"), ("q:hub", "low"), ("q:police", "low")]
    assert data.findings[2]["anchor"] == ["system", "hub"] and data.findings[2]["paths"] == []


def test_path_hops_the_finding_names_no_flow_for_are_found_in_the_graph(small):
    wanted = finding("exposure:hub->police", Kind.exposure, "hub->police", paths=[["clinic", "hub", "police"]],
                     flows=["hub->police"], categories=["special.health"])
    both_ways = finding("x:hub-stats", Kind.exposure, "hub-stats", paths=[["stats", "hub"]])
    data = build_map_data(small, findings=[wanted, both_ways])
    assert data.findings[0]["pathFlows"] == [["clinic->hub", "hub->police"]]
    assert data.findings[1]["pathFlows"] == [["hub-stats"]]  # a bidirectional flow, used backwards


def test_tooltip_rows_say_what_a_system_holds_and_receives(small):
    rows = dict(map(tuple, build_map_data(small).details["police"]))
    assert "" not in rows and "kind" not in rows  # the heading: the page writes it from the node
    assert rows["actor of concern"] == "law_enforcement"
    assert str(rows["receives"]) == ("identity.biographic from asylum; migration.asylum_claim from asylum; "
                                     "special.health from clinic")
    assert rows["controls"].startswith("encryption at rest: unknown;")
    clinic = dict(map(tuple, build_map_data(small).details["clinic"]))
    assert clinic["operator"] == "Health board" and clinic["retention"] == "P5Y"
    assert clinic["controls"].startswith("encryption at rest: yes;")


def test_focus_keeps_paths_through_a_system(small):
    data = build_map_data(small, focus="clinic")
    assert [n["id"] for n in data.nodes] == ["clinic", "hub", "police", "stats"]
    assert [e["id"] for e in data.edges] == ["clinic->hub", "hub->police", "hub-stats"]
    assert "focus: clinic" in data.subtitle
    # a bidirectional flow is a path both ways: stats reaches police through the hub
    assert [e["id"] for e in build_map_data(small, focus="stats").edges] == [
        "asylum->hub", "clinic->hub", "hub->police", "hub-stats"]


def test_category_keeps_flows_that_carry_it(small):
    data = build_map_data(small, category="special")
    assert [e["id"] for e in data.edges] == ["clinic->hub", "hub->police"]
    assert [n["id"] for n in data.nodes] == ["clinic", "hub", "police"]


def test_unknown_focus_or_category_is_a_usage_error(small):
    with pytest.raises(UsageError, match="unknown system 'polce' \\(did you mean 'police'\\?\\)"):
        build_map_data(small, focus="polce")
    with pytest.raises(UsageError, match="unknown category 'special.healt'"):
        build_map_data(small, category="special.healt")


def test_status_styling_for_diff_maps(small):
    data = build_map_data(small, node_status={"stats": "added", "police": "removed"},
                          edge_status={"hub-stats": "added", "asylum->police": "changed"},
                          findings=[finding("x:1", Kind.exposure, "hub->police")], finding_badges={"x:1": "new"})
    nodes = {n["id"]: n for n in data.nodes}
    assert nodes["stats"]["status"] == "added" and nodes["police"]["status"] == "removed"
    assert "status" not in nodes["hub"]
    assert {e["id"]: e.get("status") for e in data.edges}["asylum->police"] == "changed"
    assert data.legend["statuses"] == [["added", "#228833", 1.0], ["removed", "#BBBBBB", 0.35],
                                       ["changed", "#EE7733", 1.0]]
    assert data.findings[0]["badge"] == "new"
    with pytest.raises(UsageError, match="unknown map status 'gone'"):
        build_map_data(small, node_status={"stats": "gone"})


def test_findings_beyond_the_limit_are_counted_not_listed(small):
    many = [finding(f"exposure:clinic-hub:{i:03d}", Kind.exposure, "clinic->hub", rank=i) for i in range(12)]
    data = build_map_data(small, findings=many, max_findings=5)
    assert len(data.findings) == 5 and data.options["findingsTotal"] == 12
    assert [f["rank"] for f in data.findings] == [0, 1, 2, 3, 4]
    assert "5 of 12 findings listed" in data.subtitle


def test_layout_is_stable_when_a_system_is_added():
    systems = [System(id=f"s{i:03d}", sector="police" if i % 2 else "asylum") for i in range(30)]
    before = layout_positions(systems, [], ["asylum", "police"])
    after = layout_positions(systems + [System(id="new-one", sector="police")], [], ["asylum", "police"])
    moved = [k for k in before if before[k] != after[k]]
    assert len(moved) <= 2
    assert len(set(after.values())) == len(after)  # no two systems share a place


def test_render_is_byte_identical_and_independent_of_file_order(small):
    data = small_model_data()
    again = small_model_data()
    again["systems"].reverse()
    again["flows"].reverse()
    first = render_map(small)
    assert first == render_map(model_from(data))
    assert first == render_map(model_from(again))


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.script_texts: list[str] = []
        self.style_texts: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in ("script", "style") else None

    def handle_data(self, data):
        if self._in == "script" and self.tags[-1][1].get("type") != "application/json":
            self.script_texts.append(data)
        elif self._in == "style":
            self.style_texts.append(data)

    def handle_endtag(self, tag):
        self._in = None


def test_injection_model_stays_text():
    page = render_html(build_map_data(model_from(hostile_model_data()), title=None))
    parser = _Tags()
    parser.feed(page)
    tags = [t for t, _ in parser.tags]
    assert "img" not in tags
    assert tags.count("script") == 4  # vis-network, data and details (JSON), the page script
    assert all(not name.startswith("on") for _, attrs in parser.tags for name in attrs)
    assert HOSTILE not in page and "<img src=x" not in page
    assert page.count("</script>") == 4
    title = re.search(r"<title>(.*)</title>", page).group(1)
    assert title == "Title &lt;img src=x onerror=&quot;window.__pwned=1;alert(1)&quot;&gt;&lt;/script&gt;" \
                    "&lt;script&gt;window.__pwned=2&lt;/script&gt;&#x27;&quot;[U+202E]\u200f&amp;amp;"
    assert "\u202e" not in page and "\\u202e" not in page  # overrides are shown, not applied


def test_page_is_offline_and_its_policy_allows_exactly_its_inline_code(small):
    page = render_map(small)
    parser = _Tags()
    parser.feed(page)
    for _, attrs in parser.tags:
        for name in ("src", "href"):
            assert not re.match(r"\s*(https?:)?//", attrs.get(name) or ""), attrs
    csp = next(a["content"] for t, a in parser.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    assert csp.startswith("default-src 'none'; script-src 'sha256-")
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    scripts = re.search(r"script-src ([^;]*);", csp).group(1).split()
    styles = re.search(r"style-src ([^;]*);", csp).group(1).split()
    assert scripts == [csp_hash(s) for s in parser.script_texts] and len(scripts) == 2
    assert styles == [csp_hash(s) for s in parser.style_texts] and len(styles) == 2
    assert "sourceMappingURL" not in page


def test_escape_json_escapes_markup_and_line_separators():
    text = escape_json({"k": "</script>&\u2028\u2029<!--"})
    assert text == '{"k":"\\u003c/script\\u003e\\u0026\\u2028\\u2029\\u003c!--"}'


def test_fragment_exposes_parts_and_hashes(small):
    fragment = map_fragment(build_map_data(small))
    assert fragment.script_hashes() == [csp_hash(s) for s in fragment.scripts]
    assert 'id="fm-network"' in fragment.markup and 'id="fm-data"' in fragment.markup
    assert fragment.html().count("</script>") == 4  # vis-network, data, details, page script


def test_cli_writes_default_output_atomically(write_model, tmp_path, monkeypatch):
    path = write_model(small_model_data())
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["map", str(path), "--no-findings"])
    assert result.exit_code == 0, result.output
    written = tmp_path / "output" / "small-test-map.html"
    page = written.read_text("utf-8")
    assert "<title>Small test map</title>" in page and '"findings":[]' in page
    assert [p.name for p in (tmp_path / "output").iterdir()] == ["small-test-map.html"]


def test_cli_bad_focus_exits_2_without_writing(write_model, tmp_path):
    path = write_model(small_model_data())
    target = tmp_path / "out" / "m.html"
    result = CliRunner().invoke(main, ["map", str(path), "--focus", "polce", "-o", str(target)])
    assert result.exit_code == 2
    assert "Error: unknown system 'polce' (did you mean 'police'?)" in result.output
    assert not target.exists()


def test_cli_invalid_model_exits_2(write_model, tmp_path):
    path = write_model("flowmap: 1\nname: x\nsystems: []\n")
    target = tmp_path / "m.html"
    result = CliRunner().invoke(main, ["map", str(path), "-o", str(target)])
    assert result.exit_code == 2 and "Error: " in result.output and "Traceback" not in result.output
    assert not target.exists()


def test_cli_title_option(write_model, tmp_path):
    path = write_model(small_model_data())
    target = tmp_path / "m.html"
    result = CliRunner().invoke(main, ["map", str(path), "-o", str(target), "--title", "A & B"])
    assert result.exit_code == 0
    assert "<title>A &amp; B</title>" in target.read_text("utf-8")


def test_focus_map_lists_only_findings_whose_anchor_it_draws(small):
    findings = [
        finding("exposure:hub->police", Kind.exposure, "hub->police", paths=[["clinic", "hub", "police"]]),
        finding("exposure:asylum->police", Kind.exposure, "asylum->police", paths=[["asylum", "police"]]),
        finding("accountability_gap:hub:no_oversight", Kind.accountability_gap, "hub"),
        finding("accountability_gap:asylum:no_redress", Kind.accountability_gap, "asylum"),
    ]
    data = build_map_data(small, findings=findings, focus="clinic")
    assert [f["id"] for f in data.findings] == ["accountability_gap:hub:no_oversight", "exposure:hub->police"]


def test_large_models_get_computed_positions_and_no_physics():
    from flowmap.synth import synthesize
    from flowmap.validate import build_model

    data = synthesize(320, seed=4)
    model = build_model(data, "synth.json")
    first = build_map_data(model)
    assert first.physics is False and build_map_data(model, physics_limit=400).physics is True
    assert len(first.nodes) == len(model.systems) >= 320 and len(first.edges) == len(model.flows)
    assert len({(n["x"], n["y"]) for n in first.nodes}) == len(model.systems)
    shuffled = dict(data, systems=list(reversed(data["systems"])), flows=list(reversed(data["flows"])))
    assert render_html(first) == render_html(build_map_data(build_model(shuffled, "synth.json")))


@pytest.mark.parametrize("name", ["fig.jpg", "map.htm", "noext", "r.docx"])
def test_cli_refuses_an_extension_it_cannot_write(write_model, tmp_path, name):
    path = write_model(small_model_data())
    target = tmp_path / name
    result = CliRunner().invoke(main, ["map", str(path), "-o", str(target)])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"Error: -o {target}: map cannot write")
    assert not target.exists()


def test_large_models_open_as_clusters_by_sector_operator_or_jurisdiction(small):
    from flowmap.maps.clusters import aggregate
    from flowmap.synth import synthesize
    from flowmap.validate import build_model

    assert build_map_data(small).lod is None  # small models open as today
    data = build_map_data(small, cluster_limit=3)
    assert data.physics is False and data.lod["by"] == "sector" and data.lod["limit"] == 3
    sectors = data.lod["groupings"]["sector"]
    assert [c["key"] for c in sectors["clusters"]] == ["asylum", "police", "health", "welfare", "interoperability"]
    operators = data.lod["groupings"]["operator"]
    assert [(c["key"], c["count"]) for c in operators["clusters"]] == [("(no operator)", 4), ("Health board", 1)]
    assert operators["of"] == [0, 1, 0, 0, 0]  # nodes in id order: asylum, clinic, hub, police, stats
    index = {n["id"]: i for i, n in enumerate(data.nodes)}
    links = aggregate(data.edges, operators["of"], index)
    assert links == [{"from": 1, "to": 0, "count": 1, "severity": None, "width": 1.0}]
    model = build_model(synthesize(450, seed=5), "synth.json")
    lod = build_map_data(model).lod
    assert lod is not None
    for grouping in lod["groupings"].values():
        assert sum(c["count"] for c in grouping["clusters"]) == len(model.systems) == len(grouping["of"])
        assert len(grouping["clusters"]) <= 80
