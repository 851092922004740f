"""The per-system view: where a system's data goes, for what, and the findings it takes part in,
checked against a brute-force search over the model's flows."""

from __future__ import annotations

import json
from collections import deque

import pytest
from click.testing import CliRunner
from conftest import ROOT

from flowmap.analysis import analyze
from flowmap.cli import main
from flowmap.loader import load_model
from flowmap.system_view import system_view
from flowmap.taxonomy import ancestors

EU = ROOT / "models" / "eu-interoperability.yaml"


@pytest.fixture(scope="module")
def eu():
    return load_model(EU)


def hops(model):
    """(source, target, flow) for every direction of every flow."""
    out = []
    for flow in model.flows:
        out.append((flow.source, flow.target, flow))
        if flow.bidirectional:
            out.append((flow.target, flow.source, flow))
    return out


def brute_force(model, origin: str, category: str) -> tuple[set[str], set[str]]:
    """The systems ``origin``'s ``category`` data reaches, and the flows it crosses: a search over
    (system, flow it arrived by), honouring each flow's ``forwards``, ``transform`` and ``returns`` (a
    hit/no-hit flag or a reference crosses the flow, nothing arrives)."""
    def carries(flow):  # anonymised or aggregated: statistics, no one's data
        return flow.transform not in ("anonymised", "aggregated") and any(a in flow.data for a in ancestors(category))

    def passes(flow, at, via):
        forwards = flow.forwards
        return forwards == "all" or at == origin or (isinstance(forwards, list) and via in forwards)

    seen, crossed = {(origin, None)}, set()
    queue = deque(seen)
    while queue:
        at, via = queue.popleft()
        for source, target, flow in hops(model):
            if source == at and carries(flow) and passes(flow, at, via):
                crossed.add(flow.id)
                if flow.returns not in ("hit_no_hit", "reference") and (target, flow.id) not in seen:
                    seen.add((target, flow.id))
                    queue.append((target, flow.id))
    return {system for system, _ in seen}, crossed


def own_categories(model, system_id):
    holds = set(model.system(system_id).holds)
    carried = {d for f in model.flows for d in f.data}
    return holds | {d for d in carried if any(a in holds for a in ancestors(d)[1:])}


def test_eurodac_reach_uses_and_findings_match_the_model(eu):
    view = system_view(eu, "eurodac")
    assert set(view.categories) == own_categories(eu, "eurodac")
    reached_by_category, crossed = {}, set()
    for category in view.categories:
        systems, flows = brute_force(eu, "eurodac", category)
        reached_by_category[category] = systems - {"eurodac"}
        crossed |= flows
    assert {c: set(s) for c, s in view.reach.items()} == {c: s for c, s in reached_by_category.items() if s}
    assert {r.system for r in view.reached} == set().union(*reached_by_category.values())
    assert len(view.reached) >= 10  # Eurodac's data goes far: the comparison is about something
    for r in view.reached:  # each route is real: consecutive hops by flows that exist, ending at the system
        assert r.route.systems[0] == "eurodac" and r.route.systems[-1] == r.system
        assert r.categories == sorted(c for c, s in reached_by_category.items() if r.system in s)
        for (a, b), flow_id in zip(zip(r.route.systems, r.route.systems[1:]), r.route.flows):
            flow = next(f for f in eu.flows if f.id == flow_id)
            assert {a, b} == {flow.source, flow.target}
    flows = {f.id: f for f in eu.flows}
    assert {u.purpose for u in view.uses} == {p for f in crossed for p in flows[f].purposes}
    for use in view.uses:
        assert set(use.flows) == {f for f in crossed if use.purpose in flows[f].purposes}
    standings = {u.purpose: u.standing for u in view.uses}
    assert standings["protection.asylum"] == "collection"
    assert standings["enforcement.law"] == "added_by_law"  # Reg. 2024/1358 added law-enforcement access


def test_eurodac_findings_are_those_its_data_takes_part_in(eu):
    report = analyze(eu)
    view = system_view(eu, "eurodac", report=report)
    ids = [i.finding.id for i in view.findings]
    assert ids == [f.id for f in report.findings if f.id in set(ids)]  # in rank order
    assert {f.id for f in report.findings if "eurodac" in f.origins} <= set(ids)
    assert any(i.finding.established for i in view.findings)
    crossed = set()
    for category in view.categories:
        crossed |= brute_force(eu, "eurodac", category)[1]
    for item in view.findings:
        finding = item.finding
        if finding.anchor.type == "flow":
            assert finding.anchor.id in crossed
            assert item.route.flows[-1] == finding.anchor.id
        else:
            assert item.route.systems[-1] == finding.anchor.id
        assert item.route.systems[0] == "eurodac" and item.categories
        assert set(item.categories) <= set(view.categories)
    unrelated = [f.id for f in report.findings if f.anchor.type == "flow" and f.anchor.id not in crossed]
    assert not set(unrelated) & set(ids)


def test_a_finding_beyond_the_origins_cap_still_counts(write_model):
    from flowmap.findings import LIST_CAP

    origins = [{"id": f"o{n:02d}", "sector": "health", "holds": ["special.health"], "purposes": ["services.health"]}
               for n in range(LIST_CAP + 3)]
    path = write_model({"flowmap": 1, "name": "x", "systems": [
        *origins, {"id": "hub", "sector": "interoperability", "kind": "component"},
        {"id": "police", "sector": "police", "actor": "law_enforcement"}],
        "flows": [*({"from": o["id"], "to": "hub", "data": ["special.health"], "purpose": "services.health"}
                    for o in origins),
                  {"from": "hub", "to": "police", "data": ["special.health"], "purpose": "enforcement.law"}]})
    model = load_model(path)
    last = origins[-1]["id"]
    exposure = next(f for f in analyze(model).findings if f.id == "exposure:hub->police")
    assert last not in exposure.origins and exposure.origins_total == len(origins)  # capped
    view = system_view(model, last)
    assert "exposure:hub->police" in [i.finding.id for i in view.findings]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_cli_formats_and_unknown_system():
    table = run("system", EU, "eurodac")
    assert table.exit_code == 0
    headings = [line.split(" (")[0] for line in table.stdout.splitlines()[1:] if line[:1].isalpha()]
    assert headings[:3] == ["WHERE ITS DATA GOES", "WHAT FOR", "FINDINGS ITS DATA TAKES PART IN"]
    data = json.loads(run("system", EU, "eurodac", "--format", "json").stdout)
    view = system_view(load_model(EU), "eurodac")
    assert data == json.loads(json.dumps(view.to_dict()))
    markdown = run("system", EU, "eurodac", "--format", "markdown").stdout
    assert [line for line in markdown.splitlines() if line.startswith("### ")] == [
        f"### Systems its data reaches ({len(view.reached)})", f"### Purposes it is used for ({len(view.uses)})",
        f"### Findings its data takes part in ({len(view.findings)})"]
    high = json.loads(run("system", EU, "eurodac", "--format", "json", "--min-confidence", "high").stdout)
    assert all(f["confidence"] == "high" for f in high["findings"])
    bad = run("system", EU, "eurodak")
    assert bad.exit_code == 2
    assert bad.stderr == "Error: unknown system 'eurodak' (did you mean 'eurodac'?): use the id of a system of the model\n"
