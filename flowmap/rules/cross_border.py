"""Cross-border transfer without a legal basis.

What it detects
    Flows between systems in different jurisdictions (both ``jurisdiction``
    fields set and different) that record no ``legal_basis``. Jurisdictions are
    compared by family: ``EU`` and the code of an EU member state (``FR``,
    ``DE``, ... and ``EL`` for Greece) count as the same jurisdiction, because
    EU law binds both and transfers between them are not international
    transfers under GDPR Chapter V or LED Chapter V; the Schengen associated
    states (IS, LI, NO, CH) are *not* in the family. Comparison ignores case. A
    flow where either end has no jurisdiction is not judged.

Why it matters
    Data leaving a jurisdiction leaves the reach of its courts, data protection
    authorities and redress. Transfers need an adequacy decision, appropriate
    safeguards or a specific legal basis; without one the people concerned lose
    their protection the moment the data crosses the border.

How to fix
    Record the legal basis (adequacy decision, agreement, statutory provision)
    in the flow's ``legal_basis``, or stop the transfer.
"""

from __future__ import annotations

from flowmap.findings import Confidence, Finding, Kind, Severity
from flowmap.rules._support import describe, systems_by_id
from flowmap.rules.base import Context, Rule

EU_MEMBER_STATES = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR EL HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE".split()
)


def jurisdiction_family(jurisdiction: str) -> str:
    """The family a jurisdiction belongs to: ``EU`` for the EU and its member states.

    >>> jurisdiction_family("fr"), jurisdiction_family("European Union"), jurisdiction_family("US")
    ('EU', 'EU', 'US')
    >>> jurisdiction_family("NO")
    'NO'
    """
    text = jurisdiction.strip().upper()
    if text in EU_MEMBER_STATES or text in ("EU", "EUROPEAN UNION"):
        return "EU"
    return text


def check(ctx: Context):
    """One finding per flow crossing jurisdictions with no legal basis; severity is decided here,
    from grades memoised per (sensitivity, receiving actor), and the text when the finding is first read."""
    systems = systems_by_id(ctx)
    family = _families(ctx)
    levels: dict[tuple[str, ...], object] = {}  # the categories a flow carries -> their sensitivity
    grade = ctx.grader(RULE)
    principles = list(RULE.principles)  # shared: findings are not changed in place
    for flow in ctx.flows:
        if flow.legal_basis:
            continue
        source_family, target_family = family[flow.source], family[flow.target]
        if source_family is None or target_family is None or source_family == target_family:
            continue
        source, target = systems[flow.source], systems[flow.target]
        carried = tuple(flow.data)
        level = levels.get(carried)
        if level is None:
            level = levels[carried] = ctx.sensitivity(carried)
        yield Finding.deferred(
            f"cross_border:{flow.id}", "cross_border", RULE.kind, grade(level, False, target.actor), Confidence.high, principles,
            _evidence, (flow, source, target),
        )


def _families(ctx: Context) -> dict[str, str | None]:
    """System id -> the family of its jurisdiction (None when it has none): one call per jurisdiction."""
    known: dict[str, str] = {}
    out: dict[str, str | None] = {}
    for system in ctx.model.systems:
        jurisdiction = system.jurisdiction
        if not jurisdiction:
            out[system.id] = None
            continue
        found = known.get(jurisdiction)
        if found is None:
            found = known[jurisdiction] = jurisdiction_family(jurisdiction)
        out[system.id] = found
    return out


def _evidence(flow, source, target) -> tuple:
    """The :data:`~flowmap.findings.TEXT_FIELDS` of a finding on ``flow`` from ``source`` to ``target``."""
    categories = sorted(set(flow.data))
    message = (
        f"Flow {flow.id} moves {', '.join(categories)} from {describe(source)} ({source.jurisdiction}) "
        f"to {describe(target)} ({target.jurisdiction}){' and back' if flow.bidirectional else ''}, "
        "and the model records no legal basis for it. Once the data leaves the jurisdiction, its courts, "
        "supervisory authority and redress no longer reach it."
    )
    return (
        f"Flow {flow.id} crosses from {source.jurisdiction} to {target.jurisdiction} with no legal basis", message,
        sorted({source.id, target.id}), [flow.id], categories, [],
        "Record the adequacy decision, agreement or statute that allows the transfer, or stop it.",
    )


RULE = Rule(
    id="cross_border",
    name="cross-border transfer without a legal basis",
    kind=Kind.accountability_gap,
    default_severity=Severity.high,
    principles=("lawfulness", "accountability", "effective_remedy"),
    linddun="non_compliance",
    check=check,
    doc=__doc__,
)
