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

import datetime as dt
import re
from collections import deque
from typing import TYPE_CHECKING, Any, Iterable

from pydantic import ValidationError

from flowmap.diagnostics import did_you_mean, shown
from flowmap.errors import ModelError
from flowmap.model import ANSWERS, ID_PATTERN, Model, TaxonomyExtension
from flowmap.structure import PLACEHOLDER, Checked, explain_validation_error, partial_model
from flowmap.taxonomy import SECTIONS, Category, Sensitivity, Taxonomy, Term, TechnologyRisk, ancestors, builtin_taxonomy

if TYPE_CHECKING:
    from flowmap.graph import Graph

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


def build_model(data: Any, file: str, text: str | None = None) -> Model:
    """Validate plain data into a Model with its effective taxonomy attached.

    Raises :class:`ModelError` listing every error; warnings ride on
    ``model.warnings`` (diagnostics with severity ``warning``).
    """
    checked = Checked(file)
    if isinstance(data, dict) and isinstance(data.get("flowmap"), bool):  # pydantic takes true for 1
        checked.error(("flowmap",), f"format version must be the number 1, not {str(data['flowmap']).lower()}")
    try:
        model = Model.model_validate(data)
    except ValidationError as exc:
        explain_validation_error(exc, checked, data)
        model = partial_model(data)
    taxonomy = _merge_taxonomy(model.taxonomy if model else None, checked)
    if model is not None:
        # attached before the checks: the model's effective taxonomy is the merged one
        model._taxonomy = taxonomy
        _semantic_checks(model, taxonomy, checked)
    _control_characters(data, checked, text)
    diagnostics = checked.diagnostics(text)
    if any(d.severity == "error" for d in diagnostics):
        raise ModelError([d for d in diagnostics if d.severity == "error"])
    assert model is not None
    model._taxonomy = taxonomy
    model._warnings = [d for d in diagnostics if d.severity == "warning"]
    model._file = file
    model._cache["source_data"] = data  # for a cheap canonical digest (flowmap.analysis.model_digest)
    return model


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
                change = _what_changes(target[name], entry)
                if change:
                    checked.error(
                        path,
                        f"{shown(name)} is already built in {change}: add `override: true` to redefine it, "
                        "or pick another name",
                    )
                    continue
                checked.warning(
                    path,
                    f"{shown(name)} is now built in, with the same meaning: remove this definition "
                    "(its description is used meanwhile)",
                )
            if not _ID.match(name):
                checked.error(path, f"{shown(name)} is not a valid name: use lowercase letters, digits, `_ . -`")
                continue
            if section == "categories":
                target[name] = Category(name, Sensitivity[entry.sensitivity], entry.description)
            else:
                target[name] = Term(
                    name,
                    entry.description,
                    vulnerable=getattr(entry, "vulnerable", False),
                    risk=TechnologyRisk[getattr(entry, "risk", "normal")],
                    personal=getattr(entry, "personal", True),
                )
    for section, pairs in (("compatible", tax.compatible_pairs), ("incompatible", tax.incompatible_pairs)):
        for index, (a, b) in enumerate(getattr(extension, section)):
            for side, purpose in enumerate((a, b)):
                if purpose not in tax.purposes:
                    checked.error(
                        ("taxonomy", section, index, side),
                        f"unknown purpose {shown(purpose)}{did_you_mean(purpose, tax.purposes)}",
                    )
            pairs.add(frozenset((a, b)))
    for index, (a, b) in enumerate(extension.incompatible):
        if frozenset((a, b)) in tax.compatible_pairs:
            checked.error(("taxonomy", "incompatible", index),
                          f"{shown(a)} and {shown(b)} are listed as compatible too: keep one of the two entries")
    return tax


