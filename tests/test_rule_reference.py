"""The rule catalogue: `flowmap rules`, and docs/rules.md generated from the rules themselves."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from flowmap.cli import main
from flowmap.rule_reference import rules_markdown
from flowmap.rules import ALL_RULES
from flowmap.rules.base import LINDDUN

DOCS = Path(__file__).resolve().parent.parent / "docs" / "rules.md"


def test_docs_rules_md_is_up_to_date():
    assert DOCS.read_text("utf-8") == rules_markdown(), (
        "docs/rules.md is stale: regenerate it with `flowmap rules --format markdown -o docs/rules.md`"
    )


def test_every_rule_documents_what_why_and_fix_and_has_valid_metadata():
    ids = [r.id for r in ALL_RULES]
    assert len(ids) == len(set(ids))
    for rule in ALL_RULES:
        assert rule.check.__module__ == f"flowmap.rules.{rule.id}", "one rule per module, named after its id"
        for heading in ("What it detects", "Why it matters", "How to fix"):
            assert heading in rule.doc, f"{rule.id}: docstring lacks '{heading}'"
        assert rule.linddun in LINDDUN and rule.principles


def test_rules_command_json_lists_every_rule():
    result = CliRunner().invoke(main, ["rules", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert [r["id"] for r in data] == [r.id for r in ALL_RULES] + ["questions"]  # the gathered questions last
    creep = next(r for r in data if r["id"] == "function_creep")
    assert creep["kind"] == "function_creep" and "purpose_limitation" in creep["principles"]
    assert "first" in creep["detects"]


def test_rules_command_table_and_bad_format():
    result = CliRunner().invoke(main, ["rules"])
    assert result.exit_code == 0
    assert result.output.splitlines()[0].split() == ["ID", "KIND", "SEVERITY", "NAME"]
    assert any(line.startswith("refoulement ") for line in result.output.splitlines())
    bad = CliRunner().invoke(main, ["rules", "--format", "xml"])
    assert bad.exit_code == 2 and "xml" in bad.output
