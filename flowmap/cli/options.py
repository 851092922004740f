"""Option bundles shared by several commands (one decorator each, never copied), and the one
way commands write: to standard output, or to a file given with ``-o``."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import signal
import stat
import sys
import tempfile
import threading
from enum import IntEnum
from pathlib import Path
from typing import Callable, Iterable, Iterator

import click

from flowmap.errors import FlowmapError, UsageError


class Exit(IntEnum):
    """Every exit code of ``flowmap``, for every command.

    >>> [int(code) for code in Exit]
    [0, 1, 2, 130, 141]
    """

    OK = 0  # done; for a gate, no open finding reached it
    FINDINGS = 1  # --fail-on: an open finding is at or above the gate
    BAD_INPUT = 2  # bad input or usage, or the output could not be written
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT), as a shell reports it
    BROKEN_PIPE = 141  # the reader of standard output went away (128 + SIGPIPE), as a shell reports it


class OutputError(FlowmapError):
    """Standard output or an output file cannot be written."""


def output_option(help_text: str = "Write to this file instead of standard output.") -> Callable:
    return click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), help=help_text)


class _FormatChoice(click.Choice):
    """A ``click.Choice`` that also takes hidden, deprecated aliases (``text`` for ``table``)."""

    def __init__(self, choices: list[str], aliases: dict[str, str]):
        super().__init__(choices)
        self.aliases = aliases

    def convert(self, value, param, ctx):
        if isinstance(value, str) and value in self.aliases:
            click.echo(f"note: --format {value} is deprecated: use --format {self.aliases[value]}", err=True)
            value = self.aliases[value]
        return super().convert(value, param, ctx)


def format_option(choices: list[str], default: str) -> Callable:
    """``--format``; where ``table`` is a choice, the old name ``text`` still works (deprecated)."""
    aliases = {"text": "table"} if "table" in choices and "text" not in choices else {}
    return click.option(
        "--format",
        "fmt",
        type=_FormatChoice(choices, aliases),
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


def _today(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--today: '{value}' is not a date (YYYY-MM-DD)") from None


def acceptance_options(command: Callable) -> Callable:
    """``--accept FILE`` (repeatable; every file applies, in order) and ``--today YYYY-MM-DD``
    (judge acceptance expiry as of that date): the same on every command that applies
    acceptances. The command receives ``accept_files`` (a tuple) and ``today`` (a date or None);
    :func:`load_accepted` reads the files."""
    command = click.option("--today", metavar="YYYY-MM-DD", callback=_today,
                           help="Judge acceptance expiry as of this date (default: today).")(command)
    return click.option("--accept", "accept_files", multiple=True, metavar="FILE", type=click.Path(path_type=str),
                        help="Also apply the acceptances in FILE (YAML or JSON, the shape of a model's "
                             "`accepted:`). Repeatable: every file applies.")(command)


def load_accepted(files: Iterable[str]) -> list:
    """The acceptances of every file, in the order given."""
    if not files:
        return []  # the common case: no reader to import
    from flowmap.accept_file import load_acceptances

    return [acceptance for path in files for acceptance in load_acceptances(path)]


def slug(name: str, fallback: str = "model") -> str:
    """A file-name-safe form of a model name.

    >>> slug("EU borders: ETIAS & VIS (2024)")
    'eu-borders-etias-vis-2024'
    """
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80].strip("-") or fallback


def default_stem(model_name: str, model_path: str) -> str:
    """The stem of a command's default output file: the slug of the model's name; for a name
    with no ASCII letter or digit, the slug of the model file's name and a short hash of the
    model's name, so two such models never share a default file.

    >>> default_stem("EU borders (2024)", "models/eu.yaml")
    'eu-borders-2024'
    >>> default_stem("日本", "models/jp.yaml"), default_stem("中国", "models/jp.yaml")
    ('jp-cf2abf0c', 'jp-f0e95216')
    """
    named = slug(model_name, "")
    if named:
        return named
    stem = slug(Path(model_path.rpartition(":")[2] or model_path).stem, "model")
    return f"{stem}-{hashlib.sha256(model_name.encode('utf-8')).hexdigest()[:8]}"


def check_output(output: Path | None, *inputs: str | os.PathLike | None) -> None:
    """Refuse, before any work, an output file that is one of the command's inputs (writing it
    would destroy the input) or that is read-only (see :func:`refuse_read_only`)."""
    if output is None or str(output) == "-":
        return
    for source in inputs:
        if source is not None and _same_file(output, source):
            raise UsageError(f"-o {_shown(output)} is the input file {_shown(source)}: writing would overwrite it; "
                             "give another output file")
    refuse_read_only(output)


def check_extension(output: Path | str | None, allowed: Iterable[str], command: str) -> str | None:
    """Refuse, before any work, an output file whose extension the command cannot write (one
    clear line, exit 2), instead of writing, say, HTML under a ``.pdf`` name. Returns the
    extension (lower case, with its dot), or None when there is no ``-o`` or it names a device
    or a pipe (which gets the command's default format).

    >>> check_extension(Path("fig.SVG"), [".html", ".svg"], "map")
    '.svg'
    >>> check_extension(Path("r.pdf"), [".html", ".md"], "report")
    Traceback (most recent call last):
    ...
    flowmap.errors.UsageError: -o r.pdf: report cannot write a .pdf file: give a file name ending in .html or .md
    """
    if output is None or str(output) == "-":
        return None
    path = Path(output)
    allowed = [a.lower() for a in allowed]
    suffix = path.suffix.lower()
    if suffix in allowed:
        return suffix
    if not suffix and path.exists() and not path.is_file() and not path.is_dir():
        return None  # /dev/null, a named pipe: written through in the default format
    names = ", ".join(allowed[:-1]) + f" or {allowed[-1]}" if len(allowed) > 1 else allowed[0]
    what = f"a {suffix} file" if suffix else "a file without an extension"
    raise UsageError(f"-o {_shown(output)}: {command} cannot write {what}: give a file name ending in {names}")


def _same_file(a: str | os.PathLike, b: str | os.PathLike) -> bool:
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def refuse_read_only(path: str | os.PathLike) -> None:
    """Raise :class:`OutputError` when ``path`` is an existing regular file without write
    permission: it was protected on purpose, and a write through a temporary file would
    silently replace it. (Checked on the mode bits as well as with ``access``, since root may
    write anything.)"""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return
    if stat.S_ISREG(info.st_mode) and (not os.access(path, os.W_OK) or not info.st_mode & 0o222):
        raise OutputError(f"{_shown(path)} is read-only: make it writable (chmod u+w) or give another output file")


def _shown(path: str | os.PathLike) -> str:
    from flowmap.diagnostics import printable

    return printable(str(path), limit=400)


def emit(text: str | bytes, output: Path | None) -> None:
    """Print ``text`` (ending it with a newline), or write it whole to ``output`` (via a temporary file, so a failure
    leaves nothing half-written)."""
    if isinstance(text, str) and not text.endswith("\n"):
        text += "\n"
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    if output is None:
        to_stdout([data])
        return
    write_atomically(output, data)


def emit_chunks(chunks: Iterable[str | bytes], output: Path | None) -> None:
    """Like :func:`emit` for text produced in pieces (str, or UTF-8 bytes): never holds the
    whole text in memory."""
    encoded = (chunk if isinstance(chunk, bytes) else chunk.encode("utf-8") for chunk in chunks)
    if output is None:
        to_stdout(encoded)
        return
    write_atomically(output, encoded)


def to_stdout(chunks: Iterable[bytes]) -> None:
    """Write ``chunks`` to standard output and flush it.

    A reader that went away raises :class:`BrokenPipeError`, which the command group turns into
    a quiet exit (:attr:`Exit.BROKEN_PIPE`); any other failure (a full disk, a closed standard
    output) is an :class:`OutputError`, one line and exit code 2."""
    stream = sys.stdout
    if stream is None:
        raise OutputError("standard output is closed: redirect it (> FILE) or give -o FILE")
    try:
        stream.flush()
        target = getattr(stream, "buffer", None)
        for chunk in chunks:
            if target is not None:
                _write_all(target, chunk)
            else:
                stream.write(chunk.decode("utf-8"))
        stream.flush()
        if target is not None:
            target.flush()
    except BrokenPipeError:
        raise
    except (OSError, ValueError) as exc:  # ValueError: a stream closed under us
        reason = getattr(exc, "strerror", None) or str(exc)
        raise OutputError(f"cannot write to standard output ({reason}): check where it goes, or give -o FILE") from None


def _write_all(target, chunk: bytes) -> None:
    """Write all of ``chunk``: with ``PYTHONUNBUFFERED`` standard output is a raw file, whose
    ``write`` may take only part of it (and then, for a reader that went away, fails next)."""
    view = memoryview(chunk)
    while view:
        written = target.write(view)
        if written is None:  # a non-blocking descriptor that is full
            raise BlockingIOError(11, "standard output would block")
        view = view[written:]


def write_atomically(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    The temporary file is created exclusively, at an unpredictable name (a planted symlink
    cannot redirect it), and removed on any failure, SIGTERM and SIGHUP included. The result
    keeps the mode of the file it replaces; a new file gets the umask's usual mode.
    """
    path = Path(path)
    refuse_read_only(path)
    try:
        if path.exists() and not path.is_file():  # /dev/null, a pipe: write through, never replace it
            with path.open("wb") as handle:
                _write(handle, data)
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = _mode_for(path)
        owner = os.getpid()
        with _termination_raises():
            descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            try:
                with os.fdopen(descriptor, "wb") as handle:
                    _write(handle, data)
                os.chmod(temporary, mode)
                os.replace(temporary, path)
            except BaseException:
                if os.getpid() == owner:  # never from a forked child: the file is its parent's
                    with contextlib.suppress(OSError):
                        os.unlink(temporary)
                raise
    except OSError as exc:
        raise FlowmapError(f"{path}: cannot write ({exc.strerror}): check the path") from None


def _mode_for(path: Path) -> int:
    """Permission bits for the new ``path``: those of the file it replaces, else 0666 less the umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode) & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


class _Terminated(BaseException):
    """SIGTERM or SIGHUP arrived while a file was being written (see :func:`_termination_raises`)."""


@contextlib.contextmanager
def _termination_raises() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into an exception for the duration, so the caller's cleanup runs;
    afterwards the signal is delivered again as the process would have had it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def handler(signum, frame):
        caught.append(signum)
        raise _Terminated(signum)

    wanted = [s for s in (signal.SIGTERM, getattr(signal, "SIGHUP", None)) if s is not None]
    previous = {s: signal.getsignal(s) for s in wanted}
    for number, action in previous.items():
        if action is not signal.SIG_IGN:
            signal.signal(number, handler)
    try:
        yield
    finally:
        for number, action in previous.items():
            signal.signal(number, action if action is not None else signal.SIG_DFL)
        if caught:
            signal.raise_signal(caught[0])


def _write(handle, data: bytes | Iterable[bytes]) -> None:
    if isinstance(data, (bytes, bytearray)):
        handle.write(data)
    else:
        for piece in data:
            handle.write(piece)
