"""``flowmap synth``: generate a realistic synthetic ecosystem of any size."""

from __future__ import annotations

from pathlib import Path

import click

from flowmap.cli.options import emit, output_option
from flowmap.errors import UsageError


@click.command()
@click.option("--systems", "systems", type=click.IntRange(min=1, max=1_000_000), required=True,
              help="Number of systems (about four flows each).")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same model, byte for byte.")
@click.option("--vary", type=click.FloatRange(0, 1), default=0.0, show_default=True,
              help="A later snapshot: change, remove or add this fraction of the flows (for `flowmap diff`).")
@click.option("--profile", type=click.Choice(["hub-heavy", "gentle"]), default="hub-heavy", show_default=True,
              help="hub-heavy: national hubs and regional exchanges that a fifth to a third of all systems feed "
                   "or read (what interoperability looks like); gentle: regions and short chains only.")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default=None,
              help="Output format [default: from the -o extension, else yaml].")
@output_option("Write to this file (.yaml, .yml or .json) instead of standard output.")
def synth(systems: int, seed: int, vary: float, profile: str, fmt: str | None, output: Path | None) -> None:
    """Generate a synthetic but realistic ecosystem of SYSTEMS systems, valid under --strict.

    Regions of about 250 systems, each with a common identity repository; a
    dozen sectors; a few percent actors of concern; cycles; known and unknown
    transport security. The hub-heavy profile (the default) adds national hubs
    and regional exchanges. Nothing in it is real: use it to try flowmap at scale.

    \b
    Example:
      flowmap synth --systems 10000 --seed 1 -o output/synth-10k.json
      flowmap synth --systems 10000 --seed 1 --vary 0.01 -o output/synth-10k-b.json
    """
    from flowmap.synth import dump, synthesize

    by_extension = None
    if output is not None:
        suffix = output.suffix.lower()
        by_extension = {".json": "json", ".yaml": "yaml", ".yml": "yaml"}.get(suffix)
        if by_extension is None:
            raise UsageError(f"{output}: name the output .yaml, .yml or .json (the extension picks the format)")
        if fmt is not None and fmt != by_extension:
            raise UsageError(f"{output}: --format {fmt} does not match the {suffix} extension")
    emit(dump(synthesize(systems, seed=seed, vary=vary, profile=profile), fmt or by_extension or "yaml"), output)
