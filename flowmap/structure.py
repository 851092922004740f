"""Structure: pydantic's validation errors in an analyst's words, and the parts still usable.

:class:`Checked` collects problems with their field paths and locates them in the
file's text at the end. :func:`explain_validation_error` turns pydantic errors into
messages ("unknown field 'hods' (did you mean 'holds'?)"); :func:`partial_model`
salvages the well-formed elements of an invalid model so that the semantic checks
of :mod:`flowmap.validate` still report everything at once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from flowmap.diagnostics import Diagnostic, did_you_mean, format_path, shown
from flowmap.model import Flow, Model, System, TaxonomyExtension

__all__ = ["Checked", "explain_validation_error", "partial_model", "PLACEHOLDER"]


MAX_REPORTED = 1000  # problems located and listed; the rest are counted


@dataclass
class Checked:
    """Problems found so far, with their paths; located and formatted at the end."""

    file: str
    problems: list[tuple[tuple, str, str, bool]] = field(default_factory=list)  # (path, message, severity, key)

    def error(self, path: tuple, message: str, *, key: bool = False) -> None:
        self.problems.append((path, message, "error", key))

    def warning(self, path: tuple, message: str) -> None:
        self.problems.append((path, message, "warning", False))

    def diagnostics(self, text: str | None) -> list[Diagnostic]:
        """The problems located and sorted; past :data:`MAX_REPORTED` of them, the first found
        and one line saying how many more there are (a file with a million mistakes repeats one)."""
        locator = None
        if text and self.problems:
            from flowmap.marks import Locator  # here: a model without problems has nothing to locate

            locator = Locator(text)
        out = []
        for path, message, severity, key in self.problems[:MAX_REPORTED]:
            line, column = locator.locate(path, key=key) if locator else (0, 0)
            out.append(Diagnostic(self.file, line, column, format_path(path), message, severity))
        more = len(self.problems) - MAX_REPORTED
        if more > 0:
            out.append(Diagnostic(self.file, 0, 0, "", f"{more:,} more problems are not shown: "
                                  "fix those listed (the rest are often the same mistake) and validate again"))
        return sorted(set(out))


_TYPE_WORDS = {
    "string_type": "text",
    "int_type": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "date_type": "a date (YYYY-MM-DD)",
    "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
    "date_parsing": "a date (YYYY-MM-DD)",
    "tuple_type": "a pair",
}


def _describe(value: Any) -> str:
    """What a value read from YAML or JSON is, in words (a text as :func:`~flowmap.diagnostics.shown`).

    >>> _describe(dt.date(2024, 6, 1)), _describe(10**40), _describe(b"\\x00")
    ('the date 2024-06-01 (YAML reads it as a date: put the value in quotes)', 'a number of 41 digits', 'binary data')
    """
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (YAML reads yes/no/on/off as true/false: put the value in quotes)"
    if isinstance(value, (int, float)):
        number = str(value)
        return f"the number {number}" if len(number) <= 40 else f"a number of {len(number.lstrip('-'))} digits"
    if isinstance(value, dt.datetime):
        return f"the date and time {value.isoformat()} (YAML reads it as a timestamp: put the value in quotes)"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()} (YAML reads it as a date: put the value in quotes)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, (set, frozenset)):
        return "a set"
    if isinstance(value, (bytes, bytearray)):
        return "binary data"
    return shown(value)


def _fields_at(data: Any, loc: tuple, root: type = Model) -> list[str]:
    """The allowed field names of the object at ``loc`` (for did-you-mean on unknown fields)."""
    cls: Any = root
    for step in loc:
        if isinstance(step, int):
            continue
        info = cls.model_fields.get(step) or next(
            (f for f in cls.model_fields.values() if f.alias == step), None
        )
        if info is None:
            return []
        annotation = info.annotation
        args = getattr(annotation, "__args__", ()) or (annotation,)
        nested = next((a for a in args if isinstance(a, type) and hasattr(a, "model_fields")), None)
        if nested is None:
            inner = [getattr(a, "__args__", ()) for a in args]
            nested = next(
                (b for group in inner for b in group if isinstance(b, type) and hasattr(b, "model_fields")), None
            )
        if nested is None:
            return []
        cls = nested
    return [f.alias or name for name, f in cls.model_fields.items()]


def explain_validation_error(exc: ValidationError, checked: Checked, data: Any, *, root: type = Model) -> None:
    """Record each error of a pydantic validation of ``data`` against ``root`` (a model class whose
    fields the error locations walk) on ``checked``, in flowmap's words.

    >>> from flowmap.model import Acceptance
    >>> checked = Checked("accept.yaml")
    >>> try:
    ...     Acceptance.model_validate({"finding": "x", "reason": "r", "untill": "2027-01-01"})
    ... except ValidationError as exc:
    ...     explain_validation_error(exc, checked, {}, root=Acceptance)
    >>> [d.format() for d in checked.diagnostics(None)]
    ["accept.yaml: untill: unknown field 'untill' (did you mean 'until'?)"]
    """
    _structural_problems(exc, checked, data, root)


def _structural_problems(exc: ValidationError, checked: Checked, data: Any, root: type = Model) -> None:
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        value = err.get("input")
        if loc and loc[-1] == "[key]":  # pydantic's place for a mapping key (`1: x` under `sources`)
            checked.error(loc[:-2] + (str(loc[-2]),), f"a key must be text, got {_describe(value)}: put it in quotes",
                          key=True)
        elif kind == "extra_forbidden":
            name = str(loc[-1])
            allowed = _fields_at(data, loc[:-1], root)
            hint = did_you_mean(name, allowed) or (
                f" (allowed: {', '.join(sorted(allowed))})" if allowed else ""
            )
            checked.error(loc, f"unknown field {shown(name)}{hint}", key=True)
        elif kind == "missing":
            checked.error(loc, f"required field '{loc[-1]}' is missing: add it")
        elif kind == "literal_error" and loc == ("flowmap",):
            checked.error(loc, f"format version must be 1, not {_describe(value)}")
        elif kind in ("enum", "literal_error"):
            expected = err.get("ctx", {}).get("expected", "")
            choices = re.findall(r"'([^']+)'", expected)
            hint = did_you_mean(str(value), choices) if isinstance(value, str) else ""
            checked.error(loc, f"{_describe(value)} is not one of {', '.join(choices)}{hint}")
        elif kind == "too_short":
            checked.error(loc, "must not be empty: list at least one entry")
        elif loc and loc[-1] == "purpose" and kind == "list_type":
            checked.error(loc, f"expected a purpose or a list of purposes, got {_describe(value)}")
        elif kind in _TYPE_WORDS:
            checked.error(loc, f"expected {_TYPE_WORDS[kind]}, got {_describe(value)}")
        else:
            checked.error(loc, err["msg"][0].lower() + err["msg"][1:])


PLACEHOLDER = "\x00"  # stands in for a field that failed validation; semantic checks skip it


def _salvage(cls: type, raw: Any) -> Any:
    """Validate one element; if it fails, drop the bad fields and fill required ones with
    placeholders, so the rest of it is still checked. ``None`` when nothing can be salvaged."""
    try:
        return cls.model_validate(raw)
    except ValidationError as exc:
        if not isinstance(raw, dict):
            return None
        bad = {err["loc"][0] for err in exc.errors() if err["loc"]}
        fixed = {k: v for k, v in raw.items() if k not in bad}
        for name, info in cls.model_fields.items():
            key = info.alias or name
            if info.is_required() and key not in fixed:
                fixed[key] = [PLACEHOLDER] if key in ("data", "purpose") else PLACEHOLDER
        try:
            return cls.model_validate(fixed)
        except ValidationError:
            return None


def partial_model(data: Any) -> Model | None:
    """Validate element by element so semantic checks still run on the parts that are well formed."""
    if not isinstance(data, dict):
        return None

    def elements(key: str) -> list:
        value = data.get(key)
        return value if isinstance(value, list) else []

    ext = _salvage(TaxonomyExtension, data.get("taxonomy") or {}) or TaxonomyExtension()
    sources = data.get("sources") if isinstance(data.get("sources"), dict) else {}
    as_of = data.get("as_of")
    if isinstance(as_of, (dt.date, int)) and not isinstance(as_of, bool):
        as_of = as_of.isoformat() if isinstance(as_of, dt.date) else str(as_of)
    return Model.model_construct(
        flowmap=1,
        name=str(data.get("name", "")),
        as_of=as_of if isinstance(as_of, str) else None,  # checked like the rest, whatever else is wrong
        sources={str(k): str(v) for k, v in sources.items()},
        taxonomy=ext,
        systems=[_salvage(System, raw) for raw in elements("systems")],
        flows=[_salvage(Flow, raw) for raw in elements("flows")],
        accepted=[],
    )
