"""The spreadsheet shape of a model: tables, their columns, and how cells encode values.

Columns are named as the model format's fields, derived from the typed model
(:mod:`flowmap.model`), so a field added to the format becomes a column here
without a second list to keep in step. Nested objects are flattened
(``controls.redress``, ``transport.encrypted``); list cells separate items with
``;`` (a literal ``;`` inside an item is written ``\\;``); an empty cell means
the field is omitted (unknown); booleans are true/false/yes/no.

>>> [c.name for c in SYSTEMS.columns][:4]
['id', 'name', 'kind', 'sector']
>>> split_list("a; b\\\\;c ;")
['a', 'b;c']
>>> join_list(["a", "b;c"])
'a; b\\\\;c'
>>> parse_bool("Yes"), parse_bool("FALSE"), parse_bool("maybe")
(True, False, None)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, get_args

from pydantic import BaseModel

from flowmap.model import Acceptance, Flow, FurtherPurpose, System

FORWARDS_TYPE = Flow.model_fields["forwards"].annotation

__all__ = [
    "Column",
    "Table",
    "SYSTEMS",
    "FLOWS",
    "SOURCES",
    "MODEL",
    "TAXONOMY",
    "INCIDENTS",
    "ACCEPTED",
    "TABLES",
    "FREE_TEXT",
    "COMPANIONS",
    "split_list",
    "join_list",
    "join_further",
    "split_further",
    "join_mapping",
    "split_mapping",
    "parse_bool",
    "format_bool",
    "TRUE_WORDS",
    "FALSE_WORDS",
]

TRUE_WORDS = ("true", "yes")
FALSE_WORDS = ("false", "no")


@dataclass(frozen=True)
class Column:
    """One column: its header, how its cells are read (text, list, bool, tristate) and whether it is required."""

    name: str
    kind: str = "text"  # text | list | bool | tristate
    required: bool = False


@dataclass(frozen=True)
class Table:
    """A sheet of the spreadsheet shape: its name (sheet name, CSV file stem) and columns in order."""

    name: str
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def _kind(annotation: Any) -> str:
    if annotation is FORWARDS_TYPE:
        return "forwards"
    if annotation == list[FurtherPurpose]:
        return "further"
    if getattr(annotation, "__origin__", None) is dict:  # min_age, retention_by_subject
        return "ages" if annotation == System.model_fields["min_age"].annotation else "mapping"
    if annotation is bool:
        return "bool"
    args = get_args(annotation)
    if bool in args and type(None) in args:
        return "tristate"
    if getattr(annotation, "__origin__", None) is list:
        return "list"
    return "text"


def _columns_of(cls: type[BaseModel], skip: tuple[str, ...] = ()) -> tuple[Column, ...]:
    """Columns for a model element: its fields in declaration order, nested objects flattened."""
    out = []
    for name, info in cls.model_fields.items():
        key = info.alias or name
        if key in skip:
            continue
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            out.extend(Column(f"{key}.{sub}", _kind(i.annotation)) for sub, i in annotation.model_fields.items())
        else:
            out.append(Column(key, _kind(annotation), info.is_required()))
    return tuple(out)


SYSTEMS = Table("systems", _columns_of(System, skip=("incidents",)))
FLOWS = Table("flows", _columns_of(Flow, skip=("incidents",)))
SOURCES = Table("sources", (Column("key", required=True), Column("citation", required=True)))
MODEL = Table("model", (Column("field", required=True), Column("value")))
TAXONOMY = Table(
    "taxonomy",
    (
        Column("section", required=True),
        Column("name", "list", required=True),  # a pair "a; b" for section `compatible`
        Column("sensitivity"),
        Column("risk"),
        Column("vulnerable", "bool"),
        Column("personal", "bool"),  # transforms: false for statistics about no one (empty: true)
        Column("override", "bool"),
        Column("description"),
    ),
)
INCIDENTS = Table(
    "incidents",
    (
        Column("system"),
        Column("flow"),
        Column("date"),
        Column("type"),
        Column("summary", required=True),
        Column("sources", "list"),
    ),
)
ACCEPTED = Table("accepted", _columns_of(Acceptance))

TABLES = (SYSTEMS, FLOWS, SOURCES, MODEL, TAXONOMY, INCIDENTS, ACCEPTED)
COMPANIONS = (SOURCES, MODEL, TAXONOMY, INCIDENTS, ACCEPTED)  # found next to the systems table
# free-text columns keep their cells exactly (spaces, final newline); every other cell is stripped
FREE_TEXT = frozenset({"name", "operator", "notes", "conditions", "citation", "summary", "reason", "by",
                       "description", "value"})
MODEL_FIELDS = ("name", "as_of", "description")  # rows of the `model` table

_SEPARATOR = re.compile(r"(?<!\\)((?:\\\\)*);")


def split_list(cell: str) -> list[str]:
    """Items of a list cell: split on ``;`` (not on ``\\;``), stripped, empty items dropped."""
    if "\\" not in cell:  # fast path: nothing escaped
        return [item for item in (part.strip() for part in cell.split(";")) if item]
    items = []
    start = 0
    for match in _SEPARATOR.finditer(cell):
        items.append(cell[start : match.end() - 1])
        start = match.end()
    items.append(cell[start:])
    unescaped = (re.sub(r"\\([\\;])", r"\1", item).strip() for item in items)
    return [item for item in unescaped if item]


def join_list(items: list[str]) -> str:
    """The cell for a list: items joined by ``; ``, with ``\\`` and ``;`` inside items escaped."""
    return "; ".join(item.replace("\\", "\\\\").replace(";", "\\;") for item in items)


def join_further(items: list[dict[str, Any]]) -> str:
    """The cell for ``further_purposes``: ``purpose: provision | provision`` items, joined by ``; ``
    (``|``, ``;`` and ``\\`` inside a provision escaped).

    >>> join_further([{"purpose": "enforcement.law", "by": ["reg-1358", "Art. 1(1)(d); (e)"]}])
    'enforcement.law: reg-1358 | Art. 1(1)(d)\\\\; (e)'
    """
    parts = []
    for item in items:
        provisions = " | ".join(b.replace("\\", "\\\\").replace("|", "\\|") for b in item["by"])
        parts.append(f"{item['purpose']}: {provisions}")
    return join_list(parts)


def split_further(cell: str) -> list[dict[str, Any]] | None:
    """The inverse of :func:`join_further` (``None`` when an item has no ``purpose:``).

    >>> split_further(join_further([{"purpose": "a.b", "by": ["x | y", "z"]}]))
    [{'purpose': 'a.b', 'by': ['x | y', 'z']}]
    """
    out = []
    for item in split_list(cell):
        purpose, colon, rest = item.partition(":")
        if not colon or not purpose.strip():
            return None
        provisions = [re.sub(r"\\([\\|])", r"\1", p).strip() for p in re.split(r"(?<!\\)\|", rest)]
        out.append({"purpose": purpose.strip(), "by": [p for p in provisions if p]})
    return out


def join_mapping(mapping: dict[str, Any]) -> str:
    """The cell for a mapping (``min_age``, ``retention_by_subject``): ``key: value`` items joined
    by ``; `` (``;`` and ``\\`` inside escaped), in the mapping's order.

    >>> join_mapping({"biometric.fingerprint": 6, "child": 6})
    'biometric.fingerprint: 6; child: 6'
    """
    return join_list([f"{key}: {value}" for key, value in mapping.items()])


def split_mapping(cell: str, *, ages: bool = False) -> dict[str, Any] | None:
    """The inverse of :func:`join_mapping` (``None`` when an item has no ``key:``); with ``ages``,
    values written in digits are whole numbers (anything else is left for validation to refuse).

    >>> split_mapping("irregular_migrant: P5Y; refugee: P3Y"), split_mapping("biometric.face: 6", ages=True)
    ({'irregular_migrant': 'P5Y', 'refugee': 'P3Y'}, {'biometric.face': 6})
    """
    out: dict[str, Any] = {}
    for item in split_list(cell):
        key, colon, value = item.partition(":")
        if not colon or not key.strip():
            return None
        value = value.strip()
        out[key.strip()] = int(value) if ages and value.isdigit() else value
    return out


def parse_bool(cell: str) -> bool | None:
    """true/yes -> True, false/no -> False (any case), anything else -> None (the caller reports it)."""
    word = cell.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    return None


def format_bool(value: bool | None) -> str:
    """``true``, ``false``, or an empty cell for unknown."""
    return "" if value is None else ("true" if value else "false")
