"""Documented incident on a system or flow.

What it detects
    Systems and flows with ``incidents``: documented breaches, unlawful copies, court rulings
    against them. One finding per system or flow, anchored at it (``incident:<system>`` or
    ``incident:<flow>``), listing the incidents in date order with their dates in words and
    the sources that document them. Severity follows the most sensitive category the system
    holds or receives (or the flow carries) and whether the people concerned are vulnerable.
    An incident is a recorded fact: the finding is established.

Why it matters
    An incident is evidence, not a hypothesis: the safeguards failed once. Whether the
    causes were fixed, and whether the people affected were told, is what a DPIA and an
    auditor must check first.

How to fix
    Document the remediation (what changed, who verified it, whether people were notified)
    and accept the finding with that reason and a review date; if the cause persists, stop
    the processing until it is fixed.
"""

from __future__ import annotations

from flowmap.findings import Kind, Severity
from flowmap.model import Incident
from flowmap.rules.accountability_gap import Evidence, data_at, edges_by_flow, sentence_case
from flowmap.rules.base import Context, Rule
from flowmap.words import categories_in_words, citations, plural, subjects_in_words

MITIGATION = (
    "Document the remediation and its verification, notify the people affected, then accept the finding with "
    "that reason and a review date; if the cause persists, stop the processing until it is fixed."
)

MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
    "November", "December",
)


def date_words(date: str | None) -> str:
    """An incident date in words: ``2012-08`` -> ``August 2012``.

    >>> date_words("2012"), date_words("2012-08"), date_words("2012-08-01"), date_words(None)
    ('2012', 'August 2012', '1 August 2012', 'Undated')
    >>> date_words("2012-13")
    '2012-13'
    """
    if not date:
        return "Undated"
    parts = date.split("-")
    try:
        if len(parts) == 2:
            return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}"
        if len(parts) == 3:
            return f"{int(parts[2])} {MONTHS[int(parts[1]) - 1]} {parts[0]}"
    except (ValueError, IndexError):
        pass
    return date


def incidents_in_words(ctx: Context, incidents: list[Incident]) -> str:
    """The incidents in date order (undated last), one sentence each, with their sources."""
    out = []
    sources = {key: " ".join(text.split()) for key, text in ctx.model.sources.items()}  # one line each
    for incident in sorted(incidents, key=lambda i: (i.date is None, i.date or "", i.summary)):
        summary = incident.summary.strip().rstrip(".")
        sentence = f"{date_words(incident.date)}: {sentence_case(summary)}"
        if incident.sources:
            sentence += f" (documented by {citations(sources, incident.sources)})"
        else:
            sentence += " (no source recorded)"
        out.append(sentence + ".")
    return " ".join(out)


def _people(subjects: list[str]) -> str:
    return f" about {subjects_in_words(subjects)}" if subjects else ""


def check(ctx: Context):
    """One finding per system or flow with documented incidents.

    >>> from flowmap.model import Model
    >>> m = Model.model_validate({"flowmap": 1, "name": "x", "sources": {"audit": "Audit report 2013"},
    ...   "systems": [{"id": "db", "name": "Police database", "sector": "police", "holds": ["criminal.alert"],
    ...     "purposes": ["enforcement.law"],
    ...     "incidents": [{"date": "2012-08", "summary": "Contractor breach.", "sources": ["audit"]}]}]})
    >>> (f,) = check(Context(m))
    >>> f.id, f.confidence.value
    ('incident:db', 'high')
    >>> print(f.message)  # doctest: +NORMALIZE_WHITESPACE
    1 documented incident at Police database, which holds police alerts. August 2012: Contractor breach
    (documented by Audit report 2013 [audit]).
    """
    ev = Evidence(ctx)
    for system in ctx.systems:
        if not system.incidents:
            continue
        by_origin = data_at(ctx, system, sensitive_only=False)
        origins = ev.order(by_origin)
        categories = sorted({c for cats in by_origin.values() for c in cats})
        subjects = sorted({*system.subjects, *ev.subjects(origins)})
        count = plural(len(system.incidents), "documented incident")
        holds = f", which holds {categories_in_words(categories)}{_people(subjects)}" if categories else ""
        yield RULE.finding(
            ctx, system,
            severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(categories), vulnerable=ctx.vulnerable(subjects)),
            title=f"{sentence_case(count)} at {system.display_name}",
            message=(f"{sentence_case(count)} at {system.display_name}{holds}. "
                     f"{incidents_in_words(ctx, system.incidents)}"),
            categories=categories, subjects=subjects, origins=origins,
            mitigation=MITIGATION,
        )
    edges = edges_by_flow(ctx)
    for flow in ctx.flows:
        if not flow.incidents:
            continue
        origins, categories, subjects = ev.across(edges[flow.id])
        categories = categories or sorted(set(flow.data))
        count = plural(len(flow.incidents), "documented incident")
        source, target = ctx.system(flow.source).display_name, ctx.system(flow.target).display_name
        yield RULE.finding(
            ctx, flow,
            severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(categories), vulnerable=ctx.vulnerable(subjects)),
            title=f"{sentence_case(count)} on the flow {flow.id} from {source} to {target}",
            message=(
                f"{sentence_case(count)} on the flow {flow.id} from {source} to {target}, which carries "
                f"{categories_in_words(categories)}{_people(subjects)}. {incidents_in_words(ctx, flow.incidents)}"
            ),
            categories=categories, subjects=subjects, origins=origins,
            mitigation=MITIGATION,
        )


RULE = Rule(
    id="incident",
    name="documented incident on a system or flow",
    kind=Kind.insecure_link,
    default_severity=Severity.high,
    principles=("security", "accountability"),
    linddun="data_disclosure",
    check=check,
    doc=__doc__,
)
