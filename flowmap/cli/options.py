"""Option bundles shared by several commands (one decorator each, never copied)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Callable, Iterable

import click

from flowmap.errors import FlowmapError


def output_option(help_text: str = "Write to this file instead of standard output.") -> Callable:
    return click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), help=help_text)


def format_option(choices: list[str], default: str) -> Callable:
    return click.option(
        "--format",
        "fmt",
        type=click.Choice(choices),
        default=default,
        show_default=True,
        help="Output format.",
    )


def min_confidence_option() -> Callable:
    return click.option(
        "--min-confidence", "min_confidence", type=click.Choice(["high", "low"]), default="low", show_default=True,
        help="high: only established findings (recorded facts); low: also the questions (findings that rest "
             "on unknowns).",
    )


def all_option(what: str = "every established finding and every system with questions") -> Callable:
    return click.option("--all", "show_all", is_flag=True,
                        help=f"Show {what} (default: the first 20, the rest counted).")


def emit(text: str, output: Path | None) -> None:
    """Print ``text``, or write it whole to ``output`` (via a temporary file, so a failure
    leaves nothing half-written)."""
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    write_atomically(output, text.encode("utf-8"))


def emit_chunks(chunks: Iterable[str | bytes], output: Path | None) -> None:
    """Like :func:`emit` for text produced in pieces (str, or UTF-8 bytes): never holds the
    whole text in memory."""
    encoded = (chunk if isinstance(chunk, bytes) else chunk.encode("utf-8") for chunk in chunks)
    if output is None:
        sys.stdout.flush()
        stream = sys.stdout.buffer
        for chunk in encoded:
            stream.write(chunk)
        stream.flush()
        return
    write_atomically(output, encoded)


def write_atomically(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    path = Path(path)
    try:
        if path.exists() and not path.is_file():  # /dev/null, a pipe: write through, never replace it
            with path.open("wb") as handle:
                _write(handle, data)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            with temporary.open("wb") as handle:
                _write(handle, data)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        os.replace(temporary, path)
    except OSError as exc:
        raise FlowmapError(f"{path}: cannot write ({exc.strerror}): check the path") from None


def _write(handle, data: bytes | Iterable[bytes]) -> None:
    if isinstance(data, (bytes, bytearray)):
        handle.write(data)
    else:
        for piece in data:
            handle.write(piece)
