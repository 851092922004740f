"""Writing an output file: exclusively created temporary file, removed on every failure."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from flowmap.cli import options
from flowmap.cli.options import write_atomically
from flowmap.errors import FlowmapError

ROOT = Path(__file__).resolve().parent.parent


def test_planted_symlink_at_the_old_temporary_name_is_not_followed(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    target = tmp_path / "out.json"
    (tmp_path / f".out.json.{os.getpid()}.tmp").symlink_to(victim)
    write_atomically(target, b"report")
    assert victim.read_text() == "precious"
    assert target.read_bytes() == b"report" and not target.is_symlink()


def test_refused_replace_leaves_no_temporary_file(tmp_path, monkeypatch):
    def refuse(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(options.os, "replace", refuse)
    with pytest.raises(FlowmapError, match="cannot write"):
        write_atomically(tmp_path / "out.json", b"report")
    assert list(tmp_path.iterdir()) == []


def test_failing_stream_leaves_no_temporary_file(tmp_path):
    def chunks():
        yield b"{"
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        write_atomically(tmp_path / "out.json", chunks())
    assert list(tmp_path.iterdir()) == []


def test_sigterm_while_streaming_removes_the_temporary_file(tmp_path):
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT)!r})
        from flowmap.cli.options import write_atomically
        def chunks():
            yield b"x" * 1000
            os.kill(os.getpid(), signal.SIGTERM)
            yield b"y" * 1000
        write_atomically({str(tmp_path / 'out.json')!r}, chunks())
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == -signal.SIGTERM, result.stderr
    assert list(tmp_path.iterdir()) == []


def test_new_file_gets_the_umask_mode_and_a_replaced_file_keeps_its_mode(tmp_path):
    old = os.umask(0o027)
    try:
        write_atomically(tmp_path / "new.txt", b"a")
        existing = tmp_path / "old.txt"
        existing.write_bytes(b"before")
        existing.chmod(0o604)
        write_atomically(existing, b"after")
    finally:
        os.umask(old)
    assert (tmp_path / "new.txt").stat().st_mode & 0o777 == 0o640
    assert existing.stat().st_mode & 0o777 == 0o604 and existing.read_bytes() == b"after"
