"""Cross-border transfer without a legal basis.

What it detects
    Flows between systems in different jurisdictions (both ``jurisdiction`` fields set and
    different) that record no ``legal_basis``. Jurisdictions are compared by family: ``EU``
    and the code of an EU member state (``FR``, ``DE``, ... and ``EL`` for Greece) count as
    the same jurisdiction, because EU law binds both and transfers between them are not
    international transfers under GDPR Chapter V or LED Chapter V; the Schengen associated
    states (IS, LI, NO, CH) are *not* in the family. Comparison ignores case. A flow where
    either end has no jurisdiction is not judged, and a flow with a legal basis is fine.

    An empty ``legal_basis`` means none is recorded, not that none exists: the crossing is
    established, the missing basis is an unknown. Unknowns aggregate at the system that can
    answer them: one finding per sending system (the ``from`` system of a bidirectional flow),
    ``cross_border:<system>:unknown_transfer_basis``, low confidence, that names its flows
    (the first :data:`FLOWS_CAP` in the evidence ``flows``), the jurisdictions and systems they
    go to, and the origins whose data leaves, and asks which adequacy decision, agreement or
    law allows them.

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

from flowmap.findings import LIST_CAP, Confidence, Kind, Severity
from flowmap.model import Flow, System
from flowmap.rules._support import Evidence
from flowmap.rules.base import Context, Rule
from flowmap.words import categories_in_words, listing, plural, sentence_case, subjects_in_words

EU_MEMBER_STATES = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "EL", "HU",
    "IE", "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
})

FLOWS_CAP = LIST_CAP
"""A finding lists at most this many flows in its evidence (the message counts them all)."""

MITIGATION = "Record the adequacy decision, agreement or statute that allows each transfer, or stop it."


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
    """One question per system that sends data across jurisdictions with no legal basis recorded.

    >>> from flowmap.model import Model
    >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
    ...     {"id": "eu-db", "name": "EU database", "sector": "border", "jurisdiction": "EU",
    ...      "holds": ["identity.biographic"], "purposes": ["migration.border_management"]},
    ...     {"id": "us", "name": "US agency", "sector": "third_country", "jurisdiction": "US"}],
    ...   "flows": [{"from": "eu-db", "to": "us", "data": ["identity"], "purpose": "enforcement.law"}]})
    >>> (f,) = check(Context(m))
    >>> f.id, f.confidence.value, f.asks, f.flows
    ('cross_border:eu-db:unknown_transfer_basis', 'low', 'eu-db', ['eu-db->us'])
    >>> print(f.message)  # doctest: +NORMALIZE_WHITESPACE
    Biographic identity data, collected by 1 origin (EU database), leave EU for US through the flow eu-db->us from
    EU database to US agency, and no legal basis is recorded for the transfer. Once the data leaves the jurisdiction, its courts, supervisory authority and
    redress no longer reach it; without a known adequacy decision, agreement or law, nobody can check that the people
    concerned keep their protection.
    >>> f.question
    'Which adequacy decision, agreement or law allows the flow eu-db->us from EU to US?'
    """
    by_sender: dict[str, list[Flow]] = {}
    for flow in ctx.flows:
        if not flow.legal_basis and crosses(ctx, flow):
            by_sender.setdefault(flow.source, []).append(flow)
    for sender, flows in sorted(by_sender.items()):
        yield _question(ctx, ctx.system(sender), flows)


def _question(ctx: Context, sender: System, flows: list[Flow]):
    """The question to ``sender`` about the ``flows`` it sends across jurisdictions with no
    legal basis recorded."""
    ev = Evidence.of(ctx)
    bits, categories = ev.across_flows(flows)
    subjects = ev.subjects(bits)
    targets = [ctx.system(f.target) for f in flows]
    there = listing(sorted({t.jurisdiction for t in targets}))
    people = f" about {subjects_in_words(subjects)}" if subjects else ""
    pause = "," if people.endswith("among them") else ""
    collected = ""
    if bits:
        collected = f", collected by {plural(bits.bit_count(), 'origin')} ({ev.listed(bits)}),"
        pause = ""
    if len(flows) == 1:
        (flow,) = flows
        both_ways = " (and back)" if flow.bidirectional else ""
        through = f"the flow {flow.id} from {sender.display_name} to {targets[0].display_name}{both_ways}"
        title = (f"The flow {flow.id} takes data from {sender.jurisdiction} to {targets[0].jurisdiction} "
                 f"with no legal basis recorded")
        recorded = "the transfer"
        question = f"Which adequacy decision, agreement or law allows the flow {flow.id} from {sender.jurisdiction} to {there}?"
    else:
        names = list(dict.fromkeys(t.display_name for t in targets))
        through = (f"{len(flows)} flows from {sender.display_name} to {plural(len(names), 'system')} "
                   f"({listing(names)})")
        title = (f"{len(flows)} flows take data from {sender.display_name} ({sender.jurisdiction}) to {there} "
                 f"with no legal basis recorded")
        recorded = "these transfers"
        question = (f"Which adequacy decision, agreement or law allows each of the {len(flows)} flows from "
                    f"{sender.display_name} to {there} ({listing(names)})?")
    sensitivity, vulnerable = ctx.sensitivity(categories), ctx.vulnerable(subjects)
    severity = max(
        ctx.grade(RULE, sensitivity=sensitivity, vulnerable=vulnerable, actor=actor, low_confidence=True)
        for actor in {t.actor for t in targets}
    )
    return RULE.finding(
        ctx, sender, aspect="unknown_transfer_basis",
        confidence=Confidence.low,
        severity=severity,
        title=title,
        message=(
            f"{sentence_case(categories_in_words(categories))}{people}{pause}{collected} leave "
            f"{sender.jurisdiction} for {there} through {through}, and no legal basis is recorded for {recorded}. "
            f"Once the data leaves the jurisdiction, its courts, supervisory authority and redress no longer reach "
            f"it; without a known adequacy decision, agreement or law, nobody can check that the people concerned "
            f"keep their protection."
        ),
        categories=categories, subjects=subjects, origins=ev.named(bits), origins_total=bits.bit_count(),
        flows=[f.id for f in flows][:FLOWS_CAP],
        mitigation=MITIGATION,
        question=question,
        asks=sender.id,
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
    aspects=("unknown_transfer_basis",),
)
