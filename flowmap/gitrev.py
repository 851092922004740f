"""Reading models from git: ``REV:PATH`` inputs and the commits that touched a file.

``HEAD~1:models/eu.yaml`` names the file as it was in a revision; PATH is
relative to the current directory, like any other path argument. git is run
without a shell; every failure (git missing, not a repository, unknown
revision, a path the revision does not have) is one clear
:class:`~flowmap.errors.FlowmapError`.

A revision may itself hold colons (``main@{2024-01-01 10:00}``, ``:/fix: typo``), and so may a
path. The rule: of the colons in the argument, the rightmost one before which stands a revision
git knows (a commit) splits it; the rest is the path. With no such colon, the revision before
the first colon is reported as unknown. An existing file of that name is always the file.

>>> split_rev_path("HEAD~1:models/eu.yaml")
('HEAD~1', 'models/eu.yaml')
>>> split_rev_path("models/eu.yaml") is None
True
>>> rev_path_candidates("main@{2024-01-01 10:00}:models/a:b.yaml")
[('main@{2024-01-01 10:00}:models/a', 'b.yaml'), ('main@{2024-01-01 10:00}', 'models/a:b.yaml'), ('main@{2024-01-01 10', '00}:models/a:b.yaml')]
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

from flowmap.errors import FlowmapError
from flowmap.loader import decode, load_model, read_data_text
from flowmap.model import Model

__all__ = ["GitError", "Commit", "split_rev_path", "rev_path_candidates", "resolve_rev_path", "git_show", "load_input",
           "input_text", "commits_touching", "git"]


class GitError(FlowmapError):
    """git is missing, or refused a revision or path."""


@dataclass(frozen=True)
class Commit:
    """A commit that touched a file, with the file's path (from the repository root) in it."""

    sha: str
    short: str
    date: str  # YYYY-MM-DD (author date)
    subject: str
    path: str


def split_rev_path(argument: str) -> tuple[str, str] | None:
    """``(rev, path)`` split at the first colon for a ``REV:PATH`` argument; None for a plain
    path (or an existing file). Without git at hand: :func:`resolve_rev_path` picks the colon."""
    if os.path.exists(argument):
        return None
    rev, sep, path = argument.partition(":")
    if not sep or not rev or not path or path.startswith("//"):
        return None  # no colon, or a URL
    return rev, path


def rev_path_candidates(argument: str) -> list[tuple[str, str]]:
    """Every ``(rev, path)`` split of ``argument`` at a colon with text on both sides,
    rightmost colon first."""
    if split_rev_path(argument) is None:
        return []
    splits = []
    index = len(argument)
    while (index := argument.rfind(":", 0, index)) > 0:
        rev, path = argument[:index], argument[index + 1:]
        if rev and path and not path.startswith("//"):
            splits.append((rev, path))
    return splits


def resolve_rev_path(argument: str, *, cwd: str | os.PathLike | None = None) -> tuple[str, str] | None:
    """``(commit sha, path)`` for a ``REV:PATH`` argument, split at the rightmost colon whose
    left side is a revision git knows; None for a plain path. Raises :class:`GitError` naming
    the revision when no split names one."""
    candidates = rev_path_candidates(argument)
    if not candidates:
        return None
    for rev, path in candidates[:-1]:
        try:
            return _resolve(rev, argument, cwd), path
        except GitError as err:
            if _fatal(err):
                raise
    rev, path = candidates[-1]
    return _resolve(rev, argument, cwd), path


def _fatal(err: GitError) -> bool:
    """Whether git could not run at all (no git, no repository), whatever the revision."""
    return "not inside a git repository" in str(err) or "not installed" in str(err) or "cannot run git" in str(err)


def git(args: list[str], *, cwd: str | os.PathLike | None = None, what: str = "") -> bytes:
    """Run ``git ARGS`` (no shell) and return its stdout, or raise :class:`GitError`."""
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    except FileNotFoundError:
        raise GitError(f"{what or 'git'}: git is not installed or not on PATH: install git to read REV:PATH") from None
    except OSError as exc:
        raise GitError(f"{what or 'git'}: cannot run git ({exc.strerror})") from None
    if done.returncode != 0:
        raise GitError(f"{what or 'git'}: {_explain(done.stderr.decode('utf-8', 'replace'))}")
    return done.stdout


