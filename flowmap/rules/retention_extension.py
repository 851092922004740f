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
      known periods; the message names the longest and the shortest. Its categories are every
      category the sources' flows move into the component and into the linked components that
      feed it (the sensitivity of all of them grades the finding), and each source's witness
      path is a shortest route from it to the component.
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

from flowmap.findings import LIST_CAP, PATHS_CAP, Confidence, Kind, Severity
from flowmap.graph import Edge
from flowmap.model import System
from flowmap.rules._support import Evidence, bitset, bulk, display_names, origins_in_order
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


def _durations(ctx: Context) -> dict[str, float | None]:
    """System id -> :func:`_duration` of the system."""
    return {s.id: _duration(s) for s in ctx.systems}


def _unknown(system: System) -> bool:
    return _parsed(system.retention) is None and not system.retention_by_subject


def check(ctx: Context):
    """Extensions at flows, link lifetimes at linked components, unknown retentions as questions."""
    durations = _durations(ctx)
    yield from extensions(ctx, durations)
    yield from link_lifetimes(ctx, durations)
    yield from unknown_retentions(ctx)


# -- a flow into a longer-lived holder ------------------------------------------------------------


def extensions(ctx: Context, durations: dict[str, float | None]):
    """One finding per flow whose source keeps data for a known duration and whose target keeps
    it longer (a linked target keeps it no longer than its source). ``durations``: :func:`_durations`."""
    by_subject = {s.id for s in ctx.systems if s.retention_by_subject}  # retention per people group
    for edge in ctx.graph.edges:
        grouped = edge.source in by_subject or edge.target in by_subject
        if not grouped:
            before, after = durations[edge.source], durations[edge.target]
            if not _extends(before, after):
                continue
        if edge.flow.answer:  # only a flag or a reference crosses: the target keeps no copy of the record
            continue
        source, target = ctx.system(edge.source), ctx.system(edge.target)
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
            other = graph.origin_bits_at(source, category) & graph.origin_bit(source)  # its own, if it collects it
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
    name_of = display_names(ctx)
    names = [name_of[o] for o in origins]
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
    name_of = display_names(ctx)
    names = [name_of[o] for o in origins]
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


