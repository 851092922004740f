"""Maps in real headless Chromium: offline, exact, interactive and inert to injection."""

from __future__ import annotations

import pytest
from browser_support import browser, open_page  # noqa: F401  (fixtures)
from map_fixtures import HOSTILE, HOSTILE_SHOWN, hostile_model_data, small_model_data
from test_maps import model_from

from flowmap.analysis import analyze
from flowmap.figure import figure_bytes
from flowmap.findings import Anchor, Confidence, Finding, Kind, Severity
from flowmap.maps import build_map_data, render_html, render_map
from flowmap.maps.clusters import aggregate
from flowmap.synth import synthesize
from flowmap.validate import build_model

pytestmark = pytest.mark.browser

READY = "window.flowmapMap && window.flowmapMap.state.ready"


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("maps")
    small = model_from(small_model_data())
    hostile = model_from(hostile_model_data())
    large = build_model(synthesize(420, seed=3), "synth.json")
    files = {
        "small": (small, render_map(small)),
        "crafted": (small, render_html(build_map_data(small, findings=CRAFTED))),
        "hostile": (hostile, render_map(hostile)),
        "large": (large, render_html(build_map_data(large, cluster_limit=1000))),
        "clustered": (large, render_html(build_map_data(large, findings=analyze(large).findings))),
    }
    out = {}
    for name, (model, text) in files.items():
        path = folder / f"{name}.html"
        path.write_text(text, encoding="utf-8")
        out[name] = (model, path)
    return out


CRAFTED = [  # a question anchored at a system with a witness path, and an established finding at a flow
    Finding(id="accountability_gap:hub:no_oversight", rule="accountability_gap", kind=Kind.accountability_gap,
            severity=Severity.critical, confidence=Confidence.low, title="Oversight of the hub", message="m",
            anchor=Anchor("system", "hub"), paths=[["stats", "hub"]], question="Is there independent oversight of the hub?",
            rank=1),
    Finding(id="exposure:asylum->police", rule="exposure", kind=Kind.exposure, severity=Severity.low,
            confidence=Confidence.high, title="Asylum claims enter the police", message="m",
            anchor=Anchor("flow", "asylum->police"), paths=[["asylum", "police"]], flows=["asylum->police"], rank=2),
]


def lit_state(page) -> dict:
    return page.evaluate("""() => {
        const m = window.flowmapMap, o = {};
        m.nodes.get().forEach(n => { o[n.id] = n.opacity; });
        m.edges.get().forEach(e => { o[e.id] = e.color.opacity; });
        return {opacity: o, highlighted: m.state.highlighted};
    }""")


def drawn(page) -> dict:
    return page.evaluate("""() => {
        const m = window.flowmapMap, body = m.network.body;
        return {nodes: body.nodeIndices.slice().sort(), visEdges: body.edgeIndices.slice().sort(),
                dataEdges: m.edges.getIds().sort(), drawnEdges: m.state.drawnEdges, big: m.state.big};
    }""")


def test_small_map_is_offline_clean_and_exact(open_page, pages):
    model, path = pages["small"]
    page, log = open_page(path, wait_for=READY)
    assert log.external_requests == []
    assert log.console_errors == [] and log.page_errors == []
    seen = drawn(page)
    assert seen["nodes"] == sorted(s.id for s in model.systems)
    assert seen["visEdges"] == seen["dataEdges"] == sorted(f.id for f in model.flows)
    assert page.title() == "Small test map"


def test_large_map_draws_every_flow_itself(open_page, pages):
    model, path = pages["large"]
    page, log = open_page(path, wait_for=READY)
    assert log.external_requests == [] and log.console_errors == [] and log.page_errors == []
    seen = drawn(page)
    assert seen["big"] is True and seen["visEdges"] == []
    assert seen["nodes"] == sorted(s.id for s in model.systems)
    assert seen["dataEdges"] == sorted(f.id for f in model.flows)
    assert seen["drawnEdges"] == len(model.flows)


