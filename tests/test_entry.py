"""The process entry point (flowmap/entry.py) ends the process itself: what it writes must all
arrive, with the exit code the command chose."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "models" / "uk-health-immigration-firewall.yaml"


def flowmap(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "flowmap", *args], capture_output=True, text=True, timeout=120)


def test_standard_output_is_complete_when_the_process_ends_itself():
    done = flowmap("analyze", str(MODEL), "--format", "json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)  # every byte flushed: the whole document parses
    assert report["summary"]["findings"] == len(report["findings"]) > 0


def test_a_written_file_is_complete(tmp_path):
    out = tmp_path / "r.json"
    done = flowmap("analyze", str(MODEL), "--format", "json", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["findings"]


def test_exit_codes_are_the_commands(tmp_path):
    missing = flowmap("analyze", str(tmp_path / "nothing.yaml"))
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1 and "nothing.yaml" in missing.stderr
    gated = flowmap("analyze", str(MODEL), "--fail-on", "info")
    assert gated.returncode == 1
    assert flowmap("--version").returncode == 0


def test_a_reader_that_goes_away_gets_no_traceback():
    done = subprocess.run(["bash", "-c", f'"{sys.executable}" -m flowmap analyze "{MODEL}" --format json | head -c 20'],
                          capture_output=True, text=True, timeout=120)
    assert len(done.stdout) == 20
    assert "Traceback" not in done.stderr
