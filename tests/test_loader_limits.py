"""What the loader reads is bounded, whatever the input: size, aliases, file type."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from flowmap import loader
from flowmap.errors import ModelError

ROOT = Path(__file__).resolve().parent.parent


def _message(excinfo) -> str:
    return "\n".join(d.format() for d in excinfo.value.diagnostics)


def test_a_pipe_is_read_only_up_to_the_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(loader, "MAX_BYTES", 1024 * 1024)
    fifo = tmp_path / "model.yaml"
    os.mkfifo(fifo)

    def feed():
        try:
            with open(fifo, "wb") as pipe:
                for _ in range(5 * 1024):
                    pipe.write(b"# " + b"x" * 1021 + b"\n")
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    with pytest.raises(ModelError) as excinfo:
        loader.read_data(fifo)
    writer.join(timeout=10)
    assert _message(excinfo) == f"{fifo}: gives more than 1 MiB, the limit for a model: split the model"


def test_dev_zero_is_refused_at_once():
    script = textwrap.dedent(
        f"""
        import resource, sys
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))
        sys.path.insert(0, {str(ROOT)!r})
        from flowmap.loader import read_data
        from flowmap.errors import ModelError
        try:
            read_data("/dev/zero")
        except ModelError as err:
            print(err)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "/dev/zero: looks like a binary file, not YAML or JSON text", result.stderr
