"""Accountability gap: sensitive data with no legal basis, no independent oversight or no redress.

What it detects
    Systems that hold or receive sensitive data (sensitivity ``high`` or above, as for
    exposure), and flows that carry it, whose safeguards are missing or not recorded:

    - ``accountability_gap:<system>:no_oversight`` and ``:no_redress``: the model records
      that no independent authority supervises the system (``controls.independent_oversight:
      false``), or that the people concerned have no route to access, correct or contest
      their data (``controls.redress: false``). Established gaps, one finding each, so that
      each can be accepted on its own.
    - ``accountability_gap:<system>:unknown_safeguards``: what the model does not say about
      the system and the flows it sends, in one finding that asks the system the questions
      together (is there independent oversight? a route to redress? a legal basis? which law
      allows its flows of sensitive data that record none?). An omitted control and an
      empty ``legal_basis`` ("none recorded") are unknowns, not established absences: the
      finding has low confidence and is worded as a question. A flow with no legal basis is
      asked of its sender (the ``from`` system of a bidirectional flow), naming the flows (the
      first :data:`FLOWS_CAP` in the evidence ``flows``) and the systems they go to.

    Unknowns aggregate at the system that can answer them, rather than one finding per
    control or per flow: a DPO gets one list of questions per system. A system thus has at
    most its established gaps and one question. The evidence names the categories, the
    people groups and the origins whose data is there (and crosses the flows asked about).

Why it matters
    Interference with private life must be "in accordance with the law" (ECHR Art. 8,
    Charter Art. 52): without a known legal basis nobody can check necessity and
    proportionality. Without an independent supervisor nobody checks the operator, and
    without redress the people concerned cannot access, correct or contest what is held
    about them (Charter Arts. 8(2)-(3) and 47).

How to fix
    Record the legal basis (a source key naming the provision), the supervising authority
    and the route for access, rectification and appeal, each with a source; where one is
    really missing, that is the finding to escalate.
"""

from __future__ import annotations

import functools

from flowmap.findings import LIST_CAP, Confidence, Kind, Severity
from flowmap.model import Flow, System
from flowmap.rules import _support
from flowmap.rules._support import display_names, edges_by_flow
from flowmap.rules.base import Context, Rule
from flowmap.taxonomy import Sensitivity
from flowmap.words import categories_in_words, listing, plural, sentence_case, subjects_in_words

FLOWS_CAP = LIST_CAP
"""An ``unknown_safeguards`` finding lists at most this many flows without a legal basis."""

MITIGATIONS = {
    "no_oversight": "Name the independent authority that supervises the system, with a source, or create one.",
    "no_redress": (
        "Provide, and document with a source, how people can access, correct, erase and contest the data "
        "held about them."
    ),
    "unknown_safeguards": (
        "Record what is missing, each with a source: the provision that allows the processing and each transfer, "
        "the independent authority that supervises it, and the route for access, rectification and appeal. "
        "Where one does not exist, that is a gap to escalate (stop a transfer that no law allows)."
    ),
}

# What each unknown of a system is, as part of a question and of a sentence.
_UNKNOWN = {
    "oversight": ("independent oversight", "whether an independent authority supervises it"),
    "redress": (
        "a route to redress",
        "whether the people concerned can access, correct or contest their data",
    ),
    "legal_basis": ("a legal basis", "which law allows the processing"),
}


class _Unasked:
    """The flows a system sends with sensitive data and no legal basis: the union of the
    origins whose data crosses them, their categories, and the flows in id order."""

    def __init__(self) -> None:
        self.flows: list[Flow] = []
        self.bits = 0
        self.categories: set[str] = set()


