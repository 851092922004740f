"""``flowmap paths``: by which flows, and for which categories, data moves from one system to another."""

from __future__ import annotations

import json
from pathlib import Path

import click

from flowmap.cli.options import check_output, emit, format_option, output_option


def routes_text(source: str, target: str, found: list, category: str | None = None) -> str:
    """The routes as lines for a terminal, one category per block.

    >>> from flowmap.paths import Route
    >>> print(routes_text("a", "c", [Route("special.health", ["a", "b", "c"], ["a->b", "b->c"], ["a"])]), end="")
    Data moves from a to c in 1 category:
      special.health (collected at a): 2 steps
        a -> b -> c
        via a->b, b->c
    """
    if not found:
        return f"no {category + ' ' if category else ''}data moves from {source} to {target}\n"
    lines = [f"Data moves from {source} to {target} in {len(found)} categor{'ies' if len(found) != 1 else 'y'}:"]
    for route in found:
        lines.append(f"  {route.category} (collected at {', '.join(route.origins)}): "
                     f"{route.hops} step{'s' if route.hops != 1 else ''}")
        lines.append(f"    {' -> '.join(route.path)}")
        lines.append(f"    via {', '.join(route.flows)}")
    return "\n".join(lines) + "\n"


@click.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(path_type=str))
@click.option("--from", "source", required=True, metavar="SYSTEM", help="The system the data leaves.")
@click.option("--to", "target", required=True, metavar="SYSTEM", help="The system it may reach.")
@click.option("--category", metavar="C", help="Only this category (and the categories under it).")
@format_option(["table", "json"], "table")
@output_option()
def paths(model_path: str, source: str, target: str, category: str | None, fmt: str, output: Path | None) -> None:
    """Show the shortest routes by which data moves from one system to another in MODEL.

    One route per category that actually travels (held or received at the
    source, then carried flow by flow to the target); when none does, a
    sentence says so. MODEL is a file, or REV:PATH (the file as of a git
    revision). Exit codes: 0 whether or not data moves (the json has an
    empty route list when none does), 2 on bad input or usage.

    \b
    Example:
      flowmap paths models/eu-interoperability.yaml --from eurodac --to europol
      flowmap paths models/eu-interoperability.yaml --from vis --to europol --category biometric
    """
    from flowmap.gitrev import load_input
    from flowmap.paths import routes, routes_to_dict

    check_output(output, model_path)
    model = load_input(model_path)
    found = routes(model, source, target, category=category)
    if fmt == "json":
        emit(json.dumps(routes_to_dict(model, source, target, found), indent=2, ensure_ascii=False), output)
    else:
        emit(routes_text(source, target, found, category), output)
