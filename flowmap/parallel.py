"""Encoding a long list on two cores: the second half in a forked child process.

Writing a large report is mostly rendering each finding's text and encoding it, item by
item, with nothing shared between items: the one step of ``flowmap analyze`` that splits
cleanly. :func:`encode_halves` forks, lets the child encode the second half into an
unnamed temporary file while the parent encodes the first, then appends the child's bytes.
The output is byte-identical to encoding the whole list in one process; where ``fork`` is
missing, the machine has one core, the list is short, or the child fails, the parent simply
encodes everything itself.

>>> def encode(items, last):
...     for n, item in enumerate(items):
...         yield f"{item}{'' if last and n == len(items) - 1 else ','}".encode()
>>> b"".join(encode_halves(list(range(5)), encode, min_items=2))
b'0,1,2,3,4'
"""

from __future__ import annotations

import os
import pickle
import signal
import tempfile
from typing import Callable, Iterator, Sequence, TypeVar

__all__ = ["encode_halves", "run_two", "MIN_ITEMS"]

Item = TypeVar("Item")
First = TypeVar("First")
Second = TypeVar("Second")
MIN_ITEMS = 20_000  # below this, forking costs more than it saves
_READ = 1 << 20


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def encode_halves(
    items: Sequence[Item],
    encode: Callable[[Sequence[Item], bool], Iterator[bytes]],
    *,
    min_items: int | None = None,
) -> Iterator[bytes]:
    """``encode(items, True)``'s chunks, the second half produced by a forked child.

    ``encode(part, last)`` must depend only on ``part`` and whether it ends the list;
    ``min_items`` defaults to :data:`MIN_ITEMS`.
    """
    if len(items) < (MIN_ITEMS if min_items is None else min_items) or not hasattr(os, "fork") or _cores() < 2:
        yield from encode(items, True)
        return
    middle = len(items) // 2
    with tempfile.TemporaryFile() as spill:
        pid = os.fork()
        if pid == 0:  # the child: encode the second half, then leave without running any cleanup
            status = 1
            try:
                for chunk in encode(items[middle:], True):
                    spill.write(chunk)
                spill.flush()
                status = 0
            finally:
                os._exit(status)
        finished = False
        try:
            yield from encode(items[:middle], False)
            finished = True
        finally:
            if not finished:  # the consumer stopped early or failed: the child's work is not needed
                os.kill(pid, signal.SIGKILL)
            _, status = os.waitpid(pid, 0)
        if status != 0:
            yield from encode(items[middle:], True)
            return
        spill.seek(0)
        while chunk := spill.read(_READ):
            yield chunk


def run_two(first: Callable[[], First], second: Callable[[], Second], *, parallel: bool = True) -> tuple[First, Second]:
    """``(first(), second())``, with ``first`` in a forked child while ``second`` runs here.

    The child's result comes back pickled through an unnamed temporary file, so it must be
    plain data, and ``first`` must not change anything the parent relies on afterwards
    (its changes stay in the child). Runs both here when ``parallel`` is false, fork is
    missing, one core is usable, or the child fails.

    >>> run_two(lambda: sum(range(10)), lambda: "here")
    (45, 'here')
    """
    if not parallel or not hasattr(os, "fork") or _cores() < 2:
        return first(), second()
    with tempfile.TemporaryFile() as spill:
        pid = os.fork()
        if pid == 0:  # the child: compute, write the result, leave without running any cleanup
            status = 1
            try:
                pickle.dump(first(), spill, protocol=pickle.HIGHEST_PROTOCOL)
                spill.flush()
                status = 0
            finally:
                os._exit(status)
        try:
            here = second()
        except BaseException:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            raise
        _, status = os.waitpid(pid, 0)
        if status != 0:
            return first(), here
        spill.seek(0)
        return pickle.load(spill), here

