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
from flowmap.errors import ModelError, UsageError

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
        from flowmap.errors import ModelError, UsageError
        try:
            read_data("/dev/zero")
        except ModelError as err:
            print(err)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "/dev/zero: looks like a binary file, not YAML or JSON text", result.stderr


def test_an_anchored_long_string_repeated_is_an_alias_bomb():
    text = "flowmap: 1\nname: x\nbig: &big " + "x" * 10_000 + "\nsystems:\n" + "- *big\n" * 100_000
    with pytest.raises(ModelError) as excinfo:
        loader.read_data_text(text, "m.yaml")
    assert _message(excinfo) == (
        "m.yaml:1003:3: YAML aliases expand to 1,000,010,023 characters of text from 710,039 written "
        "(an alias bomb?): write the data out instead of aliasing it"
    )


def test_aliases_that_repeat_a_little_text_are_fine():
    text = "flowmap: 1\nname: x\nbase: &base {sector: police, holds: [identity]}\nsystems:\n" + "".join(
        f"- {{<<: *base, id: s{n}}}\n" for n in range(20_000)
    )
    assert len(loader.read_data_text(text, "m.yaml")["systems"]) == 20_000


def test_a_file_of_tiny_values_is_refused_before_it_is_parsed():
    text = "flowmap: 1\nname: x\nsystems: [" + "a," * loader.MAX_VALUES + "a]\n"
    assert len(text) < loader.MAX_BYTES
    with pytest.raises(ModelError) as excinfo:
        loader.read_data_text(text, "m.yaml")
    assert _message(excinfo) == (
        "m.yaml: the file may hold up to 6,000,007 values, over the 6,000,000 a model may have "
        "(reading takes about 450 bytes of memory each): split the model (or raise the limit with "
        "FLOWMAP_INPUT_LIMIT_MIB, if the machine has the memory)"
    )


def test_the_limits_can_be_raised_for_a_machine_with_the_memory(monkeypatch):
    text = "flowmap: 1\nname: x\nsystems: [" + "a," * loader.MAX_VALUES + "a]\n"
    monkeypatch.setenv("FLOWMAP_INPUT_LIMIT_MIB", "128")
    assert loader.input_limits() == (128 * 2**20, 2 * loader.MAX_VALUES)
    assert len(loader.read_data_text(text, "m.yaml")["systems"]) == loader.MAX_VALUES + 1  # parsed now
    monkeypatch.setenv("FLOWMAP_INPUT_LIMIT_MIB", "lots")
    with pytest.raises(UsageError):
        loader.input_limits()


def test_the_byte_cap_keeps_memory_near_three_gigabytes():
    assert loader.MAX_BYTES == 64 * 2**20  # 50 bytes of memory per byte of a realistic YAML model


def test_a_million_mistakes_are_counted_not_listed():
    from flowmap.structure import MAX_REPORTED
    from flowmap.validate import build_model

    data = {"flowmap": 1, "name": "x", "systems": ["a"] * 5000}
    with pytest.raises(ModelError) as excinfo:
        build_model(data, "m.yaml")
    diagnostics = excinfo.value.diagnostics
    assert len(diagnostics) == MAX_REPORTED + 1
    assert diagnostics[0].format() == (
        "m.yaml: 4,000 more problems are not shown: fix those listed (the rest are often the same mistake) "
        "and validate again"
    )
