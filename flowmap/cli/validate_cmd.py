"""``flowmap validate``: check model files and explain every problem."""

from __future__ import annotations

import json
from pathlib import Path

import click

from flowmap.cli.options import Exit, check_output, emit, format_option, output_option
from flowmap.loader import check_model
from flowmap.progress import step


@click.command()
@click.argument("models", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@format_option(["table", "json"], "table")
@output_option("Write the report (json, or the warnings and the ok line) to this file instead of standard output.")
def validate(models: tuple[str, ...], strict: bool, fmt: str, output: Path | None) -> None:
    """Check MODELS against the model format and report every problem at once.

    Each problem is one line, FILE:LINE:COL: path.to.field: message. Warnings
    (a flow carrying data its source never has, a system holding data with no
    purposes, an acceptance that matches no finding) do not fail the check
    unless --strict. A model may be given as REV:PATH (the file as of a git
    revision). Exit code 0 when every model is valid, 2 when any is not.

    \b
    Example:
      flowmap validate --strict models/*.yaml
    """
    check_output(output, *models)
    diagnostics = []
    failed = False
    for path in models:
        with step(f"checking {path}"):
            model, found = check_model(path, strict=strict)
        failed = failed or model is None
        diagnostics.extend(found)
    if fmt == "json":
        emit(json.dumps({"valid": not failed, "diagnostics": [d.to_dict() for d in diagnostics]}, indent=2), output)
    else:
        lines = []
        for diagnostic in diagnostics:
            if diagnostic.severity == "error":
                click.echo(diagnostic.format(), err=True)
            else:
                lines.append(diagnostic.format())
        if not failed:
            lines.append(f"ok: {len(models)} model{'s' if len(models) != 1 else ''} valid"
                         + (f", {len(diagnostics)} warning{'s' if len(diagnostics) != 1 else ''}" if diagnostics else ""))
        if lines:
            emit("\n".join(lines), output)
    raise SystemExit(Exit.BAD_INPUT if failed else Exit.OK)
