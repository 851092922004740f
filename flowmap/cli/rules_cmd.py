"""``flowmap rules``: the rule catalogue."""

from __future__ import annotations

from pathlib import Path

import click

from flowmap.cli.options import emit, format_option, output_option


@click.command()
@format_option(["table", "json", "markdown"], "table")
@output_option()
def rules(fmt: str, output: Path | None) -> None:
    """Print the rule catalogue: id, kind, default severity, principles, what each rule detects.

    \b
    Example:
      flowmap rules
      flowmap rules --format markdown -o docs/rules.md
    """
    from flowmap import rule_reference as ref

    render = {"table": ref.rules_table, "json": ref.rules_json, "markdown": ref.rules_markdown}[fmt]
    emit(render(), output)