def _explain(stderr: str) -> str:
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    text = lines[0] if lines else "git failed"
    text = text.removeprefix("fatal: ").removeprefix("error: ")
    lowered = text.lower()
    if "not a git repository" in lowered:
        return "not inside a git repository: run flowmap from the repository, or give a file"
    if "does not exist in" in lowered or "exists on disk, but not in" in lowered:
        return f"{text}: check the path at that revision"
    if "unknown revision" in lowered or "bad revision" in lowered or "invalid object name" in lowered:
        return f"{text}: check the revision (git log --oneline)"
    return text


def _resolve(rev: str, label: str, cwd: str | os.PathLike | None) -> str:
    """The commit ``rev`` names; :class:`GitError` saying the revision is unknown otherwise."""
    try:
        out = git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], cwd=cwd, what=label)
    except GitError as err:
        if _fatal(err):
            raise
        raise GitError(f"{label}: unknown revision '{rev}': check it with git log --oneline") from None
    return out.decode().strip()


def git_show(rev: str, path: str, *, cwd: str | os.PathLike | None = None, label: str | None = None) -> str:
    """The text of ``path`` (relative to ``cwd``, or from the repository root when it starts
    with ``/``) as of revision ``rev``."""
    label = label or f"{rev}:{path}"
    sha = _resolve(rev, label, cwd)
    spec = f"{sha}:{path.lstrip('/')}" if path.startswith("/") else f"{sha}:./{path}"
    raw = git(["show", spec], cwd=cwd, what=label)
    return decode(raw, label)


def load_input(argument: str, *, strict: bool = False, cwd: str | os.PathLike | None = None) -> Model:
    """A model from a file path or a ``REV:PATH`` argument; diagnostics name the argument.
    With ``strict`` warnings count as errors, as in :func:`~flowmap.loader.load_model`."""
    if split_rev_path(argument) is None:
        return load_model(argument, strict=strict)
    import dataclasses

    from flowmap.errors import ModelError
    from flowmap.validate import build_model

    text = input_text(argument, cwd=cwd)
    model = build_model(read_data_text(text, argument), argument, text)
    if strict and model.warnings:
        raise ModelError([dataclasses.replace(w, severity="error") for w in model.warnings])
    return model


def input_text(argument: str, *, cwd: str | os.PathLike | None = None) -> str:
    """The text of a model argument: the file's, or for ``REV:PATH`` the file as of REV."""
    resolved = resolve_rev_path(argument, cwd=cwd)
    if resolved is None:
        with open(argument, "rb") as handle:
            return decode(handle.read(), argument)
    return git_show(*resolved, cwd=cwd, label=argument)


def commits_touching(path: str, *, since: str | None = None, cwd: str | os.PathLike | None = None) -> list[Commit]:
    """Commits that touched ``path`` (following renames), oldest first; after ``since`` when given."""
    args = ["log", "--follow", "--name-only", "--date=short", "--format=%x00%H%x09%h%x09%ad%x09%s"]
    if since:
        _resolve(since, f"--since {since}", cwd)
        args.append(f"{since}..HEAD")
    out = git([*args, "--", path], cwd=cwd, what=path).decode("utf-8", "replace")
    if not out.strip() and (not since or not git(["log", "-1", "--format=%H", "--follow", "--", path], cwd=cwd,
                                                   what=path).strip()):
        raise GitError(f"{path}: no commit ever touched this path: check the path (relative to the current "
                       "folder), and that the file was committed")
    commits = []
    for block in out.split("\x00")[1:]:
        lines = [line for line in block.splitlines() if line.strip()]
        sha, short, date, subject = (lines[0].split("\t", 3) + ["", "", "", ""])[:4]
        name = lines[1] if len(lines) > 1 else path
        commits.append(Commit(sha, short, date, subject, name))
    return list(reversed(commits))
