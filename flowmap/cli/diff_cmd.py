"""``flowmap diff`` and ``flowmap history``: compare snapshots of a model, in files or in git."""

from __future__ import annotations

import json
from pathlib import Path

import click

from flowmap.cli.options import (Exit, acceptance_options, check_output, emit, format_option, load_accepted,
                                 output_option, write_atomically)


@click.command()
@click.argument("old", type=str)
@click.argument("new", type=str)
@format_option(["table", "json", "markdown"], "table")
@output_option()
@click.option(
    "--fail-on",
    "fail_on",
    metavar="new:SEVERITY",
    help="Exit 1 when a finding is open at or above SEVERITY in NEW and was not in OLD: a new "
    "finding, or a changed one that rose to SEVERITY (its evidence widened) or was reopened. "
    "Plain SEVERITY means the same.",
)
@click.option(
    "--map",
    "map_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write an HTML diff map: added green, removed faded, changed amber.",
)
@acceptance_options
def diff(old: str, new: str, fmt: str, output: Path | None, fail_on: str | None, map_file: Path | None,
         accept_files: tuple[str, ...], today) -> None:
    """Show what changed from OLD to NEW and which risks it created or removed.

    OLD and NEW are model files or REV:PATH (the file as of a git revision,
    PATH relative to the current directory). Reports systems and flows added,
    removed, changed field by field and renamed; findings new, resolved and
    changed (a finding in both whose evidence widened or narrowed says how:
    "now reaches 12 more origins' data", "severity high -> critical"), each
    with the model change behind it; and the exposure of actors of concern
    before and after. --accept files apply to both snapshots, after each
    model's own acceptances. Exit 0, or 1 when --fail-on is given and a new
    finding, or a changed one that rose to the severity, is open at or above
    it; 2 on bad input.

    \b
    Example:
      flowmap diff HEAD~1:models/eu-interoperability.yaml models/eu-interoperability.yaml --fail-on new:high
      flowmap diff examples/diff/eu-2018.yaml examples/diff/eu-2024.yaml --format markdown
    """
    from flowmap.diff import diff_inputs, parse_gate, render

    threshold = parse_gate(fail_on) if fail_on else None
    check_output(output, old, new, *accept_files)
    check_output(map_file, old, new, *accept_files)
    result = diff_inputs(old, new, accepted=load_accepted(accept_files), today=today)
    text = render(result, fmt)
    page = None
    if map_file is not None:
        from flowmap.diff.diff_map import render_diff_map

        page = render_diff_map(result)
    emit(text, output)
    if page is not None:
        write_atomically(map_file, page.encode("utf-8"))
    if threshold is not None:
        failing = result.gate(threshold)
        if failing:
            click.echo(
                f"gate: {len(failing)} finding{'s' if len(failing) != 1 else ''} newly open at or above "
                f"{threshold.name}: {', '.join(c.id for c in failing[:5])}{' ...' if len(failing) > 5 else ''}",
                err=True,
            )
            raise SystemExit(Exit.FINDINGS)
    raise SystemExit(Exit.OK)


@click.command()
@click.argument("path", type=str)
@click.option("--since", metavar="REV", help="Only commits after REV (like git log REV..HEAD).")
@format_option(["table", "json"], "table")
@output_option()
def history(path: str, since: str | None, fmt: str, output: Path | None) -> None:
    """Finding counts by severity for every commit that touched the model at PATH.

    One line per commit (git log --follow, so renames are followed), oldest
    first, newest last, so the trend reads top to bottom. A commit where the
    file is not a valid model shows "invalid" and the first problem. A PATH no
    commit ever touched, or an unknown --since revision, is an error (exit 2).

    \b
    Example:
      flowmap history models/eu-interoperability.yaml --since v1.0
    """
    from flowmap.diff import history as run_history
    from flowmap.findings import Severity

    check_output(output, path)
    entries = run_history(path, since=since)
    if fmt == "json":
        emit(json.dumps([e.to_dict() for e in entries], indent=2, ensure_ascii=False), output)
        return
    levels = [s.name for s in reversed(Severity)]
    lines = [f"{'date':<10}  {'commit':<9}  " + "  ".join(f"{s:>8}" for s in levels) + "  total  subject"]
    for e in entries:
        head = f"{e.commit.date:<10}  {e.commit.short:<9}  "
        if e.state == "valid":
            counts = "  ".join(f"{e.by_severity.get(s, 0):>8}" for s in levels) + f"  {e.findings:>5}"
        else:
            counts = f"{e.state:<{len(levels) * 10 - 2 + 7}}"
        line = f"{head}{counts}  {e.commit.subject}"
        lines.append(line + (f"\n{'':<23}{e.problem}" if e.problem and e.state == "invalid" else ""))
    emit("\n".join(lines), output)
