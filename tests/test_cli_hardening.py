"""The command line's conventions and its edges (issue 14, "Hardening"): writing to standard
output and to files, empty rule selections, acceptance files, one --format vocabulary, REV:PATH
everywhere, git inputs, and text that other tools read (Markdown, SARIF, diagnostics)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from conftest import ROOT, model_data

from flowmap.cli import main

CLINIC = {"id": "clinic", "name": "City clinic", "sector": "health", "holds": ["special.health"],
          "purposes": ["services.health"]}
POLICE = {"id": "police", "sector": "police", "actor": "law_enforcement"}
BORDER = {"id": "border", "sector": "police", "actor": "law_enforcement"}
TO_POLICE = {"from": "clinic", "to": "police", "data": ["special.health"], "purpose": "enforcement.law"}
TO_BORDER = {"from": "clinic", "to": "border", "data": ["special.health"], "purpose": "enforcement.law"}
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}


def run(*args, **kwargs):
    result = CliRunner().invoke(main, [str(a) for a in args], **kwargs)
    assert "Traceback" not in result.output + (result.stderr or ""), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


def shell(command: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``command`` in bash, with ``flowmap`` meaning this checkout's ``python -m flowmap``."""
    prefix = f'flowmap() {{ "{sys.executable}" -m flowmap "$@"; }}; '
    return subprocess.run(["bash", "-c", prefix + command], capture_output=True, text=True, env=ENV, cwd=cwd,
                          timeout=120)


@pytest.fixture
def two_findings(write_model):
    """exposure:clinic->police and exposure:clinic->border, both high (and more, from other rules)."""
    return write_model(model_data([CLINIC, POLICE, BORDER], [TO_POLICE, TO_BORDER]))


@pytest.fixture
def clean(write_model):
    return write_model(model_data([CLINIC, {"id": "lab", "sector": "health"}],
                                  [{"from": "clinic", "to": "lab", "data": ["special.health"],
                                    "purpose": "services.health"}]), "clean.yaml")


# --- 3. standard output ------------------------------------------------------------------------


def test_a_full_disk_on_standard_output_is_one_line_and_exit_2():
    done = shell("flowmap rules > /dev/full")
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip().splitlines() == [
        "Error: cannot write to standard output (No space left on device): check where it goes, or give -o FILE"]


def test_a_closed_standard_output_is_one_line_and_exit_2(two_findings):
    for command in ("flowmap rules", f"flowmap analyze {two_findings} --format json", f"flowmap paths {two_findings} "
                    "--from clinic --to police"):
        done = shell(f"{command} >&-")
        assert done.returncode == 2, (command, done.stderr)
        assert done.stderr.strip().splitlines() == [
            "Error: standard output is closed: redirect it (> FILE) or give -o FILE"], command


def test_a_reader_that_goes_away_ends_the_command_quietly_with_141(tmp_path):
    from flowmap.synth import dump, synthesize

    model = tmp_path / "big.yaml"
    model.write_text(dump(synthesize(60, seed=1), "yaml"), encoding="utf-8")
    # each writes far more than a pipe holds (64 KiB), so the write after `head` leaves must fail
    for command in (f"flowmap analyze {model} --format json --fail-on info", f"flowmap analyze {model} --format csv",
                    "flowmap synth --systems 300"):
        done = shell(f"{command} | head -c 10 > /dev/null; echo \"status ${{PIPESTATUS[0]}}\"")
        assert done.stdout.strip() == "status 141", (command, done.stdout, done.stderr)
        assert done.stderr == "", command


