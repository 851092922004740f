"""Exposure: sensitive data reaches an actor of concern.

What it detects
    Flows where data of high sensitivity or above (configurable) enters the hands of a
    system marked ``actor:`` (law enforcement, immigration enforcement, intelligence,
    military, a third country, the country a person fled, a private contractor, an
    international organisation), from a system that is not an actor of the same type.
    One finding per such flow, anchored at it: the point where the data could be stopped.
    The evidence names the origins whose data crosses it (capped, with their exact
    number), the categories and people groups, and up to three shortest witness paths.
    The actor's own records crossing back to it do not count.

    The grade (see :mod:`flowmap.severity`) weighs how the flow's purposes stand against
    why each origin collected its data (:func:`~flowmap.rules._support.purpose_standing`;
    the worst origin decides): an access among the purposes of collection (SIS alerts to
    the police, EES to immigration authorities checking stay on the territory) is at most
    ``medium`` and the message says it is within those purposes; a further purpose a law
    added is at most ``high`` and the message cites the provision; a use beyond both keeps
    the full grade. A flow that answers only hit or no hit, or with a reference to the record
    (:attr:`~flowmap.model.Flow.answer`: ``returns: hit_no_hit`` or ``reference``, or a
    format-1 ``mode: hit_no_hit``), is one step lower, and the message says only that answer
    crosses; with ``returns`` the data also goes no further than the answer (nothing arrives
    at the actor to be passed on). Conditions of access recorded on the flow are quoted.

Why it matters
    Every actor that can see data is a place where it can be misused, leaked or
    used against the person. Interoperability multiplies such places, and the flow
    where data enters an actor's hands is where access can be narrowed or refused.

How to fix
    Narrow or remove the flow (carry fewer categories, replace a copy by a hit/no-hit
    query, limit what it forwards to the source's own records), or document why the access
    is necessary and proportionate and accept the finding with a reason.
"""

from __future__ import annotations

from flowmap.findings import Kind, Severity
from flowmap.model import System
from flowmap.rules._support import Evidence, bitset, bulk, display_names, entries_by_flow, purpose_standing
from flowmap.rules.base import Context, Rule
from flowmap.words import (
    actor_words, categories_in_words, citations, listing, plural, purpose_words, sentence_case, subjects_in_words,
)

MITIGATION = (
    "Narrow or remove this flow (fewer categories, a hit/no-hit query instead of a copy, only the "
    "source's own records), or document the necessity and proportionality of this access and accept the finding."
)
STANDINGS = ("collection", "further", "beyond")
"""How a use stands against the purposes of collection, the mildest first."""


def purpose_groups(ctx: Context) -> list[tuple[int, System]]:
    """(origins bitset, one of them) per set of purposes and further purposes: origins that
    collected for the same purposes stand alike against any use (built once per analysis)."""

    def build():
        groups: dict[tuple, list[int]] = {}  # the positions of its origins (bit i: the i-th system in id order)
        first: dict[tuple, System] = {}
        for position, system in enumerate(ctx.systems):
            key = (tuple(sorted(set(system.purposes))),
                   tuple(sorted((fp.purpose, tuple(fp.by)) for fp in system.further_purposes)))
            groups.setdefault(key, []).append(position)
            first.setdefault(key, system)
        return [(bitset(positions), first[key]) for key, positions in groups.items()]

    return ctx.cached("exposure.purpose_groups", build)


def standing_of(ctx: Context, bits: int, used: list[str]) -> dict[str, tuple[int, list[System]]]:
    """Standing -> (origins bitset, one system per purpose group) for the origins of ``bits``
    and the purposes ``used`` (only the standings that occur)."""
    out: dict[str, tuple[int, list[System]]] = {}
    memo = ctx.cached("exposure.standing", dict)
    used = tuple(used)
    for mask, system in purpose_groups(ctx):
        found = bits & mask
        if not found:
            continue
        key = (system.id, used)
        if key not in memo:
            memo[key] = purpose_standing(ctx, system, used)
        group_bits, systems = out.get(memo[key], (0, []))
        out[memo[key]] = (group_bits | found, [*systems, system])
    return out


