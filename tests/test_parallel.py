"""Encoding on two cores gives the same bytes as one, and falls back when the child fails."""

from __future__ import annotations

import os

import pytest

from flowmap import analysis, parallel
from flowmap.analysis import analyze
from flowmap.loader import load_model

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


def _lines(items, last):
    for n, item in enumerate(items):
        yield f"{item}{'' if last and n == len(items) - 1 else ','}\n".encode()


def test_two_halves_equal_one_pass():
    items = list(range(1001))
    assert b"".join(parallel.encode_halves(items, _lines, min_items=1)) == b"".join(_lines(items, True))


def test_child_failure_falls_back_to_the_parent():
    parent = os.getpid()

    def fragile(items, last):
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        yield from _lines(items, last)

    items = list(range(10))
    assert b"".join(parallel.encode_halves(items, fragile, min_items=1)) == b"".join(_lines(items, True))


def test_stopping_early_leaves_no_child_behind():
    chunks = parallel.encode_halves(list(range(100)), _lines, min_items=1)
    assert next(chunks) == b"0,\n"
    chunks.close()  # kills and reaps the child
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_report_json_is_byte_identical_on_two_cores(monkeypatch):
    report = analyze(load_model(ROOT / "models" / "eu-interoperability.yaml"))
    serial = report.to_json()
    monkeypatch.setattr(parallel, "_cores", lambda: 2)
    monkeypatch.setattr(analysis, "encode_halves",
                        lambda items, encode: parallel.encode_halves(items, encode, min_items=1))
    assert report.to_json() == serial


def test_run_two_returns_both_and_falls_back_when_the_child_fails():
    parent = os.getpid()
    assert parallel.run_two(lambda: {"a": b"x"}, lambda: [1]) == ({"a": b"x"}, [1])

    def fragile():
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        return "computed here"

    assert parallel.run_two(fragile, lambda: 2) == ("computed here", 2)


def test_run_two_reaps_the_child_when_the_parent_side_fails():
    with pytest.raises(ZeroDivisionError):
        parallel.run_two(lambda: 1, lambda: 1 / 0)
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)


def test_diff_by_digests_on_two_cores_equals_diff_by_comparison(monkeypatch):
    """The digest path (used from 20,000 findings) gives the same diff as comparing findings."""
    from flowmap.diff import diff_inputs, render

    old, new = ROOT / "examples" / "diff" / "eu-2018.yaml", ROOT / "examples" / "diff" / "eu-2024.yaml"
    monkeypatch.setattr(parallel, "MIN_ITEMS", 10**9)
    compared = render(diff_inputs(str(old), str(new)), "json")
    monkeypatch.setattr(parallel, "MIN_ITEMS", 1)
    monkeypatch.setattr(parallel, "_cores", lambda: 2)
    assert render(diff_inputs(str(old), str(new)), "json") == compared