# --- 2. output files ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", [
    ["analyze", "{model}", "-o", "{model}"],
    ["analyze", "{model}", "--accept", "{accept}", "-o", "{accept}"],
    ["map", "{model}", "-o", "{model}"],
    ["report", "{model}", "-o", "{model}"],
    ["paths", "{model}", "--from", "clinic", "--to", "police", "-o", "{model}"],
    ["system", "{model}", "clinic", "-o", "{model}"],
    ["validate", "{model}", "-o", "{model}"],
    ["taxonomy", "--model", "{model}", "-o", "{model}"],
    ["export", "{model}", "--to", "json", "-o", "{model}"],
    ["diff", "{model}", "{model}", "-o", "{model}"],
    ["diff", "{model}", "{model}", "--map", "{model}"],
])
def test_an_output_that_is_the_input_is_refused_and_the_input_kept(command, two_findings, tmp_path, monkeypatch):
    accept = tmp_path / "accept.yaml"
    accept.write_text("- finding: exposure:clinic->police\n  reason: court order\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    before = two_findings.read_bytes(), accept.read_bytes()
    result = run(*[part.format(model=two_findings.name, accept=accept.name) for part in command])
    assert result.exit_code == 2
    assert "is the input file" in result.stderr and "would overwrite it" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (two_findings.read_bytes(), accept.read_bytes()) == before


def test_an_import_output_that_is_an_input_table_is_refused(tmp_path):
    systems = tmp_path / "systems.csv"
    systems.write_text("id,sector\na,health\n", encoding="utf-8")
    result = run("import", systems, "-o", systems)
    assert result.exit_code == 2 and "is the input file" in result.stderr
    assert systems.read_text(encoding="utf-8") == "id,sector\na,health\n"


@pytest.mark.parametrize("command", [["analyze", "{model}"], ["map", "{model}"], ["report", "{model}"],
                                     ["rules"], ["export", "{model}", "--to", "gexf"]])
def test_a_read_only_output_file_is_refused_and_kept(command, two_findings, tmp_path):
    target = tmp_path / "protected.out"
    target.write_text("keep me\n", encoding="utf-8")
    target.chmod(0o444)
    result = run(*[part.format(model=two_findings) for part in command], "-o", target)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: {target} is read-only: make it writable (chmod u+w) or give another output file"]
    assert target.read_text(encoding="utf-8") == "keep me\n"
    assert oct(target.stat().st_mode & 0o777) == "0o444"


def test_models_named_without_ascii_letters_get_distinct_default_outputs(write_model, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    japan = write_model(model_data([CLINIC], name="日本"), "japan.yaml")
    china = write_model(model_data([CLINIC], name="中国"), "china.yaml")
    china_again = write_model(model_data([CLINIC], name="中华"), "sub-china.yaml")
    (tmp_path / "b").mkdir()
    china_again = china_again.rename(tmp_path / "b" / "china.yaml")  # the same file name as another model's
    for model in (japan, china, china_again):
        assert run("map", model).exit_code == 0
        assert run("report", model).exit_code == 0
    maps = sorted(p.name for p in (tmp_path / "output").glob("*.html") if not p.name.endswith("-report.html"))
    reports = sorted(p.name for p in (tmp_path / "output").glob("*-report.html"))
    assert len(maps) == 3 and len(reports) == 3, (maps, reports)
    assert all(re.fullmatch(r"(japan|china)-[0-9a-f]{8}\.html", name) for name in maps), maps
    assert "map.html" not in maps


# --- 8. rule selection -------------------------------------------------------------------------


@pytest.mark.parametrize("selection", [",", " ", "", " , ,"])
def test_a_rule_selection_that_names_no_rule_is_a_usage_error(selection, two_findings):
    result = run("analyze", two_findings, "--rules", selection, "--fail-on", "high")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        f"Error: --rules '{selection}' names no rule: give rule ids separated by commas (see `flowmap rules`), "
        "or leave --rules out to run every rule"]
    assert result.stdout == ""


# --- 9. acceptances ----------------------------------------------------------------------------


@pytest.fixture
def accept_each(tmp_path):
    """Two files, each accepting one of the two findings of ``two_findings``."""
    files = []
    for system in ("police", "border"):
        path = tmp_path / f"accept-{system}.yaml"
        path.write_text(f"- finding: '*:clinic->{system}'\n  reason: court order\n  by: DPO\n  until: 2030-01-01\n",
                        encoding="utf-8")
        files.append(path)
    return files


def test_analyze_applies_every_accept_file(two_findings, accept_each):
    result = run("analyze", two_findings, "--rules", "exposure", "--format", "json", "--fail-on", "high",
                 "--today", "2029-01-01", "--accept", accept_each[0], "--accept", accept_each[1])
    assert result.exit_code == 0, result.stderr
    statuses = {f["id"]: f["status"] for f in json.loads(result.stdout)["findings"]}
    assert statuses == {"exposure:clinic->police": "accepted", "exposure:clinic->border": "accepted"}
    assert "matches no finding" not in result.stderr


def test_today_decides_expiry_in_analyze_and_diff(two_findings, clean, accept_each):
    accepts = ["--accept", accept_each[0], "--accept", accept_each[1]]
    assert run("analyze", two_findings, "--rules", "exposure", "--fail-on", "high", *accepts,
               "--today", "2029-12-31").exit_code == 0
    late = run("analyze", two_findings, "--rules", "exposure", "--fail-on", "high", *accepts, "--today", "2030-01-02")
    assert late.exit_code == 1 and "expired on 2030-01-01" in late.stderr
    assert run("diff", clean, two_findings, "--fail-on", "new:high", *accepts, "--today", "2029-12-31").exit_code == 0
    assert run("diff", clean, two_findings, "--fail-on", "new:high", *accepts, "--today", "2030-01-02").exit_code == 1
    assert run("diff", clean, two_findings, "--fail-on", "new:high", "--accept", accept_each[0],
               "--today", "2029-12-31").exit_code == 1  # one of the two is still open


def test_diff_applies_every_accept_file_to_both_snapshots(two_findings, clean, accept_each):
    result = run("diff", clean, two_findings, "--format", "json", "--today", "2029-01-01",
                 "--accept", accept_each[0], "--accept", accept_each[1])
    assert result.exit_code == 0, result.stderr
    statuses = {c["id"]: c["status"] for c in json.loads(result.stdout)["risks"]["new"]}
    assert statuses["exposure:clinic->police"] == statuses["exposure:clinic->border"] == "accepted"
    assert statuses["firewall:clinic->border"] == "accepted"


@pytest.mark.parametrize("command", ["analyze", "report", "diff"])
def test_every_command_that_applies_acceptances_takes_the_same_options(command):
    from flowmap.cli import main as group

    params = {p.name: p for p in group.commands[command].params}
    assert params["accept_files"].multiple and params["accept_files"].opts == ["--accept"]
    assert params["today"].opts == ["--today"]
    result = run(command, "x.yaml", *(["x.yaml"] if command == "diff" else []), "--today", "someday")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: --today: 'someday' is not a date (YYYY-MM-DD)"


# --- 20. one convention for every command ------------------------------------------------------


def test_every_command_that_prints_a_choice_of_formats_calls_the_human_one_table():
    for name, command in main.commands.items():
        for param in command.params:
            if param.name == "fmt" and isinstance(param.type, __import__("click").Choice) and name != "synth":
                assert "text" not in param.type.choices, name
                if name not in ("export",):
                    assert "table" in param.type.choices or name == "synth", name


@pytest.mark.parametrize("command", [["validate", "{model}"], ["paths", "{model}", "--from", "clinic", "--to", "lab"]])
def test_format_text_is_a_deprecated_hidden_alias_of_table(command, clean):
    args = [part.format(model=clean) for part in command]
    table = run(*args, "--format", "table")
    text = run(*args, "--format", "text")
    assert table.exit_code == text.exit_code == 0
    assert table.stdout == text.stdout
    assert "note: --format text is deprecated: use --format table" in text.stderr
    assert "text" not in run(command[0], "--help").stdout.split("--format")[1].split("\n")[0]


def test_every_command_that_prints_takes_o(tmp_path):
    for name, command in main.commands.items():
        opts = {opt for p in command.params for opt in p.opts}
        assert "-o" in opts, name


def test_validate_paths_and_history_write_to_o(clean, tmp_path):
    out = tmp_path / "out.txt"
    assert run("validate", clean, "-o", out).exit_code == 0
    assert out.read_text(encoding="utf-8") == "ok: 1 model valid\n"
    assert run("paths", clean, "--from", "clinic", "--to", "lab", "--format", "json", "-o", out).exit_code == 0
    assert json.loads(out.read_text(encoding="utf-8"))["routes"]


def test_paths_with_no_route_is_an_answer_exit_0(clean):
    result = run("paths", clean, "--from", "lab", "--to", "clinic")
    assert (result.exit_code, result.stdout) == (0, "no data moves from lab to clinic\n")
    as_json = run("paths", clean, "--from", "lab", "--to", "clinic", "--format", "json")
    assert as_json.exit_code == 0 and json.loads(as_json.stdout)["routes"] == []


def test_commands_exit_through_the_one_enum():
    """No command module spells an exit code as a number."""
    for module in (ROOT / "flowmap" / "cli").glob("*.py"):
        text = module.read_text(encoding="utf-8")
        assert not re.search(r"(SystemExit|sys\.exit)\(\s*\d", text), module.name
        assert not re.search(r"(SystemExit|sys\.exit)\(\s*[^E)]", text.replace("Exit.", "E")), module.name


# --- REV:PATH and git (20, 17) -----------------------------------------------------------------


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false",
                           *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A repository whose model.yaml had two findings at 'model: first' and none at 'model: second'."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = tmp_path / "repo"
    root.mkdir()
    _git(root, "init", "-q")
    (root / "model.yaml").write_text(yaml.safe_dump(model_data([CLINIC, POLICE, BORDER], [TO_POLICE, TO_BORDER])),
                                     encoding="utf-8")
    (root / "odd:name.yaml").write_text(yaml.safe_dump(model_data([CLINIC, POLICE], [TO_POLICE])), encoding="utf-8")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "model: first")
    (root / "model.yaml").write_text(yaml.safe_dump(model_data([CLINIC, {"id": "lab", "sector": "health"}], [])),
                                     encoding="utf-8")
    _git(root, "commit", "-q", "-am", "model: second")
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize("command", [
    ["analyze", "HEAD~1:model.yaml", "--format", "json"],
    ["system", "HEAD~1:model.yaml", "clinic"],
    ["validate", "HEAD~1:model.yaml"],
    ["paths", "HEAD~1:model.yaml", "--from", "clinic", "--to", "border"],
    ["map", "HEAD~1:model.yaml", "-o", "out.html"],
    ["report", "HEAD~1:model.yaml", "-o", "out.md"],
    ["export", "HEAD~1:model.yaml", "--to", "json", "-o", "out.json"],
    ["taxonomy", "--model", "HEAD~1:model.yaml"],
])
def test_every_command_that_reads_a_model_takes_rev_path(command, repo):
    result = run(*command)
    assert result.exit_code == 0, result.stderr
    if command[0] == "analyze":
        assert {f["id"] for f in json.loads(result.stdout)["findings"]} >= {"exposure:clinic->police"}
    if command[0] == "paths":
        assert "clinic -> border" in result.stdout


