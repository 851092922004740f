"""Validation: plain data -> a typed :class:`~flowmap.model.Model`, or every problem at once.

Structure (types, required and unknown fields) is checked by pydantic; meaning
(unique ids, references, taxonomy terms, durations) by the checks below. All
problems are collected, located and sorted before anything is reported.

>>> data = {"flowmap": 1, "name": "x", "systems": [{"id": "a", "sector": "asylum"}],
...         "flows": [{"from": "a", "to": "europoll", "data": ["identity"], "purpose": "migration"}]}
>>> try:
...     build_model(data, "m.yaml")
... except ModelError as err:
...     print(err)
m.yaml: flows[0].to: unknown system 'europoll': declare it under `systems` or fix the id
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from pydantic import ValidationError

from flowmap.diagnostics import Diagnostic, did_you_mean, format_path
from flowmap.errors import ModelError
from flowmap.marks import Locator
from flowmap.model import ID_PATTERN, Flow, Model, System, TaxonomyExtension
from flowmap.taxonomy import SECTIONS, Category, Sensitivity, Taxonomy, Term, TechnologyRisk, ancestors, builtin_taxonomy

__all__ = [
    "build_model", "effective_taxonomy", "explain_validation_error", "Checked", "RETENTION_WORDS", "parse_retention"
]

RETENTION_WORDS = ("indefinite", "linked", "unknown")
_DURATION = re.compile(
    r"^P(?!$)(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?"
    r"(?:T(?=\d)(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$"
)
_ID = re.compile(ID_PATTERN)
_KEY_LIKE = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")


def parse_retention(value: str | None) -> float | None:
    """Retention in days (``inf`` for indefinite or linked), ``None`` when unknown.

    >>> parse_retention("P10Y"), parse_retention("linked"), parse_retention("unknown")
    (3652.5, inf, None)
    """
    if value is None or value == "unknown":
        return None
    if value in ("indefinite", "linked"):
        return float("inf")
    match = _DURATION.match(value)
    if not match:
        return None
    years, months, weeks, days, hours, minutes, seconds = (float(g) if g else 0.0 for g in match.groups())
    return years * 365.25 + months * 30.44 + weeks * 7 + days + (hours + minutes / 60 + seconds / 3600) / 24


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
        locator = Locator(text) if (text and self.problems) else None
        out = []
        for path, message, severity, key in self.problems:
            line, column = locator.locate(path, key=key) if locator else (0, 0)
            out.append(Diagnostic(self.file, line, column, format_path(path), message, severity))
        return sorted(set(out))


def build_model(data: Any, file: str, text: str | None = None) -> Model:
    """Validate plain data into a Model with its effective taxonomy attached.

    Raises :class:`ModelError` listing every error; warnings ride on
    ``model.warnings`` (diagnostics with severity ``warning``).
    """
    checked = Checked(file)
    try:
        model = Model.model_validate(data)
    except ValidationError as exc:
        _structural_problems(exc, checked, data)
        model = _partial_model(data)
    taxonomy = _merge_taxonomy(model.taxonomy if model else None, checked)
    if model is not None:
        # attached before the checks, so the propagation they compute is memoised on the
        # model (propagate() caches only for the model's own taxonomy) and the analyses reuse it
        model._taxonomy = taxonomy
        _semantic_checks(model, taxonomy, checked)
    diagnostics = checked.diagnostics(text)
    if any(d.severity == "error" for d in diagnostics):
        raise ModelError([d for d in diagnostics if d.severity == "error"])
    assert model is not None
    model._taxonomy = taxonomy
    model._warnings = [d for d in diagnostics if d.severity == "warning"]
    model._file = file
    model._cache["source_data"] = data  # for a cheap canonical digest (flowmap.analysis.model_digest)
    return model


# --- structure -------------------------------------------------------------------

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
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (YAML reads yes/no/on/off as true/false: put the value in quotes)"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


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
        if kind == "extra_forbidden":
            name = str(loc[-1])
            allowed = _fields_at(data, loc[:-1], root)
            hint = did_you_mean(name, allowed) or (
                f" (allowed: {', '.join(sorted(allowed))})" if allowed else ""
            )
            checked.error(loc, f"unknown field '{name}'{hint}", key=True)
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


_PLACEHOLDER = "\x00"  # stands in for a field that failed validation; semantic checks skip it


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
                fixed[key] = [_PLACEHOLDER] if key in ("data", "purpose") else _PLACEHOLDER
        try:
            return cls.model_validate(fixed)
        except ValidationError:
            return None


def _partial_model(data: Any) -> Model | None:
    """Validate element by element so semantic checks still run on the parts that are well formed."""
    if not isinstance(data, dict):
        return None

    def elements(key: str) -> list:
        value = data.get(key)
        return value if isinstance(value, list) else []

    ext = _salvage(TaxonomyExtension, data.get("taxonomy") or {}) or TaxonomyExtension()
    sources = data.get("sources") if isinstance(data.get("sources"), dict) else {}
    return Model.model_construct(
        flowmap=1,
        name=str(data.get("name", "")),
        sources={str(k): str(v) for k, v in sources.items()},
        taxonomy=ext,
        systems=[_salvage(System, raw) for raw in elements("systems")],
        flows=[_salvage(Flow, raw) for raw in elements("flows")],
        accepted=[],
    )


# --- taxonomy --------------------------------------------------------------------


def effective_taxonomy(extension: TaxonomyExtension | None) -> Taxonomy:
    """The built-in taxonomy with a model's extension merged onto it (errors ignored)."""
    return _merge_taxonomy(extension, Checked(""))


