"""``flowmap schema`` and ``flowmap taxonomy``: reference material for model authors."""

from __future__ import annotations

from pathlib import Path

import click

from flowmap.cli.options import check_output, emit, format_option, output_option


@click.command()
@output_option()
def schema(output: Path | None) -> None:
    """Print the JSON Schema of the model format.

    Editors use it to complete and check models: save it, then start a model
    with the line  # yaml-language-server: $schema=./flowmap.schema.json

    \b
    Example:
      flowmap schema -o flowmap.schema.json
    """
    from flowmap.schema import schema_text

    emit(schema_text(), output)


@click.command()
@format_option(["table", "json", "markdown"], "table")
@click.option("--model", "model_path", type=click.Path(path_type=str),
              help="Include this model's extensions (a file, or REV:PATH).")
@output_option()
def taxonomy(fmt: str, model_path: str | None, output: Path | None) -> None:
    """Print the taxonomy: categories, purposes, sectors, actors, subjects, technologies.

    \b
    Example:
      flowmap taxonomy --format markdown > docs/taxonomy.md
      flowmap taxonomy --model models/eu-interoperability.yaml
    """
    from flowmap import taxonomy_reference as ref
    from flowmap.taxonomy import builtin_taxonomy

    check_output(output, model_path)
    if model_path:
        from flowmap.gitrev import load_input

        tax = load_input(model_path).effective_taxonomy
    else:
        tax = builtin_taxonomy()
    render = {"table": ref.taxonomy_table, "json": ref.taxonomy_json, "markdown": ref.taxonomy_markdown}[fmt]
    emit(render(tax), output)