def test_a_revision_with_colons_is_split_at_the_colon_that_names_a_revision(repo):
    result = run("analyze", "HEAD^{/model: first}:model.yaml", "--rules", "exposure", "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert {f["id"] for f in json.loads(result.stdout)["findings"]} == {"exposure:clinic->police",
                                                                        "exposure:clinic->border"}
    odd = run("analyze", "HEAD:odd:name.yaml", "--rules", "exposure", "--format", "json")  # a colon in the path
    assert odd.exit_code == 0, odd.stderr
    unknown = run("analyze", "nosuch:model.yaml")
    assert unknown.exit_code == 2
    assert unknown.stderr.strip() == ("Error: nosuch:model.yaml: unknown revision 'nosuch': "
                                      "check it with git log --oneline")


def test_history_of_a_path_no_commit_touched_is_exit_2(repo):
    result = run("history", "never.yaml")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "Error: never.yaml: no commit ever touched this path: check the path (relative to the current folder), "
        "and that the file was committed"]
    assert result.stdout == ""


def test_history_since_an_unknown_revision_says_so(repo):
    result = run("history", "model.yaml", "--since", "nosuch")
    assert result.exit_code == 2
    assert result.stderr.strip() == "Error: --since nosuch: unknown revision 'nosuch': check it with git log --oneline"


