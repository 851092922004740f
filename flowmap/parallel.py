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
from typing import BinaryIO, Callable, Iterator, Sequence, TypeVar

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


def _can_fork() -> bool:
    return hasattr(os, "fork") and _cores() >= 2


def _fork_writing(spill: BinaryIO, write: Callable[[BinaryIO], object]) -> int:
    """Fork a child that runs ``write(spill)``, then leaves without running any cleanup (exit
    status 0 once all is written and flushed, 1 otherwise). Returns the child's pid."""
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            write(spill)
            spill.flush()
            status = 0
        finally:
            os._exit(status)
    return pid


def _stop(pid: int) -> None:
    """Kill a child whose work is no longer needed, and reap it."""
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)


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
    if len(items) < (MIN_ITEMS if min_items is None else min_items) or not _can_fork():
        yield from encode(items, True)
        return
    middle = len(items) // 2
    with tempfile.TemporaryFile() as spill:
        pid = _fork_writing(spill, lambda out: out.writelines(encode(items[middle:], True)))
        try:
            yield from encode(items[:middle], False)
        except BaseException:  # the consumer stopped early or failed: the child's work is not needed
            _stop(pid)
            raise
        _, status = os.waitpid(pid, 0)
        if status != 0:
            yield from encode(items[middle:], True)
            return
        spill.seek(0)
        while chunk := spill.read(_READ):
            yield chunk


def run_two(first: Callable[[], First], second: Callable[[], Second]) -> tuple[First, Second]:
    """``(first(), second())``, with ``first`` in a forked child while ``second`` runs here.

    The child's result comes back pickled through an unnamed temporary file, so it must be
    plain data, and ``first`` must not change anything the parent relies on afterwards
    (its changes stay in the child). Runs both here when fork is missing, one core is
    usable, or the child fails.

    >>> run_two(lambda: sum(range(10)), lambda: "here")
    (45, 'here')
    """
    if not _can_fork():
        return first(), second()
    with tempfile.TemporaryFile() as spill:
        pid = _fork_writing(spill, lambda out: pickle.dump(first(), out, protocol=pickle.HIGHEST_PROTOCOL))
        try:
            here = second()
        except BaseException:
            _stop(pid)
            raise
        _, status = os.waitpid(pid, 0)
        if status != 0:
            return first(), here
        spill.seek(0)
        return pickle.load(spill), here
