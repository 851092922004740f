"""Table output: summary first, established findings by rank, questions by system, colour only when asked."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from render_support import mixed_report

from flowmap.analysis import analyze
from flowmap.cli import main
from flowmap.loader import load_model
from flowmap.render.table import render_table, summary_line

ROOT = Path(__file__).resolve().parent.parent
SMALL = ROOT / "tests" / "golden" / "analyze-small.yaml"


def sections(text: str) -> list[str]:
    return [line for line in text.splitlines() if line and line == line.lstrip() and line.isupper()
            or line.startswith(("ESTABLISHED", "QUESTIONS", "ACCEPTANCES"))]


def test_summary_then_established_by_rank_then_questions_by_system():
    report = mixed_report()
    text = render_table(report)
    lines = text.splitlines()
    assert lines[0] == "6 findings: 1 critical, 2 high, 2 medium, 1 low; 3 established, 3 questions for 3 systems; 6 open"
    assert lines[1] == "by kind: accountability gap 3, exposure 3"
    assert lines[2].startswith("most findings: ")
    assert sections(text) == ["ESTABLISHED FINDINGS (3, by rank)", "QUESTIONS (3 questions for 3 systems, by the system that can answer them)",
                              "ACCEPTANCES THAT MATCH NO FINDING"]
    first = lines.index("ESTABLISHED FINDINGS (3, by rank)") + 1
    assert lines[first:first + 3] == [
        "   1 CRITICAL  title of exposure:a->b0",
        "               exposure:a->b0  at flow a->b0  12 origins: a, c, d and 9 more",
        "               path: a -> x -> b0 (+1 more)",
    ]
    ranks = [int(line.split()[0]) for line in lines if line[:4].strip().isdigit()]
    assert ranks == [f.rank for f in report.established]
    questions = lines[lines.index("QUESTIONS (3 questions for 3 systems, by the system that can answer them)") + 1:][:2]
    # same severity: cir's question ranks first (by id), so cir comes first; vis's two share a line
    assert questions == ["  cir: Question 1 about cir?", "  vis: Question 0 about vis? Question 2 about vis?"]
    assert "  exposure:a:b0: matches no finding (now: exposure:a->b0)" in lines


def test_top_20_unless_all():
    report = mixed_report(established=25)
    cut = render_table(report)
    assert cut.count(" HIGH ") + cut.count(" CRITICAL ") == 20
    assert "  5 more: --all" in cut.splitlines()
    full = render_table(report, show_all=True)
    assert full.count(" HIGH ") + full.count(" CRITICAL ") == 25 and "more: --all" not in full


def test_colour_only_when_asked():
    coloured = render_table(mixed_report(), color=True)
    assert "\x1b[31m\x1b[1mCRITICAL " in coloured
    assert "\x1b[" not in render_table(mixed_report())


def test_an_accepted_finding_shows_its_status():
    text = render_table(analyze(load_model(SMALL)))
    assert "[mitigated]" in text
    assert "status: mitigated by DPO until 2099-12-31: queries limited to | name checks <with> a warrant" in text


def test_cli_output_is_plain_when_piped_and_starts_with_the_summary():
    result = CliRunner().invoke(main, ["analyze", str(SMALL)])
    assert result.exit_code == 0
    assert "\x1b[" not in result.stdout
    assert result.stdout.splitlines()[0] == summary_line(analyze(load_model(SMALL)))


def test_first_screen_of_the_eu_model_is_summary_and_established_findings():
    model = ROOT / "models" / "eu-interoperability.yaml"
    report = analyze(load_model(model))
    screen = CliRunner().invoke(main, ["analyze", str(model)]).stdout.splitlines()[:25]
    assert screen[:3] == render_table(report).splitlines()[:3] and screen[0] == summary_line(report)
    assert screen[4].startswith("ESTABLISHED FINDINGS") and not any("QUESTIONS" in line for line in screen)
    ids = [line.split()[0] for line in screen[5:] if line.startswith(" " * 15) and "  at " in line]
    assert len(ids) >= 5 and ids == [f.id for f in report.established[:len(ids)]]
