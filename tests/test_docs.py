"""The documentation's commands name files that exist.

Every ``flowmap ...`` command in a fenced code block of ``README.md`` and ``docs/*.md``
that names a path under ``models/`` or ``examples/`` must name a file (or directory) that
exists, so a reader who copies the command from the repository root does not get an error.
A ``REV:PATH`` argument counts as its PATH, and a shell glob (``models/*.yaml``) must match
at least one file; output paths (``-o``, ``--output``, ``--map``) and paths built from shell
variables are not checked. The commands are not run. Besides README.md and docs/, the
READMEs of ``models/`` and ``examples/`` (the tutorial) are checked the same way.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    ROOT / "models" / "README.md",
    *sorted((ROOT / "examples").glob("**/*.md")),
]

FENCE = re.compile(r"^\s*(`{3,}|~{3,})")
COMMAND = re.compile(r"(?<![\w.:/\"'`-])flowmap\s+(?=[a-z-])")
COMMAND_END = re.compile(r"&&|\|\||[;|]")
PATH = re.compile(r"(?:^|(?<=[\s'\"=:(]))((?:models|examples)/[^\s'\"`;|&)]*)")
OUTPUT_OPTION = re.compile(r"(?:-o|--output|--map)\s*=?\s*$")
SHELL_VARIABLE = re.compile(r"[$`{]")
GLOB = re.compile(r"[*?\[]")


def fenced_blocks(text: str) -> list[tuple[int, list[str]]]:
    """(first line number, lines) of each fenced code block.

    >>> fenced_blocks("a\\n```sh\\nflowmap x\\n```\\nb\\n~~~\\ny\\n~~~")
    [(3, ['flowmap x']), (7, ['y'])]
    """
    blocks, current, fence, start = [], [], None, 0
    for number, line in enumerate(text.splitlines(), 1):
        match = FENCE.match(line)
        if fence is None:
            if match:
                fence, current, start = match.group(1), [], number + 1
        elif match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
            blocks.append((start, current))
            fence = None
        else:
            current.append(line)
    return blocks


def logical_lines(lines: list[str]) -> list[str]:
    r"""Lines with shell continuations (a trailing backslash) joined.

    >>> logical_lines(["flowmap diff a \\", "  b", "c"])
    ['flowmap diff a    b', 'c']
    """
    joined, pending = [], ""
    for line in lines:
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
        else:
            joined.append(pending + line)
            pending = ""
    if pending:
        joined.append(pending)
    return joined


def flowmap_commands(lines: list[str]) -> list[str]:
    """Each ``flowmap`` invocation, from the program name to the end of its shell command.

    Model text such as ``flowmap: 1`` and JSON keys are not commands.

    >>> flowmap_commands(["$ pip install . && flowmap analyze m.yaml; echo done", "flowmap: 1"])
    ['flowmap analyze m.yaml']
    >>> flowmap_commands(['- run: flowmap diff "origin/main:models/a.yaml" models/a.yaml'])
    ['flowmap diff "origin/main:models/a.yaml" models/a.yaml']
    """
    commands = []
    for line in logical_lines(lines):
        for match in COMMAND.finditer(line):
            rest = line[match.start():]
            commands.append(COMMAND_END.split(rest, 1)[0].strip())
    return commands


def named_paths(command: str) -> list[str]:
    """The ``models/`` and ``examples/`` input paths a command names.

    >>> named_paths("flowmap diff HEAD~1:models/a.yaml models/a.yaml -o examples/out.md")
    ['models/a.yaml', 'models/a.yaml']
    >>> named_paths("flowmap validate --strict models/*.yaml examples/diff/x.yaml. models/$m")
    ['models/*.yaml', 'examples/diff/x.yaml']
    """
    paths = []
    for match in PATH.finditer(command):
        path = match.group(1).rstrip(".,")
        if SHELL_VARIABLE.search(path) or OUTPUT_OPTION.search(command[: match.start()]):
            continue
        paths.append(path)
    return paths


def exists(path: str) -> bool:
    """Whether path names a file or directory of the repository (a glob: whether it matches one).

    >>> exists("models/*.yaml"), exists("models/eu-interoperability.yaml"), exists("models/eu.yaml")
    (True, True, False)
    """
    if GLOB.search(path):
        return any(ROOT.glob(path))
    return (ROOT / path).exists()


def documented_paths(doc: Path) -> list[tuple[int, str, str]]:
    """(block's first line, command, path) for every models/ or examples/ path a command in doc names."""
    return [
        (start, command, path)
        for start, lines in fenced_blocks(doc.read_text(encoding="utf-8"))
        for command in flowmap_commands(lines)
        for path in named_paths(command)
    ]


def test_the_docs_have_commands_to_check():
    """The extraction finds the commands it is meant to check (a broken regex would pass silently)."""
    paths = {path for doc in DOCS for _, _, path in documented_paths(doc)}
    assert "models/eu-interoperability.yaml" in paths
    assert "examples/diff/eu-2018.yaml" in paths


@pytest.mark.parametrize("doc", DOCS, ids=lambda doc: str(doc.relative_to(ROOT)))
def test_documented_commands_name_existing_files(doc):
    broken = {
        f"{doc.relative_to(ROOT)}, block at line {start}: {command}  ->  {path} does not exist": None
        for start, command, path in documented_paths(doc)
        if not exists(path)
    }
    assert not broken, "documented commands name missing files:\n" + "\n".join(broken)
