"""Progress feedback on stderr for steps that can take more than a second or two.

Shown only when stderr is a terminal, so pipes, files, CI logs and tests stay
clean. Each step prints its label while it runs and erases it when it ends;
nothing is left behind. Adopt it in any command around loading, analysis,
layout or writing of a large model::

    from flowmap.progress import step

    with step("loading models/eu.yaml"):
        model = load_model(path)
    with step("analysing"):
        report = analyze(model)

The library stays silent: call :func:`step` from CLI modules only. Tests pass
``stream=`` and ``enabled=True`` to see the output:

>>> import io
>>> out = io.StringIO()
>>> with step("loading", stream=out, enabled=True):
...     pass
>>> out.getvalue()
'\\r\\x1b[Kflowmap: loading...\\r\\x1b[K'
>>> with step("silent", stream=out, enabled=False):
...     pass
>>> out.getvalue().count("silent")
0
"""

from __future__ import annotations

import contextlib
import sys
from typing import IO, Iterator

__all__ = ["step", "enabled_for"]

_CLEAR = "\r\x1b[K"  # back to column 0, erase to end of line


def enabled_for(stream: IO[str]) -> bool:
    """Whether progress should show on ``stream``: only when it is a terminal.

    >>> import io
    >>> enabled_for(io.StringIO())
    False
    """
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):  # closed or detached stream
        return False


@contextlib.contextmanager
def step(label: str, *, stream: IO[str] | None = None, enabled: bool | None = None) -> Iterator[None]:
    """Show ``flowmap: <label>...`` on stderr while the block runs, then erase it.

    ``enabled`` defaults to :func:`enabled_for` the stream. The line is erased
    even when the block raises, so an error message starts on a clean line.
    """
    stream = stream if stream is not None else sys.stderr
    show = enabled_for(stream) if enabled is None else enabled
    if show:
        stream.write(f"{_CLEAR}flowmap: {label}...")
        stream.flush()
    try:
        yield
    finally:
        if show:
            stream.write(_CLEAR)
            stream.flush()
