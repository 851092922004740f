"""``flowmap import`` and ``flowmap export``: spreadsheets in, spreadsheets and graph files out."""

from __future__ import annotations

from pathlib import Path

import click

from flowmap.cli.options import check_output, default_stem, emit, write_atomically
from flowmap.progress import step

EXPORT_FORMATS = ("csv", "xlsx", "graphml", "gexf", "json", "ropa")


@click.command("import")
@click.argument("systems", type=click.Path(path_type=Path))
@click.argument("flows", required=False, type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the model (YAML) here instead of standard output.")
@click.option("--name", help="The model's name (default: the `model` table's, else the file name).")
@click.option("--sources", "sources", type=click.Path(path_type=Path), metavar="SOURCES.csv|.xlsx",
              help="The sources table (key, citation), if not beside SYSTEMS.")
def import_command(systems: Path, flows: Path | None, output: Path | None, name: str | None,
                   sources: Path | None) -> None:
    """Build a validated model from spreadsheets: a SYSTEMS table and a FLOWS table (.csv or .xlsx).

    Columns are the model format's field names (nested ones flattened, like
    controls.redress); list cells separate items with ';'; an empty cell means
    unknown. Companion tables (sources, model, taxonomy, incidents, accepted)
    are read from the workbook's sheets of those names, or from
    <prefix>sources.csv etc. beside <prefix>systems.csv. FLOWS may be left out
    when SYSTEMS is a workbook with a 'flows' sheet. Every problem is reported
    with its file, row and column; on any error nothing is written (exit 2).

    \b
    Example:
      flowmap import examples/spreadsheet/systems.csv examples/spreadsheet/flows.csv -o my-model.yaml
      flowmap import examples/spreadsheet/model.xlsx -o my-model.yaml
    """
    from flowmap.spreadsheet import import_model, model_yaml

    check_output(output, systems, flows, sources)
    with step(f"reading {systems}"):
        imported = import_model(systems, flows, sources=sources, name=name)
    for warning in imported.warnings:
        click.echo(warning.format(), err=True)
    with step("writing the model"):
        text = model_yaml(imported.model)
    model = imported.model
    summary = f"{len(model.systems)} systems, {len(model.flows)} flows from {_tables(imported.tables)}"
    emit(text, output)
    if output is not None:
        summary = f"wrote {output}: {summary}"
    click.echo(summary, err=True)


def _tables(labels: list[str]) -> str:
    """``book.xlsx[systems]``, ``book.xlsx[flows]`` -> ``book.xlsx (systems, flows)``.

    >>> _tables(["b.xlsx[systems]", "b.xlsx[flows]", "sources.csv"])
    'b.xlsx (systems, flows), sources.csv'
    """
    grouped: dict[str, list[str]] = {}
    for label in labels:
        book, bracket, sheet = label.partition("[")
        grouped.setdefault(book if bracket else label, []).extend([sheet.rstrip("]")] if bracket else [])
    return ", ".join(f"{name} ({', '.join(sheets)})" if sheets else name for name, sheets in grouped.items())


@click.command("export")
@click.argument("model", type=click.Path(path_type=str))
@click.option("--to", "fmt", type=click.Choice(EXPORT_FORMATS), required=True,
              help="csv (a folder of tables), xlsx (one workbook), graphml, gexf (Gephi), json (networkx "
                   "node-link) or ropa (the record of processing, GDPR Art. 30: .xlsx, or .csv by the file name).")
@click.option("-o", "--output", type=click.Path(path_type=Path), metavar="DIR_OR_FILE",
              help="csv: a folder; others: a file, or - for standard output (default: under output/).")
def export_command(model: str, fmt: str, output: Path | None) -> None:
    """Write MODEL as spreadsheets (csv, xlsx) that `flowmap import` reads back to
    the same model, or as a graph file (graphml, gexf, json) for Gephi,
    Cytoscape and notebooks, with propagation results as node attributes, or
    as the record of processing activities (ropa: GDPR Art. 30(1), LED Art. 24(1),
    one row per system, recipients and transfers derived from the flows).
    MODEL is a file, or REV:PATH (the file as of a git revision).

    \b
    Example:
      flowmap export models/eu-interoperability.yaml --to xlsx -o eu.xlsx
      flowmap export models/eu-interoperability.yaml --to csv -o eu-tables/
      flowmap export models/eu-interoperability.yaml --to gexf -o eu.gexf
      flowmap export models/eu-interoperability.yaml --to ropa -o eu-ropa.xlsx
    """
    from flowmap.gitrev import load_input
    from flowmap.graph_export import graph_bytes
    from flowmap.spreadsheet import csv_files, xlsx_bytes

    if fmt != "csv":
        check_output(output, model)
    with step(f"loading {model}"):
        loaded = load_input(model)
    base = Path("output") / default_stem(loaded.name, model)
    if fmt in ("csv", "xlsx"):
        from flowmap.spreadsheet import import_changes

        for change in import_changes(loaded):
            click.echo(f"warning: {model}: {change}", err=True)
    with step(f"writing {fmt}"):
        if fmt == "csv":
            folder = output or base
            files = csv_files(loaded)
            for name, data in files.items():
                write_atomically(folder / name, data)
            click.echo(f"wrote {folder}/ ({', '.join(files)})", err=True)
            return
        if fmt == "ropa":
            from flowmap.report.ropa import ropa_csv, ropa_format, ropa_xlsx

            target = output or base.parent / f"{base.name}-ropa.xlsx"
            data = ropa_csv(loaded) if ropa_format(str(target)) == "csv" else ropa_xlsx(loaded)
            if str(target) == "-":
                emit(data, None)
                return
            write_atomically(target, data)
            click.echo(f"wrote {target}", err=True)
            return
        data = xlsx_bytes(loaded) if fmt == "xlsx" else graph_bytes(loaded, fmt)
    if output is not None and str(output) == "-":
        if fmt == "xlsx":
            from flowmap.errors import UsageError

            raise UsageError("an xlsx workbook cannot go to standard output: give -o FILE.xlsx")
        emit(data, None)
        return
    target = output or base.with_suffix(f".{fmt}")
    write_atomically(target, data)
    click.echo(f"wrote {target}", err=True)
