"""``flowmap validate``: check model files and explain every problem."""

from __future__ import annotations

import json

import click

from flowmap.cli.options import format_option
from flowmap.loader import check_model
from flowmap.progress import step


@click.command()
@click.argument("models", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@format_option(["text", "json"], "text")
def validate(models: tuple[str, ...], strict: bool, fmt: str) -> None:
    """Check MODELS against the model format and report every problem at once.

    Each problem is one line, FILE:LINE:COL: path.to.field: message. Warnings
    (a flow carrying data its source never has, a system holding data with no
    purposes, an acceptance that matches no finding) do not fail the check
    unless --strict. Exit code 0 when every model is valid, 2 when any is not.

    \b
    Example:
      flowmap validate --strict models/*.yaml
    """
    diagnostics = []
    failed = False
    for path in models:
        with step(f"checking {path}"):
            model, found = check_model(path, strict=strict)
        failed = failed or model is None
        diagnostics.extend(found)
    if fmt == "json":
        click.echo(json.dumps({"valid": not failed, "diagnostics": [d.to_dict() for d in diagnostics]}, indent=2))
    else:
        for diagnostic in diagnostics:
            click.echo(diagnostic.format(), err=diagnostic.severity == "error")
        if not failed:
            click.echo(f"ok: {len(models)} model{'s' if len(models) != 1 else ''} valid"
                       + (f", {len(diagnostics)} warning{'s' if len(diagnostics) != 1 else ''}" if diagnostics else ""))
    raise SystemExit(2 if failed else 0)
