"""CSV output: one row per finding (every one), in rank order, parsed back with pandas."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import yaml
from click.testing import CliRunner

from flowmap.analysis import analyze
from flowmap.cli import main
from flowmap.loader import load_model
from flowmap.render.csv_out import COLUMNS

SMALL = Path(__file__).parent / "golden" / "analyze-small.yaml"
EU = Path(__file__).resolve().parent.parent / "models" / "eu-interoperability.yaml"


def test_csv_round_trips_through_pandas():
    result = CliRunner().invoke(main, ["analyze", str(SMALL), "--rules", "exposure", "--format", "csv"])
    assert result.exit_code == 0
    frame = pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(COLUMNS)
    assert list(frame["id"]) == ["exposure:hub-to-police", "exposure:registry->police"]
    first, second = frame.to_dict("records")
    assert (first["rank"], first["severity"], first["status"]) == ("1", "critical", "open")
    assert (first["anchor_type"], first["anchor"]) == ("flow", "hub-to-police")
    assert (first["origins"], first["origins_total"]) == ("clinic", "1")
    assert first["paths"] == "clinic > hub > police"
    assert first["flows"] == "hub-to-police;clinic-to-hub"
    assert first["acceptance_reason"] == "" and first["question"] == ""
    assert (second["status"], second["acceptance_by"], second["acceptance_until"]) == ("mitigated", "DPO", "2099-12-31")
    assert second["acceptance_reason"] == "queries limited to | name checks <with> a warrant"


def test_csv_carries_every_finding_with_its_fields():
    report = analyze(load_model(EU))
    result = CliRunner().invoke(main, ["analyze", str(EU), "--format", "csv"])
    frame = pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    assert list(frame["id"]) == [f.id for f in report.findings]  # all of them, not the top 20
    assert list(frame["rank"]) == [str(f.rank) for f in report.findings]
    assert list(frame["origins_total"]) == [str(f.origins_total) for f in report.findings]
    assert list(frame["reached_total"]) == ["" if f.reached_total is None else str(f.reached_total)
                                            for f in report.findings]
    assert list(frame["question"]) == [f.question for f in report.findings]
    established = CliRunner().invoke(main, ["analyze", str(EU), "--format", "csv", "--min-confidence", "high"])
    kept = pd.read_csv(io.StringIO(established.stdout), dtype=str, keep_default_na=False)
    assert list(kept["id"]) == [f.id for f in report.established] and set(kept["confidence"]) <= {"high"}


def test_csv_with_no_findings_is_just_the_header(write_model):
    path = write_model({"flowmap": 1, "name": "x", "systems": [{"id": "a", "sector": "health"}]})
    result = CliRunner().invoke(main, ["analyze", str(path), "--format", "csv"])
    assert result.stdout == ",".join(COLUMNS) + "\n"


def test_csv_cells_that_look_like_formulas_are_quoted():
    import csv

    from conftest import build

    from flowmap.render import render

    data = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    data["systems"][2]["name"] = '=HYPERLINK("http://evil","x")\r=1+1'  # a carriage return must not split the row
    data["accepted"][0].update(reason="@SUM(1+1)", by="+cmd|' /C calc'!A0")
    top = {k: v for k, v in data.items() if k not in ("flowmap", "systems", "flows")}
    report = analyze(build(data["systems"], data["flows"], **top))
    text = render(report, "csv")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert "\r" in text and len(rows) == len(report.findings)  # the \r is quoted: it does not end a row
    registry = next(r for r in rows if r["id"] == "exposure:registry->police")
    assert (registry["acceptance_reason"], registry["acceptance_by"]) == ("'@SUM(1+1)", "'+cmd|' /C calc'!A0")
    assert any('=HYPERLINK("http://evil","x")' in c for r in rows for c in r.values())  # the name is in some text
    assert not [c for r in rows for c in r.values() if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_csv_appends_the_safeguards_standing_on_the_anchor_flow():
    """Findings anchored at a safeguarded flow carry its safeguards in JSON; the CSV has them in a
    last column, after every column earlier versions wrote (spreadsheets read them by position)."""
    assert COLUMNS == (
        "id", "rank", "rule", "kind", "severity", "confidence", "title", "message", "anchor_type", "anchor",
        "systems", "flows", "categories", "subjects", "origins", "origins_total", "reached", "reached_total",
        "paths", "principles", "mitigation", "question", "asks",
        "status", "acceptance_reason", "acceptance_by", "acceptance_until", "safeguards",
    )
    report = analyze(load_model(EU))
    result = CliRunner().invoke(main, ["analyze", str(EU), "--format", "csv"])
    frame = pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    assert list(frame["safeguards"]) == [";".join(f.safeguards) for f in report.findings]
    guarded = {row["id"]: row["safeguards"] for row in frame.to_dict("records") if row["safeguards"]}
    assert guarded  # the model records safeguards on some flows where findings stand
    by_id = {f.id: f.to_dict() for f in report.findings}
    for finding_id, cell in guarded.items():
        assert "flow" in by_id[finding_id]["anchor"]
        assert cell.split(";") == by_id[finding_id]["safeguards"]
