"""Table output: grouped by severity, colour only when asked, one summary line."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from flowmap.analysis import analyze
from flowmap.cli import main
from flowmap.loader import load_model
from flowmap.render.table import render_table
from flowmap.rules import select_rules

SMALL = Path(__file__).parent / "golden" / "analyze-small.yaml"


def report():
    return analyze(load_model(SMALL), rules=select_rules("exposure"))


def test_plain_table_groups_by_severity_and_ends_with_the_summary():
    assert render_table(report()) == (
        "CRITICAL (1)\n"
        "  exposure:clinic:police  City clinic data reaches National police (law_enforcement)\n"
        "      path: clinic -> hub -> police\n"
        "\n"
        "MEDIUM (1)\n"
        "  exposure:registry:police  Residence registry data reaches National police (law_enforcement)  [mitigated]\n"
        "      path: registry -> police\n"
        "      status: mitigated by DPO until 2099-12-31: queries limited to | name checks <with> a warrant\n"
        "\n"
        "2 findings: 1 critical, 1 medium; 1 open, 1 accepted or otherwise settled\n"
    )


def test_colour_only_when_asked():
    coloured = render_table(report(), color=True)
    assert "\x1b[31m\x1b[1mCRITICAL (1)\x1b[0m" in coloured
    assert "\x1b[" not in render_table(report())


def test_cli_output_is_plain_when_piped():
    result = CliRunner().invoke(main, ["analyze", str(SMALL), "--rules", "exposure"])
    assert result.exit_code == 0
    assert "\x1b[" not in result.stdout
    assert result.stdout.endswith("2 findings: 1 critical, 1 medium; 1 open, 1 accepted or otherwise settled\n")