class Feeders:
    """The systems whose data each linked component holds, directly or through other linked
    components, as bitsets (:meth:`~flowmap.graph.Graph.origin_bit`).

    A feeder sends a linked system some origin's data; a linked system that collects data itself
    is a feeder too (its retention is set outside the model), and the systems feeding it are
    followed as well. The search goes breadth first backwards from the component over the linked
    systems that send it data (flows in flow-id order). What counts of a feeder is every category
    that any of its flows moves into the linked systems met (the component, and the linked
    systems that feed it), since all of them end up joined to the component's links: a feeder
    that sends identity data to the CIR and facial images to the sBMS, which feeds the CIR,
    counts with both. Its route is a shortest one: its first flow into the first linked system
    where it is met, then on to the component. Per linked system the search needs only its
    feeders as one bitset, and per category the feeders whose flows move it, so a component that
    thousands of systems feed through others is searched over the linked systems alone.

    >>> from flowmap.model import Model
    >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
    ...     {"id": "ees", "sector": "border", "holds": ["biometric.face"], "purposes": ["migration.border_management"]},
    ...     {"id": "sbms", "sector": "interoperability", "retention": "linked"},
    ...     {"id": "cir", "sector": "interoperability", "retention": "linked"}],
    ...   "flows": [{"from": "ees", "to": "sbms", "data": ["biometric"], "purpose": "operations.interoperability"},
    ...             {"from": "sbms", "to": "cir", "data": ["biometric"], "purpose": "operations.interoperability"}]})
    >>> ctx = Context(m)
    >>> feeders = Feeders(ctx)
    >>> bits, categories = feeders.of("cir")
    >>> ctx.graph.bits_to_origins("", bits), categories, feeders.route("cir", "ees")
    (['ees'], ['biometric.face'], (['ees', 'sbms', 'cir'], ['ees->sbms', 'sbms->cir']))

    A feeder's flows into every linked system met count, not only the flow by which it is met:

    >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
    ...     {"id": "ees", "sector": "border", "holds": ["biometric.face", "identity.biographic"],
    ...      "purposes": ["migration.border_management"]},
    ...     {"id": "sbms", "sector": "interoperability", "retention": "linked"},
    ...     {"id": "cir", "sector": "interoperability", "retention": "linked"}],
    ...   "flows": [{"from": "ees", "to": "cir", "data": ["identity"], "purpose": "operations.interoperability"},
    ...             {"from": "ees", "to": "sbms", "data": ["biometric"], "purpose": "operations.interoperability"},
    ...             {"from": "sbms", "to": "cir", "data": ["biometric"], "purpose": "operations.interoperability"}]})
    >>> feeders = Feeders(Context(m))
    >>> feeders.of("cir")[1], feeders.route("cir", "ees")
    (['biometric.face', 'identity.biographic'], (['ees', 'cir'], ['ees->cir']))
    """

    def __init__(self, ctx: Context):
        self.ctx = ctx
        graph = ctx.graph
        self.upstream: dict[str, list[tuple[str, Edge]]] = {}  # linked system -> its linked senders, in flow order
        self.feeding: dict[str, int] = {}  # linked system -> the bitset of its feeders
        self.first: dict[str, dict[str, Edge]] = {}  # linked system -> feeder -> its first flow into it
        self.moved: dict[str, dict[str, int]] = {}  # linked system -> category -> the feeders whose flows into it move it
        self.categories = graph.categories  # sorted: bit i of a category mask stands for the i-th
        self._bit = {c: 1 << i for i, c in enumerate(self.categories)}
        self.moved_mask: dict[str, int] = {}  # linked system -> the categories its feeders' flows move, as a mask
        self._moving: dict[Edge, list[str]] = {}
        self._searched: tuple[str, list[str], dict[str, tuple[str, Edge] | None]] | None = None  # the last search
        for system in ctx.systems:
            if system.retention != "linked":
                continue
            upstream, first, by_category = [], {}, {}
            for edge in graph.arriving(system.id):  # an answer (hit/no-hit, reference) feeds no data
                moving = self.moving(edge)
                if not moving:
                    continue
                source = ctx.system(edge.source)
                if source.retention != "linked" or source.holds:  # a feeder: each of its flows counts
                    first.setdefault(source.id, edge)
                    bit = graph.origin_bit(source.id)
                    for category in moving:
                        by_category[category] = by_category.get(category, 0) | bit
                if source.retention == "linked":
                    upstream.append((source.id, edge))
            self.upstream[system.id] = upstream
            self.first[system.id] = first
            self.moved[system.id] = by_category
            mask = 0
            for category in by_category:
                mask |= self._bit[category]
            self.moved_mask[system.id] = mask
            bits = 0
            for feeder in first:
                bits |= graph.origin_bit(feeder)
            self.feeding[system.id] = bits

    def moving(self, edge: Edge) -> list[str]:
        """The categories some origin's data crosses ``edge`` with (computed once per edge)."""
        found = self._moving.get(edge)
        if found is None:
            graph = self.ctx.graph
            found = self._moving[edge] = [c for c in graph.carried(edge) if graph.crossing_bits(edge, c)]
        return found

    def _search(self, component: str) -> tuple[list[str], dict[str, tuple[str, Edge] | None]]:
        """The linked systems met backwards from ``component``, in the order met, and for each
        the next system and flow towards the component (the last component's search is kept: its
        routes are read right after it)."""
        if self._searched is not None and self._searched[0] == component:
            return self._searched[1], self._searched[2]
        order = [component]
        towards: dict[str, tuple[str, Edge] | None] = {component: None}
        for node in order:  # grows while read: breadth first
            for source, edge in self.upstream[node]:
                if source not in towards:
                    towards[source] = (node, edge)
                    order.append(source)
        self._searched = (component, order, towards)
        return order, towards

    def of(self, component: str) -> tuple[int, list[str]]:
        """(feeders bitset, the categories their flows move into the linked systems met, sorted) of
        a linked component."""
        order, _ = self._search(component)
        itself = self.ctx.graph.origin_bit(component)  # the component is no feeder of itself
        met = mask = 0
        for node in order:
            fed = self.feeding[node]
            if not fed & itself:
                met |= fed
                mask |= self.moved_mask[node]
            elif fed := fed & ~itself:  # the component feeds this system: leave its own flows out
                met |= fed
                for category, bits in self.moved[node].items():
                    if bits & fed:
                        mask |= self._bit[category]
        return met, [c for c in self.categories if mask & self._bit[c]]

    def route(self, component: str, feeder: str) -> tuple[list[str], list[str]]:
        """The route by which ``feeder`` was met: its first flow into the first linked system met
        that it feeds, then on to the component (systems, and the flow of each hop)."""
        order, towards = self._search(component)
        node = next(n for n in order if feeder in self.first[n])
        route, flows = [feeder, node], [self.first[node][feeder].id]
        while towards[node] is not None:
            node, edge = towards[node]
            route.append(node)
            flows.append(edge.id)
        return route, flows


