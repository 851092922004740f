"""Insecure link: a flow not encrypted, not authenticated or not logged.

What it detects
    Flows whose ``transport`` is not known to be encrypted, authenticated and
    logged. One finding per flow listing what is missing. A field set to
    ``false`` is a confirmed gap; an omitted one is unknown, which is a gap too
    (unknown is not safe) but reported with ``confidence: low``. Severity grows
    with the most sensitive category the flow carries and when the flow moves
    whole datasets (mode ``bulk`` or ``replication``).

Why it matters
    Data in transit between agencies is exposed to interception and to
    impersonation of either end; without logs nobody can tell afterwards who
    obtained what, so misuse can be neither detected nor redressed (GDPR
    Art. 32, LED Art. 25 and 29).

How to fix
    Encrypt the link end to end, authenticate both ends (mutual TLS or signed
    messages), log every transfer and query with who, what and why, and record
    it in the model (``transport: {encrypted: true, authenticated: true,
    logged: true}``) with a source.
"""

from __future__ import annotations

from flowmap.findings import Confidence, Finding, Kind, Severity
from flowmap.model import Mode
from flowmap.rules.base import Context, Rule

PROPERTIES = ("encrypted", "authenticated", "logged")
VOLUME_MODES = (Mode.bulk, Mode.replication)
MITIGATION = (
    "Encrypt the link, authenticate both ends, log every transfer; record each as true in the flow's transport "
    "with a source."
)


def _state(values: tuple[bool | None, ...]) -> tuple[str, bool, bool] | None:
    """(what is missing, in words; low confidence; some field unknown), or None when nothing is.

    >>> _state((True, False, None))
    ('not authenticated; not known to be logged', False, True)
    >>> _state((True, True, True)) is None
    True
    """
    missing = [name for name, value in zip(PROPERTIES, values) if value is not True]
    if not missing:
        return None
    confirmed = [name for name, value in zip(PROPERTIES, values) if value is False]
    unknown = [name for name, value in zip(PROPERTIES, values) if value is None]
    parts = []
    if confirmed:
        parts.append(f"not {', not '.join(confirmed)}")
    if unknown:
        parts.append(f"not known to be {' or '.join(unknown)}")
    return "; ".join(parts), not confirmed, bool(unknown)


def _ends(source: str, target: str) -> list[str]:
    """``sorted({source, target})``, without the set.

    >>> _ends("b", "a"), _ends("a", "a")
    (['a', 'b'], ['a'])
    """
    if source == target:
        return [source]
    return [source, target] if source < target else [target, source]


def _evidence(flow, state: str, unknown: bool) -> tuple:
    """The :data:`~flowmap.findings.TEXT_FIELDS` of a finding on ``flow``, written when first read."""
    categories = sorted(set(flow.data))
    volume = flow.mode in VOLUME_MODES
    message = (
        f"Flow {flow.id} ({flow.source} -> {flow.target}{', both ways' if flow.bidirectional else ''}) "
        f"carries {', '.join(categories)}{f' by {flow.mode.value}' if volume else ''} and is {state}. Data in "
        "transit can be intercepted or obtained by an impersonated end, and without logs misuse cannot be traced."
        + (" The model does not say: unknown is not safe." if unknown else "")
    )
    return f"Flow {flow.id} is {state}", message, _ends(flow.source, flow.target), [flow.id], categories, [], MITIGATION


def check(ctx: Context):
    """One finding per flow with a gap; severity is decided here, from grades memoised per
    (sensitivity, volume, confidence), and the text when the finding is first read."""
    states: dict[tuple, tuple[str, bool, bool] | None] = {}
    sensitivities: dict[tuple[str, ...], object] = {}  # the categories a flow carries -> their sensitivity
    grade = ctx.grader(RULE)
    principles = list(RULE.principles)  # shared: findings are not changed in place
    deferred, kind = Finding.deferred, Kind.insecure_link
    for flow in ctx.flows:
        transport = flow.transport
        values = (transport.encrypted, transport.authenticated, transport.logged)
        if values in states:
            found = states[values]
        else:
            found = states[values] = _state(values)
        if found is None:
            continue
        state, low, unknown = found
        carried = tuple(flow.data)
        sensitivity = sensitivities.get(carried)
        if sensitivity is None:
            sensitivity = sensitivities[carried] = ctx.sensitivity(carried)
        volume = flow.mode in VOLUME_MODES
        yield deferred(
            f"insecure_link:{flow.id}", "insecure_link", kind, grade(sensitivity, False, None, volume, low), Confidence.low if low else Confidence.high,
            principles, _evidence, (flow, state, unknown),
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
)
