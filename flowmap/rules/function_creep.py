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

import functools
from dataclasses import dataclass, field
from itertools import chain, filterfalse
from typing import Callable

from flowmap.findings import PATHS_CAP, Kind, Severity
from flowmap.graph import Edge
from flowmap.model import Flow, System
from flowmap.rules._support import Evidence, bulk, display_names, union
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
        return frozenset(chain.from_iterable(edges for used, edges in by_use.items()
                                             if all(_compatible(ctx, p, purposes) for p in used))).__contains__

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
        carrying = graph.edges_carrying(category)
        for purposes, members in sorted(groups.items()):
            allowed = _allowed(ctx, purposes)
            wrong = list(filterfalse(allowed, carrying))
            if not wrong:
                continue
            reach = graph.reach(category, origins=members, allowed=allowed)  # used here only: not kept
            for edge, bits in graph.crossed(wrong, category, reach):
                use = uses.get(edge.flow.id)
                if use is None:
                    use = uses[edge.flow.id] = _Use()
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


@dataclass(frozen=True)
class _Against:
    """How the purposes a flow serves stand against one group's purposes of collection:
    ``beyond``, those compatible with none of them; ``added``, the bitset of the origins for which
    a law added every purpose in ``beyond``; ``provisions``, per such origin its bit and the
    provisions."""

    beyond: Purposes
    added: int
    provisions: list[tuple[int, list[str]]]


def _against(ctx: Context, used: Purposes, purposes: Purposes) -> _Against:
    """How ``used`` (a flow's purposes) stands against ``purposes`` (decided once per pair)."""
    memo = ctx.cached("function_creep.against", dict)
    found = memo.get((used, purposes))
    if found is None:
        beyond = tuple(p for p in used if not _compatible(ctx, p, purposes))
        found = memo[used, purposes] = _Against(beyond, *_added_mask(ctx, beyond))
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


def _standing(ctx: Context, used: Purposes, by_group: dict[Purposes, int]) -> _Standing:
    out = _Standing()
    for purposes, bits in by_group.items():
        against = _against(ctx, used, purposes)
        mask = against.added
        beyond = bits & ~mask if mask else bits
        if beyond:
            out.unauthorised |= beyond
            out.used.update(against.beyond)
        if mask and bits & mask:
            out.authorised |= bits & mask
            for bit, provisions in against.provisions:
                if bits & bit:
                    out.provisions.update(provisions)
    return out


def check(ctx: Context):
    """One finding per flow of first incompatible use."""
    ev = Evidence.of(ctx)
    writer = _Writer(ctx)
    purposes_of = _purposes_of(ctx)
    described = None  # the origins whose people and names were read last
    for use in first_uses(ctx).values():
        flow = use.edges[0].flow
        used = tuple(flow.purposes)
        categories: set[str] = set()
        by_group: dict[Purposes, int] = {}  # purposes of collection -> the origins of that group here
        own: dict[Purposes, set[str]] = {}  # purposes of collection -> the categories of that group's data here
        for purposes, category, found in use.crossing:
            categories.add(category)
            by_group[purposes] = by_group.get(purposes, 0) | found
            own.setdefault(purposes, set()).add(category)
        bits = union(by_group)
        categories = sorted(categories)
        standing = _standing(ctx, used, by_group)
        if bits != described:  # flows leaving one system often carry the same origins' data: described once
            described, subjects, named = bits, ev.subjects(bits), ev.named(bits)
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
        total = bits.bit_count()
        paths: list[tuple[list[str], list[str]]] = []
        tried: set[Purposes] = set()
        for origin in named:  # the groups of the most important origins first, each along the flows its purposes allow
            group = purposes_of[origin]
            if group in tried:
                continue
            tried.add(group)
            paths += ev.paths(use.edges, by_group[group], sorted(own[group]), allowed=_allowed(ctx, group),
                              limit=PATHS_CAP - len(paths))
            if len(paths) >= PATHS_CAP:
                break
        yield RULE.finding(
            ctx, flow,
            severity=severity,
            title=writer.title(flow, used, categories, bool(standing.unauthorised)),
            message=writer.message(flow, used, bits, total, named, categories, subjects, tuple(by_group), standing),
            categories=categories,
            subjects=subjects,
            origins=named,
            origins_total=total,
            paths=paths,
            mitigation=MITIGATION,
        )


