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

from flowmap.findings import Kind, Severity
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
    for flow in ctx.flows:
        if flow.legal_basis:
            continue
        source, target = systems_by_id(ctx)[flow.source], systems_by_id(ctx)[flow.target]
        if not source.jurisdiction or not target.jurisdiction:
            continue
        if jurisdiction_family(source.jurisdiction) == jurisdiction_family(target.jurisdiction):
            continue
        categories = sorted(set(flow.data))
        yield RULE.finding(
            ctx,
            [flow.id],
            severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(categories), actor=target.actor),
            title=f"Flow {flow.id} crosses from {source.jurisdiction} to {target.jurisdiction} with no legal basis",
            message=(
                f"Flow {flow.id} moves {', '.join(categories)} from {describe(source)} ({source.jurisdiction}) "
                f"to {describe(target)} ({target.jurisdiction}){' and back' if flow.bidirectional else ''}, "
                "and the model records no legal basis for it. Once the data leaves the jurisdiction, its courts, "
                "supervisory authority and redress no longer reach it."
            ),
            systems=sorted({source.id, target.id}),
            flows=[flow.id],
            categories=categories,
            mitigation="Record the adequacy decision, agreement or statute that allows the transfer, or stop it.",
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
