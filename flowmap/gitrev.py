"""Reading models from git: ``REV:PATH`` inputs and the commits that touched a file.

``HEAD~1:models/eu.yaml`` names the file as it was in a revision; PATH is
relative to the current directory, like any other path argument. git is run
without a shell; every failure (git missing, not a repository, unknown
revision, a path the revision does not have) is one clear
:class:`~flowmap.errors.FlowmapError`.

>>> split_rev_path("HEAD~1:models/eu.yaml")
('HEAD~1', 'models/eu.yaml')
>>> split_rev_path("models/eu.yaml") is None
True
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass

from flowmap.errors import FlowmapError
from flowmap.loader import decode, load_model, read_data_text
from flowmap.model import Model

__all__ = ["GitError", "Commit", "split_rev_path", "git_show", "load_input", "commits_touching", "git"]


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
    """``(rev, path)`` for a ``REV:PATH`` argument; None for a plain path (or an existing file)."""
    if os.path.exists(argument):
        return None
    rev, sep, path = argument.partition(":")
    if not sep or not rev or not path or path.startswith("//"):
        return None  # no colon, or a URL
    return rev, path


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
    out = git(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"], cwd=cwd, what=label)
    return out.decode().strip()


def git_show(rev: str, path: str, *, cwd: str | os.PathLike | None = None) -> str:
    """The text of ``path`` (relative to ``cwd``, or from the repository root when it starts
    with ``/``) as of revision ``rev``."""
    label = f"{rev}:{path}"
    try:
        sha = _resolve(rev, label, cwd)
    except GitError as err:
        if "not inside a git repository" in str(err) or "not installed" in str(err):
            raise
        raise GitError(f"{label}: unknown revision '{rev}': check it with git log --oneline") from None
    spec = f"{sha}:{path.lstrip('/')}" if path.startswith("/") else f"{sha}:./{path}"
    raw = git(["show", spec], cwd=cwd, what=label)
    return decode(raw, label)


def load_input(argument: str, *, cwd: str | os.PathLike | None = None) -> Model:
    """A model from a file path or a ``REV:PATH`` argument; diagnostics name the argument."""
    parsed = split_rev_path(argument)
    if parsed is None:
        return load_model(argument)
    from flowmap.validate import build_model

    text = git_show(*parsed, cwd=cwd)
    return build_model(read_data_text(text, argument), argument, text)


def commits_touching(path: str, *, since: str | None = None, cwd: str | os.PathLike | None = None) -> list[Commit]:
    """Commits that touched ``path`` (following renames), oldest first; after ``since`` when given."""
    args = ["log", "--follow", "--name-only", "--date=short", "--format=%x00%H%x09%h%x09%ad%x09%s"]
    if since:
        _resolve(since, f"--since {since}", cwd)
        args.append(f"{since}..HEAD")
    args += ["--", path]
    out = git(args, cwd=cwd, what=path).decode("utf-8", "replace")
    commits = []
    for block in out.split("\x00")[1:]:
        lines = [line for line in block.splitlines() if line.strip()]
        sha, short, date, subject = (lines[0].split("\t", 3) + ["", "", "", ""])[:4]
        name = lines[1] if len(lines) > 1 else path
        commits.append(Commit(sha, short, date, subject, name))
    return list(reversed(commits))
