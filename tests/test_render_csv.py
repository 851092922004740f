"""CSV output: one row per finding, parsed back with pandas."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
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
