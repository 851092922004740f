"""Insecure link: a flow not encrypted, not authenticated or not logged.

What it detects
    Flows whose ``transport`` is not known to be encrypted, authenticated and logged.

    - A flow with a field set to ``false`` is known to be insecure: one finding anchored at
      the flow (``insecure_link:<flow>``), established, listing what is missing (and what is
      not recorded besides).
    - Flows where nothing is known to be missing but some field is omitted are unknowns.
      They are asked of the system that sends them, in one finding per sending system
      (``insecure_link:<system>:unknown_transport``, low confidence) that lists those flows
      (the first :data:`FLOWS_CAP` in the evidence ``flows``; the message counts them all and
      names the systems they go to) and asks whether they are encrypted, authenticated and
      logged ("Are its 4 outgoing flows encrypted, authenticated and logged?"). A bidirectional flow is
      asked of its ``from`` system.

    Severity grows with the most sensitive category the flows carry and when they move whole
    datasets (mode ``bulk`` or ``replication``); a question is never critical.

Why it matters
    Data in transit between agencies is exposed to interception and to impersonation of
    either end; without logs nobody can tell afterwards who obtained what, so misuse can be
    neither detected nor redressed (GDPR Art. 32, LED Arts. 25 and 29).

How to fix
    Encrypt the link end to end, authenticate both ends (mutual TLS or signed messages), log
    every transfer and query with who, what and why, and record it in the model
    (``transport: {encrypted: true, authenticated: true, logged: true}``) with a source.
"""

from __future__ import annotations

import functools

from flowmap.findings import LIST_CAP, Confidence, Kind, Severity
from flowmap.model import Flow
from flowmap.rules._support import WHOLE_DATASETS, display_names
from flowmap.rules.base import Context, Rule
from flowmap.words import categories_in_words, listing, plural

PROPERTIES = ("encrypted", "authenticated", "logged")
FLOWS_CAP = LIST_CAP
"""An ``unknown_transport`` finding lists at most this many flows in its evidence."""

MITIGATION = (
    "Encrypt the link end to end, authenticate both ends, log every transfer with who, what and why; "
    "record each as true in the flow's transport, with a source."
)
QUESTION_MITIGATION = (
    "Find out from the operator whether these flows are encrypted, authenticated and logged, and record "
    "the answers (true or false) in each flow's transport, with a source; secure those that are not."
)


def _missing(values: dict[str, bool | None]) -> str:
    """What a flow is known to lack, in words.

    >>> _missing({"encrypted": False, "authenticated": False, "logged": None})
    'not encrypted and not authenticated'
    """
    return listing([f"not {name}" for name, value in values.items() if value is False])


def _state(values: dict[str, bool | None]) -> str:
    """What is wrong with a flow known to be insecure, in words.

    >>> _state({"encrypted": False, "authenticated": True, "logged": None})
    'not encrypted, and whether it is logged is not recorded'
    >>> _state({"encrypted": False, "authenticated": False, "logged": False})
    'not encrypted, not authenticated and not logged'
    """
    unknown = [name for name, value in values.items() if value is None]
    text = _missing(values)
    if unknown:
        text += f", and whether it is {' or '.join(unknown)} is not recorded"
    return text


def _volume(flow: Flow) -> bool:
    """Whether the flow moves whole datasets at once (mode ``bulk`` or ``replication``)."""
    return flow.mode in WHOLE_DATASETS


@functools.lru_cache(maxsize=None)
def _described(encrypted: bool | None, authenticated: bool | None, logged: bool | None) -> tuple[str, str]:
    """(:func:`_missing`, :func:`_state`) of a transport, worded once per combination of values.

    >>> _described(False, True, None)
    ('not encrypted', 'not encrypted, and whether it is logged is not recorded')
    """
    values = {"encrypted": encrypted, "authenticated": authenticated, "logged": logged}
    return _missing(values), _state(values)


@functools.lru_cache(maxsize=None)
def _unrecorded(encrypted: bool | None, authenticated: bool | None, logged: bool | None) -> tuple[str, ...]:
    """The properties of :data:`PROPERTIES` a transport does not record.

    >>> _unrecorded(None, True, None)
    ('encrypted', 'logged')
    """
    return tuple(p for p, value in zip(PROPERTIES, (encrypted, authenticated, logged)) if value is None)


@functools.lru_cache(maxsize=None)
def _properties_in_words(unrecorded: frozenset[str]) -> str:
    """The properties of :data:`PROPERTIES` among ``unrecorded``, in words (once per combination).

    >>> _properties_in_words(frozenset({"logged", "encrypted"}))
    'encrypted and logged'
    """
    return listing([p for p in PROPERTIES if p in unrecorded])


