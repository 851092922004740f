"""``flowmap history``: finding counts by severity for every commit that touched a model.

One entry per commit (``git log --follow``), oldest first, so the trend reads top
to bottom. A commit where the file is not a valid model is reported as invalid
(with the first problem) instead of stopping the walk; one that deleted it, as deleted.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any, Iterable

from flowmap.analysis import analyze
from flowmap.errors import ModelError
from flowmap.findings import Severity
from flowmap.gitrev import Commit, GitError, commits_touching, git
from flowmap.loader import decode, read_data_text
from flowmap.rules import ALL_RULES, Rule

__all__ = ["HistoryEntry", "history"]


@dataclass(frozen=True)
class HistoryEntry:
    """One commit: its finding counts, or why there are none (``state`` invalid or deleted)."""

    commit: Commit
    state: str  # valid | invalid | deleted
    by_severity: dict[str, int]
    problem: str = ""

    @property
    def findings(self) -> int:
        return sum(self.by_severity.values())

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "commit": self.commit.sha,
            "date": self.commit.date,
            "subject": self.commit.subject,
            "path": self.commit.path,
            "state": self.state,
        }
        if self.state == "valid":
            data["findings"] = self.findings
            data["by_severity"] = dict(self.by_severity)
        if self.problem:
            data["problem"] = self.problem
        return data


def _entry(commit: Commit, rules: tuple[Rule, ...], today: dt.date, cwd: str | os.PathLike | None) -> HistoryEntry:
    from flowmap.validate import build_model

    label = f"{commit.short}:{commit.path}"
    try:
        raw = git(["show", f"{commit.sha}:{commit.path}"], cwd=cwd, what=label)
    except GitError:
        return HistoryEntry(commit, "deleted", {}, "the file is not in this commit")
    try:
        text = decode(raw, label)
        model = build_model(read_data_text(text, label), label, text)
    except ModelError as err:
        first = err.diagnostics[0]
        more = len(err.diagnostics) - 1
        return HistoryEntry(commit, "invalid", {}, first.format() + (f" (+{more} more)" if more else ""))
    summary = analyze(model, rules=rules, today=today).summary()["by_severity"]
    return HistoryEntry(commit, "valid", {s.name: summary.get(s.name, 0) for s in reversed(Severity)})


def history(
    path: str,
    *,
    since: str | None = None,
    rules: Iterable[Rule] = ALL_RULES,
    today: dt.date | None = None,
    cwd: str | os.PathLike | None = None,
) -> list[HistoryEntry]:
    """Finding counts for each commit that touched ``path`` (after ``since``), oldest first.

    Notes
    -----
    One ``git show`` and one analysis per commit.
    """
    rules = tuple(rules)
    today = today or dt.date.today()
    return [_entry(c, rules, today, cwd) for c in commits_touching(path, since=since, cwd=cwd)]
