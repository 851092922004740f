"""The ``flowmap`` command: a thin layer over the library.

Each command parses its options, calls one library function and formats the
result. Library errors (:class:`flowmap.errors.FlowmapError`) become
``Error: ...`` lines on stderr and exit code 2. Commands are listed in the explicit
table ``_COMMANDS`` of this file; each lives in its own module, imported when first asked for.

Exit codes (:class:`flowmap.cli.options.Exit`, the same for every command): 0 clean, 1 findings
at or above the gate, 2 bad input or usage (or output that cannot be written), 130 interrupted,
141 when the reader of standard output went away (``flowmap analyze ... | head``), quietly, as a
shell reports a program ended by SIGPIPE.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

from flowmap import __version__
from flowmap.cli.options import Exit
from flowmap.diagnostics import printable
from flowmap.errors import FlowmapError, ModelError
from flowmap.loader import gc_paused



class FlowmapGroup(click.Group):
    """Turns library errors into one line each on stderr and exit code 2, never a traceback; a
    reader of standard output that went away into a quiet exit 141."""

    def invoke(self, ctx: click.Context):
        try:
            # A command is one short run over acyclic data (model, findings, text) that reference
            # counting frees; the cyclic collector would only rescan it, again and again, as it
            # grows (at 10,000 systems, writing the JSON report took twice as long with it on).
            with gc_paused():
                return super().invoke(ctx)
        except ModelError as err:
            for diagnostic in err.diagnostics:
                click.echo(f"Error: {diagnostic.format()}", err=True)
            sys.exit(Exit.BAD_INPUT)
        except FlowmapError as err:
            # one line whatever the message quotes (a file name with a newline in it, say)
            click.echo(f"Error: {printable(str(err), limit=2000)}", err=True)
            sys.exit(Exit.BAD_INPUT)
        except BrokenPipeError:
            _detach_stdout()
            sys.exit(Exit.BROKEN_PIPE)
        except KeyboardInterrupt:
            click.echo("Interrupted", err=True)
            sys.exit(Exit.INTERRUPTED)

    # Each command is imported when it is first asked for: `flowmap analyze` reads no other
    # command's module (a help listing, or `commands`, imports them all).
    @property
    def commands(self) -> dict[str, click.Command]:  # type: ignore[override]
        for name in _COMMANDS:
            self.get_command(None, name)  # type: ignore[arg-type]
        return self._commands

    @commands.setter
    def commands(self, value: dict[str, click.Command]) -> None:
        self._commands = value

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self._commands and cmd_name in _COMMANDS:
            module, attribute = _COMMANDS[cmd_name]
            self._commands[cmd_name] = getattr(importlib.import_module(f"flowmap.cli.{module}"), attribute)
        return self._commands.get(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(dict.fromkeys([*_COMMANDS, *self._commands]))  # registration order: related ones together


# name -> (module of flowmap.cli, the command in it), in the order `flowmap --help` lists them
_COMMANDS = {
    "validate": ("validate_cmd", "validate"),
    "analyze": ("analyze_cmd", "analyze"),
    "system": ("system_cmd", "system"),
    "paths": ("paths_cmd", "paths"),
    "rules": ("rules_cmd", "rules"),
    "schema": ("reference", "schema"),
    "taxonomy": ("reference", "taxonomy"),
    "synth": ("synth_cmd", "synth"),
    "diff": ("diff_cmd", "diff"),
    "history": ("diff_cmd", "history"),
    "map": ("map_cmd", "map_command"),
    "report": ("report_cmd", "report"),
    "import": ("tables_cmd", "import_command"),
    "export": ("tables_cmd", "export_command"),
}


def _detach_stdout() -> None:
    """Point standard output at /dev/null, so the interpreter's last flush of what is still
    buffered for a reader that went away neither fails nor prints a warning."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file (a test runner's buffer)
        pass


@click.group(cls=FlowmapGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="flowmap")
def main() -> None:
    """Map where people's data goes once government databases are linked.

    Describe systems and the flows between them in a YAML model; flowmap
    validates it, finds exposure paths, function creep, insecure links and
    accountability gaps, draws interactive maps and diffs two snapshots.

    \b
    Example:
      flowmap validate models/eu-interoperability.yaml
      flowmap analyze models/eu-interoperability.yaml --fail-on high
    """