def _what_changes(builtin: Category | Term, entry: Any) -> str:
    """How a model's definition of a built-in term changes what the analyses read, in words
    (``"with sensitivity special, not low"``); ``""`` when only the description differs, as when
    a later flowmap builds in a term that a model defined for itself.

    >>> _what_changes(Term("child", vulnerable=True), type("E", (), {"vulnerable": False})())
    'with vulnerable: true, not false'
    """
    if isinstance(builtin, Category):
        if builtin.sensitivity.name != entry.sensitivity:
            return f"with sensitivity {builtin.sensitivity.name}, not {entry.sensitivity}"
        return ""
    vulnerable = getattr(entry, "vulnerable", False)
    if builtin.vulnerable != vulnerable:
        return f"with vulnerable: {str(builtin.vulnerable).lower()}, not {str(vulnerable).lower()}"
    risk = getattr(entry, "risk", "normal")
    if builtin.risk.name != risk:
        return f"with risk {builtin.risk.name}, not {risk}"
    personal = getattr(entry, "personal", True)
    if builtin.personal != personal:
        return f"with personal: {str(builtin.personal).lower()}, not {str(personal).lower()}"
    return ""


# --- meaning ---------------------------------------------------------------------


def _terms(checked: Checked, path: tuple, values: Iterable[str], known: dict, what: str, fix: str) -> None:
    for index, value in enumerate(values):
        if value not in known and value != PLACEHOLDER:
            checked.error(
                path + (index,),
                f"unknown {what} {shown(value)}{did_you_mean(value, known)}: {fix}",
            )


def _sources_cited(checked: Checked, path: tuple, keys: Iterable[str], sources: dict) -> None:
    for index, key in enumerate(keys):
        if key not in sources:
            checked.error(
                path + (index,),
                f"source {shown(key)} is not in the top-level `sources`{did_you_mean(key, sources)}: add it there",
            )


def _legal_basis(checked: Checked, path: tuple, entries: Iterable[str], sources: dict) -> None:
    for index, entry in enumerate(entries):
        if entry not in sources and _KEY_LIKE.match(entry) and any(c in entry for c in "-_.0123456789"):
            checked.warning(
                path + (index,),
                f"{shown(entry)} looks like a source key but `sources` has no such key"
                f"{did_you_mean(entry, sources)}: add it, or write the legal basis out in words",
            )


_CATEGORY_FIX = "use a category of `flowmap taxonomy` or declare it under `taxonomy.categories`"
_PURPOSE_FIX = "use a purpose of `flowmap taxonomy` or declare it under `taxonomy.purposes`"
_SUBJECT_FIX = "use a subject of `flowmap taxonomy` or declare it under `taxonomy.subjects`"


_DATE = re.compile(r"^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$")


def _date_check(checked: Checked, path: tuple, value: str | None) -> None:
    """An error unless ``value`` is a date of the calendar as YYYY-MM-DD, YYYY-MM or YYYY.

    >>> c = Checked("m.yaml"); _date_check(c, ("as_of",), "2023-02-30"); c.problems[0][1]
    "'2023-02-30' is not a real date (day is out of range for month): fix it"
    """
    if value is None or value == PLACEHOLDER:
        return
    if not _DATE.match(value):
        checked.error(path, f"{shown(value)} is not a date: write YYYY-MM-DD (or YYYY-MM, YYYY)")
    elif len(value) == 10:
        try:
            dt.date.fromisoformat(value)
        except ValueError as exc:
            checked.error(path, f"{shown(value)} is not a real date ({exc}): fix it")


# Control characters that no display, XML or spreadsheet accepts (tab, line feed and carriage
# return are fine). YAML and JSON both let them in through escapes such as "\a" or "\u0007".
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Cheap test of the file's text: an escape that may stand for one. (Written raw, both parsers
# refuse them already: libyaml as "special characters", JSON as invalid.)
_MAY_HOLD_CONTROL = re.compile(r"\\(?:[0abefv]|x[01][0-9A-Fa-f]|u00[01][0-9A-Fa-f]|U0000[01][0-9A-Fa-f])")