def _beyond(ctx: Context, purpose: str) -> int:
    """The origins (bitset) whose purposes of collection and added purposes a use for ``purpose``
    goes beyond (decided once per purpose)."""

    def build():
        mask = 0
        for group, system in purpose_groups(ctx):
            if purpose_standing(ctx, system, [purpose]) == "beyond":
                mask |= group
        return mask

    return ctx.cached(("exposure.beyond", purpose), build)


def provisions(systems: list[System], used: list[str]) -> list[str]:
    """The provisions (sources or text) that added the purposes ``used`` to these systems'."""
    out: list[str] = []
    for system in systems:
        for fp in system.further_purposes:
            if any(p == fp.purpose or p.startswith(fp.purpose + ".") for p in used):
                out.extend(b for b in fp.by if b not in out)
    return out


def check(ctx: Context):
    """One finding per flow where sensitive data enters an actor's hands.

    >>> from flowmap.model import Model
    >>> m = Model.model_validate({"flowmap": 1, "name": "x", "sources": {"reg": "Regulation 1, Article 3"},
    ...   "systems": [{"id": "sis", "sector": "police", "holds": ["biometric.face"], "purposes": ["enforcement.law"],
    ...                "subjects": ["child"], "further_purposes": [{"purpose": "security.counter_terrorism", "by": ["reg"]}]},
    ...               {"id": "police", "sector": "police", "actor": "law_enforcement"},
    ...               {"id": "ctu", "sector": "police", "actor": "law_enforcement"},
    ...               {"id": "intel", "sector": "intelligence", "actor": "intelligence"},
    ...               {"id": "partner", "sector": "police", "actor": "third_country"}],
    ...   "flows": [{"from": "sis", "to": "police", "data": ["biometric"], "purpose": "enforcement.law", "mode": "query"},
    ...             {"from": "sis", "to": "ctu", "data": ["biometric"], "purpose": "security.counter_terrorism"},
    ...             {"from": "sis", "to": "intel", "data": ["biometric"], "purpose": "security.intelligence"},
    ...             {"from": "sis", "to": "partner", "data": ["biometric"], "purpose": "security.intelligence",
    ...              "mode": "hit_no_hit"}]})
    >>> found = {f.id: f for f in check(Context(m))}
    >>> [(i, f.severity.name) for i, f in found.items()]  # doctest: +NORMALIZE_WHITESPACE
    [('exposure:sis->ctu', 'high'), ('exposure:sis->intel', 'critical'), ('exposure:sis->partner', 'high'),
     ('exposure:sis->police', 'medium')]
    >>> print(found["exposure:sis->police"].message.split(". ")[1])
    This access, for law enforcement, is within the purposes the data was collected for.
    >>> print(found["exposure:sis->ctu"].message.split(". ")[1])
    This access, for counter-terrorism, is a further purpose added by Regulation 1, Article 3 [reg], beyond why people gave the data: authorised, and still a new use whose necessity and proportionality must be shown.
    >>> print(found["exposure:sis->partner"].message.split(". ")[1])
    Only a hit/no-hit answer crosses this flow (whether a record exists); any exchange after a hit is not part of it
    """
    evidence = Evidence.of(ctx)
    for edges in entries_by_flow(ctx, lambda s: bool(s.actor)):
        edge = edges[0]
        flow = edge.flow
        bits, categories = 0, set()
        for entering in edges:  # the actor's own records coming back to it do not count
            found, kinds = evidence.crossing(entering, category_ok=evidence.sensitive.__contains__,
                                             exclude=ctx.graph.origin_bit(entering.target))
            bits |= found
            categories.update(kinds)
        if not bits:
            continue
        categories = sorted(categories)
        actor = ctx.system(edge.target)
        origins = evidence.named(bits)
        total = bits.bit_count()
        subjects = evidence.subjects(bits)
        if flow.subjects:  # the flow carries only these people's data
            subjects = [x for x in subjects if x in flow.subjects] or sorted(set(flow.subjects))
        standings = standing_of(ctx, bits, flow.purposes)
        worst = max(standings, key=STANDINGS.index)
        answer = flow.answer
        answer_only = answer is not None
        name_of = display_names(ctx)
        names = [name_of[o] for o in origins]
        people = f" about {subjects_in_words(subjects)}" if subjects else ""
        whence = f"from {plural(total, 'origin')} ({listing(names, total=total)})"
        who = f"{actor.display_name}, an actor of concern ({actor_words(actor.actor)})"
        through = f"through the flow {edge.id} from {name_of[edge.source]}"
        if answer == "reference":
            head = (f"{who}, can search {categories_in_words(categories)}{people}, {whence}, {through}. Only a "
                    "reference crosses this flow (that a record exists, and which one and where); asking for the "
                    "record itself is not part of it.")
        elif answer_only:
            head = (f"{who}, can search {categories_in_words(categories)}{people}, {whence}, {through}. Only a "
                    "hit/no-hit answer crosses this flow (whether a record exists); any exchange after a hit is "
                    "not part of it.")
        else:
            head = f"{sentence_case(categories_in_words(categories))}{people}, {whence}, enter the hands of {who}, {through}."
        parts = [head, *_purposes_in_words(ctx, evidence, flow, standings)]
        if flow.conditions:
            parts.append(f"Conditions of access recorded: {flow.conditions.strip().rstrip('.')}.")
        yield RULE.finding(
            ctx, edge,
            severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(categories), vulnerable=ctx.vulnerable(subjects),
                               actor=actor.actor, volume=any(bulk(e) for e in edges),
                               answer_only=answer_only,
                               # a use beyond collection that the flow's own legal basis authorises is graded as
                               # one a law added: never as a use without basis (issue 13, three cases)
                               standing="further" if worst == "beyond" and flow.legal_basis else worst),
            title=(f"{'References to' if answer == 'reference' else 'Hit/no-hit answers about'} sensitive data reach "
                   f"{actor.display_name} ({actor_words(actor.actor)}) through {edge.id}" if answer_only else
                   f"Sensitive data enters {actor.display_name} ({actor_words(actor.actor)}) through {edge.id}"),
            message=" ".join(parts),
            categories=categories,
            subjects=subjects,
            origins=origins,
            origins_total=total,
            paths=evidence.paths(edges, bits, categories),
            mitigation=MITIGATION,
            actor_types=1,
        )


