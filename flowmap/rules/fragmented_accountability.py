"""Fragmented accountability: data of several controllers joined, and no single place to exercise rights.

What it detects
    Interoperability joins data that different authorities collected and answer for. A
    **party** is who answers for a system's data: its ``controller`` together with its
    ``joint_controllers`` (one arrangement, one party); processors act for a controller and make
    no party. Per **component** of the model (systems connected by flows, either way), the rule
    finds the **hub**: the system at which the data of the most parties is available (held, or
    arrived through flows that deliver it), counting the hub's own party; ties go to the system
    with data of more origins, then to the first id. One finding per aspect, anchored at the hub,
    where one place to turn to would fix it:

    - ``fragmented_accountability:<hub>:no_single_place``: the hub joins the data of two or more
      parties, and people have no single place to access, correct or contest it: the hub names
      no ``rights_via``, and the systems whose data it joins do not all name the same one. When
      two or more places are named, the finding is established (a person must go to each of
      them); when fewer are, where people can go is unknown for the rest: low confidence, and a
      question to the hub.
    - ``fragmented_accountability:<hub>:unknown_controller``: the hub joins the data of two or
      more systems, and for some of them (or for the hub itself) the model names no controller:
      who answers for that data is unknown. Low confidence, a question to the hub.

    A ``rights_via`` on the hub closes ``no_single_place``: the place names where the joined
    data can be seen, corrected and contested. The rule reads these fields only where a model
    uses them: a component in which no system names a controller, joint controller, processor
    or ``rights_via`` is not judged, so a model written without them keeps its findings. The
    evidence names the origins whose data the hub joins (capped, with their exact number), the
    categories and people groups, and up to three routes into the hub from origins of other
    parties. A structural finding: at most ``high`` (see :mod:`flowmap.severity`).

Why it matters
    Supervisors name multiple controllers, blurred purposes and remedies caught between systems
    as the central accountability problem of interoperability. A controller must make it easy to
    exercise the rights of access, rectification, erasure and objection (GDPR Art. 12(2)); joint
    controllers must settle who answers for what, in particular for those rights, and a person
    may exercise them against each of them (GDPR Art. 26(1) and (3)). Where data of several
    controllers meets, a person who wants to see, correct or contest it does not know whom to
    ask, and each controller can point to another.

How to fix
    Name one place where people can exercise their rights over the data joined at the hub (its
    ``rights_via``: a portal or a contact point that passes each request to the controller that
    answers for it), set out each controller's responsibilities in an arrangement, and record
    the controller of every system that names none.
"""

from __future__ import annotations

from flowmap.findings import Confidence, Kind, Severity
from flowmap.model import System
from flowmap.rules._support import Evidence, lead_category
from flowmap.rules.base import Context, Rule
from flowmap.words import categories_in_words, listing, plural, subjects_in_words

MITIGATIONS = {
    "no_single_place": (
        "Name one place where people can access, correct and contest the data joined here (a portal or a contact "
        "point that passes each request to the controller that answers for it), record it as `rights_via`, and set "
        "out each controller's responsibilities in an arrangement."
    ),
    "unknown_controller": "Find out who answers for the data of these systems, and record each `controller`.",
}


def components(ctx: Context) -> list[list[str]]:
    """The systems connected by flows (either way), each component sorted, components in order of
    their first id.

    >>> from flowmap.model import Model
    >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
    ...     {"id": s, "sector": "police"} for s in ("a", "b", "c", "d")],
    ...   "flows": [{"from": "c", "to": "a", "data": ["identity"], "purpose": "enforcement.law"}]})
    >>> components(Context(m))
    [['a', 'c'], ['b'], ['d']]
    """
    parent = {s.id: s.id for s in ctx.systems}

    def root(node: str) -> str:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for flow in ctx.flows:
        a, b = root(flow.source), root(flow.target)
        if a != b:
            parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = {}
    for system in ctx.systems:  # in id order: each group is sorted
        groups.setdefault(root(system.id), []).append(system.id)
    return sorted(groups.values())