def _control_characters(data: Any, checked: Checked, text: str | None, limit: int = 10) -> None:
    """An error for each text value (up to ``limit``) holding a control character.

    The walk over every value runs only when the file's text may hold one.

    >>> c = Checked("m.json")
    >>> _control_characters({"name": "bell \x07", "systems": [{"notes": "ok"}]}, c, None)
    >>> [message for _, message, _, _ in c.problems]
    ['control character U+0007 in the text: remove it (it cannot be shown, printed or exported)']
    """
    if text is not None and ("\\" not in text or not _MAY_HOLD_CONTROL.search(text)):
        return  # no backslash at all is the common case, and a C-speed test
    found = 0
    stack: list[tuple[tuple, Any]] = [((), data)]
    while stack and found < limit:
        path, value = stack.pop()
        if isinstance(value, str):
            match = _CONTROL.search(value)
            if match:
                found += 1
                checked.error(path, f"control character U+{ord(match.group()):04X} in the text: "
                              "remove it (it cannot be shown, printed or exported)")
        elif isinstance(value, dict):
            stack.extend((path + (key,), item) for key, item in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend((path + (index,), item) for index, item in reversed(list(enumerate(value))))


MAX_AGE = 120


def _incident_checks(checked: Checked, at: tuple, incidents: list, sources: dict) -> None:
    """The sources and the date of each incident of the system or flow at ``at``."""
    for j, incident in enumerate(incidents):
        _sources_cited(checked, at + ("incidents", j, "sources"), incident.sources, sources)
        _date_check(checked, at + ("incidents", j, "date"), incident.date)


def _retention_check(checked: Checked, path: tuple, retention: str | None) -> None:
    if retention is not None and retention not in RETENTION_WORDS and not _DURATION.match(retention):
        checked.error(path, f"{shown(retention)} is not an ISO 8601 duration (like P5Y or P18M) "
                      "nor one of indefinite, linked, unknown")


def _semantic_checks(model: Model, tax: Taxonomy, checked: Checked) -> None:
    # Each check below runs its helper only where a quick set test (C speed) says it may find
    # something; the helper then decides, so the problems and their order are as without the test.
    sources = model.sources
    cited = set(sources).issuperset  # every source key cited is one of `sources`
    categories, purposes, subjects = _allowed(tax.categories), _allowed(tax.purposes), _allowed(tax.subjects)
    technologies, safeguards = _allowed(tax.technologies), _allowed(tax.safeguards)
    _date_check(checked, ("as_of",), model.as_of)
    first_seen: dict[str, int] = {}
    for i, system in enumerate(model.systems):
        if system is None:
            continue
        at = ("systems", i)
        if system.id == PLACEHOLDER:
            continue
        if not _ID.match(system.id):
            checked.error(at + ("id",), f"{shown(system.id)} is not a valid id: use lowercase letters, digits, `_ . -`")
        if system.id in first_seen:
            checked.error(
                at + ("id",), f"duplicate system id {shown(system.id)} (first used by systems[{first_seen[system.id]}])"
            )
        else:
            first_seen[system.id] = i
        if system.sector not in tax.sectors and system.sector != PLACEHOLDER:
            checked.error(
                at + ("sector",),
                f"unknown sector {shown(system.sector)}{did_you_mean(system.sector, tax.sectors)}: "
                "use a sector of `flowmap taxonomy` or declare it under `taxonomy.sectors`",
            )
        if system.actor is not None and system.actor not in tax.actors:
            checked.error(
                at + ("actor",),
                f"unknown actor type {shown(system.actor)}{did_you_mean(system.actor, tax.actors)}: "
                "use an actor type of `flowmap taxonomy` or declare it under `taxonomy.actors`",
            )
        if not categories(system.holds):
            _terms(checked, at + ("holds",), system.holds, tax.categories, "category", _CATEGORY_FIX)
        if not purposes(system.purposes):
            _terms(checked, at + ("purposes",), system.purposes, tax.purposes, "purpose", _PURPOSE_FIX)
        for j, further in enumerate(system.further_purposes):
            if further.purpose not in tax.purposes and further.purpose != PLACEHOLDER:
                checked.error(at + ("further_purposes", j, "purpose"),
                              f"unknown purpose {shown(further.purpose)}{did_you_mean(further.purpose, tax.purposes)}: "
                              f"{_PURPOSE_FIX}")
            _legal_basis(checked, at + ("further_purposes", j, "by"), further.by, sources)
        if not subjects(system.subjects):
            _terms(checked, at + ("subjects",), system.subjects, tax.subjects, "subject", _SUBJECT_FIX)
        if not technologies(system.technologies):
            _terms(checked, at + ("technologies",), system.technologies, tax.technologies, "technology",
                   "use a technology of `flowmap taxonomy` or declare it under `taxonomy.technologies`")
        if system.retention is not None:
            _retention_check(checked, at + ("retention",), system.retention)
        if system.min_age:
            _min_age_checks(checked, at, system, tax)
        for key, retention in system.retention_by_subject.items():
            if key not in tax.subjects:
                checked.error(at + ("retention_by_subject", key), f"unknown subject {shown(key)}"
                              f"{did_you_mean(key, tax.subjects)}: use a subject of `flowmap taxonomy` or declare it "
                              "under `taxonomy.subjects`", key=True)
            _retention_check(checked, at + ("retention_by_subject", key), retention)
        if system.holds and not system.purposes:
            checked.warning(
                at + ("purposes",),
                f"system {shown(system.id)} holds data but lists no purposes: "
                "add why it is collected (function creep cannot be judged without it)",
            )
        if not cited(system.sources):
            _sources_cited(checked, at + ("sources",), system.sources, sources)
        if not cited(system.legal_basis):
            _legal_basis(checked, at + ("legal_basis",), system.legal_basis, sources)
        if system.incidents:
            _incident_checks(checked, at, system.incidents, sources)

    system_ids = set(first_seen)
    for i, system in enumerate(model.systems):  # rights_via: a system id, or an authority in words
        via = system.rights_via if system is not None else None
        if via is None or via in system_ids or via == PLACEHOLDER or not _ID.match(via):
            continue
        hint = did_you_mean(via, system_ids)
        if hint or any(c in via for c in "-_.0123456789"):
            checked.warning(("systems", i, "rights_via"),
                            f"{shown(via)} looks like a system id but no system has it{hint}: name a system of the "
                            "model or write the authority out in words")
    declared = system_ids | {PLACEHOLDER}
    flow_seen: dict[str, int] = {}
    for i, flow in enumerate(model.flows):
        if flow is None:
            continue
        at = ("flows", i)
        if flow.source not in declared or flow.target not in declared or (
                flow.initiated_by is not None and flow.initiated_by not in declared):
            for end, ref in (("from", flow.source), ("to", flow.target), ("initiated_by", flow.initiated_by)):
                if ref is not None and ref not in system_ids and ref != PLACEHOLDER:
                    checked.error(
                        at + (end,),
                        f"unknown system {shown(ref)}{did_you_mean(ref, system_ids)}: "
                        "declare it under `systems` or fix the id",
                    )
        if flow.explicit_id and not _ID.match(flow.id):  # the cheaper test first: most flows keep the default id
            checked.error(at + ("id",), f"{shown(flow.id)} is not a valid id: use lowercase letters, digits, `_ . -`")
        if flow.id in flow_seen:
            if flow.explicit_id:
                message = f"duplicate flow id {shown(flow.id)} (first used by flows[{flow_seen[flow.id]}])"
            else:
                message = (
                    f"a second flow from {shown(flow.source)} to {shown(flow.target)} "
                    f"(first: flows[{flow_seen[flow.id]}]): "
                    "give each of them an explicit `id`"
                )
            checked.error(at + ("id",) if flow.explicit_id else at, message)
        else:
            flow_seen[flow.id] = i
        if not categories(flow.data):
            _terms(checked, at + ("data",), flow.data, tax.categories, "category", _CATEGORY_FIX)
        if not purposes(flow.purposes):
            _terms(checked, at + ("purpose",), flow.purposes, tax.purposes, "purpose", _PURPOSE_FIX)
        if not subjects(flow.subjects):
            _terms(checked, at + ("subjects",), flow.subjects, tax.subjects, "subject", _SUBJECT_FIX)
        if not safeguards(flow.safeguards):
            _terms(checked, at + ("safeguards",), flow.safeguards, tax.safeguards, "safeguard",
                   "use a safeguard of `flowmap taxonomy` or declare it under `taxonomy.safeguards`")
        if flow.transform is not None and flow.transform not in tax.transforms and flow.transform != PLACEHOLDER:
            checked.error(at + ("transform",),
                          f"unknown transform {shown(flow.transform)}{did_you_mean(flow.transform, tax.transforms)}: "
                          "use a transform of `flowmap taxonomy` or declare it under `taxonomy.transforms`")
        if not cited(flow.sources):
            _sources_cited(checked, at + ("sources",), flow.sources, sources)
        if not cited(flow.legal_basis):
            _legal_basis(checked, at + ("legal_basis",), flow.legal_basis, sources)
        if flow.bidirectional and flow.returns in ANSWERS:
            checked.error(at + ("returns",), "a bidirectional flow cannot answer with only a hit/no-hit flag or a "
                          "reference: split it into two flows, one each way, and say what each returns")
        if flow.bidirectional and flow.forwards != "all":
            checked.error(at + ("forwards",), "a bidirectional flow cannot restrict what it forwards: "
                          "split it into two flows, one each way, and restrict each")
        if flow.incidents:
            _incident_checks(checked, at, flow.incidents, sources)
    _forwarded_flows(model, checked)
    if not any(severity == "error" for _, _, severity, _ in checked.problems):
        _flow_data_warnings(model, tax, checked)


def _allowed(known: dict) -> Any:
    """A test that every value of a list is a name of ``known`` or the placeholder of a field that
    failed validation: where it holds, :func:`_terms` has nothing to say.

    >>> _allowed({"identity": None})(["identity", PLACEHOLDER]), _allowed({"identity": None})(["idnetity"])
    (True, False)
    """
    return {*known, PLACEHOLDER}.issuperset


def _min_age_checks(checked: Checked, at: tuple, system: Any, tax: Taxonomy) -> None:
    """Each ``min_age`` key names a category or one of the system's people groups, with an age."""
    for key, age in system.min_age.items():
        if key in tax.subjects and key not in system.subjects:
            checked.error(at + ("min_age", key), f"{shown(key)} is a people group the system does not list "
                          "under `subjects`: add it there, or name a category it holds", key=True)
        elif key not in tax.categories and key not in system.subjects:
            known = [*system.subjects, *tax.categories]
            checked.error(at + ("min_age", key), f"{shown(key)} is neither a category nor one of the system's "
                          f"subjects{did_you_mean(key, known)}: name a category it holds or a people group it "
                          "lists under `subjects`", key=True)
        if not 0 <= age <= MAX_AGE:
            checked.error(at + ("min_age", key), f"{age} is not an age: write the youngest age in whole years "
                          f"(0 to {MAX_AGE})")


def _forwarded_flows(model: Model, checked: Checked) -> None:
    """A flow that forwards what arrived through named flows must name flows into its source."""
    if not any(flow is not None and isinstance(flow.forwards, list) for flow in model.flows):
        return  # the common case: no flow names the flows it forwards
    into: dict[str, set[str]] = {}
    for flow in model.flows:
        if flow is not None:
            into.setdefault(flow.target, set()).add(flow.id)
            if flow.bidirectional:
                into.setdefault(flow.source, set()).add(flow.id)
    for i, flow in enumerate(model.flows):
        if flow is None or not isinstance(flow.forwards, list):
            continue
        arriving = into.get(flow.source, set())
        for j, named in enumerate(flow.forwards):
            if named not in arriving:
                checked.error(
                    ("flows", i, "forwards", j),
                    f"{shown(named)} is not a flow into {shown(flow.source)}"
                    f"{did_you_mean(named, arriving)}: name flows that arrive at the source of this flow",
                )


def _flow_data_warnings(model: Model, tax: Taxonomy, checked: Checked) -> None:
    """Warn when a flow carries a category its source never has, even after propagation: neither
    the category nor a child of it is held at the source or reaches it over flows that carry it.

    Nothing more needs asking: where a parent of the category reaches the source, so does the
    category (a flow names it, so the parent's origins are its origins too, and every flow that
    carries the parent carries it); what the receiver of a bidirectional flow has, the flow carries
    back to its source."""
    from flowmap.graph import Graph, graph_of  # local: the graph needs a valid model

    try:
        # for the model's own taxonomy, the graph the analysis reads: built here once, kept on the model
        graph = graph_of(model) if tax is model.effective_taxonomy else Graph(model, tax)
    except KeyError:  # dangling references already reported as errors
        return
    bits = {category: 1 << index for index, category in enumerate(graph.categories)}
    covered = _covered_bits(bits)
    present = _present_bits(graph, bits, covered)
    for i, flow in enumerate(model.flows):
        have = present.get(flow.source, 0)
        for j, category in enumerate(flow.data):
            if not have & covered.get(category, 0):
                checked.warning(
                    ("flows", i, "data", j),
                    f"flow {shown(flow.id)} carries {shown(category)} but {shown(flow.source)} never holds or "
                    f"receives it: add it to the `holds` of {shown(flow.source)} or to a flow into it",
                )


def _covered_bits(bits: dict[str, int]) -> dict[str, int]:
    """Each name a flow may carry -> the propagated categories it covers (itself and its children),
    as the union of their ``bits``.

    >>> _covered_bits({"biometric.face": 1, "biometric.iris": 2})
    {'biometric.face': 1, 'biometric': 3, 'biometric.iris': 2}
    """
    covered: dict[str, int] = {}
    for category, bit in bits.items():
        for name in ancestors(category):
            covered[name] = covered.get(name, 0) | bit
    return covered


def _present_bits(graph: Graph, bits: dict[str, int], covered: dict[str, int]) -> dict[str, int]:
    """System id -> the propagated categories held at it or reaching it over flows that carry them
    (``covered``: what each carried name stands for), whatever the flows' transforms or answers,
    as the union of their ``bits``; systems with none are left out.

    One pass over the systems whose categories grew, all categories at once: a system's bits only
    grow, so each is passed on again only when they do.
    """
    present: dict[str, int] = {}
    for category, bit in bits.items():
        for origin in graph.origins_of(category):
            present[origin] = present.get(origin, 0) | bit
    onward: dict[str, list[tuple[str, int]]] = {}  # system -> (receiver, what the edge can carry)
    for edge in graph.edges:
        carries = 0
        for name in edge.flow.data:
            carries |= covered.get(name, 0)
        if carries:
            onward.setdefault(edge.source, []).append((edge.target, carries))
    pending = deque(present)
    waiting = set(present)
    while pending:
        system = pending.popleft()
        waiting.discard(system)
        have = present[system]
        for receiver, carries in onward.get(system, ()):
            before = present.get(receiver, 0)
            after = before | (have & carries)
            if after != before:
                present[receiver] = after
                if receiver not in waiting:
                    waiting.add(receiver)
                    pending.append(receiver)
    return present
