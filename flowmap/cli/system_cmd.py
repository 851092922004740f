"""``flowmap system``: where one system's data goes, for what, and what is wrong with that."""

from __future__ import annotations

from pathlib import Path

import click

from flowmap.cli.options import check_output, emit, format_option, min_confidence_option, output_option


@click.command("system")
@click.argument("model_path", metavar="MODEL", type=click.Path(path_type=str))
@click.argument("system_id", metavar="SYSTEM_ID")
@format_option(["table", "markdown", "json"], "table")
@output_option()
@min_confidence_option()
def system(model_path: str, system_id: str, fmt: str, output: Path | None, min_confidence: str) -> None:
    """Where the data SYSTEM_ID collects goes, for what, and what is wrong with that.

    Lists the systems its data reaches (with a route to each), the purposes of
    the flows that carry its data (and whether each is a purpose of collection,
    one a law added, or neither), and the findings its data takes part in.

    MODEL is a file, or REV:PATH (the file as of a git revision).

    Exit codes: 0, or 2 on bad input (an unknown system id, with a did-you-mean).

    \b
    Example:
      flowmap system models/eu-interoperability.yaml eurodac
      flowmap system models/eu-interoperability.yaml eurodac --format markdown -o eurodac.md
    """
    from flowmap.findings import Confidence
    from flowmap.gitrev import load_input
    from flowmap.system_view import system_view

    check_output(output, model_path)
    model = load_input(model_path)
    view = system_view(model, system_id, min_confidence=Confidence.parse(min_confidence))
    if fmt == "json":
        from flowmap.analysis import json_text

        text = json_text(view.to_dict(), line_lists=("reached", "uses", "findings"))
    elif fmt == "markdown":
        from flowmap.render.system import render_system_markdown

        text = render_system_markdown(view)
    else:
        from flowmap.render.system import render_system_table

        text = render_system_table(view)
    emit(text, output)