def check(ctx: Context):
    """One finding per flow known to be insecure; one question per system sending flows whose
    transport is not recorded.

    >>> from flowmap.model import Model
    >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
    ...     {"id": "vis", "name": "VIS", "sector": "visa", "holds": ["biometric.face"], "purposes": ["migration.visa"]},
    ...     {"id": "a", "sector": "border"}, {"id": "b", "sector": "border"}, {"id": "c", "sector": "border"}],
    ...   "flows": [{"from": "vis", "to": t, "data": ["biometric.face"], "purpose": "migration.visa"} for t in "ab"]
    ...          + [{"from": "vis", "to": "c", "data": ["biometric.face"], "purpose": "migration.visa",
    ...              "transport": {"encrypted": False}}]})
    >>> known, asked = check(Context(m))
    >>> known.id, known.confidence.value, known.title
    ('insecure_link:vis->c', 'high', 'The flow vis->c from VIS to c is not encrypted')
    >>> asked.id, asked.confidence.value, asked.asks, asked.flows
    ('insecure_link:vis:unknown_transport', 'low', 'vis', ['vis->a', 'vis->b'])
    >>> asked.question  # two of its three flows: named by where they go
    'Are its flows to a and b encrypted, authenticated and logged?'
    """
    name_of = display_names(ctx)
    unknown_by_sender: dict[str, list[Flow]] = {}
    sent: dict[str, int] = {}
    for flow in ctx.flows:
        sent[flow.source] = sent.get(flow.source, 0) + 1
        t = flow.transport
        if t.encrypted and t.authenticated and t.logged:
            continue
        if False in (t.encrypted, t.authenticated, t.logged):
            yield _known(ctx, name_of, flow)
        else:
            unknown_by_sender.setdefault(flow.source, []).append(flow)
    for sender, flows in sorted(unknown_by_sender.items()):
        yield _unknown(ctx, name_of, sender, flows, sent[sender])


def _known(ctx: Context, name_of: dict[str, str], flow: Flow):
    """The finding of a flow known to be insecure (``name_of``: :func:`display_names`)."""
    categories = sorted(set(flow.data))
    volume = _volume(flow)
    source, target = name_of[flow.source], name_of[flow.target]
    how = f" by {flow.mode.value}" if volume else ""
    both_ways = " and back" if flow.bidirectional else ""
    t = flow.transport
    missing, state = _described(t.encrypted, t.authenticated, t.logged)
    return RULE.finding(
        ctx, flow,
        severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(categories), volume=volume),
        title=f"The flow {flow.id} from {source} to {target} is {missing}",
        message=(
            f"The flow {flow.id} carries {categories_in_words(categories)}{how} from {source} to {target}{both_ways}, "
            f"and the model records that it is {state}. Data in transit can be intercepted or obtained by an "
            f"impersonated end, and without logs misuse cannot be traced."
        ),
        categories=categories,
        mitigation=MITIGATION,
    )


def _unknown(ctx: Context, name_of: dict[str, str], sender: str, flows: list[Flow], sent: int):
    """The question to a sender about its ``flows`` with unknown transport (of ``sent`` flows it sends)."""
    name = name_of[sender]
    categories: set[str] = set()
    volume = False
    unrecorded: set[str] = set()
    targets: dict[str, None] = {}  # the names of the receivers, in flow order, once each
    for flow in flows:
        categories.update(flow.data)
        volume = volume or _volume(flow)
        t = flow.transport
        unrecorded.update(_unrecorded(t.encrypted, t.authenticated, t.logged))
        targets[name_of[flow.target]] = None
    categories = sorted(categories)
    unknown = _properties_in_words(frozenset(unrecorded))
    if len(flows) == 1:
        (flow,) = flows
        target = name_of[flow.target]
        what = f"the flow {flow.id} from {name} to {target}"
        title = f"Transport security of the flow {flow.id} from {name} not recorded"
        carries = f"It carries {categories_in_words(categories)}{' as whole datasets' if volume else ''}."
        question = f"Is its flow to {target} ({flow.id}) {unknown}?"
    else:
        receivers = listing(targets)
        what = f"the {len(flows)} flows from {name} to {plural(len(targets), 'system')} ({receivers})"
        title = f"Transport security of {len(flows)} outgoing flows from {name} not recorded"
        carries = f"They carry {categories_in_words(categories)}{', some as whole datasets' if volume else ''}."
        if len(flows) == sent:
            question = f"Are its {len(flows)} outgoing flows {unknown}?"
        else:
            question = f"Are its flows to {receivers} {unknown}?"
    return RULE.finding(
        ctx, ctx.system(sender), aspect="unknown_transport",
        confidence=Confidence.low,
        severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(categories), volume=volume, low_confidence=True),
        title=title,
        message=(
            f"The model does not record whether {what} {'is' if len(flows) == 1 else 'are'} {unknown}. "
            f"{carries} Data in transit that is not encrypted and authenticated can be intercepted or obtained by "
            f"an impersonated end, and without logs misuse cannot be traced."
        ),
        categories=categories,
        flows=[f.id for f in flows[:FLOWS_CAP]],
        mitigation=QUESTION_MITIGATION,
        question=question,
        asks=sender,
    )


RULE = Rule(
    id="insecure_link",
    name="flow not encrypted, authenticated or logged",
    kind=Kind.insecure_link,
    default_severity=Severity.medium,
    principles=("security", "accountability"),
    linddun="data_disclosure",
    check=check,
    doc=__doc__,
    aspects=("unknown_transport",),
)
