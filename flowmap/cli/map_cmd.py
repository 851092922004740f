"""``flowmap map``: draw a model as a self-contained interactive HTML map."""

from __future__ import annotations

import re
from pathlib import Path

import click

from flowmap.cli.options import output_option, write_atomically
from flowmap.loader import gc_paused, load_model


def default_output(model_name: str) -> Path:
    """``output/<slug of the model name>.html``.

    >>> default_output("EU borders: ETIAS & VIS (2024)").as_posix()
    'output/eu-borders-etias-vis-2024.html'
    """
    slug = re.sub(r"[^a-z0-9]+", "-", model_name.lower()).strip("-")[:80].strip("-") or "map"
    return Path("output") / f"{slug}.html"


@click.command("map")
@click.argument("model", type=click.Path(path_type=str))
@output_option("Write the map here (default: output/<model name>.html).")
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
    The file loads nothing from the network, and the same model always gives
    the same bytes.

    \b
    Example:
      flowmap map models/eu-interoperability.yaml -o eu.html
      flowmap map models/eu-interoperability.yaml --focus europol --category biometric
    """
    from flowmap.maps import render_map  # imported here: it pulls in pydantic, which `flowmap --help` never needs

    # One short-lived run that builds a large acyclic object graph (the model, then the map data):
    # cyclic garbage collection would only rescan it, at about 40% of the load time of a large model.
    with gc_paused():
        loaded = load_model(model)
        text = render_map(loaded, with_findings=findings, focus=focus, category=category, title=title)
    target = output or default_output(loaded.name)
    write_atomically(target, text.encode("utf-8"))
    click.echo(f"wrote {target}", err=True)