def _merge_taxonomy(extension: TaxonomyExtension | None, checked: Checked) -> Taxonomy:
    tax = builtin_taxonomy()
    if extension is None:
        return tax
    for section in SECTIONS:
        target = getattr(tax, section)
        for name, entry in getattr(extension, section).items():
            path = ("taxonomy", section, name)
            if name in target and not entry.override:
                checked.error(
                    path, f"'{name}' is already built in: add `override: true` to redefine it, or pick another name"
                )
                continue
            if not _ID.match(name):
                checked.error(path, f"'{name}' is not a valid name: use lowercase letters, digits, `_ . -`")
                continue
            if section == "categories":
                target[name] = Category(name, Sensitivity[entry.sensitivity], entry.description)
            else:
                target[name] = Term(
                    name,
                    entry.description,
                    vulnerable=getattr(entry, "vulnerable", False),
                    risk=TechnologyRisk[getattr(entry, "risk", "normal")],
                )
    for index, (a, b) in enumerate(extension.compatible):
        for side, purpose in enumerate((a, b)):
            if purpose not in tax.purposes:
                checked.error(
                    ("taxonomy", "compatible", index, side),
                    f"unknown purpose '{purpose}'{did_you_mean(purpose, tax.purposes)}",
                )
        tax.compatible_pairs.add(frozenset((a, b)))
    return tax


# --- meaning ---------------------------------------------------------------------


def _terms(checked: Checked, path: tuple, values: Iterable[str], known: dict, what: str, fix: str) -> None:
    for index, value in enumerate(values):
        if value not in known and value != _PLACEHOLDER:
            checked.error(
                path + (index,),
                f"unknown {what} '{value}'{did_you_mean(value, known)}: {fix}",
            )


def _sources_cited(checked: Checked, path: tuple, keys: Iterable[str], sources: dict) -> None:
    for index, key in enumerate(keys):
        if key not in sources:
            checked.error(
                path + (index,),
                f"source '{key}' is not in the top-level `sources`{did_you_mean(key, sources)}: add it there",
            )


def _legal_basis(checked: Checked, path: tuple, entries: Iterable[str], sources: dict) -> None:
    for index, entry in enumerate(entries):
        if entry not in sources and _KEY_LIKE.match(entry) and any(c in entry for c in "-_.0123456789"):
            checked.warning(
                path + (index,),
                f"'{entry}' looks like a source key but `sources` has no such key"
                f"{did_you_mean(entry, sources)}: add it, or write the legal basis out in words",
            )


_CATEGORY_FIX = "use a category of `flowmap taxonomy` or declare it under `taxonomy.categories`"
_PURPOSE_FIX = "use a purpose of `flowmap taxonomy` or declare it under `taxonomy.purposes`"


_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def _date_check(checked: Checked, path: tuple, value: str | None) -> None:
    if value is not None and not _DATE.match(value):
        checked.error(path, f"'{value}' is not a date: write YYYY-MM-DD (or YYYY-MM, YYYY)")


