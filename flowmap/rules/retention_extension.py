"""Retention extension: data handed to a system that keeps it longer than the one it came from.

What it detects
    Three things, each anchored where it can be fixed.

    - **A flow that extends retention** (anchored at the flow): its source keeps data for a
      known duration, and its target keeps it longer (a longer duration, or
      ``indefinite``). Every holder on the way is compared, not only the collector: data
      passed from a system that keeps it 75 years to one that keeps it 110 is an extension,
      whoever collected it. The evidence names the origins whose data crosses the flow
      (capped, with their exact number), the categories and up to three witness paths. A
      source whose retention is ``indefinite`` or ``linked`` has no limit to extend, and data
      the target itself sent to the source (a gallery for matching) is not kept longer by
      coming back. A flow that answers with a hit/no-hit flag or a reference
      (:attr:`~flowmap.model.Flow.answer`: ``returns``, or a format-1 ``mode: hit_no_hit``)
      moves an answer, not the record, so its target keeps no copy to keep longer. Where
      either end keeps some people groups' data for another time (``retention_by_subject``:
      Eurodac keeps applicants' data 10 years and irregular crossers' 5), the comparison is
      made per people group whose data crosses (a group without its own entry keeps the
      system's ``retention``), and the finding names the groups whose data is kept longer.
    - **The lifetime of a link** (aspect ``link_lifetime``, anchored at the component).
      ``linked`` retention is that of an interoperability component that deletes each
      source's data with the source (Reg. 2019/817 Arts 15, 23(1) and 35 for the CIR, sBMS
      and MID): it keeps a datum no longer than its source, so a flow into it extends no
      retention. What outlives a source is the *link*: the cross-system identity file lives
      as long as the longest-lived source feeding it. Reported when the sources feeding the
      component (directly or through other linked components) keep their data for different
      known periods; the message names the longest and the shortest.
    - **An unknown retention** (aspect ``unknown_retention``, anchored at the system, low
      confidence): a system that holds or receives sensitive data and whose ``retention`` is
      omitted or ``unknown``. Nothing can be compared there: it is a question to answer. The
      evidence (``origins``) names the holders it cannot be compared with: itself where it
      collects sensitive data, and the systems that hand it sensitive data.

Why it matters
    A retention limit is part of the legal basis of a system: it is what makes
    keeping the data proportionate (CJEU, Digital Rights Ireland). A copy kept
    longer elsewhere silently lifts that limit, and a link between systems keeps
    a person's records connected for as long as the longest-lived of them.

How to fix
    Align the receiving system's retention with its source's for these categories
    (delete the copy when the source deletes it), or replace the copy by a query that
    leaves the data where it is; for a linked component, delete the identity file's
    links to a source's record with the record and document how long the file itself
    lives; for an unknown retention, find and record it.

>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
...     {"id": "tvs", "sector": "border", "holds": ["biometric.face"], "purposes": ["migration.border_management"],
...      "retention": "PT12H"},
...     {"id": "ident", "sector": "border", "retention": "P75Y"},
...     {"id": "hart", "sector": "border", "retention": "P75Y"}],
...   "flows": [{"from": "tvs", "to": "ident", "data": ["biometric.face"], "purpose": "migration.border_management"},
...             {"from": "ident", "to": "hart", "data": ["biometric"], "purpose": "operations.hosting"}]})
>>> [f.id for f in check(Context(m))]
['retention_extension:tvs->ident']

A linked component extends nothing; the link's lifetime is its own finding, and an unknown
retention is a question for the system that can answer it:

>>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
...     {"id": "ees", "sector": "border", "holds": ["biometric.face"], "purposes": ["migration.border_management"],
...      "retention": "P5Y"},
...     {"id": "eurodac", "sector": "asylum", "holds": ["biometric.face"], "purposes": ["protection.asylum"],
...      "retention": "P10Y"},
...     {"id": "cir", "sector": "interoperability", "retention": "linked"},
...     {"id": "police", "sector": "police"}],
...   "flows": [{"from": "ees", "to": "cir", "data": ["biometric"], "purpose": "operations.interoperability"},
...             {"from": "eurodac", "to": "cir", "data": ["biometric"], "purpose": "operations.interoperability"},
...             {"from": "cir", "to": "police", "data": ["biometric"], "purpose": "enforcement.identity_check"}]})
>>> link, unknown = check(Context(m))
>>> link.id, link.confidence.value, "eurodac, which keeps data for 10 years" in link.message
('retention_extension:cir:link_lifetime', 'high', True)
>>> unknown.id, unknown.confidence.value, unknown.asks, unknown.question
('retention_extension:police:unknown_retention', 'low', 'police', 'How long are facial images kept in police?')
"""