def test_clicking_a_finding_lights_up_its_anchor_and_every_witness_path(open_page, pages):
    model, path = pages["small"]
    page, _ = open_page(path, wait_for=READY)
    wanted = next(f for f in analyze(model).findings if f.anchor.type == "flow" and any(len(p) > 2 for p in f.paths))
    flow = next(f for f in model.flows if f.id == wanted.anchor.id)
    nodes = {flow.source, flow.target, *(s for p in wanted.paths for s in p)}
    flows = {wanted.anchor.id}
    for p in wanted.paths:  # each hop's flow: one the finding names (its witness paths' flows are among them)
        for a, b in zip(p, p[1:]):
            flows.add(next(f.id for f in model.flows if f.id in wanted.flows and (f.source, f.target) == (a, b)))
    page.locator(f".fm-finding[data-index='{wanted_index(page, wanted.id)}']").click()
    state = lit_state(page)
    lit = {k for k, v in state["opacity"].items() if v == 1}
    assert lit == nodes | flows
    assert state["highlighted"] == {"nodes": sorted(nodes), "edges": sorted(flows), "anchor": ["flow", wanted.anchor.id]}
    assert all(v == pytest.approx(0.12) for k, v in state["opacity"].items() if k not in lit)
    assert page.locator(".fm-finding.fm-active").count() == 1
    page.click("#fm-reset")
    assert page.evaluate("window.flowmapMap.state.highlighted") is None
    assert all(v == 1 for v in lit_state(page)["opacity"].values())


def wanted_index(page, finding_id: str) -> int:
    return page.evaluate("(id) => window.flowmapMap.data.findings.findIndex(f => f.id === id)", finding_id)


def test_findings_panel_lists_established_first_and_marks_questions(open_page, pages):
    _, path = pages["crafted"]
    page, log = open_page(path, wait_for=READY)
    groups = page.locator(".fm-group h2").evaluate_all("hs => hs.map(h => h.textContent)")
    assert groups == ["Established (1)", "Questions to answer (rest on unknowns) (1)"]
    items = page.locator(".fm-finding").all_inner_texts()
    assert "Asylum claims enter the police" in items[0]
    assert "question" in items[1].lower() and "Is there independent oversight of the hub?" in items[1]
    # a system anchor: the system and its witness path (stats -> hub, over the bidirectional flow)
    page.locator(".fm-finding", has_text="independent oversight").click()
    state = lit_state(page)
    assert state["highlighted"] == {"nodes": ["hub", "stats"], "edges": ["hub-stats"], "anchor": ["system", "hub"]}
    assert {k for k, v in state["opacity"].items() if v == 1} == {"hub", "stats", "hub-stats"}
    # the severity filter hides what is below it, finding by finding
    page.select_option("#fm-severity", "critical")
    assert page.locator(".fm-finding:visible").count() == 1
    assert log.console_errors == [] and log.page_errors == []


def hover(page, system_id: str) -> None:
    x, y = page.evaluate("""(id) => {
        const net = window.flowmapMap.network, p = net.canvasToDOM(net.getPosition(id));
        const box = document.getElementById('fm-network').getBoundingClientRect();
        return [box.left + p.x, box.top + p.y];
    }""", system_id)
    page.mouse.move(x - 30, y - 30)
    page.mouse.move(x, y, steps=4)
    page.wait_for_selector("#fm-tooltip:not([hidden])", timeout=5000)


def test_hovering_a_node_shows_its_tooltip(open_page, pages):
    _, path = pages["small"]
    page, log = open_page(path, wait_for=READY)
    hover(page, "police")
    text = page.inner_text("#fm-tooltip")
    assert "Police (police)" in text and "law_enforcement" in text and "special.health from clinic" in text
    assert log.console_errors == []


