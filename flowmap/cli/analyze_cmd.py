"""``flowmap analyze``: run the rules over a model and report the findings in one format."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from flowmap.cli.options import (Exit, acceptance_options, all_option, check_output, emit, emit_chunks, format_option,
                                 load_accepted, min_confidence_option, output_option)

FORMAT_NAMES = ["table", "json", "csv", "markdown", "sarif"]
SEVERITY_NAMES = "info, low, medium, high, critical"  # flowmap.findings.Severity, spelled out to keep --help light


def model_uri(path: str) -> str:
    """The model file's address for SARIF, percent-encoded: relative to the working folder when it
    lies inside it; for ``REV:PATH``, the path.

    >>> model_uri("models/eu.yaml"), model_uri("models/my model#2.yaml")
    ('models/eu.yaml', 'models/my%20model%232.yaml')
    """
    from urllib.parse import quote

    from flowmap.gitrev import split_rev_path

    if split_rev_path(path) is not None:
        path = path.rpartition(":")[2]
    p = Path(path)
    if p.is_absolute():
        try:
            p = p.relative_to(Path.cwd())
        except ValueError:
            return p.as_uri()
    return quote(p.as_posix(), safe="/")


def _note(message: str) -> None:
    click.echo(f"note: {message}", err=True)


@click.command()
@click.argument("model_path", metavar="MODEL", type=click.Path(path_type=str))
@format_option(FORMAT_NAMES, "table")
@output_option()
@click.option("--fail-on", "fail_on", metavar="SEVERITY",
              help=f"Exit 1 when an open finding is at or above SEVERITY ({SEVERITY_NAMES}).")
@acceptance_options
@click.option("--rules", "rule_ids", metavar="IDS", help="Run only these rules (comma-separated ids, see `flowmap rules`).")
@click.option("--min-severity", "min_severity", metavar="SEVERITY", default="info", show_default=True,
              help="Report only findings at or above SEVERITY.")
@min_confidence_option()
@all_option()
@click.option("--strict", is_flag=True, help="Treat model warnings as errors.")
def analyze(model_path: str, fmt: str, output: Path | None, fail_on: str | None, accept_files: tuple[str, ...],
            today, rule_ids: str | None, min_severity: str, min_confidence: str, show_all: bool, strict: bool) -> None:
    """Find exposure paths, function creep, insecure links and accountability gaps in MODEL.

    Formats: table (for a terminal), json (the findings contract), csv (one row
    per finding), markdown (for a DPIA), sarif (for code scanning). Table and
    markdown open with a summary, then the established findings by rank (the
    first 20; --all for every one), then the questions (findings that rest on
    unknowns) grouped by the system that can answer them; json, csv and sarif
    carry every finding. Accepted findings are still reported, with their
    status; only --fail-on ignores them.

    MODEL is a file, or REV:PATH (the file as of a git revision).

    Exit codes: 0 when no open finding reaches --fail-on (or no --fail-on),
    1 when one does, 2 on bad input or usage.

    \b
    Example:
      flowmap analyze models/eu-interoperability.yaml --fail-on high
      flowmap analyze models/eu-interoperability.yaml --format sarif -o flowmap.sarif
    """
    from flowmap.analysis import analyze as run
    from flowmap.errors import UsageError
    from flowmap.findings import Confidence, Severity
    from flowmap.gitrev import input_text, load_input
    from flowmap.rules import select_rules

    def severity(value: str, option: str) -> Severity:
        try:
            return Severity.parse(value)
        except UsageError as err:
            raise UsageError(f"{option}: {err}") from None

    gate = severity(fail_on, "--fail-on") if fail_on is not None else None
    floor = severity(min_severity, "--min-severity")
    if gate is not None and gate < floor:
        raise UsageError(
            f"--fail-on {gate.name} is below --min-severity {floor.name}: findings under {floor.name} "
            "are left out, so they could never fail the run; lower --min-severity or raise --fail-on"
        )
    rules = select_rules(rule_ids)
    check_output(output, model_path, *accept_files)
    accepted = load_accepted(accept_files)
    model = load_input(model_path, strict=strict)
    report = run(model, rules=rules, accepted=accepted, min_severity=floor, today=today,
                 min_confidence=Confidence.parse(min_confidence))
    options: dict = {"show_all": show_all}
    if fmt == "table":
        options["color"] = (output is None and sys.stdout is not None and sys.stdout.isatty()
                            and "NO_COLOR" not in os.environ)
    elif fmt == "sarif":
        options.update(uri=model_uri(model_path), text=input_text(model_path), rules=rules)
    if fmt == "json":  # streamed: a large model's report never exists as one string
        emit_chunks(report.json_chunks(), output)
    else:
        from flowmap.render import render

        emit(render(report, fmt, **options), output)
    if fmt != "json":  # JSON carries these in the document itself
        for acceptance in report.unmatched_acceptances:
            now = report.replacements.get(acceptance.finding)
            hint = f" (now: {now})" if now else ""
            _note(f"acceptance '{acceptance.finding}' matches no finding{hint}: fix the id or remove it")
        for acceptance in report.expired_acceptances:
            _note(f"acceptance '{acceptance.finding}' expired on {acceptance.until}: it no longer counts")
    if gate is not None:
        failing = report.gate(gate)
        if failing:
            click.echo(f"{len(failing)} open finding{'s' if len(failing) != 1 else ''} at or above "
                       f"{gate.name} (--fail-on {gate.name})", err=True)
            raise SystemExit(Exit.FINDINGS)
