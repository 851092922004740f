"""Snapshot diffs: what changed between two versions of a model, and what it did to the risks.

:func:`diff` compares two loaded models; :func:`diff_inputs` loads them first
from files or ``REV:PATH`` git revisions. The result, a :class:`Diff`, holds
the model changes (:mod:`.model_changes`), the finding changes with their
causes (:mod:`.risk_changes`) and the exposure changes (:mod:`.exposure_changes`);
:func:`render` prints it as a table, JSON or Markdown, and :func:`apply_changes`
replays the model changes on the old model.
"""

from __future__ import annotations

import datetime as dt
from typing import Iterable

from flowmap.diff.apply import apply_changes
from flowmap.diff.exposure_changes import ActorReach, Exposure, ExposureChanges, compare_exposure
from flowmap.diff.history import HistoryEntry, history
from flowmap.diff.model_changes import (
    Element,
    ElementChange,
    EntryChange,
    FieldChange,
    ModelChanges,
    compare_models,
    snapshot_data,
)
from flowmap.diff.render import FORMATS, render
from flowmap.diff.result import Diff, Snapshot, diff
from flowmap.diff.risk_changes import Cause, FindingChange, RiskChanges, compare_findings
from flowmap.errors import UsageError
from flowmap.findings import Severity
from flowmap.model import Acceptance
from flowmap.rules import ALL_RULES, Rule

__all__ = [
    "ActorReach", "Cause", "Diff", "Element", "ElementChange", "EntryChange", "Exposure", "ExposureChanges",
    "FieldChange", "FindingChange", "FORMATS", "HistoryEntry", "ModelChanges", "RiskChanges", "Snapshot",
    "apply_changes", "compare_exposure", "compare_findings", "compare_models", "diff", "diff_inputs",
    "history", "parse_gate", "render", "snapshot_data",
]


def parse_gate(text: str) -> Severity:
    """The severity of a ``--fail-on`` value: ``new:high``, or plain ``high`` meaning the same.

    >>> parse_gate("new:high"), parse_gate("Critical")
    (<Severity.high: 3>, <Severity.critical: 4>)
    """
    scope, sep, level = text.strip().partition(":")
    if not sep:
        scope, level = "new", scope
    if scope.strip().lower() != "new":
        raise UsageError(f"--fail-on '{text}': write new:SEVERITY (e.g. new:high); only new findings can gate a diff")
    return Severity.parse(level)


def diff_inputs(
    old: str, new: str, *, rules: Iterable[Rule] = ALL_RULES, today: dt.date | None = None,
    accepted: Iterable[Acceptance] = (),
) -> Diff:
    """Load two snapshots (files or ``REV:PATH``) and diff them; errors name the argument.
    ``accepted`` applies to both, after each model's own acceptances."""
    from flowmap.gitrev import load_input

    return diff(load_input(old), load_input(new), rules=rules, today=today, old_label=old, new_label=new,
                accepted=accepted)
