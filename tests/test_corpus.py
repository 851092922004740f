"""Every broken model gets a clean diagnostic and exit code 2: never a traceback, never a hang.

The corpus is tests/corpus/invalid/ (one file per mistake an analyst makes, plus hostile
files); EXPECTED.yaml there lists the exact lines each must produce.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from flowmap.cli import main

CORPUS = Path(__file__).parent / "corpus" / "invalid"
EXPECTED = yaml.safe_load((CORPUS / "EXPECTED.yaml").read_text("utf-8"))


def run_validate(*args: str, cwd: Path = CORPUS):
    runner = CliRunner()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, ["validate", *args], catch_exceptions=False)
    finally:
        os.chdir(old)


def test_corpus_is_large_enough():
    assert len(EXPECTED) >= 30
    assert sorted(EXPECTED) == sorted(p.name for p in CORPUS.iterdir() if p.name != "EXPECTED.yaml")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_model_gives_expected_diagnostics(name):
    result = run_validate(name)
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line]
    assert lines == EXPECTED[name]
    for line in lines:
        assert line.startswith(name), "every line names the file"


def test_all_problems_reported_at_once(write_model):
    path = write_model(
        {
            "flowmap": 1,
            "name": "x",
            "systems": [{"id": "a", "sector": "asylm", "hods": []}, {"id": "a", "sector": "police"}],
            "flows": [{"from": "a", "to": "b", "data": ["identity"], "purpose": "migration"}],
        }
    )
    result = run_validate(str(path), cwd=path.parent)
    assert result.exit_code == 2
    messages = [line.split(": ", 1)[1] for line in result.output.splitlines()]
    assert messages == [
        "systems[0].sector: unknown sector 'asylm' (did you mean 'asylum'?): use a sector of `flowmap taxonomy`"
        " or declare it under `taxonomy.sectors`",
        "systems[0].hods: unknown field 'hods' (did you mean 'holds'?)",
        "systems[1].id: duplicate system id 'a' (first used by systems[0])",
        "flows[0].to: unknown system 'b': declare it under `systems` or fix the id",
    ]


def test_directory_instead_of_file(tmp_path):
    result = run_validate(str(tmp_path), cwd=tmp_path)
    assert result.exit_code == 2
    assert result.output.strip() == f"{tmp_path}: is a directory, not a model file: name a .yaml or .json file"


def test_missing_file(tmp_path):
    result = run_validate("nope.yaml", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.output.strip() == "nope.yaml: no such file: check the path"


def test_fifty_megabyte_file_fails_cleanly(tmp_path):
    big = tmp_path / "big.yaml"
    with big.open("w") as handle:
        handle.write("lorem ipsum dolor sit amet, consectetur adipiscing elit\n" * 900_000)
    assert big.stat().st_size > 50_000_000
    result = run_validate("big.yaml", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.output.strip() == (
        "big.yaml:1:1: the top level must be a mapping with `flowmap: 1`, `name` and `systems`, not str"
    )


def test_cli_error_has_no_traceback_for_strict_warning(write_model):
    path = write_model(
        {"flowmap": 1, "name": "x", "systems": [{"id": "a", "sector": "asylum", "holds": ["identity"]}]}
    )
    relaxed = run_validate(str(path), cwd=path.parent)
    assert relaxed.exit_code == 0
    assert "warning: system 'a' holds data but lists no purposes" in relaxed.output
    strict = run_validate("--strict", str(path), cwd=path.parent)
    assert strict.exit_code == 2
    assert "warning" not in strict.output
    assert "system 'a' holds data but lists no purposes" in strict.output


def test_acceptance_matching_nothing_is_a_warning(write_model):
    data = {
        "flowmap": 1,
        "name": "x",
        "systems": [{"id": "a", "sector": "asylum", "subjects": ["resident"]}],
        "accepted": [{"finding": "exposure:nowhere:*", "reason": "reviewed"}],
    }
    path = write_model(data)
    relaxed = run_validate(str(path), cwd=path.parent)
    assert relaxed.exit_code == 0
    assert relaxed.output.splitlines()[0] == (
        f"{path}:9:12: accepted[0].finding: warning: acceptance 'exposure:nowhere:*' matches no finding: "
        "fix the id or glob (see `flowmap analyze`), or remove it"
    )
    strict = run_validate("--strict", str(path), cwd=path.parent)
    assert strict.exit_code == 2