def party_words(party: tuple[str, ...]) -> str:
    """A party in words: one controller, or joint controllers.

    >>> party_words(("eu-LISA",)), party_words(("Member State", "eu-LISA"))
    ('eu-LISA', 'Member State and eu-LISA, jointly')
    """
    return party[0] if len(party) == 1 else f"{listing(party, limit=len(party))}, jointly"


class _Joined:
    """What is joined at one system: the origins bitset and categories of the data available
    there, the parties that answer for it (each with the systems it answers for), and the
    systems whose controller is unknown."""

    def __init__(self, ctx: Context, ev: Evidence, system: System, party_masks: list[tuple[tuple, int]],
                 unknown_mask: int):
        self.system = system
        self.bits, self.categories = ev.at(system.id)
        graph = ctx.graph
        self.parties: dict[tuple, list[str]] = {}
        for party, mask in party_masks:
            found = self.bits & mask
            if found:
                self.parties[party] = graph.bits_to_origins("", found)
        own = system.party
        if own is not None and self.bits & ~graph.origin_bit(system.id):  # it answers for what it receives
            self.parties.setdefault(own, [])
            if system.id not in self.parties[own]:
                self.parties[own].append(system.id)
        self.joins = bool(self.bits & ~graph.origin_bit(system.id))  # others' data arrives here
        self.unknown = graph.bits_to_origins("", self.bits & unknown_mask)
        if own is None and self.bits & ~graph.origin_bit(system.id) and system.id not in self.unknown:
            self.unknown.append(system.id)  # it receives others' data, and no one is named for it

    def key(self) -> tuple:
        return (-len(self.parties), -self.bits.bit_count(), self.system.id)


def check(ctx: Context):
    """One finding per aspect per component, at its hub."""
    if not any(s.names_accountability for s in ctx.systems):
        return
    graph = ctx.graph
    ev = Evidence.of(ctx)
    masks: dict[tuple, int] = {}
    unknown_mask = 0
    for system in ctx.systems:
        bit = graph.origin_bit(system.id)
        if system.party is None:
            unknown_mask |= bit
        else:
            masks[system.party] = masks.get(system.party, 0) | bit
    party_masks = sorted(masks.items())
    for members in components(ctx):
        if len(members) < 2 or not any(ctx.system(m).names_accountability for m in members):
            continue
        hub = min((_Joined(ctx, ev, ctx.system(m), party_masks, unknown_mask) for m in members), key=_Joined.key)
        if not hub.joins:
            continue
        if len(hub.parties) >= 2:
            found = _no_single_place(ctx, ev, hub)
            if found is not None:
                yield found
        if hub.unknown:
            yield _unknown_controller(ctx, ev, hub)


def _evidence(ctx: Context, ev: Evidence, hub: _Joined) -> dict:
    """The evidence every finding of the hub carries: origins, categories, people, routes in."""
    bits = hub.bits
    paths = []
    seen_parties = {hub.system.party}
    for origin in ev.named(bits):
        party = ctx.system(origin).party
        if origin == hub.system.id or party in seen_parties:
            continue
        categories = [c for c in hub.categories if origin in ctx.graph.origins_at(hub.system.id, c)]
        found = ctx.graph.path(origin, lead_category(ctx, categories), hub.system.id) if categories else None
        if found is not None:
            paths.append(found)
            seen_parties.add(party)
        if len(paths) == 3:
            break
    subjects = ev.subjects(bits)
    return dict(categories=hub.categories, subjects=subjects, origins=ev.named(bits), origins_total=bits.bit_count(),
                paths=paths)


def _names(ctx: Context, ids: list[str], limit: int = 3) -> str:
    return listing([ctx.system(i).display_name for i in ids], limit=limit)


