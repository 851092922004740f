"""`flowmap analyze`: exit codes, the JSON contract, golden files, acceptance files, bad input.

Golden files live in tests/golden/; after an intended change to the output, regenerate them with
    UPDATE_GOLDEN=1 python -m pytest tests/test_analyze_cli.py
and review the diff. They are made with `--rules exposure` so rules added later do not move them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import UPDATE_GOLDEN, model_data

from flowmap.cli import main

GOLDEN = Path(__file__).parent / "golden"
SMALL = GOLDEN / "analyze-small.yaml"

CLINIC = {"id": "clinic", "name": "City clinic", "sector": "health", "holds": ["special.health"],
          "purposes": ["services.health"]}
POLICE = {"id": "police", "sector": "police", "actor": "law_enforcement"}
TO_POLICE = {"from": "clinic", "to": "police", "data": ["special.health"], "purpose": "enforcement.law"}


def run(*args: str):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert "Traceback" not in (result.output + (result.stderr or "")), result.output
    return result


@pytest.fixture
def failing(write_model):
    """One high finding: exposure:clinic->police."""
    return write_model(model_data([CLINIC, POLICE], [TO_POLICE]))


@pytest.fixture
def passing(write_model):
    """No actor of concern: no exposure."""
    return write_model(model_data([CLINIC, {"id": "lab", "sector": "health"}],
                                  [{"from": "clinic", "to": "lab", "data": ["special.health"],
                                    "purpose": "services.health"}]))


# --- exit codes ------------------------------------------------------------------------------


def test_fail_on_fails_on_a_finding_at_or_above_the_gate(failing):
    result = run("analyze", failing, "--rules", "exposure", "--fail-on", "high")
    assert result.exit_code == 1
    assert "1 open finding at or above high (--fail-on high)" in result.stderr
    assert "exposure:clinic->police" in result.stdout


def test_fail_on_passes_below_the_gate_and_without_a_gate(failing):
    for gate in (("--fail-on", "critical"), ()):
        result = run("analyze", failing, "--rules", "exposure", *gate)
        assert result.exit_code == 0
        assert "exposure:clinic->police" in result.stdout  # the high finding is there, only the gate passes


def test_fail_on_passes_on_a_clean_model(passing):
    result = run("analyze", passing, "--rules", "exposure", "--fail-on", "info")
    assert result.exit_code == 0
    assert result.stdout == "no findings\n"  # the summary line, and nothing else to say


def test_an_accepted_finding_does_not_fail_the_gate_but_is_still_reported(failing, tmp_path):
    accept = tmp_path / "accept.yaml"
    accept.write_text("- finding: exposure:clinic*\n  reason: court order\n  by: DPO\n", encoding="utf-8")
    result = run("analyze", failing, "--rules", "exposure", "--fail-on", "info", "--accept", accept, "--format", "json")
    assert result.exit_code == 0
    finding = json.loads(result.stdout)["findings"][0]
    assert (finding["id"], finding["status"]) == ("exposure:clinic->police", "accepted")
    assert finding["acceptance"] == {"finding": "exposure:clinic*", "reason": "court order", "by": "DPO"}


def test_min_severity_filters_and_fail_on_below_it_is_a_usage_error(failing):
    result = run("analyze", failing, "--rules", "exposure", "--min-severity", "critical", "--format", "json")
    assert result.exit_code == 0 and json.loads(result.stdout)["findings"] == []
    result = run("analyze", failing, "--min-severity", "high", "--fail-on", "medium")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --fail-on medium is below --min-severity high")


# --- JSON: the contract, determinism, goldens -----------------------------------------------------


def test_json_is_the_report_contract(failing):
    from flowmap.analysis import analyze
    from flowmap.loader import load_model
    from flowmap.rules import select_rules

    expected = analyze(load_model(failing), rules=select_rules("exposure")).to_json()
    assert run("analyze", failing, "--rules", "exposure", "--format", "json").stdout == expected


def test_json_is_byte_identical_across_runs_and_file_orders(tmp_path):
    data = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    shuffled = dict(data, systems=data["systems"][::-1], flows=data["flows"][::-1])
    (tmp_path / "shuffled.yaml").write_text(yaml.safe_dump(shuffled, sort_keys=True), encoding="utf-8")
    outputs = [
        run("analyze", path, "--format", "json").stdout
        for path in (SMALL, SMALL, tmp_path / "shuffled.yaml")
    ]
    assert outputs[0] == outputs[1] == outputs[2]
    assert len(json.loads(outputs[0])["findings"]) >= 2  # the comparison is about real findings


def _golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE_GOLDEN:
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run UPDATE_GOLDEN=1 python -m pytest tests/test_analyze_cli.py"
    assert actual == path.read_text(encoding="utf-8"), (
        f"{name} changed: if intended, run UPDATE_GOLDEN=1 python -m pytest tests/test_analyze_cli.py"
    )


@pytest.mark.parametrize("fmt, name", [("json", "analyze-small.json"), ("markdown", "analyze-small.md")])
def test_golden(fmt, name, monkeypatch):
    monkeypatch.chdir(GOLDEN)
    result = run("analyze", "analyze-small.yaml", "--rules", "exposure", "--format", fmt)
    assert result.exit_code == 0
    _golden(name, result.stdout)


# --- acceptance files ---------------------------------------------------------------------------


def test_accept_file_as_mapping_in_json_and_unmatched_reported(failing, tmp_path):
    accept = tmp_path / "accept.json"
    accept.write_text(json.dumps({"accepted": [
        {"finding": "exposure:nowhere:*", "reason": "old decision", "status": "false_positive"}]}), encoding="utf-8")
    table = run("analyze", failing, "--rules", "exposure", "--accept", accept)
    assert table.exit_code == 0
    assert "note: acceptance 'exposure:nowhere:*' matches no finding: fix the id or remove it" in table.stderr
    as_json = json.loads(run("analyze", failing, "--rules", "exposure", "--accept", accept, "--format", "json").stdout)
    assert as_json["unmatched_acceptances"] == [
        {"finding": "exposure:nowhere:*", "status": "false_positive", "reason": "old decision"}
    ]


def test_expired_acceptance_no_longer_counts(failing, tmp_path):
    accept = tmp_path / "accept.yaml"
    accept.write_text("- finding: exposure:clinic->police\n  reason: r\n  until: 2001-01-01\n", encoding="utf-8")
    result = run("analyze", failing, "--rules", "exposure", "--accept", accept, "--fail-on", "high")
    assert result.exit_code == 1
    assert "note: acceptance 'exposure:clinic->police' expired on 2001-01-01: it no longer counts" in result.stderr


def test_an_acceptance_under_an_old_id_names_the_finding_that_now_covers_it(failing, tmp_path):
    accept = tmp_path / "accept.yaml"
    accept.write_text("- finding: exposure:clinic:police\n  reason: written for the first contract\n", encoding="utf-8")
    table = run("analyze", failing, "--rules", "exposure", "--accept", accept)
    assert "  exposure:clinic:police: matches no finding (now: exposure:clinic->police)" in table.stdout
    assert "acceptance 'exposure:clinic:police' matches no finding (now: exposure:clinic->police)" in table.stderr
    markdown = run("analyze", failing, "--rules", "exposure", "--accept", accept, "--format", "markdown")
    assert "- `exposure:clinic:police`: accepted: written for the first contract (now: `exposure:clinic->police`)" in (
        markdown.stdout)
    as_json = json.loads(run("analyze", failing, "--rules", "exposure", "--accept", accept, "--format", "json").stdout)
    assert as_json["unmatched_acceptances"][0]["now_covered_by"] == "exposure:clinic->police"


# --- what is shown: --min-confidence, --all ------------------------------------------------------

UNKNOWN_MODEL = model_data(
    [CLINIC, POLICE, {"id": "lab", "sector": "health", "holds": ["special.health"], "purposes": ["services.health"]}],
    [TO_POLICE, {"from": "lab", "to": "police", "data": ["special.health"], "purpose": "enforcement.law"}])


@pytest.mark.parametrize("fmt", ["json", "csv", "sarif", "markdown", "table"])
def test_min_confidence_high_keeps_only_established_findings_in_every_format(write_model, fmt):
    from flowmap.analysis import analyze
    from flowmap.findings import Confidence
    from flowmap.loader import load_model

    path = write_model(UNKNOWN_MODEL)
    everything = analyze(load_model(path))
    established = analyze(load_model(path), min_confidence=Confidence.high)
    assert [f.id for f in established.findings] == [f.id for f in everything.established]
    text = run("analyze", path, "--format", fmt, "--min-confidence", "high").stdout
    if fmt == "sarif":  # the rule catalogue quotes example ids: look at the results only
        text = " ".join(r["properties"]["id"] for r in json.loads(text)["runs"][0]["results"])
    assert everything.questions  # the model has questions, so leaving them out is checked
    for finding in everything.questions:
        assert finding.id not in text
    for finding in everything.established:
        assert finding.id in text
    assert run("analyze", path, "--min-confidence", "medium").exit_code == 2


def test_all_shows_every_established_finding(write_model):
    many = [{"id": f"clinic{n:02d}", "sector": "health", "holds": ["special.health"], "purposes": ["services.health"]}
            for n in range(23)]
    path = write_model(model_data([*many, POLICE], [
        {"from": s["id"], "to": "police", "data": ["special.health"], "purpose": "enforcement.law"} for s in many]))
    from flowmap.analysis import analyze
    from flowmap.loader import load_model

    report = analyze(load_model(path))
    cut = run("analyze", path).stdout
    shown = [f.id for f in report.established if f.id in cut.split()]
    assert shown == [f.id for f in report.established[:20]]
    assert f"  {len(report.established) - 20} more: --all" in cut.splitlines()
    full = run("analyze", path, "--all").stdout
    assert all(f.id in full.split() for f in report.established) and "more: --all" not in full
    assert len(run("analyze", path, "--all", "--format", "json").stdout) == len(
        run("analyze", path, "--format", "json").stdout)  # JSON carries everything either way


@pytest.mark.parametrize("text, message", [
    ("- finding: x\n  reason: r\n  status: acepted\n",
     "accept.yaml:3:11: [0].status: 'acepted' is not one of accepted, mitigated, false_positive, in_progress "
     "(did you mean 'accepted'?)"),
    ("accepted:\n  - finding: x\n    reson: r\n",
     "accept.yaml:2:5: accepted[0].reason: required field 'reason' is missing: add it"),
    ("accepted: []\nacepted: []\n", "accept.yaml:2:1: acepted: unknown field 'acepted' (did you mean 'accepted'?)"),
    ("just text\n", "accept.yaml:1:1: the top level must be a list of acceptances"),
    ("", "accept.yaml: the file is empty: it should hold a list of acceptances"),
    ("- [unclosed\n", "accept.yaml:2:1: invalid YAML"),
])
def test_bad_accept_file_is_located(failing, tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    Path("accept.yaml").write_text(text, encoding="utf-8")
    result = run("analyze", failing, "--accept", "accept.yaml")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {message}"), result.stderr


# --- bad input, output files --------------------------------------------------------------------------


@pytest.mark.parametrize("args, message", [
    (["missing.yaml"], "Error: missing.yaml: no such file: check the path\n"),
    (["{model}", "--fail-on", "severe"],
     "Error: --fail-on: unknown severity 'severe': use one of info, low, medium, high, critical\n"),
    (["{model}", "--min-severity", "hi"],
     "Error: --min-severity: unknown severity 'hi': use one of info, low, medium, high, critical\n"),
    (["{model}", "--rules", "exposur"],
     "Error: unknown rule 'exposur' (did you mean 'exposure'?): see `flowmap rules` for the ids\n"),
    (["{model}", "--accept", "nope.yaml"], "Error: nope.yaml: no such file: check the path\n"),
])
def test_bad_input_is_one_line_and_exit_2(failing, tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    result = run("analyze", *[a.format(model=failing) for a in args])
    assert result.exit_code == 2
    assert result.stderr == message
    assert result.stdout == ""


def test_invalid_model_is_located(write_model):
    path = write_model(model_data([CLINIC], [dict(TO_POLICE)]))
    result = run("analyze", path)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "flows[0].to: unknown system 'police'" in result.stderr


def test_strict_turns_model_warnings_into_errors(write_model):
    hub = {"id": "hub", "sector": "interoperability"}
    path = write_model(model_data([CLINIC, hub], [{"from": "hub", "to": "clinic", "data": ["criminal.record"],
                                                   "purpose": "services.health"}]))
    assert run("analyze", path).exit_code == 0
    result = run("analyze", path, "--strict")
    assert result.exit_code == 2
    assert "flow 'hub->clinic' carries 'criminal.record' but 'hub' never holds or receives it" in result.stderr


def test_output_file_is_whole_and_never_half_written(failing, write_model, tmp_path):
    out = tmp_path / "out" / "report.json"
    result = run("analyze", failing, "--format", "json", "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text(encoding="utf-8") == run("analyze", failing, "--format", "json").stdout
    previous = out.read_text(encoding="utf-8")
    broken = write_model("flowmap: 1\nsystems: [\n", "broken.yaml")
    assert run("analyze", broken, "--format", "json", "-o", out).exit_code == 2
    assert out.read_text(encoding="utf-8") == previous  # untouched by the failed run
    assert sorted(p.name for p in out.parent.iterdir()) == ["report.json"]  # no temporary left behind
    blocked = tmp_path / "file"
    blocked.write_text("x", encoding="utf-8")
    result = run("analyze", failing, "-o", blocked / "report.json")
    assert result.exit_code == 2 and result.stderr.startswith("Error: ")


def test_help_documents_exit_codes_and_does_not_import_pandas():
    result = run("analyze", "--help")
    assert "Exit codes: 0 when no open finding reaches --fail-on" in " ".join(result.stdout.split())
    code = ("import sys\nfrom flowmap.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "assert 'pandas' not in sys.modules, 'pandas imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True)
