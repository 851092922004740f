"""Firewall breach: data from a service people may stop using out of fear reaches enforcement.

What it detects
    Flows where data collected by a *firewall-protected* system enters the hands of an
    actor of type ``immigration_enforcement`` or ``law_enforcement``. A system is
    protected when people use it voluntarily and need to trust it: health, education,
    welfare, labour inspection, victim support, child protection, humanitarian aid.
    It is told by its sector (``health``, ``welfare``, ``education``, ``humanitarian``)
    or its purposes of collection (any ``services.*``, ``protection.humanitarian``,
    ``protection.child``, ``protection.victims``). Compulsory procedures are not
    protected whatever their purposes say: a system of the ``asylum``, ``border``,
    ``visa`` or ``immigration`` sector (Eurodac is a compulsory registry, and return is
    one of its statutory purposes); asylum data reaching enforcement is function creep and
    exposure, not a firewall breach. Data an enforcement actor collected itself (a
    victim's report to the police) does not breach the firewall by reaching the same
    type of actor.

    One finding per flow where that data *first* enters an enforcement actor's hands,
    anchored at it: the flow crosses into such an actor, and the data reached it by a route
    on which no enforcement actor held it before (hand-overs between enforcement actors
    afterwards are consequences of the same breach). The evidence names the protected
    origins whose data crosses it (capped, with their exact number), the categories and
    people groups, and up to three shortest witness paths.
    Every category counts, even an address: that a person used a clinic or a school is
    itself sensitive, so severity treats the data as at least ``high``.

Why it matters
    People avoid doctors, schools, shelters and the police when what they tell
    them can be used to detain or deport them: the harm falls on public health,
    children's education and the reporting of crime, not only on privacy. A
    "firewall" between services and enforcement is what UN and Council of Europe
    bodies (e.g. ECRI General Policy Recommendation No. 16) ask states to keep.

How to fix
    Cut the flow (or the chain) from the service to enforcement, or restrict it
    to narrowly defined serious-crime cases under prior independent
    authorisation; publish the firewall and tell people about it.

>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
...     {"id": "clinic", "sector": "health", "holds": ["special.health"], "purposes": ["services.health"]},
...     {"id": "eurodac", "sector": "asylum", "holds": ["biometric.fingerprint"],
...      "purposes": ["protection.asylum", "protection.child"]},
...     {"id": "police", "sector": "police", "actor": "law_enforcement"}],
...   "flows": [{"from": "clinic", "to": "police", "data": ["special"], "purpose": "enforcement.law"},
...             {"from": "eurodac", "to": "police", "data": ["biometric"], "purpose": "enforcement.law"}]})
>>> [f.id for f in check(Context(m))]
['firewall:clinic->police']
"""

from __future__ import annotations

from typing import Callable

from flowmap.findings import Kind, Severity
from flowmap.graph import Edge
from flowmap.model import System
from flowmap.rules._support import Evidence, bitset, bulk, display_names, entry_edges
from flowmap.rules.base import Context, Rule
from flowmap.taxonomy import Sensitivity, ancestors
from flowmap.words import sentence_case, actor_words, categories_in_words, listing, plural, subjects_in_words, term_words

ENFORCEMENT_ACTORS = ("immigration_enforcement", "law_enforcement")
FIREWALL_SECTORS = ("health", "welfare", "education", "humanitarian")
FIREWALL_PURPOSES = ("services", "protection.humanitarian", "protection.child", "protection.victims")
COMPULSORY_SECTORS = ("asylum", "border", "visa", "immigration")  # registration is required by law
MITIGATION = (
    "Cut this flow (or the chain that feeds it) from the service to enforcement, or limit it to "
    "serious-crime cases under prior independent authorisation; publish the firewall and tell the people concerned."
)


def _firewall_purposes(system: System) -> list[str]:
    """The system's purposes of collection that a firewall protects."""
    return [p for p in system.purposes if any(a in FIREWALL_PURPOSES for a in ancestors(p))]


def protected(system: System) -> bool:
    """Whether people use the system voluntarily and a firewall protects what they tell it.

    >>> protected(System(id="gp", sector="health"))
    True
    >>> protected(System(id="eurodac", sector="asylum", purposes=["protection.child"]))
    False
    >>> protected(System(id="police", sector="police", purposes=["protection.victims"]))
    True
    """
    if system.sector in COMPULSORY_SECTORS:
        return False
    return system.sector in FIREWALL_SECTORS or bool(_firewall_purposes(system))


def _enforcement(system: System) -> bool:
    return system.actor in ENFORCEMENT_ACTORS


