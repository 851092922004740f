"""Running the rules over a model: :func:`analyze` gives a :class:`Report`.

>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
...     {"id": "clinic", "sector": "health", "holds": ["special.health"], "purposes": ["services.health"]},
...     {"id": "police", "sector": "police", "actor": "law_enforcement"}],
...   "flows": [{"from": "clinic", "to": "police", "data": ["special.health"], "purpose": "enforcement.law"}]})
>>> report = analyze(m, rules=select_rules("exposure"))
>>> [f.id for f in report.findings]
['exposure:clinic->police']
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import orjson
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from flowmap import __version__
from flowmap.acceptance import apply_acceptances
from flowmap.findings import Confidence, Finding, Severity
from flowmap.questions import gather_questions
from flowmap.ranking import rank_order
from flowmap.model import Acceptance, Model
from flowmap.rules import ALL_RULES, Context, Rule, select_rules  # noqa: F401 (select_rules: doctest)
from flowmap.taxonomy import Sensitivity

__all__ = ["Report", "analyze", "covering_findings", "model_digest", "canonical_model", "json_chunks", "json_text"]


@dataclass
class Report:
    """Findings of one analysis, in rank order, with what the acceptances did."""

    model: Model
    findings: list[Finding]
    unmatched_acceptances: list[Acceptance] = field(default_factory=list)
    expired_acceptances: list[Acceptance] = field(default_factory=list)
    replacements: dict[str, str] = field(default_factory=dict)  # unmatched acceptance pattern -> the finding that now covers it

    @property
    def established(self) -> list[Finding]:
        """Findings that rest on recorded facts, in rank order."""
        return [f for f in self.findings if f.confidence is Confidence.high]

    @property
    def questions(self) -> list[Finding]:
        """Findings that rest on unknowns, in rank order: one per system that can answer them
        (``questions:<system>``, see :mod:`flowmap.questions`)."""
        return [f for f in self.findings if f.confidence is Confidence.low]

    def summary(self) -> dict[str, Any]:
        by_severity = Counter(f.severity for f in self.findings)
        by_kind = Counter(f.kind for f in self.findings)  # counted by member: an enum's .value is a Python-level property
        by_confidence = Counter(f.confidence for f in self.findings)
        return {
            "findings": len(self.findings),
            "by_severity": {s.name: by_severity[s] for s in reversed(Severity) if by_severity[s]},
            "by_kind": {kind.value: count for kind, count in sorted(by_kind.items())},
            "by_confidence": {c.value: by_confidence[c] for c in Confidence if by_confidence[c]},
        }

    def most_findings(self, limit: int = 5) -> list[tuple[str, int]]:
        """The systems with most findings anchored at them or at their flows (as sender or
        receiver), most first, then by id."""
        counts: Counter[str] = Counter()
        for finding in self.findings:
            counts.update(dict.fromkeys(finding.systems[:2] if finding.anchor.type == "flow" else finding.systems[:1], 1))
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]

    def gate(self, threshold: Severity) -> list[Finding]:
        """Open findings at or above ``threshold`` (what ``--fail-on`` fails on)."""
        return [f for f in self.findings if f.status == "open" and f.severity >= threshold]

    def to_dict(self, *, lazy: bool = False) -> dict[str, Any]:
        """The output contract's JSON object (with ``lazy``, findings stay Finding objects)."""
        data = {
            "flowmap": __version__,
            "model": {
                "name": self.model.name,
                "as_of": self.model.as_of,
                "digest": model_digest(self.model),
            },
            "summary": self.summary(),
            "findings": list(self.findings) if lazy else [f.to_dict() for f in self.findings],
        }
        if self.unmatched_acceptances:
            data["unmatched_acceptances"] = [
                a.model_dump(mode="json", exclude_none=True)
                | ({"now_covered_by": self.replacements[a.finding]} if a.finding in self.replacements else {})
                for a in self.unmatched_acceptances
            ]
        if self.expired_acceptances:
            data["expired_acceptances"] = [a.model_dump(mode="json", exclude_none=True) for a in self.expired_acceptances]
        return data

    def json_chunks(self) -> Iterator[bytes]:
        """The contract's JSON, UTF-8, in pieces: indented, one finding per line."""
        return json_chunks(self.to_dict(lazy=True))

    def to_json(self) -> str:
        """The contract's JSON as one string (see :meth:`json_chunks`)."""
        return b"".join(self.json_chunks()).decode("utf-8")


_BATCH = 250  # findings encoded per chunk: few enough to stay small (a gathered questions finding can be
# tens of kilobytes), many enough to amortise the join