def test_search_filter_and_reset(open_page, pages):
    _, path = pages["small"]
    page, _ = open_page(path, wait_for=READY)
    page.fill("#fm-search", "matching")
    page.press("#fm-search", "Enter")
    details = page.inner_text("#fm-details")
    assert "Matching hub (hub)" in details
    links = page.locator("#fm-details .fm-link").all_inner_texts()
    assert links == ["\u2192 \u2691 Police", "\u2192 Statistics office", "\u2190 Asylum case files",
                     "\u2190 Clinic records", "\u2190 Statistics office"]
    page.locator("input.fm-sector[value='health']").uncheck()
    assert page.evaluate("window.flowmapMap.nodes.get('clinic').hidden") is True
    assert page.evaluate("window.flowmapMap.edges.get('clinic->hub').hidden") is True
    page.select_option("#fm-category", "migration.asylum_claim")
    hidden = page.evaluate("window.flowmapMap.edges.get().filter(e => e.hidden).map(e => e.id).sort()")
    assert hidden == ["asylum->hub", "clinic->hub", "hub->police", "hub-stats"]
    page.click("#fm-reset")
    assert page.evaluate("window.flowmapMap.edges.get().filter(e => e.hidden).length") == 0
    assert page.evaluate("window.flowmapMap.nodes.get('clinic').hidden") is False


def test_injection_model_runs_nothing(open_page, pages):
    model, path = pages["hostile"]
    page, log = open_page(path, wait_for=READY)
    page.locator(".fm-finding").first.click()
    hover(page, "clinic")
    page.evaluate("""() => { const n = window.flowmapMap.network;
        n.selectNodes(['clinic']); n.emit('click', {nodes: ['clinic'], edges: [], pointer: {DOM: {x: 0, y: 0}}}); }""")
    assert model.name == "Title " + HOSTILE
    assert page.title() == "Title " + HOSTILE_SHOWN
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert log.dialogs == [] and log.page_errors == [] and log.console_errors == []
    assert log.external_requests == []
    assert page.locator("img").count() == 0
    assert page.locator("script").count() == 4
    assert HOSTILE_SHOWN in page.inner_text("#fm-tooltip")
    assert HOSTILE_SHOWN in page.inner_text("#fm-details")
    assert page.inner_text("#fm-title") == "Title " + HOSTILE_SHOWN
    assert "\u202e" not in page.content()


def click_node(page, node_id: str) -> None:
    """A real mouse click at a node's place on the canvas."""
    x, y = page.evaluate("""(id) => {
        const net = window.flowmapMap.network, p = net.canvasToDOM(net.getPosition(id));
        const box = document.getElementById('fm-network').getBoundingClientRect();
        return [box.left + p.x, box.top + p.y];
    }""", node_id)
    page.mouse.click(x, y)


def test_a_large_map_opens_as_clusters_and_a_click_expands_one(open_page, pages):
    model, path = pages["clustered"]
    page, log = open_page(path, wait_for=READY)
    data = page.evaluate("window.flowmapMap.data")
    grouping = data["lod"]["groupings"]["sector"]
    clusters = grouping["clusters"]
    state = page.evaluate("window.flowmapMap.state.lod")
    assert state == {"by": "sector", "expanded": [], "revealed": [], "clusters": len(clusters), "systems": 0}
    # the aggregated flows the page draws are those Python computes (same counts, same worst finding)
    index = {n["id"]: i for i, n in enumerate(data["nodes"])}
    expected = {(f"cluster:sector:{a['from']}", f"cluster:sector:{a['to']}"): (a["count"], a["severity"])
                for a in aggregate(data["edges"], grouping["of"], index)}
    seen = page.evaluate("window.flowmapMap.edges.get().map(e => [e.from, e.to, e.count, e.severity])")
    assert {(a, b): (n, s) for a, b, n, s in seen} == expected
    assert page.evaluate("window.flowmapMap.state.drawnEdges") == len(expected)
    biggest = max(range(len(clusters)), key=lambda c: clusters[c]["count"])
    page.evaluate("window.flowmapMap.network.fit({nodes: ['cluster:sector:%d'], animation: false})" % biggest)
    click_node(page, f"cluster:sector:{biggest}")
    state = page.evaluate("window.flowmapMap.state.lod")
    members = sorted(n["id"] for n, c in zip(data["nodes"], grouping["of"]) if c == biggest)
    assert state["expanded"] == [biggest] and state["systems"] == len(members) == clusters[biggest]["count"]
    shown = page.evaluate("window.flowmapMap.nodes.getIds()")
    assert sorted(i for i in shown if not i.startswith("cluster:")) == members
    assert f"cluster:sector:{biggest}" not in shown
    # another grouping, then back to nothing expanded
    page.select_option("#fm-group", "jurisdiction")
    assert page.evaluate("window.flowmapMap.state.lod.by") == "jurisdiction"
    page.click("#fm-reset")
    assert page.evaluate("window.flowmapMap.state.lod.systems") == 0
    assert log.console_errors == [] and log.page_errors == [] and log.external_requests == []