def _purposes_in_words(ctx: Context, evidence: Evidence, flow, standings) -> list[str]:
    """One sentence per standing that occurs: within the purposes of collection, a further
    purpose added by a provision, or beyond both."""
    used = listing([purpose_words(p) for p in flow.purposes])
    whose = {}
    for standing, (bits, _) in standings.items():
        whose[standing] = "" if len(standings) == 1 else f"For the data of {evidence.listed(bits)}, "
    out = []
    if "collection" in standings:
        head = whose["collection"]
        out.append(f"{head}{'t' if head else 'T'}his access, for {used}, is within the purposes the data was "
                   "collected for.")
    if "further" in standings:
        head = whose["further"]
        cited = provisions(standings["further"][1], flow.purposes)
        by = f" added by {citations(ctx.model.sources, cited)}" if cited else " added by law"
        out.append(f"{head}{'t' if head else 'T'}his access, for {used}, is a further purpose{by}, beyond why "
                   "people gave the data: authorised, and still a new use whose necessity and proportionality "
                   "must be shown.")
    if "beyond" in standings:
        beyond_bits = standings["beyond"][0]
        uses = []
        for purpose in flow.purposes:  # each purpose with the origins whose collection it goes beyond
            found = beyond_bits & _beyond(ctx, purpose)
            if found:
                origins = evidence.listed(found)
                uses.append(f"the use for {purpose_words(purpose)} goes beyond the purposes for which {origins} "
                            "collected the data")
        sentence = sentence_case("; ".join(uses))
        if flow.legal_basis:
            out.append(f"{sentence}; the flow cites as its legal basis {citations(ctx.model.sources, flow.legal_basis)}: "
                       "authorised, and still a new use whose necessity and proportionality must be shown.")
        else:
            out.append(f"{sentence}, and no law is recorded as authorising it.")
    return out


RULE = Rule(
    id="exposure",
    name="sensitive data reaches an actor of concern",
    kind=Kind.exposure,
    default_severity=Severity.medium,
    principles=("purpose_limitation", "necessity_and_proportionality", "security"),
    linddun="data_disclosure",
    check=check,
    doc=__doc__,
)
