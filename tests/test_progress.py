"""Progress on stderr: shown on a terminal only, erased afterwards, even on error."""

from __future__ import annotations

import io

import pytest

from flowmap.progress import enabled_for, step


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_terminal_gets_label_then_erasure():
    out = FakeTerminal()
    with step("loading eu.yaml", stream=out):
        assert out.getvalue() == "\r\x1b[Kflowmap: loading eu.yaml..."
    assert out.getvalue().endswith("\r\x1b[K")


def test_pipe_gets_nothing():
    out = io.StringIO()
    with step("loading", stream=out):
        pass
    assert out.getvalue() == "" and not enabled_for(out)


def test_line_is_erased_when_the_block_raises():
    out = FakeTerminal()
    with pytest.raises(ValueError):
        with step("analysing", stream=out):
            raise ValueError("boom")
    assert out.getvalue().endswith("\r\x1b[K")


def test_closed_stream_is_not_a_terminal():
    out = io.StringIO()
    out.close()  # isatty() now raises ValueError
    assert enabled_for(out) is False