def link_lifetimes(ctx: Context, durations: dict[str, float | None]):
    """One finding per linked component whose sources keep their data for different known periods
    (``durations``: :func:`_durations`)."""
    feeders = Feeders(ctx)
    keeping: dict[float, list[int]] = {}  # known retention -> the positions of the systems that keep data that long
    for position, system in enumerate(ctx.systems):  # bit i stands for the i-th system in id order
        days = durations[system.id]
        if days is not None:
            keeping.setdefault(days, []).append(position)
    by_duration = {days: bitset(positions) for days, positions in keeping.items()}
    longest_first = sorted(by_duration, reverse=True)
    for component in ctx.systems:
        if component.retention != "linked":
            continue
        fed, categories = feeders.of(component.id)
        known = [(days, fed & by_duration[days]) for days in longest_first if fed & by_duration[days]]  # longest first
        if len(known) < 2:
            continue
        longest, shortest = known[0], known[-1]
        known_bits = 0
        for _, bits in known:
            known_bits |= bits
        others = fed & ~known_bits
        sources = [o for _, bits in known for o in _first(ctx, bits)][:LIST_CAP]
        sources += _first(ctx, others)[:LIST_CAP - len(sources)]
        first_others = _first(ctx, others, 3)
        subjects = Evidence.of(ctx).subjects(fed)
        paths = [feeders.route(component.id, s) for s in [_first(ctx, longest[1], 1)[0], _first(ctx, shortest[1], 1)[0],
                                                          *first_others][:PATHS_CAP]]
        yield RULE.finding(
            ctx, component,
            aspect="link_lifetime",
            severity=grade(Severity.low, sensitivity=ctx.sensitivity(categories)),
            title=(f"Links in {component.display_name} can outlive its shortest-lived source "
                   f"({kept_for(shortest[0]).removeprefix('for ')}), up to "
                   f"{kept_for(longest[0]).removeprefix('for ')}"),
            message=_link_message(ctx, component, known_bits.bit_count(), longest, shortest, others, categories),
            categories=categories,
            subjects=subjects,
            origins=sources,
            origins_total=fed.bit_count(),
            paths=paths,
            mitigation=LINK_MITIGATION,
        )


def _first(ctx: Context, bits: int, limit: int = LIST_CAP) -> list[str]:
    """The ids of the first ``limit`` systems of ``bits``, in id order."""
    return ctx.graph.bits_to_origins("", bits, limit=limit)


