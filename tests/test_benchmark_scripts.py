"""The benchmark scripts still run against the package as it is now (no timings checked here:
timings belong in the benchmarks). A script that reaches into a module that moved fails here,
not in the hands of whoever next wants a figure."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flowmap.synth import synthesize

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
YAML_MODEL = ROOT / "examples" / "tutorial" / "step3.yaml"


def _run(*argv: object) -> str:
    done = subprocess.run([sys.executable, *map(str, argv)], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.fixture(scope="module")
def json_model(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("bench") / "small.json"
    path.write_text(json.dumps(synthesize(40, seed=1)), encoding="utf-8")
    return path


@pytest.mark.parametrize("stage", ["floor", "load", "analyses"])
def test_stages_on_a_json_model(stage, json_model):
    measured = json.loads(_run(BENCHMARKS / "stages.py", stage, json_model))
    assert measured["seconds"] >= 0


@pytest.mark.parametrize("stage", ["yaml", "load", "parsers"])
def test_stages_on_a_yaml_model(stage):
    measured = json.loads(_run(BENCHMARKS / "stages.py", stage, YAML_MODEL))
    assert measured["seconds"] >= 0
    if stage == "parsers":
        assert {"libyaml", "fast_path", "flowmap_read"} <= set(measured)


def test_rules_and_graph_benchmarks(json_model):
    rules = _run(BENCHMARKS / "rules_bench.py", json_model)
    assert "all rules" in rules and "function_creep" in rules
    assert "reach" in _run(BENCHMARKS / "graph_bench.py", json_model, "--repeat", "1")