def _semantic_checks(model: Model, tax: Taxonomy, checked: Checked) -> None:
    sources = model.sources
    _date_check(checked, ("as_of",), model.as_of)
    first_seen: dict[str, int] = {}
    for i, system in enumerate(model.systems):
        if system is None:
            continue
        at = ("systems", i)
        if system.id == _PLACEHOLDER:
            continue
        if not _ID.match(system.id):
            checked.error(at + ("id",), f"'{system.id}' is not a valid id: use lowercase letters, digits, `_ . -`")
        if system.id in first_seen:
            checked.error(
                at + ("id",), f"duplicate system id '{system.id}' (first used by systems[{first_seen[system.id]}])"
            )
        else:
            first_seen[system.id] = i
        if system.sector not in tax.sectors and system.sector != _PLACEHOLDER:
            checked.error(
                at + ("sector",),
                f"unknown sector '{system.sector}'{did_you_mean(system.sector, tax.sectors)}: "
                "use a sector of `flowmap taxonomy` or declare it under `taxonomy.sectors`",
            )
        if system.actor is not None and system.actor not in tax.actors:
            checked.error(
                at + ("actor",),
                f"unknown actor type '{system.actor}'{did_you_mean(system.actor, tax.actors)}: "
                "use an actor type of `flowmap taxonomy` or declare it under `taxonomy.actors`",
            )
        _terms(checked, at + ("holds",), system.holds, tax.categories, "category", _CATEGORY_FIX)
        _terms(checked, at + ("purposes",), system.purposes, tax.purposes, "purpose", _PURPOSE_FIX)
        _terms(checked, at + ("subjects",), system.subjects, tax.subjects, "subject",
               "use a subject of `flowmap taxonomy` or declare it under `taxonomy.subjects`")
        _terms(checked, at + ("technologies",), system.technologies, tax.technologies, "technology",
               "use a technology of `flowmap taxonomy` or declare it under `taxonomy.technologies`")
        if system.retention is not None and system.retention not in RETENTION_WORDS and not _DURATION.match(
            system.retention
        ):
            checked.error(
                at + ("retention",),
                f"'{system.retention}' is not an ISO 8601 duration (like P5Y or P18M) "
                "nor one of indefinite, linked, unknown",
            )
        if system.holds and not system.purposes:
            checked.warning(
                at + ("purposes",),
                f"system '{system.id}' holds data but lists no purposes: "
                "add why it is collected (function creep cannot be judged without it)",
            )
        _sources_cited(checked, at + ("sources",), system.sources, sources)
        _legal_basis(checked, at + ("legal_basis",), system.legal_basis, sources)
        for j, incident in enumerate(system.incidents):
            _sources_cited(checked, at + ("incidents", j, "sources"), incident.sources, sources)
            _date_check(checked, at + ("incidents", j, "date"), incident.date)

    system_ids = set(first_seen)
    flow_seen: dict[str, int] = {}
    for i, flow in enumerate(model.flows):
        if flow is None:
            continue
        at = ("flows", i)
        for end, ref in (("from", flow.source), ("to", flow.target), ("initiated_by", flow.initiated_by)):
            if ref is not None and ref not in system_ids and ref != _PLACEHOLDER:
                checked.error(
                    at + (end,),
                    f"unknown system '{ref}'{did_you_mean(ref, system_ids)}: declare it under `systems` or fix the id",
                )
        if flow.explicit_id and not _ID.match(flow.id):
            checked.error(at + ("id",), f"'{flow.id}' is not a valid id: use lowercase letters, digits, `_ . -`")
        if flow.id in flow_seen:
            if flow.explicit_id:
                message = f"duplicate flow id '{flow.id}' (first used by flows[{flow_seen[flow.id]}])"
            else:
                message = (
                    f"a second flow from '{flow.source}' to '{flow.target}' (first: flows[{flow_seen[flow.id]}]): "
                    "give each of them an explicit `id`"
                )
            checked.error(at + ("id",) if flow.explicit_id else at, message)
        else:
            flow_seen[flow.id] = i
        _terms(checked, at + ("data",), flow.data, tax.categories, "category", _CATEGORY_FIX)
        _terms(checked, at + ("purpose",), flow.purposes, tax.purposes, "purpose", _PURPOSE_FIX)
        _sources_cited(checked, at + ("sources",), flow.sources, sources)
        _legal_basis(checked, at + ("legal_basis",), flow.legal_basis, sources)
        for j, incident in enumerate(flow.incidents):
            _sources_cited(checked, at + ("incidents", j, "sources"), incident.sources, sources)
            _date_check(checked, at + ("incidents", j, "date"), incident.date)
    if not any(severity == "error" for _, _, severity, _ in checked.problems):
        _flow_data_warnings(model, tax, checked)


def _flow_data_warnings(model: Model, tax: Taxonomy, checked: Checked) -> None:
    """Warn when a flow carries a category its source never has, even after propagation."""
    from flowmap.propagation import propagate  # local: propagation needs a valid model

    try:
        result = propagate(model, tax)
    except KeyError:  # dangling references already reported as errors
        return
    closures: dict[str, tuple[set[str], set[str]]] = {}

    def available(system: str) -> tuple[set[str], set[str]]:
        """(categories present at ``system``, those and all their ancestors), computed once per system."""
        found = closures.get(system)
        if found is None:
            present = result.categories_at(system)
            found = closures[system] = (present, {a for c in present for a in ancestors(c)})
        return found

    for i, flow in enumerate(model.flows):
        present, closure = available(flow.source)
        if flow.bidirectional:
            other, other_closure = available(flow.target)
            present, closure = present | other, closure | other_closure
        for j, category in enumerate(flow.data):
            # present covers it (an ancestor-or-self is present) or it covers something present
            # (it is an ancestor-or-self of a present category): tax.covers either way round
            if category in closure or any(a in present for a in ancestors(category)):
                continue
            checked.warning(
                ("flows", i, "data", j),
                f"flow '{flow.id}' carries '{category}' but '{flow.source}' never holds or receives it: "
                f"add it to the `holds` of '{flow.source}' or to a flow into it",
            )
