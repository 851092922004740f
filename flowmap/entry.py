"""The ``flowmap`` process: run the command line, then end the process without freeing its heap.

A command holds its model, graph and findings until it returns: at 10,000 systems, millions
of objects. The interpreter's own shutdown would then free them one by one (about 0.7 s of CPU
for ``flowmap analyze`` at 10,000 systems), work the operating system does at once when the
process ends. So once the command has returned, :func:`run` runs the ``atexit`` handlers,
flushes standard output and standard error, and ends the process with the command's exit
code through :func:`os._exit`. Every file a command writes is written and closed before it
returns (:func:`flowmap.cli.options.write_atomically`).

The cyclic garbage collector stays off for the life of the process. Every command runs with it
paused anyway (:class:`flowmap.cli.FlowmapGroup`: its data are trees that reference counting
frees); switched back on when the command returns, its first collection would scan every object
the command made (0.43 s of CPU for ``flowmap analyze`` at 10,000 systems) just before the
process ends.

The process also starts without pydantic plugins (``PYDANTIC_DISABLE_PLUGINS``, pydantic's own
switch, unless the user set it): flowmap's models are its own, and looking for plugins to hook
into them reads the metadata of every installed package, about 10 ms of every start.

Only the process entry points use this (the ``flowmap`` script and ``python -m flowmap``);
tests and library callers call :data:`flowmap.cli.main`, which returns or raises as usual.

>>> exit_status(None), exit_status(2), exit_status(True)
(0, 2, 1)
"""

from __future__ import annotations

import atexit
import gc
import os
import sys

from flowmap.cli.options import Exit

__all__ = ["run", "exit_status"]


def exit_status(code: object) -> int:
    """The status a process ends with for ``SystemExit(code)``, as the interpreter decides it:
    ``None`` is 0, an integer is itself, anything else is printed to standard error and is 1."""
    if code is None:
        return 0
    if isinstance(code, int) and not isinstance(code, bool):
        return code & 0xFF
    if not isinstance(code, bool):
        print(code, file=sys.stderr)
    return 1


def run() -> None:
    """Run ``flowmap`` with the process's arguments and end the process (see the module docstring)."""
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    gc.disable()
    from flowmap.cli import main

    try:
        main()
        status = 0
    except SystemExit as stop:
        status = exit_status(stop.code)
    # an exception other than SystemExit propagates: the interpreter reports it and shuts down as usual
    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    if run_exit_handlers is not None:
        run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # the reader of standard output went away after the command returned
            status = status or Exit.BROKEN_PIPE
        except (OSError, ValueError, AttributeError):  # closed or not a real stream: nothing left to write
            pass
    os._exit(status)