def _link_message(ctx, component: System, known: int, longest: tuple[float, int], shortest: tuple[float, int],
                  others: int, categories) -> str:
    """``known``: how many sources keep data for a known period; ``longest``, ``shortest``: (days,
    the sources that keep it that long); ``others``: the sources of unknown retention."""
    def named(bits):
        return listing([ctx.system(s).display_name for s in _first(ctx, bits, 3)], total=bits.bit_count())

    head = (
        f"{component.display_name} keeps {categories_in_words(categories)} from "
        f"{plural(known + others.bit_count(), 'source system')} with linked retention: each source's data is "
        "deleted with the source, so it keeps no datum longer than its source does."
    )
    link = (
        "What can outlive a source is the link between a person's records: a file or link that joins records "
        f"from several sources can live as long as the longest-lived of them, {named(longest[1])}, which keeps data "
        f"{kept_for(longest[0])}, while {named(shortest[1])} {'keeps' if shortest[1].bit_count() == 1 else 'keep'} "
        f"data {kept_for(shortest[0])}."
    )
    parts = [head, link]
    if others:
        parts.append(
            f"The retention of {plural(others.bit_count(), 'further source')} ({named(others)}) is unknown or set "
            "outside the model."
        )
    return " ".join(parts)


# -- unknown retention: a question ----------------------------------------------------------------


def unknown_retentions(ctx: Context):
    """One low-confidence finding per system of unknown retention that holds or receives sensitive
    data. Its evidence is the holders whose retention cannot be compared with it: itself where it
    collects sensitive data, and the systems that hand it sensitive data."""
    graph = ctx.graph
    evidence = Evidence.of(ctx)
    sensitive = evidence.sensitive
    name_of = display_names(ctx)
    for system in ctx.systems:
        if not _unknown(system):
            continue
        by_holder: dict[str, set[str]] = {}
        own = [c for c in system.holds if c in sensitive]  # held categories are propagated ones
        if own:
            by_holder[system.id] = set(own)
        for edge in graph.arriving(system.id):
            for category in graph.carried(edge):
                if category in sensitive and graph.crossing_bits(edge, category):
                    by_holder.setdefault(edge.source, set()).add(category)
        if not by_holder:
            continue
        holders = origins_in_order(ctx, by_holder)  # few: its senders
        categories = sorted(set().union(*by_holder.values()))
        subjects = evidence.subjects_of(holders)
        yield RULE.finding(
            ctx, system,
            aspect="unknown_retention",
            confidence=Confidence.low,
            severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(categories), vulnerable=ctx.vulnerable(subjects),
                               low_confidence=True),
            title=f"How long is sensitive data kept in {system.display_name}?",
            message=_unknown_message(system, by_holder, holders, categories, name_of),
            categories=categories,
            subjects=subjects,
            origins=holders,
            mitigation=UNKNOWN_MITIGATION,
            question=f"How long are {categories_in_words(categories)} kept in {system.display_name}?",
        )


def _unknown_message(system: System, by_holder: dict[str, set[str]], holders: list[str], categories: list[str],
                     name_of: dict[str, str]) -> str:
    """``holders``: those of ``by_holder`` (holder -> the sensitive categories it holds or hands on)
    in :func:`origins_in_order`; ``categories``: all of theirs, sorted; ``name_of``: :func:`display_names`."""
    parts = [f"The model records no retention period for {system.display_name}."]
    if system.id in by_holder:
        people = f" about {subjects_in_words(system.subjects)}" if system.subjects else ""
        parts.append(
            f"It collects {categories_in_words(sorted(by_holder[system.id]))}{people}: how long they exist there "
            "cannot be told."
        )
    senders = [h for h in holders if h != system.id]
    if senders:
        received = categories if system.id not in by_holder else sorted({c for h in senders for c in by_holder[h]})
        parts.append(
            f"It receives {categories_in_words(received)} from {plural(len(senders), 'system')} "
            f"({listing([name_of[h] for h in senders])}): whether it keeps them longer than "
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
