"""docs/architecture.md says what is there: the statements code can check are checked here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from flowmap.rules import ALL_RULES

from tests.conftest import ROOT

PACKAGE = ROOT / "flowmap"
DOC = (ROOT / "docs" / "architecture.md").read_text("utf-8")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_every_module_the_page_names_exists():
    for name in set(re.findall(r"`((?:[a-z_]+/)*[a-z_]+\.py)`", DOC)):
        assert (PACKAGE / name).exists() or (ROOT / name).exists(), name


def test_the_library_neither_pauses_the_collector_nor_forks():
    for path in PACKAGE.rglob("*.py"):
        if path.parts[-2] == "cli" or path.name == "loader.py":  # the CLI may; loader defines its helper
            continue
        text = path.read_text("utf-8")
        if path.name != "entry.py":  # the process's own entry point keeps the collector off for its life
            assert "gc_paused" not in text and "gc.disable" not in text, path
        assert not {"multiprocessing", "concurrent.futures"} & _imports(path) and "os.fork" not in text, path
        assert "os._exit" not in text or path.name == "entry.py", path  # only the process's own entry point


def test_rules_read_the_model_through_the_graph_only():
    """No rule reaches into propagation internals: speed lives behind the graph."""
    for path in (PACKAGE / "rules").glob("*.py"):
        assert "flowmap.propagation" not in _imports(path), path
        assert "._cache" not in path.read_text("utf-8"), path


def test_every_rule_is_listed_documented_and_declares_its_aspects():
    modules = {p.stem for p in (PACKAGE / "rules").glob("*.py") if not p.stem.startswith("_")} - {"base"}
    assert {r.id for r in ALL_RULES} == modules
    for rule in ALL_RULES:
        assert "What it detects" in rule.doc and "Why it matters" in rule.doc and "How to fix" in rule.doc, rule.id
        assert all(re.fullmatch(r"[a-z_]+", aspect) for aspect in rule.aspects), rule.id


def test_findings_are_one_type_built_one_way():
    """Only rules/base.py builds findings from scratch (analysis copies them to set rank and status)."""
    for path in PACKAGE.rglob("*.py"):
        if path.name in ("findings.py", "base.py") or path.parts[-2] == "diff":
            continue
        code = [line for line in path.read_text("utf-8").splitlines()
                if not line.lstrip().startswith((">>>", "..."))]  # doctests may build examples
        assert not [line for line in code if re.search(r"\bFinding\(", line)], path