def first_entries(ctx: Context, outside: Callable[[Edge], bool] | None = None) -> dict[Edge, tuple[int, list[str]]]:
    """Entry edge -> (bitset of the protected origins, categories) of the data that enters
    enforcement's hands through that edge *first*: by a route on which no enforcement actor held
    it before. Edges in flow-id order; categories sorted. ``outside``: :func:`_outside`, when
    the caller has it already.

    Notes
    -----
    Per category, one reach from the protected origins over the flows that do not enter an
    enforcement actor's hands (:meth:`~flowmap.graph.Graph.reach`); what crosses an entry edge
    in that reach arrives there without having been in enforcement's hands. Only the protected
    origins whose data crosses an entry edge by any route (in the category's full reach) can
    cross it by such a route: the reach starts from them alone, and origins never mix in a reach.
    """
    graph = ctx.graph
    entries = entry_edges(ctx, _enforcement)
    entering = set(entries)
    outside = outside or _outside(ctx)
    by_actor: dict[str, list[int]] = {}  # actor type -> its systems: a victim's report to the police stays there
    sheltered = []  # the positions of the protected systems
    for position, system in enumerate(ctx.systems):  # bit i stands for the i-th system in id order
        if system.actor:
            by_actor.setdefault(system.actor, []).append(position)
        if protected(system):
            sheltered.append(position)
    same_actor = {actor: bitset(positions) for actor, positions in by_actor.items()}
    sheltered_bits = bitset(sheltered)
    found: dict[Edge, tuple[int, set[str]]] = {}
    for category in graph.categories:
        entries_here = [edge for edge in graph.edges_carrying(category) if edge in entering]
        candidates = 0
        for edge in entries_here:
            candidates |= graph.crossing_bits(edge, category)
        candidates &= sheltered_bits
        if not candidates:
            continue
        origins = graph.bits_to_origins(category, candidates)
        reach = graph.reach(category, origins=origins, allowed=outside)  # used here only: not kept
        for edge in entries_here:
            actor = ctx.system(edge.target)
            bits = graph.crossing_bits(edge, category, reach) & ~(graph.origin_bit(actor.id) | same_actor[actor.actor])
            if bits:
                known, categories = found.get(edge, (0, set()))
                found[edge] = (known | bits, categories | {category})
    return {edge: (found[edge][0], sorted(found[edge][1])) for edge in entries if edge in found}


def _outside(ctx: Context) -> Callable[[Edge], bool]:
    """Whether an edge keeps data outside enforcement's hands (its target is no enforcement actor):
    a set's membership test."""
    enforcement = {s.id for s in ctx.systems if _enforcement(s)}
    return frozenset(e for e in ctx.graph.edges if e.target not in enforcement).__contains__


def check(ctx: Context):
    """One finding per flow where a protected service's data first enters enforcement's hands."""
    outside = _outside(ctx)
    evidence = Evidence.of(ctx)
    by_flow: dict[str, list[tuple[Edge, int, list[str]]]] = {}
    for edge, (bits, categories) in first_entries(ctx, outside).items():
        by_flow.setdefault(edge.flow.id, []).append((edge, bits, categories))
    for uses in by_flow.values():  # both directions of a bidirectional flow make one finding
        bits = 0
        categories: set[str] = set()
        for _, found, kinds in uses:
            bits |= found
            categories.update(kinds)
        categories = sorted(categories)
        edge = uses[0][0]
        actors = [ctx.system(e.target) for e, _, _ in uses]
        origins, total = evidence.named(bits), bits.bit_count()
        subjects = evidence.subjects(bits)
        paths = []
        for entering, found, kinds in uses:
            paths += evidence.paths(entering, found, kinds, allowed=outside, limit=3 - len(paths))
        hands = listing([f"{a.display_name} ({actor_words(a.actor)})" for a in actors])
        services = _services(ctx, bits)
        yield RULE.finding(
            ctx, edge,
            severity=max(
                ctx.grade(RULE, sensitivity=max(Sensitivity.high, ctx.sensitivity(categories)),
                          vulnerable=ctx.vulnerable(subjects), actor=a.actor, volume=bulk(edge))
                for a in actors
            ),
            title=f"Data from {listing(services, limit=2)} enters {hands} through {edge.id}",
            message=_message(ctx, edge, hands, origins, total, services, categories, subjects),
            categories=categories,
            subjects=subjects,
            origins=origins,
            origins_total=total,
            paths=paths,
            mitigation=MITIGATION,
            actor_types=len({a.actor for a in actors}),
        )


def _services(ctx: Context, bits: int) -> list[str]:
    """The services the data of the origins in ``bits`` was given to, in words, sorted."""
    return [words for words, mask in _service_masks(ctx) if bits & mask]


def _service_masks(ctx: Context) -> list[tuple[str, int]]:
    """Each service, in words, with the bitset of the protected systems that provide it."""

    def build():
        providers: dict[str, list[int]] = {}
        for position, system in enumerate(ctx.systems):  # bit i stands for the i-th system in id order
            if not protected(system):
                continue
            purposes = _firewall_purposes(system)
            for words in {_service_words(p) for p in purposes} or {f"{term_words(system.sector)} services"}:
                providers.setdefault(words, []).append(position)
        return sorted((words, bitset(positions)) for words, positions in providers.items())

    return ctx.cached("firewall.services", build)


def _service_words(purpose: str) -> str:
    """A protected purpose as the service people use.

    >>> _service_words("services.health"), _service_words("protection.victims")
    ('health services', 'victim support')
    """
    named = {"protection.humanitarian": "humanitarian aid", "protection.child": "child protection",
             "protection.victims": "victim support"}
    for ancestor in ancestors(purpose):
        if ancestor in named:
            return named[ancestor]
    return f"{term_words(purpose)} services"


def _message(ctx: Context, edge: Edge, hands: str, origins: list[str], total: int, services: list[str],
             categories: list[str], subjects: list[str]) -> str:
    name_of = display_names(ctx)
    names = [name_of[o] for o in origins]
    people = f" about {subjects_in_words(subjects)}" if subjects else ""
    return (
        f"{sentence_case(categories_in_words(categories))}{people}, given to {listing(services)} "
        f"at {plural(total, 'origin')} ({listing(names, total=total)}), enter the hands of {hands} through the flow "
        f"{edge.id} from {name_of[edge.source]}, without having been in enforcement's hands before. "
        "People who fear that using these services exposes them to enforcement stop using them: "
        "the firewall between services and enforcement is breached here."
    )


RULE = Rule(
    id="firewall",
    name="data from services people must trust reaches immigration or law enforcement",
    kind=Kind.function_creep,
    default_severity=Severity.high,
    principles=("purpose_limitation", "non_discrimination", "right_to_health_and_education", "necessity_and_proportionality"),
    linddun="data_disclosure",
    check=check,
    doc=__doc__,
)