def _unasked_flows(ctx: Context, ev: _support.Evidence) -> dict[str, _Unasked]:
    """Sender -> its flows that carry sensitive data and record no legal basis."""
    out: dict[str, _Unasked] = {}
    edges = edges_by_flow(ctx)
    for flow in ctx.flows:
        if flow.legal_basis:
            continue
        by_category = ev.by_category(edges[flow.id], category_ok=ev.sensitive.__contains__)
        if not by_category:  # no origin's sensitive data crosses it
            continue
        found = out.setdefault(flow.source, _Unasked())
        found.flows.append(flow)
        found.bits |= _support.union(by_category)
        found.categories.update(by_category)  # sorted once per sender, when worded
    return out


def _what_is_there(ctx: Context, ev: _support.Evidence, system: System, bits: int, origins: list[str],
                   categories: list[str]) -> tuple[list[str], str]:
    """(subjects, a sentence: "Fingerprints about ..., from 3 origins (...), are held at X.");
    ``origins``: the most important origins of ``bits``.

    The system's name is never the subject of a verb: names are often plural ("Asylum authorities").
    """
    subjects = ev.subjects(bits | ctx.graph.origin_bit(system.id))  # its own people too, sorted
    people = f" about {subjects_in_words(subjects)}" if subjects else ""
    where = "," if people.endswith("among them") else ""
    if origins != [system.id]:  # the data of others too
        where = f", from {plural(bits.bit_count(), 'origin')} ({ev.listed(bits, named=origins)}),"
    sentence = f"{sentence_case(categories_in_words(categories))}{people}{where} are held at {system.display_name}."
    return subjects, sentence


def _flows_words(ctx: Context, system: System, unasked: _Unasked) -> tuple[str, str, str]:
    """The flows asked about: as the object of "which law allows", after "its", and short, for a title.

    >>> from flowmap.model import Model
    >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
    ...     {"id": "vis", "name": "VIS", "sector": "visa"}, *({"id": t, "sector": "border"} for t in "abcde")],
    ...   "flows": [{"from": "vis", "to": t, "data": ["biometric"], "purpose": "migration.visa"} for t in "abcde"]})
    >>> ctx, asked = Context(m), _Unasked()
    >>> asked.flows = m.flows[:1]
    >>> _flows_words(ctx, ctx.system("vis"), asked)
    ('the flow vis->a from VIS to a', 'flow vis->a to a', 'the flow vis->a')
    >>> asked.flows = m.flows
    >>> _flows_words(ctx, ctx.system("vis"), asked)
    ('the 5 flows of sensitive data from VIS to 5 systems (a, b, c and 2 others)', '5 flows of sensitive data to 5 systems (a, b, c and 2 others)', '5 outgoing flows')
    """
    flows = unasked.flows
    name_of = display_names(ctx)
    if len(flows) == 1:
        (flow,) = flows
        target = name_of[flow.target]
        return (f"the flow {flow.id} from {system.display_name} to {target}", f"flow {flow.id} to {target}",
                f"the flow {flow.id}")
    targets = list(dict.fromkeys(name_of[f.target] for f in flows))
    where = f"to {plural(len(targets), 'system')} ({listing(targets)})"
    return (f"the {len(flows)} flows of sensitive data from {system.display_name} {where}",
            f"{len(flows)} flows of sensitive data {where}", f"{len(flows)} outgoing flows")