def json_chunks(data: dict[str, Any], *, line_lists: tuple[str, ...] = ("findings",)) -> Iterator[bytes]:
    """``data`` as indented JSON (UTF-8 bytes) in pieces, each item of the named top-level lists
    on one line.

    Items of those lists may be objects with a ``to_dict()`` method: they are converted as they
    are written, so a report of a million findings never exists as one string or one list of
    dicts. Lines are compact (orjson writes no space after ``:`` and ``,``); everything else is
    indented by two spaces.

    >>> print(b"".join(json_chunks({"a": 1, "findings": [{"id": "x", "path": ["p", "q"]}, {"id": "y"}]})).decode(), end="")
    {
      "a": 1,
      "findings": [
        {"id":"x","path":["p","q"]},
        {"id":"y"}
      ]
    }
    """
    dumps = orjson.dumps
    yield b"{\n"
    keys = list(data)
    for number, key in enumerate(keys):
        comma = b"," if number < len(keys) - 1 else b""
        value = data[key]
        name = dumps(key)
        if key in line_lists and isinstance(value, list) and value:
            yield b"  " + name + b": [\n"
            yield from _encode_lines(value, True)
            yield b"  ]" + comma + b"\n"
        else:
            body = json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n  ").encode("utf-8")
            yield b"  " + name + b": " + body + comma + b"\n"
    yield b"}\n"


def _encode_lines(items: list, last: bool) -> Iterator[bytes]:
    """Items as indented JSON lines, ``,`` after each but the very last of the list."""
    dumps = orjson.dumps
    for start in range(0, len(items), _BATCH):
        lines = [dumps(item.to_dict() if hasattr(item, "to_dict") else item) for item in items[start : start + _BATCH]]
        yield b"    "  # the batch's indent, lines and end apart: joined, its lines would be copied twice more
        yield b",\n    ".join(lines)
        yield b"\n" if last and start + _BATCH >= len(items) else b",\n"


def json_text(data: dict[str, Any], *, line_lists: tuple[str, ...] = ("findings",)) -> str:
    """:func:`json_chunks` joined into one string."""
    return b"".join(json_chunks(data, line_lists=line_lists)).decode("utf-8")


def canonical_model(model: Model) -> dict[str, Any]:
    """The model as plain data, independent of the order of systems, flows and keys in the file."""
    data = model.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    data["systems"] = sorted(data.get("systems", []), key=lambda s: s["id"])
    data["flows"] = sorted(data.get("flows", []), key=lambda f: f["id"])
    return data


def model_digest(model: Model) -> str:
    """sha256 of the canonical model: independent of the order of systems, flows and keys.

    Computed from the data the model was validated from when it is at hand (written by orjson:
    :func:`_dumps_fast`), else from the typed model.

    >>> from flowmap.model import Model
    >>> a = {"flowmap": 1, "name": "x", "systems": [{"id": "a", "sector": "asylum"}, {"id": "b", "sector": "police"}]}
    >>> b = {"name": "x", "flowmap": 1, "systems": [{"sector": "police", "id": "b"}, {"id": "a", "sector": "asylum"}]}
    >>> from flowmap.validate import build_model
    >>> model_digest(build_model(a, "a.yaml")) == model_digest(build_model(b, "b.yaml"))
    True
    """
    cached = model._cache.get("digest")
    if cached is None:
        data = model._cache.get("source_data")
        if data is None:
            data = model.model_dump(mode="json", by_alias=True, exclude_none=True)
        canonical = dict(data)
        canonical["systems"] = sorted(data.get("systems") or [], key=lambda s: str(s.get("id")))
        canonical["flows"] = sorted(
            data.get("flows") or [], key=lambda f: str(f.get("id") or f"{f.get('from')}->{f.get('to')}")
        )
        cached = model._cache["digest"] = "sha256:" + _sha256_of(canonical)
    return cached


def _canonical_pieces(data: dict[str, Any], dumps: Callable[[Any], bytes]) -> Iterator[bytes]:
    """``data`` written by ``dumps`` (compact, keys sorted, UTF-8) in pieces: the top-level lists
    500 items at a time, so a large model is never one string.

    >>> data = {"b": [{"y": 1, "x": "é"}, *range(1000)], "a": {"k": None}, "c": [], "d": dt.date(2024, 6, 1)}
    >>> b"".join(_canonical_pieces(data, _dumps_fast)) == b"".join(_canonical_pieces(data, _dumps_plain))
    True
    """
    yield b"{"
    for number, key in enumerate(sorted(data)):
        yield (b"," if number else b"") + dumps(key) + b":"
        value = data[key]
        if isinstance(value, list):
            yield b"["
            for start in range(0, len(value), 500):  # "[a,b]" less its brackets, joined by ","
                yield (b"," if start else b"") + dumps(value[start : start + 500])[1:-1]
            yield b"]"
        else:
            yield dumps(value)
    yield b"}"


