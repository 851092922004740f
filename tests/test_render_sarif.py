"""SARIF 2.1.0 output: structure, rule index, levels, locations at each finding's anchor."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from flowmap.analysis import analyze
from flowmap.cli import main
from flowmap.loader import load_model
from flowmap.rules import ALL_RULES

GOLDEN = Path(__file__).parent / "golden"


def _line_of(text: str, needle: str) -> int:
    return text.splitlines().index(needle) + 1


def sarif(path: Path, *extra: str) -> dict:
    result = CliRunner().invoke(main, ["analyze", path.name, "--format", "sarif", *extra])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture
def small(monkeypatch, tmp_path):
    monkeypatch.chdir(GOLDEN)
    return GOLDEN / "analyze-small.yaml"


def test_structure_and_rule_catalogue(small):
    log = sarif(small)
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "flowmap"
    assert [r["id"] for r in driver["rules"]] == [r.id for r in ALL_RULES] + ["questions"]
    exposure = driver["rules"][[r.id for r in ALL_RULES].index("exposure")]
    assert exposure["shortDescription"]["text"] == "sensitive data reaches an actor of concern"
    assert exposure["defaultConfiguration"]["level"] == "warning"  # default severity medium
    assert exposure["properties"]["linddun"] == "data_disclosure"
    assert "purpose_limitation" in exposure["properties"]["principles"]
    report = analyze(load_model(small))
    assert [r["properties"]["id"] for r in run["results"]] == [f.id for f in report.findings]  # every finding
    assert len(run["results"]) >= 2  # so the loop below checks something
    for result, finding in zip(run["results"], report.findings):
        assert {"ruleId", "ruleIndex", "level", "message", "locations", "partialFingerprints"} <= set(result)
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert (result["properties"]["rank"], result["properties"]["origins_total"]) == (
            finding.rank, finding.origins_total)
        assert result["properties"]["anchor"] == finding.anchor.to_dict()
        assert result["locations"][0]["message"]["text"] == f"{finding.anchor.type} {finding.anchor.id}"


def test_results_levels_fingerprints_and_suppressions(small):
    run = sarif(small, "--rules", "exposure")["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["exposure"]
    first, second = run["results"]
    assert first["partialFingerprints"] == {"flowmapFindingId/v1": "exposure:hub-to-police"}
    assert (first["level"], first["properties"]["severity"], first["properties"]["status"]) == (
        "error", "critical", "open")
    assert first["properties"]["path"] == ["clinic", "hub", "police"]
    assert first["properties"]["paths"] == [["clinic", "hub", "police"]]
    assert "suppressions" not in first
    assert (second["level"], second["properties"]["status"]) == ("warning", "mitigated")
    assert second["suppressions"] == [{"kind": "external", "status": "accepted",
                                      "justification": "queries limited to | name checks <with> a warrant"}]


def test_location_is_the_anchor_and_related_are_the_rest(small):
    text = small.read_text(encoding="utf-8")
    first = sarif(small, "--rules", "exposure")["runs"][0]["results"][0]
    (location,) = first["locations"]
    physical = location["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "analyze-small.yaml"
    assert physical["region"]["startLine"] == _line_of(text, "  - id: hub-to-police")
    assert location["message"]["text"] == "flow hub-to-police"
    related = {r["message"]["text"]: r["physicalLocation"]["region"]["startLine"] for r in first["relatedLocations"]}
    assert related == {
        "flow clinic-to-hub": _line_of(text, "  - id: clinic-to-hub"),
        "system hub": _line_of(text, "  - id: hub"),
        "system police": _line_of(text, "  - id: police"),
        "system clinic": _line_of(text, "  - id: clinic"),
    }


def test_json_models_get_the_same_lines(tmp_path, monkeypatch):
    data = yaml.safe_load((GOLDEN / "analyze-small.yaml").read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "m.json"
    path.write_text(json.dumps(data, indent=1, default=str), encoding="utf-8")
    lines = path.read_text(encoding="utf-8").splitlines()
    first = sarif(path, "--rules", "exposure")["runs"][0]["results"][0]
    physical = first["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "m.json"
    line = physical["region"]["startLine"]  # the line of the flow's opening brace
    assert (lines[line - 1].strip(), lines[line].strip()) == ("{", '"id": "hub-to-police",')
    related = {r["message"]["text"]: r["physicalLocation"]["region"]["startLine"] for r in first["relatedLocations"]}
    assert lines[related["system clinic"]].strip() == '"id": "clinic",'


def test_a_question_carries_its_question(tmp_path):
    from render_support import mixed_report

    from flowmap.render.sarif import sarif_log

    log = sarif_log(mixed_report(), uri="m.yaml")
    questions = [r for r in log["runs"][0]["results"] if r["properties"]["confidence"] == "low"]
    assert questions and all(r["properties"]["question"] in r["message"]["text"] for r in questions)
    assert log["runs"][0]["properties"] == {"unmatchedAcceptances": ["exposure:a:b0"]}
