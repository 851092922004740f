"""``flowmap report``: an assessment report (HTML or Markdown) to attach to a DPIA."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import click

from flowmap.cli.options import output_option, write_atomically
from flowmap.errors import UsageError
from flowmap.loader import load_model
from flowmap.progress import step


def slug(name: str, fallback: str = "model") -> str:
    """A file-name-safe form of a model name.

    >>> slug("EU borders: ETIAS & VIS (2024)")
    'eu-borders-etias-vis-2024'
    """
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:80].strip("-") or fallback


def _date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--today: '{value}' is not a date (YYYY-MM-DD)") from None


@click.command()
@click.argument("model", type=click.Path(path_type=str))
@output_option("Write the report here: .html (default) or .md (default: output/<model name>-report.html).")
@click.option("--accept", "accept_files", multiple=True, type=click.Path(path_type=str), metavar="FILE",
              help="Also apply the acceptances in this file (repeatable).")
@click.option("--today", metavar="YYYY-MM-DD", help="Judge acceptance expiry as of this date (default: today).")
@click.option("--max-findings", type=click.IntRange(min=0), default=300, show_default=True,
              help="Show this many of the most severe findings in full (0: all); the rest are counted.")
@click.option("--map/--no-map", "with_map", default=True, show_default=True,
              help="Embed the interactive map in the HTML report.")
def report(model: str, output: Path | None, accept_files: tuple[str, ...], today: str | None, max_findings: int,
           with_map: bool) -> None:
    """Write an assessment report of MODEL for a DPIA: summary, exposure matrix,
    data inventory, findings by principle, acceptances and sources.

    The HTML report is one self-contained file that works offline and embeds
    the interactive map; the Markdown report pastes into a document. The same
    model gives the same bytes; the only date in it is the model's as_of.

    \b
    Example:
      flowmap report models/eu-interoperability.yaml
      flowmap report models/eu-interoperability.yaml -o dpia/eu-exposures.md
    """
    from flowmap.accept_file import load_acceptances
    from flowmap.report import render_report, report_format

    when = _date(today)
    with step(f"loading {model}"):
        loaded = load_model(model)
        accepted = [a for path in accept_files for a in load_acceptances(path)]
    target = output or Path("output") / f"{slug(loaded.name)}-report.html"
    with step("analysing and writing the report"):
        text = render_report(loaded, report_format(str(target)), accepted=accepted, today=when,
                             with_map=with_map, max_findings=max_findings)
    write_atomically(target, text.encode("utf-8"))
    click.echo(f"wrote {target}", err=True)