def _dumps_plain(value: Any) -> bytes:
    """The canonical form: ``json.dumps`` with keys sorted, no spaces, text as it is, dates through ``str``."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode("utf-8")


def _dumps_fast(value: Any) -> bytes:
    """:func:`_dumps_plain`, ten times faster, for every value a valid model holds (text, whole
    numbers, booleans, null, dates; the only floats a valid model admits are ``0.0`` and ``1.0``,
    for booleans and the format version, written alike). Raises ``TypeError`` for what it refuses
    (a number beyond 64 bits)."""
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS | orjson.OPT_PASSTHROUGH_DATETIME, default=str)


def _sha256_of(data: dict[str, Any]) -> str:
    """The sha256 of ``data`` in its canonical form (:func:`_dumps_plain`)."""
    try:
        digest = hashlib.sha256()
        for piece in _canonical_pieces(data, _dumps_fast):
            digest.update(piece)
    except TypeError:  # orjson refused a value: the plain writer does it all again
        digest = hashlib.sha256()
        for piece in _canonical_pieces(data, _dumps_plain):
            digest.update(piece)
    return digest.hexdigest()


def analyze(
    model: Model,
    *,
    rules: Iterable[Rule] = ALL_RULES,
    accepted: Iterable[Acceptance] = (),
    min_severity: Severity = Severity.info,
    min_confidence: Confidence = Confidence.low,
    sensitive_from: Sensitivity = Sensitivity.high,
    today: dt.date | None = None,
) -> Report:
    """Run ``rules`` over ``model``, gather what rests on unknowns into one ``questions:<system>``
    finding per system that can answer it (:mod:`flowmap.questions`), apply the model's and the
    extra acceptances, rank the findings.

    Raises ``AssertionError`` when two findings share an id: a rule emits at most one finding
    per element and aspect, so a duplicate is a bug, never something to drop silently.

    Notes
    -----
    The graph and its reach are computed once and shared by all rules; each rule is
    near-linear in the model (see the rule modules).
    """
    ctx = Context(model, sensitive_from=sensitive_from)
    findings: dict[str, Finding] = {}
    for rule in rules:
        for finding in rule.check(ctx):
            if finding.id in findings:
                raise AssertionError(f"rule {rule.id} emitted the finding id {finding.id} twice")
            findings[finding.id] = finding
    ctx.forget()  # the rules' memos: not needed from here on
    gathered = gather_questions(findings.values(), ctx)
    del findings  # the questions' own findings are gathered: let them go before the copies below
    acceptances = [*model.accepted, *accepted]
    result = apply_acceptances(gathered, acceptances, today=today)
    del gathered
    shown = [f for f in result.findings if f.severity >= min_severity]
    if min_confidence is Confidence.high:
        shown = [f for f in shown if f.established]
    covering = covering_findings(result.unmatched, result.findings)
    unmatched, expired = result.unmatched, result.expired
    del result
    order = rank_order(shown)
    for number, finding in enumerate(order, start=1):  # made by this analysis and not shared yet: numbered in place
        finding.rank = number
    return Report(model, order, unmatched, expired, covering)


def covering_findings(unmatched: list[Acceptance], findings: list[Finding]) -> dict[str, str]:
    """For acceptances that match no finding, the finding that now covers them: for a rule's own
    id of a question (``insecure_link:vis:unknown_transport``), the system's gathered
    ``questions:vis``; for the first contract's ids (``rule:origin:target``), the one finding of
    the same rule anchored at an element the old id names, where there is exactly one.

    >>> from flowmap.findings import Anchor, Confidence, Kind
    >>> f = Finding(id="exposure:eurodac->europol", rule="exposure", kind=Kind.exposure, severity=Severity.high,
    ...             confidence=Confidence.high, title="", message="", anchor=Anchor("flow", "eurodac->europol"),
    ...             systems=["eurodac", "europol"])
    >>> a = Acceptance(finding="exposure:asylum-authorities:europol", reason="r")
    >>> covering_findings([a], [f])
    {'exposure:asylum-authorities:europol': 'exposure:eurodac->europol'}
    """
    out: dict[str, str] = {}
    if not unmatched:
        return out
    asked = {q.id: f.id for f in findings for q in f.questions}  # a rule's own id for a gathered question
    for acceptance in unmatched:
        if acceptance.finding in asked:
            out[acceptance.finding] = asked[acceptance.finding]
            continue
        rule, _, rest = acceptance.finding.partition(":")
        named = set(rest.split(":"))
        candidates = [
            f.id for f in findings
            if f.rule == rule and (f.anchor.id in named or (f.anchor.type == "flow" and set(f.systems[:2]) & named
                                                             and f.systems[1] in named))
        ]
        if len(candidates) == 1:
            out[acceptance.finding] = candidates[0]
    return out
