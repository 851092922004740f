"""``flowmap map``: draw a model as a self-contained interactive HTML map."""

from __future__ import annotations

from pathlib import Path

import click

from flowmap.cli.options import check_extension, check_output, default_stem, output_option, write_atomically
from flowmap.loader import gc_paused


FORMATS = (".html", ".svg", ".png", ".pdf")  # what -o may end in: the interactive map, or a static figure


def default_output(model_name: str, model_path: str = "map") -> Path:
    """``output/<slug of the model name>.html`` (see :func:`~flowmap.cli.options.default_stem`
    for a name without ASCII letters).

    >>> default_output("EU borders: ETIAS & VIS (2024)").as_posix()
    'output/eu-borders-etias-vis-2024.html'
    """
    return Path("output") / f"{default_stem(model_name, model_path)}.html"


@click.command("map")
@click.argument("model", type=click.Path(path_type=str))
@output_option("Write the map here: .html (interactive), or .svg, .png or .pdf (a static figure of the same "
               "map, for a paper). Default: output/<model name>.html; for a name without ASCII letters, "
               "output/<file name>-<hash>.html.")
@click.option("--focus", metavar="SYSTEM", help="Draw only this system's neighbourhood and the paths through it.")
@click.option("--category", metavar="C", help="Draw only the flows that carry this data category.")
@click.option("--findings/--no-findings", default=True, show_default=True,
              help="Analyse the model and show its findings on the map.")
@click.option("--title", metavar="TEXT", help="Heading of the map (default: the model's name).")
def map_command(model: str, output: Path | None, focus: str | None, category: str | None,
                findings: bool, title: str | None) -> None:
    """Draw MODEL as one interactive HTML file that works offline.

    Systems are coloured by sector and shaped by kind; flows are styled by
    sensitivity and security; findings are listed and highlighted on click.
    Above 400 systems the map opens as clusters (by sector, operator or
    jurisdiction); a click expands one. With -o FILE.svg, .png or .pdf it
    writes a static figure of the same map instead (deterministic bytes).
    The file loads nothing from the network, and the same model always gives
    the same bytes. MODEL is a file, or REV:PATH (the file as of a git revision).

    \b
    Example:
      flowmap map models/eu-interoperability.yaml -o eu.html
      flowmap map models/eu-interoperability.yaml --focus europol --category biometric
      flowmap map models/eu-interoperability.yaml -o figure.pdf
    """
    from flowmap.gitrev import load_input
    from flowmap.maps import render_map  # imported here: it pulls in pydantic, which `flowmap --help` never needs

    check_output(output, model)  # overwriting the model or a read-only file is the graver mistake: said first
    suffix = check_extension(output, FORMATS, "map")

    # One short-lived run that builds a large acyclic object graph (the model, then the map data):
    # cyclic garbage collection would only rescan it, at about 40% of the load time of a large model.
    with gc_paused():
        loaded = load_input(model)
        if suffix in (".svg", ".png", ".pdf"):
            from flowmap.figure import figure_bytes

            data = figure_bytes(loaded, suffix[1:], with_findings=findings, focus=focus, category=category,
                                title=title)
        else:
            data = render_map(loaded, with_findings=findings, focus=focus, category=category,
                              title=title).encode("utf-8")
    target = output or default_output(loaded.name, model)
    write_atomically(target, data)
    click.echo(f"wrote {target}", err=True)
