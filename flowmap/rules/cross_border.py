"""Cross-border transfer without a legal basis.

What it detects
    Flows between systems in different jurisdictions (both ``jurisdiction`` fields set and
    different) that record no ``legal_basis``. One finding per flow, anchored at it
    (``cross_border:<flow>``). Jurisdictions are compared by family: ``EU`` and the code of
    an EU member state (``FR``, ``DE``, ... and ``EL`` for Greece) count as the same
    jurisdiction, because EU law binds both and transfers between them are not international
    transfers under GDPR Chapter V or LED Chapter V; the Schengen associated states (IS, LI,
    NO, CH) are *not* in the family. Comparison ignores case. A flow where either end has no
    jurisdiction is not judged, and a flow with a legal basis is fine.

    An empty ``legal_basis`` means none is recorded, not that none exists: the crossing is
    established, the missing basis is an unknown. The finding has low confidence and asks
    the sending system which adequacy decision, agreement or law allows the transfer.

Why it matters
    Data leaving a jurisdiction leaves the reach of its courts, data protection authorities
    and redress. Transfers need an adequacy decision, appropriate safeguards or a specific
    legal basis; without one the people concerned lose their protection the moment the data
    crosses the border.

How to fix
    Record the legal basis (adequacy decision, agreement, statutory provision) in the flow's
    ``legal_basis``, or stop the transfer.
"""

from __future__ import annotations

from flowmap.findings import Confidence, Kind, Severity
from flowmap.model import Flow
from flowmap.rules.accountability_gap import Evidence, edges_by_flow, sentence_case
from flowmap.rules.base import Context, Rule
from flowmap.words import categories_in_words, plural, subjects_in_words

EU_MEMBER_STATES = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "EL", "HU",
    "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
})

MITIGATION = "Record the adequacy decision, agreement or statute that allows the transfer, or stop it."


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


def crosses(ctx: Context, flow: Flow) -> bool:
    """Whether the flow's ends are in jurisdictions of different families (both known)."""
    source, target = ctx.system(flow.source).jurisdiction, ctx.system(flow.target).jurisdiction
    return bool(source and target) and jurisdiction_family(source) != jurisdiction_family(target)


def check(ctx: Context):
    """One finding per flow crossing jurisdictions with no legal basis recorded.

    >>> from flowmap.model import Model
    >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
    ...     {"id": "eu-db", "name": "EU database", "sector": "border", "jurisdiction": "EU",
    ...      "holds": ["identity.biographic"], "purposes": ["migration.border_management"]},
    ...     {"id": "us", "name": "US agency", "sector": "third_country", "jurisdiction": "US"}],
    ...   "flows": [{"from": "eu-db", "to": "us", "data": ["identity"], "purpose": "enforcement.law"}]})
    >>> (f,) = check(Context(m))
    >>> f.id, f.confidence.value, f.asks
    ('cross_border:eu-db->us', 'low', 'eu-db')
    >>> f.question
    'Which adequacy decision, agreement or law allows the flow eu-db->us from EU to US?'
    """
    edges, ev = edges_by_flow(ctx), Evidence(ctx)
    for flow in ctx.flows:
        if flow.legal_basis or not crosses(ctx, flow):
            continue
        source, target = ctx.system(flow.source), ctx.system(flow.target)
        origins, categories, subjects = ev.across(edges[flow.id])
        categories = categories or sorted(set(flow.data))
        people = f" about {subjects_in_words(subjects)}" if subjects else ""
        pause = "," if people.endswith("among them") else ""
        collected = ""
        if origins:
            collected = f", collected by {plural(len(origins), 'origin')} ({ev.named(origins)}),"
            pause = ""
        both_ways = " (and back)" if flow.bidirectional else ""
        yield RULE.finding(
            ctx, flow,
            confidence=Confidence.low,
            severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(categories), vulnerable=ctx.vulnerable(subjects),
                               actor=target.actor, low_confidence=True),
            title=(f"The flow {flow.id} takes data from {source.jurisdiction} to {target.jurisdiction} "
                   f"with no legal basis recorded"),
            message=(
                f"{sentence_case(categories_in_words(categories))}{people}{pause}{collected} leave "
                f"{source.jurisdiction} for {target.jurisdiction} through the flow {flow.id} from "
                f"{source.display_name} to {target.display_name}{both_ways}, and no legal basis is recorded for the "
                f"transfer. Once the data leaves the jurisdiction, its courts, supervisory authority and redress no "
                f"longer reach it; without a known adequacy decision, agreement or law, nobody can check that "
                f"the people concerned keep their protection."
            ),
            categories=categories, subjects=subjects, origins=origins,
            mitigation=MITIGATION,
            question=(f"Which adequacy decision, agreement or law allows the flow {flow.id} from "
                      f"{source.jurisdiction} to {target.jurisdiction}?"),
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
