"""The project's own files: the taxonomy's text, links in the docs, packaging, CI and test conventions."""

from __future__ import annotations

import re
import subprocess
import tomllib

import pytest
import yaml

from conftest import ROOT, build

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


# --- 10. the built-in taxonomy -----------------------------------------------------------------


def _raw_descriptions() -> dict[tuple[str, str], str]:
    """(section, name) -> the description exactly as written in taxonomy.yaml, read line by line
    without a YAML parser: for a flow mapping, everything after ``description:`` up to the
    closing brace, unquoted."""
    found: dict[tuple[str, str], str] = {}
    section = ""
    for line in (ROOT / "flowmap" / "taxonomy.yaml").read_text("utf-8").splitlines():
        if re.match(r"^[a-z_]+:\s*$", line):
            section = line.rstrip(":").strip()
        match = re.match(r"^\s+([\w.]+): \{.*?\bdescription: (.*)\}\s*$", line)
        if match:
            value = match.group(2).strip()
            if value[:1] in "\"'":
                assert value[-1] == value[0], line
                value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
            found[(section, match.group(1))] = value
    return found


def test_every_taxonomy_description_is_read_whole():
    raw = _raw_descriptions()
    assert len(raw) > 100 and ("purposes", "enforcement.law") in raw
    data = yaml.safe_load((ROOT / "flowmap" / "taxonomy.yaml").read_text("utf-8"))
    for (section, name), text in raw.items():
        body = data[section][name]
        assert body["description"] == text, f"{section}.{name}: the description is cut"
        assert None not in body.values(), f"{section}.{name}: a comma split the description into keys"


def test_the_cli_shows_a_description_with_commas_whole():
    from click.testing import CliRunner

    from flowmap.cli import main

    result = CliRunner().invoke(main, ["taxonomy", "--format", "json"])
    assert "preventing, detecting and investigating crime" in result.stdout


# --- 22. links in the docs ---------------------------------------------------------------------


_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REFERENCE = re.compile(r"^\s*\[[^\]]+\]:\s*(\S+)", re.M)


def _local_targets(text: str) -> list[str]:
    targets = [*_LINK.findall(text), *_REFERENCE.findall(text)]
    return [t for t in targets if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:", t) and not t.startswith("#")]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_in_the_docs_resolves(doc):
    text = doc.read_text("utf-8")
    missing = [t for t in _local_targets(text) if not (doc.parent / t.split("#")[0]).exists()]
    assert not missing, f"{doc.name} links to files that do not exist: {missing}"
    # a document named in code rather than linked must exist too (relative to the page or the root)
    named = re.findall(r"`([\w./-]+\.md)`", text)
    absent = [n for n in named if not (doc.parent / n).exists() and not (ROOT / n).exists()]
    assert not absent, f"{doc.name} names documents that are not in the project: {absent}"


def test_the_link_check_sees_links():
    assert _local_targets("see [a](docs/a.md#x), [b](https://x.example), [c](#here), ![i](images/i.png)") == [
        "docs/a.md#x", "images/i.png"]


# --- 21. packaging, CI, tests ------------------------------------------------------------------


def test_no_package_files_are_committed_and_gitignore_keeps_them_out():
    tracked = subprocess.run(["git", "ls-files", "*.whl", "*.tar.gz"], cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    assert tracked.stdout == ""
    assert "*.whl" in (ROOT / ".gitignore").read_text("utf-8").splitlines()


def test_package_data_names_only_files_that_exist():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    for package, patterns in config["tool"]["setuptools"]["package-data"].items():
        for pattern in patterns:
            assert list((ROOT / package).glob(pattern)), f"package-data {package}/{pattern} matches no file"


def test_ci_lints_with_ruff_before_the_tests():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    assert any(req.startswith("ruff") for req in config["project"]["optional-dependencies"]["test"])
    assert config["tool"]["ruff"]["line-length"] == 120
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert "ruff check ." in ci and ci.index("ruff check .") < ci.index("python -m pytest")


def test_update_golden_means_the_same_in_every_test_file():
    """Exactly ``UPDATE_GOLDEN=1`` rewrites golden files; only conftest reads the variable."""
    for path in (ROOT / "tests").glob("*.py"):
        if path.name in ("conftest.py", "test_project_hygiene.py"):
            continue
        text = path.read_text("utf-8")
        assert not re.search(r"environ[^\n]*UPDATE_GOLDEN", text), f"{path.name} reads UPDATE_GOLDEN itself"


def test_a_rule_that_repeats_a_finding_id_is_an_error():
    import copy
    from dataclasses import replace

    from flowmap.analysis import analyze
    from flowmap.rules import select_rules

    exposure = select_rules("exposure")[0]
    model = build([{"id": "clinic", "sector": "health", "holds": ["special.health"], "purposes": ["services.health"]},
                   {"id": "police", "sector": "police", "actor": "law_enforcement"}],
                  [{"from": "clinic", "to": "police", "data": ["special.health"], "purpose": "enforcement.law"}])
    assert len(analyze(model, rules=[exposure]).findings) == 1

    def twice(ctx):
        for finding in exposure.check(ctx):
            yield finding
            yield copy.copy(finding)  # another finding with the same id

    with pytest.raises(AssertionError, match="exposure:clinic->police"):
        analyze(model, rules=[replace(exposure, check=twice)])
