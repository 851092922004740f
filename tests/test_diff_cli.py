"""`flowmap diff` and `flowmap history`: exit codes, the CI gate, REV:PATH in a real git repo, bad input."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import yaml
from click.testing import CliRunner
from conftest import model_data

from flowmap.analysis import analyze
from flowmap.cli import main
from flowmap.findings import Severity
from flowmap.validate import build_model

CLINIC = {"id": "clinic", "sector": "health", "holds": ["special.health"], "purposes": ["services.health"]}
POLICE = {"id": "police", "sector": "police", "actor": "law_enforcement"}
LEAK = {"id": "clinic-police", "from": "clinic", "to": "police", "data": ["special.health"], "purpose": "enforcement.law"}
SAFE = model_data([CLINIC, POLICE], [], name="clinic")
RISKY = model_data([CLINIC, POLICE], [LEAK], name="clinic")


def run(*args):
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    return result


def test_gate_fails_on_a_change_that_adds_a_high_finding(write_model):
    old, new = write_model(SAFE, "old.yaml"), write_model(RISKY, "new.yaml")
    result = run("diff", str(old), str(new), "--fail-on", "new:high")
    assert result.exit_code == 1
    assert "+ high     exposure:clinic-police" in result.output
    assert "because flow clinic-police was added" in result.output
    gate = [line for line in result.output.splitlines() if line.startswith("gate: ")]
    assert len(gate) == 1 and "newly open at or above high: " in gate[0] and "exposure:clinic-police" in gate[0]


def test_gate_passes_on_a_change_that_only_removes_risk(write_model):
    old, new = write_model(RISKY, "old.yaml"), write_model(SAFE, "new.yaml")
    result = run("diff", str(old), str(new), "--fail-on", "high")
    assert result.exit_code == 0
    assert "- high     exposure:clinic-police" in result.output


def test_without_a_gate_exit_is_zero_even_with_new_findings(write_model):
    result = run("diff", str(write_model(SAFE, "a.yaml")), str(write_model(RISKY, "b.yaml")), "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    findings = data["summary"]["findings"]
    assert findings["new"] == len(data["risks"]["new"]) >= 1 and findings["resolved"] == 0
    assert "exposure:clinic-police" in [r["id"] for r in data["risks"]["new"]]


def test_bad_gate_is_a_usage_error(write_model):
    path = str(write_model(SAFE))
    result = run("diff", path, path, "--fail-on", "old:high")
    assert result.exit_code == 2
    assert result.output.startswith("Error: --fail-on 'old:high': write new:SEVERITY")


def test_bad_input_exits_2_names_the_place_and_writes_nothing(write_model, tmp_path):
    good = write_model(SAFE, "good.yaml")
    broken = write_model("flowmap: 1\nname: x\nsystems: [\n", "broken.yaml")
    out = tmp_path / "out" / "diff.md"
    result = run("diff", str(good), str(broken), "-o", str(out), "--format", "markdown")
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: {broken}:")
    assert "invalid YAML" in result.output
    assert not out.exists()
    missing = run("diff", str(tmp_path / "nope.yaml"), str(good))
    assert missing.exit_code == 2 and "nope.yaml: no such file" in missing.output


def test_output_file_is_written_whole(write_model, tmp_path):
    out = tmp_path / "diff.json"
    result = run("diff", str(write_model(SAFE, "a.yaml")), str(write_model(RISKY, "b.yaml")), "-o", str(out),
                 "--format", "json")
    assert result.exit_code == 0 and result.output == ""
    assert json.loads(out.read_text())["risks"]["new"][0]["because"][0]["text"] == "flow clinic-police was added"


# --- git ------------------------------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo, *args):
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def commit(repo, data, message):
    path = repo / "models" / "m.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    git(repo, "add", "models/m.yaml")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", message,
        "--date", "2024-01-01T00:00:00")


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q")
    commit(root, SAFE, "start with no link")
    commit(root, RISKY, "link the clinic to the police")
    commit(root, "flowmap: 1\nname: [\n", "break the file")
    commit(root, SAFE, "cut the link again")
    monkeypatch.chdir(root)
    return root


@needs_git
def test_rev_path_reads_the_file_from_git(repo):
    result = run("diff", "HEAD~3:models/m.yaml", "HEAD~2:models/m.yaml", "--fail-on", "new:high")
    assert result.exit_code == 1
    assert "old: HEAD~3:models/m.yaml (clinic)" in result.output
    assert "+ high     exposure:clinic-police" in result.output


@needs_git
def test_rev_path_against_the_working_file(repo):
    result = run("diff", "HEAD~2:models/m.yaml", "models/m.yaml", "--fail-on", "new:high")
    assert result.exit_code == 0
    assert "- high     exposure:clinic-police" in result.output


@needs_git
def test_rev_path_errors_are_one_clear_line(repo, tmp_path, monkeypatch):
    unknown_rev = run("diff", "nosuchrev:models/m.yaml", "models/m.yaml")
    assert unknown_rev.exit_code == 2
    assert unknown_rev.output == (
        "Error: nosuchrev:models/m.yaml: unknown revision 'nosuchrev': check it with git log --oneline\n"
    )
    unknown_path = run("diff", "HEAD:models/other.yaml", "models/m.yaml")
    assert unknown_path.exit_code == 2
    assert unknown_path.output.startswith("Error: HEAD:models/other.yaml: path 'models/other.yaml' does not exist")
    invalid = run("diff", "HEAD~1:models/m.yaml", "models/m.yaml")
    assert invalid.exit_code == 2 and invalid.output.startswith("Error: HEAD~1:models/m.yaml:3:1: invalid YAML")
    outside = tmp_path / "outside"
    outside.mkdir()
    monkeypatch.chdir(outside)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    not_repo = run("diff", "HEAD:m.yaml", "HEAD:m.yaml")
    assert not_repo.exit_code == 2
    assert "not inside a git repository" in not_repo.output


@needs_git
def test_history_lists_commits_oldest_first_with_invalid_ones_marked(repo):
    result = run("history", "models/m.yaml")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split()[:8] == ["date", "commit", "critical", "high", "medium", "low", "info", "total"]
    subjects = [line.rsplit("  ", 1)[-1] for line in lines[1:] if line.startswith("2024-01-01")]
    assert subjects == ["start with no link", "link the clinic to the police", "break the file", "cut the link again"]
    rows = [line for line in lines if line.startswith("2024-01-01")]
    assert "invalid" in rows[2] and "invalid YAML" in lines[lines.index(rows[2]) + 1]
    data = json.loads(run("history", "models/m.yaml", "--format", "json").output)
    assert [e["state"] for e in data] == ["valid", "valid", "invalid", "valid"]
    def counts(model):  # what `flowmap analyze` finds, by severity (the rules evolve; the history follows)
        found = analyze(build_model(model, "m.yaml")).summary()["by_severity"]
        return {s.name: found.get(s.name, 0) for s in reversed(Severity)}

    safe, risky = counts(SAFE), counts(RISKY)
    assert sum(risky.values()) > sum(safe.values()) and risky["high"] + risky["critical"] >= 1
    assert [e.get("by_severity") for e in data] == [safe, risky, None, safe]


@needs_git
def test_history_since_is_exclusive_like_git_log_range(repo):
    data = json.loads(run("history", "models/m.yaml", "--since", "HEAD~2", "--format", "json").output)
    assert [e["subject"] for e in data] == ["break the file", "cut the link again"]
    bad = run("history", "models/m.yaml", "--since", "nosuchrev")
    assert bad.exit_code == 2 and "nosuchrev" in bad.output


def test_diff_map_marks_added_removed_and_changed_and_lists_new_and_resolved(write_model, tmp_path):
    from flowmap.diff import diff
    from flowmap.diff.diff_map import diff_statuses, union_model
    from flowmap.loader import load_model

    old_data = model_data([CLINIC, POLICE, {"id": "gone", "sector": "police"}],
                          [{**LEAK, "id": "old-leak"}], name="clinic")
    new_data = model_data([{**CLINIC, "name": "Clinic <b>"}, POLICE, {"id": "fresh", "sector": "health"}],
                          [LEAK], name="clinic")
    old, new = write_model(old_data, "old.yaml"), write_model(new_data, "new.yaml")
    result = diff(load_model(old), load_model(new))
    nodes, edges, badges = diff_statuses(result)
    assert nodes == {"fresh": "added", "gone": "removed", "clinic": "changed"}
    assert edges == {"clinic-police": "changed"}  # renamed from old-leak
    assert sorted(s.id for s in union_model(result).systems) == ["clinic", "fresh", "gone", "police"]
    page_path = tmp_path / "map.html"
    cli = run("diff", str(old), str(new), "--map", str(page_path), "-o", str(tmp_path / "diff.txt"))
    assert cli.exit_code == 0
    page = page_path.read_text(encoding="utf-8")
    assert '"status":"removed"' in page and '"status":"added"' in page and '"status":"changed"' in page
    assert "Clinic <b>" not in page
    assert not any(f'{attr}="http' in page for attr in ("src", "href"))
    reverse = diff(load_model(new), load_model(old))
    assert set(diff_statuses(reverse)[2].values()) <= {"new", "resolved", "changed"}


def test_diff_map_draws_a_flow_that_is_function_creep_in_both_snapshots_as_creep():
    from flowmap.diff import diff
    from flowmap.diff.diff_map import render_diff_map
    from flowmap.maps.html import embedded_data
    from flowmap.validate import build_model

    old = build_model(RISKY, "old.yaml")
    new = build_model(model_data([CLINIC, POLICE, {"id": "fresh", "sector": "health"}], [LEAK], name="clinic"), "new.yaml")
    result = diff(old, new)
    creep = [f for f in result.new_findings if f.rule == "function_creep" and f.anchor.id == "clinic-police"]
    assert creep and creep[0].id not in {c.id for c in result.risks.all()}  # unchanged: not listed
    page = render_diff_map(result)
    data = embedded_data(page)  # the edges as items, whatever the page's compact columns
    (edge,) = [e for e in data["edges"] if e["id"] == "clinic-police"]
    assert edge["style"] == "creep" and "creep" in [k for k, *_ in data["legend"]["edges"]]
    assert edge["severity"] == max(f.severity for f in result.new_findings if f.anchor.id == "clinic-police").name
