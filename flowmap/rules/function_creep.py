"""Function creep: data used for a purpose beyond why it was collected.

What it detects
    Flows where data arrives for a purpose incompatible with every purpose it was
    collected for (two purposes are compatible when they share their first segment or
    the taxonomy lists the pair). The finding is anchored at the *first* such flow on a
    chain of compatible flows, for at least one origin: it is where the new use begins.
    Flows further downstream of an incompatible one are consequences of the same creep
    and are not reported again for that origin. One finding per flow; the evidence
    names the origins whose purposes it breaks, the categories and people groups, and up
    to three witness paths, each a chain of compatible flows ending in this one.

    Whether a use is compatible with a purpose of collection is decided by the most specific
    rule of the taxonomy that applies (:meth:`flowmap.taxonomy.Taxonomy.decide`): the family
    rule (the same first segment), a listed compatible pair, or a listed incompatible pair, which
    can make two purposes of one family incompatible. When a listed incompatible pair decides,
    the message names it and the less specific rule it overrides.

    Three cases are told apart, with different words and severities:

    - the purpose is among the origin's ``purposes`` (why people gave the data): no
      finding;
    - it is a purpose a law *added* later (the origin's ``further_purposes``, with the
      provision): authorised, still function creep in the critics' sense; the message
      says "a further purpose added by" the provision, one severity step lower and never
      critical (a further purpose matches that purpose and those below it, not its family);
    - it is neither: a use for which no purpose of collection and no added purpose
      accounts. A legal basis recorded on the flow is quoted; it does not suppress the
      finding.

Why it matters
    Purpose limitation (GDPR Art. 5(1)(b), LED Art. 4(1)(b)) is the promise made
    to people when their data is taken: fingerprints given to claim asylum are
    for examining the claim. When the same records are opened to the police or
    used for removal, the people concerned never agreed, often cannot know, and
    lose trust in the service that collected them. A law can authorise the new
    use, but it remains a new use whose necessity and proportionality must be
    shown.

How to fix
    Remove the flow, narrow it to categories and cases where the new purpose
    is compatible, or put it behind safeguards (prior judicial authorisation,
    hit/no-hit only, a cascade that consults other sources first) and record a
    necessity and proportionality assessment; then accept the finding with that
    reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from flowmap.findings import PATHS_CAP, Kind, Severity
from flowmap.graph import Edge
from flowmap.model import Flow, System
from flowmap.rules._support import Evidence, bulk
from flowmap.rules.base import Context, Rule
from flowmap.severity import grade
from flowmap.words import (
    categories_in_words, citations, decision_words, listing, plural, purpose_words, sentence_case, subjects_in_words,
)

MITIGATION = (
    "Remove the flow, narrow it to the categories and cases the purposes of collection allow, or put it "
    "behind safeguards (prior independent authorisation, hit/no-hit only, a cascade that consults other "
    "sources first), record a necessity and proportionality assessment, and accept the finding with it."
)

Purposes = tuple[str, ...]
"""The purposes of collection of a group of origins, sorted: origins are grouped by them."""


@dataclass
class _Use:
    """What arrives through one flow for a purpose beyond collection: the flow's edges, and per
    (purposes of collection, category) the bitset of the origins whose data it is."""

    edges: list[Edge] = field(default_factory=list)
    crossing: list[tuple[Purposes, str, int]] = field(default_factory=list)


def _compatible(ctx: Context, used: str, purposes: Purposes) -> bool:
    return any(ctx.taxonomy.compatible(used, p) for p in purposes)


def _allowed(ctx: Context, purposes: Purposes) -> Callable[[Edge], bool]:
    """The test of whether an edge's every purpose is compatible with one of ``purposes``: the
    edges that pass, as a set (each set of flow purposes decided once per analysis)."""

    def build():
        by_use = ctx.cached("function_creep.by_use", lambda: _edges_by_use(ctx))
        return frozenset(e for used, edges in by_use.items()
                         if all(_compatible(ctx, p, purposes) for p in used) for e in edges).__contains__

    return ctx.cached(("function_creep.allowed", purposes), build)


def _edges_by_use(ctx: Context) -> dict[tuple[str, ...], list[Edge]]:
    """The purposes flows serve -> the edges that serve them."""
    out: dict[tuple[str, ...], list[Edge]] = {}
    for edge in ctx.graph.edges:
        out.setdefault(tuple(edge.flow.purposes), []).append(edge)
    return out


def _purposes_of(ctx: Context) -> dict[str, Purposes]:
    """System id -> its purposes of collection, sorted (the group its data is judged in)."""
    return ctx.cached("function_creep.purposes",
                      lambda: {s.id: tuple(sorted(set(s.purposes))) for s in ctx.systems})


def first_uses(ctx: Context) -> dict[str, _Use]:
    """Flow id -> the first incompatible uses it carries, for every origin with purposes.

    Notes
    -----
    Origins are grouped by their purposes; per (category, group) one reach over the
    compatible flows (:meth:`~flowmap.graph.Graph.reach`) finds where each origin's data
    can go without creep, and the incompatible flows leaving those places are the first uses.
    The origins stay bitsets: nothing here lists them.
    """
    graph = ctx.graph
    purposes_of = _purposes_of(ctx)
    uses: dict[str, _Use] = {}
    for category in graph.categories:
        groups: dict[Purposes, list[str]] = {}
        for origin in graph.origins_of(category):
            purposes = purposes_of[origin]
            if purposes:
                groups.setdefault(purposes, []).append(origin)
        by_use: dict[tuple[str, ...], list[Edge]] = {}  # the edges carrying it, by the purposes they serve
        for edge in graph.edges_carrying(category):
            by_use.setdefault(tuple(edge.flow.purposes), []).append(edge)
        for purposes, members in sorted(groups.items()):
            allowed = _allowed(ctx, purposes)
            wrong = [e for edges in by_use.values() if not allowed(edges[0]) for e in edges]
            if not wrong:
                continue
            reach = graph.reach(category, origins=members, allowed=allowed)  # used here only: not kept
            for edge in wrong:
                bits = graph.crossing_bits(edge, category, reach)
                if not bits:
                    continue
                use = uses.setdefault(edge.flow.id, _Use())
                if edge not in use.edges:
                    use.edges.append(edge)
                use.crossing.append((purposes, category, bits))
    return dict(sorted(uses.items()))


def _added_by(system: System, used: Purposes) -> list[str] | None:
    """The provisions that added every purpose in ``used`` to the system's purposes, or
    ``None`` when some purpose was not added by law."""
    provisions: list[str] = []
    for purpose in used:
        matching = [fp for fp in system.further_purposes
                    if purpose == fp.purpose or purpose.startswith(fp.purpose + ".")]  # that purpose, not its family
        if not matching:
            return None
        for fp in matching:
            provisions.extend(b for b in fp.by if b not in provisions)
    return provisions


def _added_mask(ctx: Context, used: Purposes) -> tuple[int, list[tuple[int, list[str]]]]:
    """(bitset of the origins for which a law added every purpose in ``used``, and per such
    origin its bit and the provisions), computed once per set of purposes."""

    def build():
        mask, added = 0, []
        for system in ctx.systems:
            if system.further_purposes:
                provisions = _added_by(system, used)
                if provisions is not None:
                    bit = ctx.graph.origin_bit(system.id)
                    mask |= bit
                    added.append((bit, provisions))
        return mask, added

    return ctx.cached(("function_creep.added", used), build)


def _beyond(ctx: Context, used: tuple[str, ...], purposes: Purposes) -> Purposes:
    """The purposes in ``used`` compatible with none of ``purposes`` (decided once per pair)."""
    memo = ctx.cached("function_creep.beyond", dict)
    found = memo.get((used, purposes))
    if found is None:
        found = memo[used, purposes] = tuple(p for p in used if not _compatible(ctx, p, purposes))
    return found


@dataclass
class _Standing:
    """How the origins of one flow of first use stand: whose data the flow's purposes are beyond
    every purpose of collection and every purpose a law added (``unauthorised``), with those
    purposes; whose data a law added them for (``authorised``), with the provisions."""

    unauthorised: int = 0
    used: set[str] = field(default_factory=set)
    authorised: int = 0
    provisions: set[str] = field(default_factory=set)


def _standing(ctx: Context, flow: Flow, by_group: dict[Purposes, int]) -> _Standing:
    out = _Standing()
    for purposes, bits in by_group.items():
        beyond = _beyond(ctx, tuple(flow.purposes), purposes)
        mask, added = _added_mask(ctx, beyond)
        if bits & ~mask:
            out.unauthorised |= bits & ~mask
            out.used.update(beyond)
        if bits & mask:
            out.authorised |= bits & mask
            for bit, provisions in added:
                if bits & bit:
                    out.provisions.update(provisions)
    return out


def check(ctx: Context):
    """One finding per flow of first incompatible use."""
    ev = Evidence.of(ctx)
    purposes_of = _purposes_of(ctx)
    for flow_id, use in first_uses(ctx).items():
        flow = ctx.graph.flow(flow_id)
        bits, categories, by_group = 0, set(), {}
        for purposes, category, found in use.crossing:
            bits |= found
            categories.add(category)
            by_group[purposes] = by_group.get(purposes, 0) | found
        categories = sorted(categories)
        standing = _standing(ctx, flow, by_group)
        subjects = ev.subjects(bits)
        # three cases (issue 13): without any legal basis, the full grade; a purpose a law added, or a use the
        # flow's own legal basis authorises, one step lower and never critical; within collection, no finding
        without_basis = bool(standing.unauthorised) and not flow.legal_basis
        base = RULE.default_severity if without_basis else Severity.low
        severity = grade(
            base, sensitivity=ctx.sensitivity(categories), vulnerable=ctx.vulnerable(subjects),
            volume=any(bulk(e) for e in use.edges),
        )
        if not without_basis:
            severity = min(severity, Severity.high)
        named = ev.named(bits)
        paths: list[tuple[list[str], list[str]]] = []
        for origin in named:  # the groups of the most important origins first, each along the flows its purposes allow
            group = purposes_of[origin]
            if len(paths) >= PATHS_CAP or any(purposes_of.get(p[0][0]) == group for p in paths):
                continue
            group_bits = by_group[group] & ~sum(ctx.graph.origin_bit(p[0][0]) for p in paths)
            own = sorted({c for purposes, c, found in use.crossing if purposes == group and found & group_bits})
            paths += ev.paths(use.edges, group_bits, own, allowed=_allowed(ctx, group),
                              limit=PATHS_CAP - len(paths))
        yield RULE.finding(
            ctx, flow,
            severity=severity,
            title=_title(ctx, flow, categories, bool(standing.unauthorised), bool(flow.legal_basis)),
            message=_message(ctx, flow, bits, named, categories, subjects, tuple(by_group), standing),
            categories=categories,
            subjects=subjects,
            origins=named,
            origins_total=bits.bit_count(),
            paths=paths,
            mitigation=MITIGATION,
        )


def _title(ctx: Context, flow: Flow, categories: list[str], unauthorised: bool, flow_basis: bool) -> str:
    purposes = _purposes_in_words(ctx, (tuple(flow.purposes),), sort=False)
    if not unauthorised:
        what = "used for a further purpose added by law:"
    elif flow_basis:
        what = "used, on the flow's legal basis, beyond the purposes of collection for"
    else:
        what = "used without a recorded legal basis for"
    return f"{sentence_case(categories_in_words(categories, limit=2))} {what} {purposes} ({flow.id})"


def _message(ctx: Context, flow: Flow, bits: int, named: list[str], categories: list[str], subjects: list[str],
             groups: tuple[Purposes, ...], standing: _Standing) -> str:
    sources = ctx.model.sources
    people = f" about {subjects_in_words(subjects)}" if subjects else ""
    head = (
        f"{sentence_case(categories_in_words(categories))}{people}, collected by {plural(bits.bit_count(), 'origin')} "
        f"({_names(ctx, bits, named)}) for {_purposes_in_words(ctx, groups)}, arrive through the flow {flow.id} at "
        f"{ctx.system(flow.target).display_name} for {_purposes_in_words(ctx, (tuple(flow.purposes),), sort=False)}."
    )
    parts = [head]
    if standing.unauthorised:
        parts.append(
            f"For the data of {_names(ctx, standing.unauthorised, named if standing.unauthorised == bits else None)}, "
            f"{_purposes_in_words(ctx, (tuple(sorted(standing.used)),), sort=False)} "
            f"is none of the purposes of collection, and no law is recorded as adding it to them."
        )
        if flow.legal_basis:
            parts.append(f"The flow cites as its legal basis {citations(sources, flow.legal_basis)}: authorised, and "
                         "still a new use whose necessity and proportionality must be shown.")
        else:
            parts.append("The model records no legal basis for the flow.")
    decided = _deciding_rules(ctx, flow, groups)
    if decided:
        parts.append(f"What decided it: {'; '.join(decided)}.")
    if standing.authorised:
        parts.append(
            f"For the data of {_names(ctx, standing.authorised, named if standing.authorised == bits else None)}, "
            f"this is a further purpose added by {citations(sources, sorted(standing.provisions))}, beyond why people "
            f"gave the data: authorised, and still a new use whose necessity and proportionality must be shown."
        )
    return " ".join(parts)


def _deciding_rules(ctx: Context, flow: Flow, groups: tuple[Purposes, ...]) -> list[str]:
    """The listed incompatible pairs that decided a use for the flow's purposes is beyond the
    purposes of collection of ``groups``, in words, each with the less specific rule it overrides.
    Empty when no rule applies (the purposes are of different families and no pair is listed): the
    message's "none of the purposes of collection" says that."""
    out: list[str] = []
    if not ctx.taxonomy.incompatible_pairs:
        return out
    for purposes in groups:
        for used in _beyond(ctx, tuple(flow.purposes), purposes):
            for collected in purposes:
                decision = ctx.taxonomy.decide(used, collected)
                if decision.kind == "incompatible":
                    words = decision_words(decision)
                    if words not in out:
                        out.append(words)
    return out


def _names(ctx: Context, bits: int, named: list[str] | None) -> str:
    """The three most important origins of ``bits`` by name, the rest counted (``named``: those
    origins already found, most important first)."""
    if named is None:
        return Evidence.of(ctx).listed(bits)
    return listing([ctx.system(o).display_name for o in named[:3]], total=bits.bit_count())


def _purposes_in_words(ctx: Context, groups: tuple[Purposes, ...], *, sort: bool = True) -> str:
    """The purposes of ``groups`` in words, as a sentence (in words' order when ``sort``);
    worded once per analysis and set of groups."""
    memo = ctx.cached("function_creep.purpose_words", dict)
    found = memo.get((groups, sort))
    if found is None:
        words = list(dict.fromkeys(purpose_words(p) for group in groups for p in group))
        found = memo[groups, sort] = listing(sorted(words) if sort else words)
    return found


RULE = Rule(
    id="function_creep",
    name="data used for a purpose beyond why it was collected",
    kind=Kind.function_creep,
    default_severity=Severity.medium,
    principles=("purpose_limitation", "necessity_and_proportionality"),
    linddun="non_compliance",
    check=check,
    doc=__doc__,
)