from __future__ import annotations

import functools

from collections import deque

from flowmap.findings import Confidence, Kind, Severity
from flowmap.graph import Edge
from flowmap.model import System
from flowmap.rules._support import Evidence, bulk, origins_in_order
from flowmap.rules.base import Context, Rule
from flowmap.severity import grade
from flowmap.validate import parse_retention
from flowmap.words import categories_in_words, listing, plural, subject_words, subjects_in_words

LINK_MITIGATION = (
    "Delete the identity file's links to a source's record when the source deletes the record, and document "
    "how long the file itself lives when its sources keep data for different periods."
)
UNKNOWN_MITIGATION = "Find the retention period set by law or policy for this system, and record it in the model."


def kept_for(days: float) -> str:
    """How long a retention keeps data, in words.

    >>> kept_for(float("inf")), kept_for(365.25 * 5), kept_for(90), kept_for(0.5)
    ('indefinitely', 'for 5 years', 'for 90 days', 'for 12 hours')
    """
    if days == float("inf"):
        return "indefinitely"
    years = days / 365.25
    if years >= 1 and abs(years - round(years)) < 0.01:
        return f"for {plural(round(years), 'year')}"
    if days >= 1:
        return f"for {plural(round(days), 'day')}"
    return f"for {plural(round(days * 24), 'hour')}"


def _duration(system: System, subject: str | None = None) -> float | None:
    """The system's retention in days (of a people group's data, when ``subject`` is given) when it
    is a duration or ``indefinite``; ``None`` when it is unknown, omitted or ``linked``. Without a
    ``retention``, a system with retention per people group keeps data as long as the longest of
    them (a link lives as long as that)."""
    retention = system.retention_for(subject)
    if retention is None and subject is None and system.retention_by_subject:
        found = [_duration(system, group) for group in system.retention_by_subject]
        return max((d for d in found if d is not None), default=None)
    if retention == "linked":
        return None
    return _parsed(retention)


@functools.lru_cache(maxsize=None)
def _parsed(retention: str | None) -> float | None:
    return parse_retention(retention)


def _unknown(system: System) -> bool:
    return parse_retention(system.retention) is None and not system.retention_by_subject


def check(ctx: Context):
    """Extensions at flows, link lifetimes at linked components, unknown retentions as questions."""
    yield from extensions(ctx)
    yield from link_lifetimes(ctx)
    yield from unknown_retentions(ctx)


# -- a flow into a longer-lived holder ------------------------------------------------------------


