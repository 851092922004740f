"""Documented incident on a system or flow.

What it detects
    Systems and flows with ``incidents``: documented breaches, unlawful access or copies,
    court rulings and audit findings against them. One finding per system or flow, anchored
    at it (``incident:<system>`` or ``incident:<flow>``), listing the incidents in date order
    with their dates in words, their type and the sources that document them. An incident is
    a recorded fact: the finding is established.

    Severity (see :mod:`flowmap.severity`) starts from ``high``, follows the most sensitive
    category the system holds or receives (or the flow carries) today and whether the people
    concerned are vulnerable, and is that of the worst incident:

    - a breach, unlawful access or unlawful copy keeps the grade; an incident whose type is
      not recorded keeps it too, and the message says the type is not recorded;
    - an audit finding or a court ruling is one step lower: it documents a failure of
      safeguards or of lawfulness, not data in someone else's hands;
    - an incident more than ten years before the model's ``as_of`` is one step lower again:
      it concerned the system as it then was, and the message says so.

    What the system holds today is said apart from the incidents, never as what they exposed:
    the model records what a system holds now, not what it held then.

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
from flowmap.model import Incident, IncidentType
from flowmap.rules._support import Evidence, edges_by_flow
from flowmap.rules.base import Context, Rule
from flowmap.severity import REMOTE_YEARS
from flowmap.words import categories_in_words, citations, plural, sentence_case, subjects_in_words

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


TYPE_WORDS = {
    IncidentType.breach: "breach",
    IncidentType.unlawful_access: "unlawful access",
    IncidentType.unlawful_copy: "unlawful copy",
    IncidentType.court_ruling: "court ruling",
    IncidentType.audit_finding: "audit finding",
}
NOT_HARM = frozenset({IncidentType.court_ruling, IncidentType.audit_finding})
"""Incident types that document a failure of safeguards or lawfulness, not data in others' hands."""


def months_before(date: str | None, as_of: str | None) -> int | None:
    """Whole months from an incident's date to the model's date (``None`` when either is unknown).

    >>> months_before("2012-08", "2024-06-01"), months_before("2019", "2024-09-01"), months_before(None, "2024")
    (142, 68, None)
    """
    def month(text: str | None) -> int | None:
        parts = (text or "").split("-")
        try:
            return int(parts[0]) * 12 + (int(parts[1]) - 1 if len(parts) > 1 else 0)
        except ValueError:
            return None

    start, end = month(date), month(as_of)
    return None if start is None or end is None else end - start


def remote(ctx: Context, incident: Incident) -> bool:
    """Whether an incident was more than :data:`~flowmap.severity.REMOTE_YEARS` years before the model's date."""
    months = months_before(incident.date, ctx.model.as_of)
    return months is not None and months > REMOTE_YEARS * 12


def incident_grade(ctx: Context, incident: Incident, sensitivity, vulnerable: bool) -> Severity:
    """One incident's severity: the rule's grade, a step lower for an audit finding or court
    ruling, a step lower again when remote."""
    steps = int(incident.type in NOT_HARM) + int(remote(ctx, incident))
    return ctx.grade(RULE, sensitivity=sensitivity, vulnerable=vulnerable, remote=steps)