def test_searching_a_system_shows_its_neighbours_k_hops_out(open_page, pages):
    model, path = pages["clustered"]
    page, log = open_page(path, wait_for=READY)
    target = sorted(s.id for s in model.systems if s.sector == "police")[0]
    around = {target}
    for _ in range(2):  # two hops, flows either way
        around |= {f.target for f in model.flows if f.source in around} | {f.source for f in model.flows if f.target in around}
    page.fill("#fm-hops", "2")
    page.fill("#fm-search", target)
    page.press("#fm-search", "Enter")
    found = page.evaluate("window.flowmapMap.state.neighbourhood")
    assert found["id"] == target and found["hops"] == 2 and found["nodes"] == sorted(around)
    shown = set(page.evaluate("window.flowmapMap.nodes.getIds()"))
    assert around <= shown
    lit = {k for k, v in lit_state(page)["opacity"].items() if v == 1}
    assert {k for k in lit if not k.startswith("agg:") and not k.startswith("cluster:") and "->" not in k} == around
    assert "within 2 hops" in page.inner_text("#fm-lod-note")
    assert page.inner_text("#fm-details").startswith(next(s.display_name for s in model.systems if s.id == target))
    assert log.console_errors == [] and log.page_errors == []


def test_clicking_a_finding_on_a_clustered_map_shows_its_systems(open_page, pages):
    model, path = pages["clustered"]
    page, log = open_page(path, wait_for=READY)
    index = page.evaluate("window.flowmapMap.data.findings.findIndex(f => f.paths.length && f.anchor[0] === 'flow')")
    finding = page.evaluate("(i) => window.flowmapMap.data.findings[i]", index)
    page.locator(f".fm-finding[data-index='{index}']").click()
    state = lit_state(page)
    systems = {s for p in finding["paths"] for s in p}
    assert systems <= set(state["highlighted"]["nodes"])
    assert finding["anchor"][1] in state["highlighted"]["edges"]
    assert state["opacity"][finding["anchor"][1]] == 1  # the anchor flow is drawn, lit, between its two systems
    assert log.console_errors == [] and log.page_errors == []


def test_the_svg_figure_of_an_injection_model_runs_nothing_in_chromium(open_page, tmp_path):
    from test_figure import injection_model_data

    model = model_from(injection_model_data())
    path = tmp_path / "figure.svg"
    path.write_bytes(figure_bytes(model, "svg"))
    page, log = open_page(path)
    page.wait_for_timeout(300)
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert log.dialogs == [] and log.page_errors == [] and log.console_errors == []
    assert log.external_requests == []
    assert page.evaluate("document.querySelectorAll('script, foreignObject, a, image, img').length") == 0
    assert page.evaluate("Array.from(document.querySelectorAll('*')).flatMap(e => Array.from(e.attributes))"
                         ".filter(a => a.name.startsWith('on')).length") == 0
    text = page.evaluate("document.documentElement.textContent")
    assert "<img src=x" in text and "onerror=alert(1)>" in text  # shown as text (a long name wraps in two lines)