def test_history_since_the_last_commit_is_empty_not_an_error(repo, tmp_path):
    result = run("history", "model.yaml", "--since", "HEAD", "--format", "json", "-o", tmp_path / "h.json")
    assert result.exit_code == 0, result.stderr
    assert json.loads((tmp_path / "h.json").read_text(encoding="utf-8")) == []
    assert len(json.loads(run("history", "model.yaml", "--format", "json").stdout)) == 2


# --- 18. text other tools read -----------------------------------------------------------------


@pytest.fixture
def linky(write_model, tmp_path):
    police = {**POLICE, "name": "@octocat [click](https://evil.example) www.evil.example"}
    return write_model(model_data([CLINIC, police], [TO_POLICE]), "my model#1.yaml")


def test_markdown_output_neither_links_nor_mentions(linky):
    text = run("analyze", linky, "--rules", "exposure", "--format", "markdown").stdout
    assert "octocat" in text
    assert not re.search(r"@\w", text) and "https://" not in text and "www." not in text
    assert "](" not in text.replace("\\](", "")


def test_sarif_escapes_link_syntax_and_percent_encodes_the_uri(linky, monkeypatch):
    monkeypatch.chdir(linky.parent)
    log = json.loads(run("analyze", linky.name, "--rules", "exposure", "--format", "sarif").stdout)
    run_ = log["runs"][0]
    assert run_["artifacts"][0]["location"]["uri"] == "my%20model%231.yaml"
    (result,) = run_["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "my%20model%231.yaml"
    message = result["message"]["text"]
    assert "\\[click\\](https://evil.example)" in message
    assert not re.search(r"(?<!\\)[\[\]]", message)


def test_a_file_name_with_a_newline_cannot_print_a_fake_diagnostic(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    name = "a\nfake.yaml:1:1: looks like another error"
    Path(name).write_text("flowmap: 1\nname: x\nsystems: [{id: a, sector: health}]\nbogus: 1\n", encoding="utf-8")
    for command in (["validate", name], ["analyze", name], ["validate", name + ".missing"]):
        result = run(*command)
        assert result.exit_code == 2
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "a\\nfake.yaml" in result.stderr