def extensions(ctx: Context):
    """One finding per flow whose source keeps data for a known duration and whose target keeps
    it longer (a linked target keeps it no longer than its source)."""
    for edge in ctx.graph.edges:
        if edge.flow.answer:  # only a flag or a reference crosses: the target keeps no copy of the record
            continue
        source, target = ctx.system(edge.source), ctx.system(edge.target)
        grouped = bool(source.retention_by_subject or target.retention_by_subject)
        if not grouped:
            before, after = _duration(source), _duration(target)
            if not _extends(before, after):
                continue
        bits, categories = _handed_on(ctx, edge)
        if not bits:
            continue
        evidence = Evidence.of(ctx)
        origins, total, subjects = evidence.named(bits), bits.bit_count(), evidence.subjects(bits)
        groups = ([x for x in subjects if x in edge.flow.subjects] or sorted(set(edge.flow.subjects))
                  if edge.flow.subjects else subjects)  # the people groups whose data crosses
        by_group: list[tuple[str, float, float]] = []
        if grouped:  # compared per people group: each keeps the system's retention unless it has its own
            by_group = [(g, b, a) for g in groups
                        if _extends(b := _duration(source, g), a := _duration(target, g))]
            if not by_group and not groups:
                before, after = _duration(source), _duration(target)
                if not _extends(before, after):
                    continue
            elif not by_group:
                continue
            else:
                _, before, after = max(by_group, key=lambda x: (x[2] - x[1], x[0]))
        whose = (f" of {subjects_in_words([g for g, _, _ in by_group])}"
                 if by_group and len(by_group) < len(groups) else "")
        if by_group:
            message = _group_message(ctx, edge, source, target, by_group, origins, total, categories, subjects)
        else:
            message = _extension_message(ctx, edge, source, target, before, after, origins, total, categories,
                                         subjects)
        yield RULE.finding(
            ctx, edge,
            severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(categories), vulnerable=ctx.vulnerable(subjects),
                               volume=bulk(edge)),
            title=(f"{target.display_name} keeps data{whose} from {source.display_name} {kept_for(after)}, "
                   f"its source {kept_for(before)} ({edge.id})"),
            message=message,
            categories=categories,
            subjects=subjects,
            origins=origins,
            origins_total=total,
            paths=evidence.paths(edge, bits, categories),
            mitigation=(
                f"Delete the data in {target.display_name} when {source.display_name} deletes it (or keep it no longer "
                f"than {kept_for(before).removeprefix('for ')}), or replace the copy by a query that leaves the data "
                "where it is."
            ),
        )


def _extends(before: float | None, after: float | None) -> bool:
    """Whether a holder keeping data ``after`` days keeps it longer than one keeping it ``before``
    days (a known, finite limit)."""
    return before is not None and after is not None and before != float("inf") and after > before


def _handed_on(ctx: Context, edge: Edge) -> tuple[int, list[str]]:
    """(origins bitset, categories) of the data that crosses ``edge``, leaving out what the
    target itself sent to the source: data a holder sends out (a gallery for matching, the other
    direction of a two-way flow) and gets back is not kept longer by the round trip.

    Notes
    -----
    For a category the target sends straight to the source, an origin counts when its data
    reaches the source by another flow (or the source collects it); one bit mask per category
    over the source's incoming flows, no further search.
    """
    graph = ctx.graph
    source, target = edge.source, edge.target
    back = {c for e in graph.arriving(source) if e.source == target for c in graph.carried(e)}
    out, categories = 0, []
    for category in graph.carried(edge):
        bits = graph.crossing_bits(edge, category)
        if bits and category in back:
            other = graph.origin_bit(source) if source in graph.origins_of(category) else 0
            for e in graph.arriving(source):
                if e.source != target and category in graph.carried(e):
                    other |= graph.crossing_bits(e, category)
            bits &= other
        bits &= ~graph.origin_bit(target)
        if bits:
            out |= bits
            categories.append(category)
    return out, categories


def _extension_message(ctx, edge: Edge, source: System, target: System, before: float, after: float,
                       origins, total, categories, subjects) -> str:
    names = [ctx.system(o).display_name for o in origins]
    people = f" about {subjects_in_words(subjects)}" if subjects else ""
    collected = (
        "" if origins == [source.id]
        else f" (collected by {plural(total, 'origin')}: {listing(names, total=total)})"
    )
    return (
        f"The flow {edge.id} passes {categories_in_words(categories)}{people}{collected}, from "
        f"{source.display_name}, which keeps them {kept_for(before)} ({source.retention}), to "
        f"{target.display_name}, which keeps them {kept_for(after)} ({target.retention}). "
        f"The limit that bounds the data in {source.display_name} no longer bounds how long it exists."
    )