def _no_single_place(ctx: Context, ev: Evidence, hub: _Joined):
    """The ``no_single_place`` finding of a hub that joins data of several parties, or ``None``
    when one place is named for all of it."""
    system = hub.system
    if system.rights_via:
        return None
    joined = ctx.graph.bits_to_origins("", hub.bits)
    places: dict[str, list[str]] = {}
    for origin in joined:
        via = ctx.system(origin).rights_via
        if via:
            places.setdefault(via, []).append(origin)
    missing = [o for o in joined if not ctx.system(o).rights_via]
    if system.id not in joined:
        missing.append(system.id)
    if len(places) == 1 and not [m for m in missing if m != system.id]:
        return None  # every system whose data is joined names the same place
    evidence = _evidence(ctx, ev, hub)
    established = len(places) >= 2
    confidence = Confidence.high if established else Confidence.low
    parties = sorted(hub.parties, key=lambda p: (-len(hub.parties[p]), p))
    who = "; ".join(f"{party_words(p)} (for {_names(ctx, hub.parties[p])})" for p in parties[:4])
    more = f"; and {plural(len(parties) - 4, 'other party', 'other parties')}" if len(parties) > 4 else ""
    people = f" about {subjects_in_words(evidence['subjects'])}" if evidence["subjects"] else ""
    head = (f"{system.display_name} joins {categories_in_words(hub.categories)}{people} for which "
            f"{len(parties)} parties answer: {who}{more}.")
    if established:
        named = "; ".join(f"{ctx.system(v).display_name if v in _ids(ctx) else v} (for {_names(ctx, o)})"
                          for v, o in sorted(places.items()))
        others = [m for m in missing if m != system.id]
        where = (f"People must exercise their rights in {plural(len(places), 'place')}: {named}"
                 + (f"; none is recorded for {_names(ctx, others)}." if others else ".")
                 + f" {system.display_name} names no place for the data it joins.")
    elif places:
        ((via, origins),) = places.items()
        where = (f"The only place recorded is {via} (for {_names(ctx, origins)}); none is recorded for "
                 f"{_names(ctx, missing)}.")
    else:
        where = (f"No place where people can access, correct or contest the data is recorded, for "
                 f"{system.display_name} or for the systems whose data it joins.")
    why = ("A person who wants to see, correct or contest their data here does not know whom to ask, and each "
           "controller can point to another (GDPR Arts 12(2) and 26).")
    return RULE.finding(
        ctx, system, aspect="no_single_place", confidence=confidence,
        severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(hub.categories),
                           vulnerable=ctx.vulnerable(evidence["subjects"]), structural=True,
                           low_confidence=not established),
        title=(f"No single place to exercise rights over the data {system.display_name} joins from "
               f"{plural(len(parties), 'party', 'parties')}"),
        message=" ".join([head, where, why]),
        mitigation=MITIGATIONS["no_single_place"],
        question=(f"Where can people access, correct or contest the data {system.display_name} joins from "
                  f"{_names(ctx, joined)}?"),
        **evidence,
    )


def _ids(ctx: Context) -> set[str]:
    return ctx.cached("fragmented_accountability.ids", lambda: {s.id for s in ctx.systems})


def _unknown_controller(ctx: Context, ev: Evidence, hub: _Joined):
    system = hub.system
    evidence = _evidence(ctx, ev, hub)
    unknown = hub.unknown
    named = sorted(hub.parties)
    known = (f"; {listing([party_words(p) for p in named])} {'answers' if len(named) == 1 else 'answer'} for the rest"
             if named else "")
    message = (
        f"{system.display_name} joins {categories_in_words(hub.categories)} from "
        f"{plural(evidence['origins_total'], 'system')}. The model names no controller for {_names(ctx, unknown)}"
        f"{known}: who answers for that data, and whom people can ask to see, correct or contest it, cannot be told."
    )
    return RULE.finding(
        ctx, system, aspect="unknown_controller", confidence=Confidence.low,
        severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(hub.categories),
                           vulnerable=ctx.vulnerable(evidence["subjects"]), structural=True, low_confidence=True),
        title=f"Who answers for the data {system.display_name} joins?",
        message=message,
        mitigation=MITIGATIONS["unknown_controller"],
        question=f"Who is the controller of {_names(ctx, unknown, limit=5)}?",
        **evidence,
    )


RULE = Rule(
    id="fragmented_accountability",
    name="data of several controllers joined with no single place to exercise rights",
    kind=Kind.structural,
    default_severity=Severity.medium,
    principles=("accountability", "effective_remedy"),
    linddun="unawareness",
    check=check,
    doc=__doc__,
    aspects=("no_single_place", "unknown_controller"),
)