@functools.lru_cache(maxsize=None)
def _gaps(legal_basis: bool, oversight: bool | None, redress: bool | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(established gaps, unknowns) of a system's safeguards: whether it records a legal basis, and
    its controls (decided once per combination: systems share a few).

    >>> _gaps(False, False, None)
    (('no_oversight',), ('legal_basis', 'redress'))
    """
    established = tuple(gap for gap, value in (("no_oversight", oversight), ("no_redress", redress)) if value is False)
    unknown = tuple(name for name, missing in (
        ("legal_basis", not legal_basis), ("oversight", oversight is None), ("redress", redress is None)) if missing)
    return established, unknown


def _system_findings(ctx: Context, ev: _support.Evidence, system: System, unasked: _Unasked | None,
                     available: tuple[int, list[str]]):
    """``available``: (origins bitset, categories) of the sensitive data available at the system."""
    controls = system.controls
    established, unknown = _gaps(bool(system.legal_basis), controls.independent_oversight, controls.redress)
    if not established and not unknown and unasked is None:
        return
    bits, categories = available
    if not bits:
        return
    origins, total = ev.named(bits), bits.bit_count()
    subjects, held = _what_is_there(ctx, ev, system, bits, origins, categories)
    name = system.display_name
    sensitivity, vulnerable = ctx.sensitivity(categories), ctx.vulnerable(subjects)
    for gap in established:
        if gap == "no_oversight":
            title = f"No independent oversight of {name}"
            fact = "The model records that no independent authority supervises the system"
            why = "nobody outside the operator checks that the processing stays lawful, necessary and proportionate."
        else:
            title = f"No route to redress at {name}"
            fact = ("The model records that the people concerned have no route to access, correct or contest "
                    "what is held about them")
            why = "errors stay uncorrected and decisions based on the data cannot be contested (Charter Art. 47)."
        yield RULE.finding(
            ctx, system, aspect=gap,
            severity=ctx.grade(RULE, sensitivity=sensitivity, vulnerable=vulnerable),
            title=title,
            message=f"{held} {fact}: {why}",
            categories=categories, subjects=subjects, origins=origins, origins_total=total,
            mitigation=MITIGATIONS[gap],
        )
    if unknown or unasked is not None:
        yield _question_finding(ctx, system, unknown, unasked, held, bits, origins, categories, subjects,
                                sensitivity, vulnerable)


def _question_finding(ctx: Context, system: System, unknown: tuple[str, ...], unasked: _Unasked | None, held: str,
                      bits: int, origins: list[str], categories: list[str], subjects: list[str],
                      sensitivity: Sensitivity, vulnerable: bool):
    """The one question to a system about what is not recorded: its own safeguards, and the
    legal basis of the flows of sensitive data it sends (in whole sentences, never "with no
    legal basis is recorded"). ``sensitivity`` and ``vulnerable``: of ``categories`` and ``subjects``.

    >>> from flowmap.model import Model
    >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
    ...     {"id": "db", "name": "Police database", "sector": "police", "holds": ["criminal.suspicion"],
    ...      "purposes": ["enforcement.law"], "legal_basis": ["Police Act"],
    ...      "controls": {"independent_oversight": True, "redress": True}},
    ...     {"id": "office", "name": "Police office", "sector": "police", "legal_basis": ["Police Act"],
    ...      "controls": {"independent_oversight": True, "redress": True}}],
    ...   "flows": [{"from": "db", "to": "office", "data": ["criminal"], "purpose": "enforcement.law"}]})
    >>> (f,) = check(Context(m))
    >>> f.id, f.confidence.value, f.asks, f.flows
    ('accountability_gap:db:unknown_safeguards', 'low', 'db', ['db->office'])
    >>> print(f.message)  # doctest: +NORMALIZE_WHITESPACE
    Police suspicions are held at Police database. No legal basis is recorded for the flow db->office from
    Police database to Police office, which carries police suspicions. Until the law that allows it is known,
    nobody can check that the processing is lawful, necessary and proportionate.
    >>> f.question
    'Which law allows the flow db->office from Police database to Police office?'
    """
    name = system.display_name
    parts = [held]
    titled = [_UNKNOWN[u][0] for u in unknown]
    flows, its, flow_ids, count = "", "", [], 0
    if unknown:
        parts.append(_not_recorded(unknown))
    if unasked is not None:
        flows, its, short = _flows_words(ctx, system, unasked)
        crossing = sorted(unasked.categories)
        whose = ""
        if unasked.bits != bits:  # else: the data of the origins named above
            whose = (f" from {plural(unasked.bits.bit_count(), 'origin')} "
                     f"({_support.Evidence.of(ctx).listed(unasked.bits)})")
        parts.append(
            f"No legal basis is recorded for {flows}, which {'carries' if len(unasked.flows) == 1 else 'carry'} "
            f"{categories_in_words(crossing)}{whose}."
        )
        titled.append(f"a legal basis for {short}")
        count = len(unasked.flows)
        flow_ids = [f.id for f in unasked.flows[:FLOWS_CAP]]
        categories = [*categories, *crossing]  # made unique and sorted by the finding
        sensitivity = max(sensitivity, ctx.sensitivity(crossing))
    if len(titled) > 1 or count > 1:
        until = "Until these are known"
    elif count:
        until = "Until the law that allows it is known"
    else:
        until = "Until this is known"
    contest = ", or that the people concerned can contest it" if "oversight" in unknown or "redress" in unknown else ""
    parts.append(f"{until}, nobody can check that the processing is lawful, necessary and proportionate{contest}.")
    return RULE.finding(
        ctx, system, aspect="unknown_safeguards",
        confidence=Confidence.low,
        severity=ctx.grade(RULE, sensitivity=sensitivity, vulnerable=vulnerable, low_confidence=True),
        title=f"Safeguards of {name} not recorded: {listing(titled)}",
        message=" ".join(parts),
        categories=categories, subjects=subjects,
        origins=origins, origins_total=bits.bit_count(),
        flows=flow_ids,
        mitigation=MITIGATIONS["unknown_safeguards"],
        question=_question(name, unknown, flows, its),
    )


@functools.lru_cache(maxsize=None)
def _not_recorded(unknown: tuple[str, ...]) -> str:
    """The sentence saying what the model does not record of a system's safeguards.

    >>> _not_recorded(("legal_basis", "redress"))
    'The model does not record which law allows the processing and whether the people concerned can access, correct or contest their data.'
    """
    return f"The model does not record {listing([_UNKNOWN[u][1] for u in unknown])}."


def _question(name: str, unknown: tuple[str, ...], flows: str = "", its: str = "") -> str:
    """One short question about what is unknown at a system and the flows it sends.

    >>> _question("VIS", ("oversight",))
    'Is there independent oversight of VIS?'
    >>> _question("VIS", ("legal_basis", "oversight", "redress"))
    'Is there a legal basis, independent oversight and a route to redress for VIS?'
    >>> _question("VIS", ("oversight",), "the flow vis->a from VIS to A", "flow vis->a to A")
    'Is there independent oversight of VIS, and which law allows its flow vis->a to A?'
    >>> _question("VIS", (), "the flow vis->a from VIS to A")
    'Which law allows the flow vis->a from VIS to A?'
    """
    if not unknown:
        return f"Which law allows {flows}?"
    if unknown == ("oversight",):
        asked = f"Is there independent oversight of {name}"
    else:
        asked = f"Is there {listing([_UNKNOWN[u][0] for u in unknown])} for {name}"
    return f"{asked}, and which law allows its {its}?" if flows else f"{asked}?"


def check(ctx: Context):
    """Per system: its established gaps, and one question for its unknowns and the flows of
    sensitive data it sends with no legal basis recorded."""
    ev = _support.Evidence.of(ctx)
    unasked = _unasked_flows(ctx, ev)
    available = ev.everywhere(category_ok=ev.sensitive.__contains__)  # sensitive data at each system
    for system in ctx.systems:
        yield from _system_findings(ctx, ev, system, unasked.get(system.id), available.get(system.id, (0, [])))


RULE = Rule(
    id="accountability_gap",
    name="sensitive data with no legal basis, oversight or redress",
    kind=Kind.accountability_gap,
    default_severity=Severity.medium,
    principles=("lawfulness", "accountability", "effective_remedy"),
    linddun="non_compliance",
    check=check,
    doc=__doc__,
    aspects=("no_oversight", "no_redress", "unknown_safeguards"),
)