def _group_message(ctx, edge: Edge, source: System, target: System, by_group, origins, total, categories,
                   subjects) -> str:
    """The message of an extension found per people group: each group, how long each end keeps it."""
    names = [ctx.system(o).display_name for o in origins]
    people = f" about {subjects_in_words(subjects)}" if subjects else ""
    collected = "" if origins == [source.id] else f" (collected by {plural(total, 'origin')}: {listing(names, total=total)})"
    kept = "; ".join(
        f"{subject_words(g)}' data {kept_for(b)} ({source.retention_for(g)}), and {target.display_name} "
        f"{kept_for(a)} ({target.retention_for(g)})" for g, b, a in by_group)
    return (
        f"The flow {edge.id} passes {categories_in_words(categories)}{people}{collected}, from {source.display_name} "
        f"to {target.display_name}. {source.display_name} keeps {kept}. The limit that bounds this data in "
        f"{source.display_name} no longer bounds how long it exists."
    )


# -- a linked component: the link outlives its shortest-lived source ------------------------------


def feeders(ctx: Context, component: System, moving: dict | None = None) -> dict[str, tuple[list[str], list[str], list[str]]]:
    """The systems whose data a linked component holds, directly or through other linked
    components: system id -> (route of systems, route of flows, categories moving on the first
    hop), shortest routes first, in flow-id order among equals.

    A linked system that collects data itself is a feeder too (its retention is set outside the
    model); the systems feeding it are followed as well. ``moving`` memoises, per edge, the
    categories some origin's data crosses it with (several components share their feeders).
    """
    moving = {} if moving is None else moving
    found: dict[str, tuple[list[str], list[str], list[str]]] = {}
    seen = {component.id}
    queue = deque([(component.id, [component.id], [])])
    while queue:
        node, route, flows = queue.popleft()
        for edge in ctx.graph.arriving(node):
            carried = moving.get(edge)
            if carried is None:
                carried = moving[edge] = [c for c in ctx.graph.carried(edge) if ctx.graph.crossing_bits(edge, c)]
            if not carried:
                continue
            source = ctx.system(edge.source)
            if source.id not in found and source.id != component.id and (source.retention != "linked" or source.holds):
                found[source.id] = ([source.id, *route], [edge.id, *flows], carried)
            if source.retention == "linked" and source.id not in seen:
                seen.add(source.id)
                queue.append((source.id, [source.id, *route], [edge.id, *flows]))
    return found


def link_lifetimes(ctx: Context):
    """One finding per linked component whose sources keep their data for different known periods."""
    moving: dict[Edge, list[str]] = {}
    for component in ctx.systems:
        if component.retention != "linked":
            continue
        fed = feeders(ctx, component, moving)
        known = {s: _duration(ctx.system(s)) for s in fed if _duration(ctx.system(s)) is not None}
        if len(known) < 2 or max(known.values()) == min(known.values()):
            continue
        ordered = sorted(known, key=lambda s: (-known[s], s))  # longest-lived first
        longest = [s for s in ordered if known[s] == known[ordered[0]]]
        shortest = [s for s in ordered if known[s] == known[ordered[-1]]]
        others = sorted(s for s in fed if s not in known)
        sources = [*ordered, *others]
        categories = sorted({c for s in sources for c in fed[s][2]})
        subjects = ctx.subjects_of(sources)
        paths = [(fed[s][0], fed[s][1]) for s in [longest[0], shortest[0], *others]]
        yield RULE.finding(
            ctx, component,
            aspect="link_lifetime",
            severity=grade(Severity.low, sensitivity=ctx.sensitivity(categories)),
            title=(f"Links in {component.display_name} can outlive its shortest-lived source "
                   f"({kept_for(known[shortest[0]]).removeprefix('for ')}), up to "
                   f"{kept_for(known[longest[0]]).removeprefix('for ')}"),
            message=_link_message(ctx, component, known, longest, shortest, others, categories),
            categories=categories,
            subjects=subjects,
            origins=sources,
            paths=paths,
            mitigation=LINK_MITIGATION,
        )