class _Writer:
    """The titles and messages of one analysis: what they name is read once, and the words
    findings repeat (the legal basis flows cite) are written once."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.evidence = Evidence.of(ctx)
        self.name_of = display_names(ctx)
        self._cited: dict[tuple[str, ...], str] = {}  # a flow's legal basis -> in words

    def citations(self, legal_basis: list[str]) -> str:
        """:func:`~flowmap.words.citations` of a legal basis (worded once per analysis)."""
        key = tuple(legal_basis)
        found = self._cited.get(key)
        if found is None:
            found = self._cited[key] = citations(self.ctx.model.sources, key)
        return found

    @staticmethod
    def title(flow: Flow, used: Purposes, categories: list[str], unauthorised: bool) -> str:
        if not unauthorised:
            what = "used for a further purpose added by law:"
        elif flow.legal_basis:
            what = "used, on the flow's legal basis, beyond the purposes of collection for"
        else:
            what = "used without a recorded legal basis for"
        return (f"{sentence_case(categories_in_words(categories, limit=2))} {what} "
                f"{_purposes_in_words((used,), sort=False)} ({flow.id})")

    def message(self, flow: Flow, used: Purposes, bits: int, total: int, named: list[str], categories: list[str],
                subjects: list[str], groups: tuple[Purposes, ...], standing: _Standing) -> str:
        """``total``: how many origins ``bits`` holds; ``named``: the most important of them."""
        people = f" about {subjects_in_words(subjects)}" if subjects else ""
        evidence = self.evidence
        names = evidence.listed(bits, named=named)
        head = (
            f"{sentence_case(categories_in_words(categories))}{people}, collected by {plural(total, 'origin')} "
            f"({names}) for {_purposes_in_words(groups)}, arrive through the flow {flow.id} at "
            f"{self.name_of[flow.target]} for {_purposes_in_words((used,), sort=False)}."
        )
        parts = [head]
        if standing.unauthorised:
            parts.append(
                f"For the data of {names if standing.unauthorised == bits else evidence.listed(standing.unauthorised)}, "
                f"{_purposes_in_words((tuple(sorted(standing.used)),), sort=False)} "
                f"is none of the purposes of collection, and no law is recorded as adding it to them."
            )
            if flow.legal_basis:
                parts.append(f"The flow cites as its legal basis {self.citations(flow.legal_basis)}: authorised, and "
                             "still a new use whose necessity and proportionality must be shown.")
            else:
                parts.append("The model records no legal basis for the flow.")
        decided = _deciding_rules(self.ctx, used, groups)
        if decided:
            parts.append(f"What decided it: {'; '.join(decided)}.")
        if standing.authorised:
            parts.append(
                f"For the data of {names if standing.authorised == bits else evidence.listed(standing.authorised)}, "
                f"this is a further purpose added by {citations(self.ctx.model.sources, sorted(standing.provisions))}, "
                f"beyond why people gave the data: authorised, and still a new use whose necessity and proportionality "
                f"must be shown."
            )
        return " ".join(parts)


def _deciding_rules(ctx: Context, used: Purposes, groups: tuple[Purposes, ...]) -> list[str]:
    """The listed incompatible pairs that decided a use for ``used`` (a flow's purposes) is beyond the
    purposes of collection of ``groups``, in words, each with the less specific rule it overrides.
    Empty when no rule applies (the purposes are of different families and no pair is listed): the
    message's "none of the purposes of collection" says that. Worded once per analysis and pair."""
    if not ctx.taxonomy.incompatible_pairs:
        return []
    memo = ctx.cached("function_creep.deciding", dict)
    out = memo.get((used, groups))
    if out is None:
        out = memo[used, groups] = []
        for purposes in groups:
            for purpose in _against(ctx, used, purposes).beyond:
                for collected in purposes:
                    decision = ctx.taxonomy.decide(purpose, collected)
                    if decision.kind == "incompatible":
                        words = decision_words(decision)
                        if words not in out:
                            out.append(words)
    return out


@functools.lru_cache(maxsize=1024)
def _purposes_in_words(groups: tuple[Purposes, ...], *, sort: bool = True) -> str:
    """The purposes of ``groups`` in words, as a sentence (in words' order when ``sort``);
    worded once per set of groups (the words are the taxonomy's, the same in every model)."""
    words = list(dict.fromkeys(purpose_words(p) for group in groups for p in group))
    return listing(sorted(words) if sort else words)


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
