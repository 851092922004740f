"""CSV output: one row per finding, parsed back with pandas."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import yaml
from click.testing import CliRunner

from flowmap.cli import main
from flowmap.render.csv_out import COLUMNS

SMALL = Path(__file__).parent / "golden" / "analyze-small.yaml"


def test_csv_round_trips_through_pandas():
    result = CliRunner().invoke(main, ["analyze", str(SMALL), "--rules", "exposure", "--format", "csv"])
    assert result.exit_code == 0
    frame = pd.read_csv(io.StringIO(result.stdout), dtype=str, keep_default_na=False)
    assert list(frame.columns) == list(COLUMNS)
    assert list(frame["id"]) == ["exposure:clinic:police", "exposure:registry:police"]
    first, second = frame.to_dict("records")
    assert first["severity"] == "critical" and first["status"] == "open"
    assert first["path"] == "clinic;hub;police"
    assert first["flows"] == "clinic-to-hub;hub-to-police"
    assert first["principles"] == "purpose_limitation;necessity_and_proportionality;security"
    assert first["message"].startswith("special.health collected in City clinic can reach National police")
    assert first["acceptance_reason"] == ""
    assert (second["status"], second["acceptance_by"], second["acceptance_until"]) == ("mitigated", "DPO", "2099-12-31")
    assert second["acceptance_reason"] == "queries limited to | name checks <with> a warrant"
    assert second["flows"] == "registry->police"


def test_csv_with_no_findings_is_just_the_header(write_model):
    path = write_model({"flowmap": 1, "name": "x", "systems": [{"id": "a", "sector": "health"}]})
    result = CliRunner().invoke(main, ["analyze", str(path), "--format", "csv"])
    assert result.stdout == ",".join(COLUMNS) + "\n"


def test_csv_cells_that_look_like_formulas_are_quoted():
    import csv

    from conftest import build

    from flowmap.analysis import analyze
    from flowmap.render import render

    data = yaml.safe_load(SMALL.read_text(encoding="utf-8"))
    data["systems"][0]["name"] = '=HYPERLINK("http://evil","x")\r=1+1'  # a carriage return must not split the row
    data["systems"][2]["name"] = "-5 km police"
    data["accepted"][0].update(reason="@SUM(1+1)", by="+cmd|' /C calc'!A0")
    top = {k: v for k, v in data.items() if k not in ("flowmap", "systems", "flows")}
    report = analyze(build(data["systems"], data["flows"], **top))
    text = render(report, "csv")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert "\r" in text and len(rows) == len(report.findings)  # the \r is quoted: it does not end a row
    clinic = next(r for r in rows if r["id"] == "exposure:clinic:police")
    assert clinic["title"] == '\'=HYPERLINK("http://evil","x")\r=1+1 data reaches -5 km police (law_enforcement)'
    registry = next(r for r in rows if r["id"] == "exposure:registry:police")
    assert (registry["acceptance_reason"], registry["acceptance_by"]) == ("'@SUM(1+1)", "'+cmd|' /C calc'!A0")
    assert not [c for r in rows for c in r.values() if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