def incidents_in_words(ctx: Context, incidents: list[Incident], where: str) -> str:
    """The incidents in date order (undated last), one sentence each: date, type, how long
    before the model's date when remote, what happened and its sources."""
    out = []
    sources = {key: " ".join(text.split()) for key, text in ctx.model.sources.items()}  # one line each
    for incident in sorted(incidents, key=lambda i: (i.date is None, i.date or "", i.summary)):
        summary = incident.summary.strip().rstrip(".")
        kind = TYPE_WORDS[incident.type] if incident.type else "type not recorded"
        if remote(ctx, incident):
            kind += (f"; more than {REMOTE_YEARS} years before this model's date ({date_words(ctx.model.as_of)}), "
                     f"it concerned {where} as it then was")
        sentence = f"{date_words(incident.date)} ({kind}): {sentence_case(summary)}"
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
    >>> m = Model.model_validate({"flowmap": 1, "name": "x", "as_of": "2024-06-01",
    ...   "sources": {"audit": "Audit report 2013"},
    ...   "systems": [{"id": "db", "name": "Police database", "sector": "police", "holds": ["biometric.face"],
    ...     "purposes": ["enforcement.law"], "subjects": ["child"],
    ...     "incidents": [{"date": "2012-08", "type": "breach", "summary": "Contractor breach.", "sources": ["audit"]}]},
    ...     {"id": "hart", "sector": "immigration", "holds": ["biometric.face"], "purposes": ["migration.border_management"],
    ...      "subjects": ["child"], "incidents": [{"date": "2023-09", "type": "audit_finding", "summary": "5 of 12 met"}]},
    ...     {"id": "cbp", "sector": "border", "holds": ["biometric.face"], "purposes": ["migration.border_management"],
    ...      "subjects": ["child"], "incidents": [{"date": "2019-05", "type": "breach", "summary": "Images stolen"}]},
    ...     {"id": "untyped", "sector": "border", "holds": ["biometric.face"], "purposes": ["migration.border_management"],
    ...      "subjects": ["child"], "incidents": [{"date": "2019-05", "summary": "Something happened"}]}]})
    >>> found = {f.id: f for f in check(Context(m))}
    >>> [(i, f.severity.name, f.confidence.value) for i, f in found.items()]  # doctest: +NORMALIZE_WHITESPACE
    [('incident:cbp', 'critical', 'high'), ('incident:db', 'high', 'high'), ('incident:hart', 'high', 'high'),
     ('incident:untyped', 'critical', 'high')]
    >>> print(found["incident:db"].message)  # doctest: +NORMALIZE_WHITESPACE
    1 documented incident at Police database. August 2012 (breach; more than 10 years before this model's date
    (1 June 2024), it concerned Police database as it then was): Contractor breach (documented by Audit report 2013
    [audit]). Today Police database holds facial images about children: not a record of what the incident exposed.
    >>> print(found["incident:untyped"].message.split(". ")[1])
    May 2019 (type not recorded): Something happened (no source recorded)
    """
    ev = Evidence.of(ctx)
    for system in ctx.systems:
        if not system.incidents:
            continue
        bits, categories = ev.at(system.id)
        origins = ev.named(bits)
        subjects = sorted({*system.people, *ev.subjects(bits)})
        sensitivity, vulnerable = ctx.sensitivity(categories), ctx.vulnerable(subjects)
        count = plural(len(system.incidents), "documented incident")
        name = system.display_name
        yield RULE.finding(
            ctx, system,
            severity=max(incident_grade(ctx, i, sensitivity, vulnerable) for i in system.incidents),
            title=f"{sentence_case(count)} at {name}",
            message=(f"{sentence_case(count)} at {name}. {incidents_in_words(ctx, system.incidents, name)}"
                     + _today(f"{name} holds", categories, subjects, len(system.incidents))),
            categories=categories, subjects=subjects, origins=origins, origins_total=bits.bit_count(),
            mitigation=MITIGATION,
        )
    edges = edges_by_flow(ctx)
    for flow in ctx.flows:
        if not flow.incidents:
            continue
        bits, categories = ev.crossing(edges[flow.id])
        origins, subjects = ev.named(bits), ev.subjects(bits)
        categories = categories or sorted(set(flow.data))
        if flow.subjects:  # the flow carries only these people's data
            subjects = [s for s in subjects if s in flow.subjects] or sorted(set(flow.subjects))
        sensitivity, vulnerable = ctx.sensitivity(categories), ctx.vulnerable(subjects)
        count = plural(len(flow.incidents), "documented incident")
        source, target = ctx.system(flow.source).display_name, ctx.system(flow.target).display_name
        where = f"the flow {flow.id}"
        yield RULE.finding(
            ctx, flow,
            severity=max(incident_grade(ctx, i, sensitivity, vulnerable) for i in flow.incidents),
            title=f"{sentence_case(count)} on the flow {flow.id} from {source} to {target}",
            message=(f"{sentence_case(count)} on the flow {flow.id} from {source} to {target}. "
                     f"{incidents_in_words(ctx, flow.incidents, where)}"
                     + _today("the flow carries", categories, subjects, len(flow.incidents))),
            categories=categories, subjects=subjects, origins=origins, origins_total=bits.bit_count(),
            mitigation=MITIGATION,
        )


def _today(what: str, categories: list[str], subjects: list[str], count: int) -> str:
    """What the system holds (or the flow carries) today, said apart from the incidents."""
    if not categories:
        return ""
    record = "the incident" if count == 1 else "the incidents"
    return f" Today {what} {categories_in_words(categories)}{_people(subjects)}: not a record of what {record} exposed."


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
