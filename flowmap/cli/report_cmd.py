"""``flowmap report``: an assessment report in the shape of a DPIA (HTML, Markdown or Word)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from flowmap.cli.options import (acceptance_options, check_extension, check_output, default_stem, load_accepted,
                                 output_option, slug, write_atomically)
from flowmap.progress import step

__all__ = ["report", "slug"]


@click.command()
@click.argument("model", type=click.Path(path_type=str))
@output_option("Write the report here: .html (default), .md or .docx (default: output/<model name>-report.html).")
@acceptance_options
@click.option("--max-findings", type=click.IntRange(min=0), default=300, show_default=True,
              help="Show this many of the most severe findings in full (0: all); the rest are counted.")
@click.option("--map/--no-map", "with_map", default=True, show_default=True,
              help="Embed the map: interactive in HTML, a static figure in Word (when flowmap.figure can draw it).")
def report(model: str, output: Path | None, accept_files: tuple[str, ...], today: dt.date | None, max_findings: int,
           with_map: bool) -> None:
    """Write an assessment report of MODEL in the four parts of a DPIA (GDPR
    Art. 35(7)): description with a flow register, necessity and proportionality
    per purpose, risks (findings by rank, questions per system, exposure matrix),
    measures (action plan with owners and due dates, residual risk), sources and
    a sign-off block.

    The HTML report is one self-contained file that works offline and embeds
    the interactive map; the Markdown report pastes into a document; the Word
    report (.docx) is an editable document. The report is dated --today
    (default: today); the same model, acceptances and date give the same bytes.
    MODEL is a file, or REV:PATH (the file as of a git revision).

    \b
    Example:
      flowmap report models/eu-interoperability.yaml
      flowmap report models/eu-interoperability.yaml -o dpia/eu-exposures.md
      flowmap report models/eu-interoperability.yaml -o dpia/eu.docx --today 2026-12-01
    """
    from flowmap.gitrev import load_input
    from flowmap.report import report_bytes, report_format

    check_output(output, model, *accept_files)  # overwriting an input or a read-only file: said first
    check_extension(output, (".html", ".htm", ".md", ".markdown", ".docx"), "report")
    with step(f"loading {model}"):
        loaded = load_input(model)
        accepted = load_accepted(accept_files)
    target = output or Path("output") / f"{default_stem(loaded.name, model)}-report.html"
    with step("analysing and writing the report"):
        data = report_bytes(loaded, report_format(str(target)), accepted=accepted, today=today,
                            with_map=with_map, max_findings=max_findings)
    write_atomically(target, data)
    click.echo(f"wrote {target}", err=True)
