"""Refoulement risk: data about asylum seekers or refugees reaches the state they fled, or a return country.

What it detects
    Flows where data about asylum seekers or refugees (collected by an origin whose
    ``subjects`` include ``asylum_seeker`` or ``refugee``) enters the hands of an actor of
    type ``origin_country``, by any flow, or of type ``third_country`` through a flow for
    return (purpose ``enforcement.return`` or below it). One finding per such flow,
    anchored at it: the point where the transfer can be refused or conditioned. The
    evidence names the origins whose data crosses it (capped, with their exact number),
    the categories and people groups, and up to three shortest witness paths. Every
    category counts: an identity matched for readmission reveals to the receiving state
    that the person was in the asylum procedure.

    Severity starts at ``high``; ``critical`` for the state a person fled, and one step
    up when whole datasets move at once. It does not rise with the sensitivity of the
    data or the vulnerability of the people: the harm is the disclosure itself, and every
    person concerned is in need of protection.

Why it matters
    Non-refoulement is absolute: nobody may be sent back to persecution. Telling
    the persecuting state that a person applied for asylum (even only their
    identity, matched for readmission) can expose them and their family to
    reprisals and can itself create a risk on return (sur place claims).
    Transfers to third countries for return are where this risk is made real.

How to fix
    Never share data that reveals an asylum claim with the country of origin;
    for return, share only what is strictly needed after a final negative
    decision, with a documented individual refoulement assessment, and exclude
    people whose claims are pending.

>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
...     {"id": "asylum", "sector": "asylum", "holds": ["identity.biographic"], "purposes": ["protection.asylum"],
...      "subjects": ["asylum_seeker"]},
...     {"id": "partner", "sector": "third_country", "actor": "third_country"},
...     {"id": "home", "sector": "third_country", "actor": "origin_country"}],
...   "flows": [{"from": "asylum", "to": "partner", "data": ["identity"], "purpose": "enforcement.law"},
...             {"from": "asylum", "to": "home", "data": ["identity"], "purpose": "enforcement.return"}]})
>>> [(f.id, f.severity.name) for f in check(Context(m))]
[('refoulement:asylum->home', 'critical')]
"""

from __future__ import annotations

from itertools import islice

from flowmap.findings import LIST_CAP, Kind, Severity
from flowmap.graph import Edge
from flowmap.model import System
from flowmap.rules._support import Evidence, bulk, entry_edges, union
from flowmap.rules.base import Context, Rule
from flowmap.taxonomy import ancestors
from flowmap.words import sentence_case, categories_in_words, listing, plural, subjects_in_words

PROTECTED_SUBJECTS = ("asylum_seeker", "refugee")
RETURN_PURPOSE = "enforcement.return"
MITIGATION = (
    "Never disclose that a person sought asylum to the country of origin; for return, share only what "
    "a final decision requires after an individual refoulement assessment, never for pending claims."
)
BEYOND_CONDITIONS = (
    "Beyond the conditions recorded on the flow: transfer only after a final negative decision and an "
    "individual refoulement assessment, never while a claim or appeal is pending, and check that what is sent "
    "cannot itself reveal that the person sought protection (biometrics taken in an asylum procedure can)."
)


def _for_return(edge: Edge) -> bool:
    return any(RETURN_PURPOSE in ancestors(p) for p in edge.flow.purposes)


def _receiving_state(system: System) -> bool:
    return system.actor in ("origin_country", "third_country")


def check(ctx: Context):
    """One finding per flow where asylum seekers' data enters the state they fled, or a third
    country for return."""
    graph, evidence = ctx.graph, Evidence.of(ctx)
    asylum = 0  # the origins whose people are asylum seekers or refugees, as a bitset
    for system in ctx.systems:
        if any(subject in PROTECTED_SUBJECTS for subject in system.subjects):
            asylum |= graph.origin_bit(system.id)
    if not asylum:
        return
    for edge in entry_edges(ctx, _receiving_state):
        state = ctx.system(edge.target)
        if state.actor == "third_country" and not _for_return(edge):
            continue
        by_category = evidence.by_category(edge, within=asylum, exclude=graph.origin_bit(state.id))
        if not by_category:
            continue
        bits = union(by_category)
        origins = list(islice(evidence.in_order(by_category), LIST_CAP))
        categories = sorted(by_category)
        subjects = evidence.subjects(bits)
        fled = state.actor == "origin_country"
        yield RULE.finding(
            ctx, edge,
            severity=ctx.grade(RULE, actor=state.actor, volume=bulk(edge)),
            title=_title(subjects, state, fled, edge),
            message=_message(ctx, edge, state, fled, origins, bits.bit_count(), categories, subjects),
            categories=categories,
            subjects=subjects,
            origins=origins,
            origins_total=bits.bit_count(),
            paths=evidence.witness_paths(edge, by_category),
            mitigation=BEYOND_CONDITIONS if edge.flow.conditions else MITIGATION,
            actor_types=1,
        )


def _who(subjects: list[str]) -> str:
    """The protected people among ``subjects``, in words."""
    return subjects_in_words([s for s in PROTECTED_SUBJECTS if s in subjects])


def _title(subjects: list[str], state: System, fled: bool, edge: Edge) -> str:
    how = "the state people fled" if fled else "a third country, for return"
    return f"Data about {_who(subjects)} enters {state.display_name} ({how}) through {edge.id}"


def _message(ctx: Context, edge: Edge, state: System, fled: bool, origins, total, categories, subjects) -> str:
    names = [ctx.system(o).display_name for o in origins[:3]]
    people = f" about {subjects_in_words(subjects)}" if subjects else ""
    where = (
        "the state people fled or may be returned to" if fled
        else "a third country, through a flow for return"
    )
    parts = [
        (f"{sentence_case(categories_in_words(categories))}{people}, from {plural(total, 'origin')} "
         f"({listing(names, total=total)}), enter the hands of {state.display_name}, {where}, through the flow {edge.id} "
         f"from {ctx.system(edge.source).display_name}."),
        ("Disclosing to that state that a person was in the asylum procedure, or handing over their data for "
         "return before an individual assessment, can expose them and their families to persecution: "
         "a risk of refoulement."),
    ]
    if edge.flow.conditions:
        parts.append(f"The flow's recorded conditions: {_shortened(edge.flow.conditions)}")
    return " ".join(parts)


def _shortened(text: str, limit: int = 240) -> str:
    """Free text on one line, cut at a word boundary near ``limit`` characters.

    >>> _shortened("a  b\\n c"), _shortened("one two three four", limit=10)
    ('a b c', 'one two…')
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


RULE = Rule(
    id="refoulement",
    name="asylum seekers' data reaches the country of origin or a return country",
    kind=Kind.function_creep,
    default_severity=Severity.high,
    principles=("non_refoulement", "purpose_limitation", "right_to_life_and_security"),
    linddun="data_disclosure",
    check=check,
    doc=__doc__,
)
