"""Golden files for `flowmap diff` on the EU 2018 -> 2024 example pair (JSON and Markdown).

The rules evolve, so the goldens do too: after a deliberate change, regenerate them with

    UPDATE_GOLDEN=1 python -m pytest tests/test_diff_golden.py

and review the git diff of tests/golden/ like any other change.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import ROOT, UPDATE_GOLDEN

from flowmap import __version__
from flowmap.diff import diff_inputs, render

GOLDEN = ROOT / "tests" / "golden"
OLD, NEW = "examples/diff/eu-2018.yaml", "examples/diff/eu-2024.yaml"
TODAY = dt.date(2026, 1, 1)
VERSION = "<flowmap version>"


def rendered(fmt: str) -> str:
    text = render(diff_inputs(OLD, NEW, today=TODAY), fmt)
    if fmt == "json":
        data = json.loads(text)
        assert data["flowmap"] == __version__
        data["flowmap"] = VERSION  # a version bump alone should not break the golden
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return text


@pytest.mark.parametrize("fmt, name", [("json", "diff-eu.json"), ("markdown", "diff-eu.md")])
def test_example_pair_matches_golden(fmt, name, monkeypatch):
    monkeypatch.chdir(ROOT)  # labels are the relative paths
    text = rendered(fmt)
    path = GOLDEN / name
    if UPDATE_GOLDEN:
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing: run UPDATE_GOLDEN=1 python -m pytest {__file__}"
    assert text == path.read_text(encoding="utf-8"), (
        f"{name} differs from the golden: if the change is intended, run UPDATE_GOLDEN=1 python -m pytest {__file__}"
    )


def test_golden_records_the_reform(monkeypatch):
    monkeypatch.chdir(ROOT)
    data = json.loads((GOLDEN / "diff-eu.json").read_text(encoding="utf-8"))
    systems = data["model"]["systems"]
    assert [e["id"] for e in systems["added"]] == ["cir", "ecris-tcn", "ees", "esp", "etias", "etias-central-unit",
                                                    "mid", "police-identity-checks", "sbms"]
    renamed = [(c["renamed_from"], c["id"]) for c in data["model"]["flows"]["changed"] if "renamed_from" in c]
    assert renamed == [("vis-to-third-countries", "vis-to-third-countries-return")]
    eurodac = next(c for c in systems["changed"] if c["id"] == "eurodac")
    holds = next(f for f in eurodac["fields"] if f["field"] == "holds")
    assert holds == {"field": "holds", "old": ["biometric.fingerprint"],
                     "new": ["biometric.face", "biometric.fingerprint", "identity.biographic", "identity.travel_document"]}
    police = next(a for a in data["exposure"]["actors"] if a["actor"] == "police-identity-checks")
    assert (police["before"], police["after"]) == (0, 8)