def _link_message(ctx, component: System, known, longest, shortest, others, categories) -> str:
    def named(ids):
        return listing([ctx.system(s).display_name for s in ids])

    head = (
        f"{component.display_name} keeps {categories_in_words(categories)} from "
        f"{plural(len(known) + len(others), 'source system')} with linked retention: each source's data is "
        "deleted with the source, so it keeps no datum longer than its source does."
    )
    link = (
        "What can outlive a source is the link between a person's records: a file or link that joins records "
        f"from several sources can live as long as the longest-lived of them, {named(longest)}, which keeps data "
        f"{kept_for(known[longest[0]])}, while {named(shortest)} {'keeps' if len(shortest) == 1 else 'keep'} "
        f"data {kept_for(known[shortest[0]])}."
    )
    parts = [head, link]
    if others:
        parts.append(
            f"The retention of {plural(len(others), 'further source')} ({named(others)}) is unknown or set outside "
            "the model."
        )
    return " ".join(parts)


# -- unknown retention: a question ----------------------------------------------------------------


def unknown_retentions(ctx: Context):
    """One low-confidence finding per system of unknown retention that holds or receives sensitive
    data. Its evidence is the holders whose retention cannot be compared with it: itself where it
    collects sensitive data, and the systems that hand it sensitive data."""
    graph = ctx.graph
    for system in ctx.systems:
        if not _unknown(system):
            continue
        by_holder: dict[str, set[str]] = {}
        own = [c for c in system.holds if ctx.is_sensitive(c)]
        if own:
            by_holder[system.id] = set(own)
        for edge in graph.arriving(system.id):
            for category in graph.carried(edge):
                if ctx.is_sensitive(category) and graph.crossing_bits(edge, category):
                    by_holder.setdefault(edge.source, set()).add(category)
        if not by_holder:
            continue
        holders = origins_in_order(ctx, {h: sorted(c) for h, c in by_holder.items()})  # few: its senders
        categories = sorted({c for cats in by_holder.values() for c in cats})
        subjects = ctx.subjects_of(holders)
        yield RULE.finding(
            ctx, system,
            aspect="unknown_retention",
            confidence=Confidence.low,
            severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(categories), vulnerable=ctx.vulnerable(subjects),
                               low_confidence=True),
            title=f"How long is sensitive data kept in {system.display_name}?",
            message=_unknown_message(ctx, system, by_holder, holders),
            categories=categories,
            subjects=subjects,
            origins=holders,
            mitigation=UNKNOWN_MITIGATION,
            question=f"How long are {categories_in_words(categories)} kept in {system.display_name}?",
        )


def _unknown_message(ctx, system: System, by_holder: dict[str, set[str]], holders: list[str]) -> str:
    parts = [f"The model records no retention period for {system.display_name}."]
    if system.id in by_holder:
        people = f" about {subjects_in_words(system.subjects)}" if system.subjects else ""
        parts.append(
            f"It collects {categories_in_words(sorted(by_holder[system.id]))}{people}: how long they exist there "
            "cannot be told."
        )
    senders = [h for h in holders if h != system.id]
    if senders:
        received = sorted({c for h in senders for c in by_holder[h]})
        parts.append(
            f"It receives {categories_in_words(received)} from {plural(len(senders), 'system')} "
            f"({listing([ctx.system(h).display_name for h in senders])}): whether it keeps them longer than "
            f"{'that system does' if len(senders) == 1 else 'those systems do'} cannot be told."
        )
    return " ".join(parts)


RULE = Rule(
    id="retention_extension",
    name="data kept longer downstream than where it came from",
    kind=Kind.retention_extension,
    default_severity=Severity.medium,
    principles=("storage_limitation", "necessity_and_proportionality"),
    linddun="non_compliance",
    check=check,
    doc=__doc__,
    aspects=("link_lifetime", "unknown_retention"),
)
