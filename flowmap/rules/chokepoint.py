"""Chokepoint: a system where one breach exposes sensitive data of many systems.

What it detects
    The systems that store and pass on the most personal data of other systems. What a
    system *stores* is what it collects itself (``holds``) and what arrives through a flow
    that leaves a copy there: every mode except ``query``, ``hit_no_hit`` and
    ``automated_screening`` (see :data:`QUERY_MODES`; a flow of unknown mode counts as a
    copy: unknown is not safe). What it *passes on* is whatever crosses its outgoing flows
    that leave a copy at their receiver (honouring each flow's ``forwards``), except what
    only goes back where it came from. A system that reads other systems by query and
    answers queries in turn (a central access point relaying replies case by case after a
    verified request) is not a store: it sees answers one at a time, and a breach of it does
    not open the databases it queries.

    What a breach exposes is counted in datasets: (origin, category) pairs such as VIS's
    fingerprints or EES's facial images, for categories of ``medium`` sensitivity or above
    (identity data counts: it is what makes the rest usable; contact details do not).
    Systems are compared by, in turn: special-category datasets (biometrics, health: data
    a person can never change after a breach), sensitive datasets (``high`` or above, as for
    exposure), all counted datasets, then id. A system is reported when it has at least
    :data:`MIN_PAIRS` (10) datasets, holds sensitive data of at least :data:`MIN_ORIGINS` (2)
    systems, and is among the :data:`TOP` (5) first of the model. A lone database holding
    only its own sensitive data is not a chokepoint; a hub that aggregates many is. External
    systems (``kind: external``, such as third countries) are left to the exposure and
    cross-border rules: their controls are not the model owner's to strengthen.

    One finding per such system, anchored at it, at most ``high`` (a structural finding: a
    concentration of data, not a harm that happened; see :mod:`flowmap.severity`), and a step
    lower when the model records the system's data as encrypted at rest. A
    matching component (kind ``component`` with the ``biometric_matching`` technology, such
    as the sBMS) is said to keep biometric templates, not the images. The evidence names the origins whose data
    is there (capped, with their exact number), the systems it passes that data on to
    (``reached``), the categories and people groups, and up to three shortest routes by
    which the origins' data arrives.

Why it matters
    Interoperability concentrates data: a component that stores what several databases
    hold is where one breach, one insider or one change of the law exposes everyone in all
    of them. These are the systems where security, logging and oversight must be strongest,
    and where a design that keeps data apart (queries instead of copies) pays off most.

How to fix
    Reduce what the system stores (hit/no-hit queries instead of copies, fewer categories,
    separation by purpose), and give it the strongest controls: encryption at rest, access
    logging, independent oversight, all recorded in the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flowmap.findings import Kind, Severity
from flowmap.graph import Edge
from flowmap.model import Kind as SystemKind
from flowmap.model import Mode, System
from flowmap.rules._support import Evidence, lead_category
from flowmap.rules.base import Context, Rule
from flowmap.taxonomy import Sensitivity
from flowmap.words import categories_in_words, listing, plural, subjects_in_words

MIN_PAIRS = 10
"""A chokepoint stores or passes on at least this many datasets ((origin, category) pairs)."""
MIN_ORIGINS = 2
"""... and holds sensitive data of at least this many systems."""
TOP = 5
"""At most this many chokepoints per model: the first in the comparison."""
COUNTED_FROM = Sensitivity.medium
"""Categories at or above this sensitivity count as datasets (contact details do not)."""
QUERY_MODES = frozenset({Mode.query, Mode.hit_no_hit, Mode.automated_screening})
"""Modes by which a system reads another without keeping a copy."""

MITIGATION = (
    "Reduce what it stores (hit/no-hit queries instead of copies, fewer categories, separation by purpose) "
    "and give it the strongest controls, recorded in the model: encryption at rest, access logging, "
    "independent oversight."
)


def copies(edge: Edge) -> bool:
    """Whether a flow leaves a copy at its receiver (any mode but a query; unknown counts), and
    hands over the record, not only a hit/no-hit flag or a reference (``returns``)."""
    return edge.flow.mode not in QUERY_MODES and edge.flow.delivers


@dataclass
class Store:
    """What one system stores or passes on: category -> origins bitset, and the systems it
    passes data to."""

    system: str
    data: dict[str, int] = field(default_factory=dict)
    recipients: set[str] = field(default_factory=set)
    flows_out: set[str] = field(default_factory=set)

    def add(self, category: str, bits: int) -> None:
        if bits:
            self.data[category] = self.data.get(category, 0) | bits

    def origins(self, categories=None) -> int:
        """The bitset of the origins of ``categories`` (default: all)."""
        bits = 0
        for category in self.data if categories is None else categories:
            bits |= self.data.get(category, 0)
        return bits


def store_of(ctx: Context, system_id: str) -> Store:
    """What ``system_id`` holds, receives as copies, and passes on through its outgoing flows
    that leave copies (counted categories only). Data that only goes back to the one system
    it came from (the other direction of a bidirectional flow) is not passed on, and what
    arrives by query is passed on only by a flow that leaves a copy.

    >>> from flowmap.model import Model
    >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
    ...     {"id": "db", "sector": "asylum", "holds": ["biometric.face"], "purposes": ["protection.asylum"]},
    ...     {"id": "hub", "sector": "interoperability"}, {"id": "user", "sector": "border"},
    ...     {"id": "relay", "sector": "police"}],
    ...   "flows": [{"from": "db", "to": "hub", "data": ["biometric"], "purpose": "operations.x", "mode": "replication"},
    ...             {"from": "hub", "to": "user", "data": ["biometric"], "purpose": "operations.x", "mode": "query",
    ...              "bidirectional": True},
    ...             {"from": "db", "to": "relay", "data": ["biometric"], "purpose": "operations.x", "mode": "query"},
    ...             {"from": "relay", "to": "user", "data": ["biometric"], "purpose": "operations.x", "mode": "query"}]})
    >>> ctx = Context(m)
    >>> [ctx.graph.bits_to_origins("", b) for b in store_of(ctx, "hub").data.values()]
    [['db']]
    >>> store_of(ctx, "user").data, store_of(ctx, "relay").data
    ({}, {})
    """
    graph = ctx.graph
    counted = _counted(ctx)
    store = Store(system_id)
    own = graph.origin_bit(system_id)
    for category in _collected(ctx).get(system_id, ()):
        if counted(category):
            store.add(category, own)
    arrived: dict[tuple[str, str], int] = {}  # (category, sender) -> origins bitset it brings
    for edge in graph.in_edges(system_id):
        keep = copies(edge)
        for category in graph.carried(edge):
            if not counted(category):
                continue
            bits = graph.crossing_bits(edge, category)
            if bits:
                key = (category, edge.source)
                arrived[key] = arrived.get(key, 0) | bits
                if keep:
                    store.add(category, bits)
    senders: dict[str, list[str]] = {}
    for category, sender in arrived:
        senders.setdefault(category, []).append(sender)
    for edge in graph.out_edges(system_id):
        if not copies(edge):
            continue
        for category in graph.carried(edge):
            if not counted(category):
                continue
            bits = graph.crossing_bits(edge, category)
            if not bits:
                continue
            others = own  # what reached the system otherwise than from this flow's receiver
            for sender in senders.get(category, ()):
                if sender != edge.target:
                    others |= arrived[(category, sender)]
            only_back = arrived.get((category, edge.target), 0) & ~others
            passed = bits & ~only_back
            if passed:
                store.add(category, passed)
                store.recipients.add(edge.target)
                store.flows_out.add(edge.id)
    return store


def _counted(ctx: Context):
    tax = ctx.taxonomy
    return lambda category: tax.sensitivity(category) >= COUNTED_FROM


def _collected(ctx: Context) -> dict[str, list[str]]:
    """System -> the propagated categories it is an origin of (built once per analysis)."""

    def build():
        graph = ctx.graph
        out: dict[str, list[str]] = {}
        for category in graph.categories:
            for origin in graph.origins_of(category):
                out.setdefault(origin, []).append(category)
        return out

    return ctx.cached("chokepoint.collected", build)


def exposed(ctx: Context, store: Store) -> tuple[int, int, int]:
    """(special-category datasets, sensitive datasets, all counted datasets) of a store."""
    special = sensitive = total = 0
    for category, bits in store.data.items():
        level = ctx.taxonomy.sensitivity(category)
        count = bits.bit_count()
        total += count
        sensitive += count if level >= ctx.sensitive_from else 0
        special += count if level >= Sensitivity.special else 0
    return special, sensitive, total


def chokepoints(ctx: Context) -> list[Store]:
    """The first :data:`TOP` qualifying systems, in the comparison of the module docstring.

    Notes
    -----
    What a system stores or passes on is data available at it, so the datasets available at
    a system (its reach) bound what it can expose. Systems are tried best bound first, and
    the search stops when no system left can enter the first :data:`TOP`: near-linear in the
    model, with a handful of stores computed (each flow's crossing origins read at its two
    ends as bitsets).
    """
    found: list[tuple[tuple, Store]] = []
    for bound, system in _bounds(ctx):
        if len(found) >= TOP and found[TOP - 1][0] < bound:
            break  # no system left can do better than the last of the first TOP
        store = store_of(ctx, system.id)
        special, sensitive, total = exposed(ctx, store)
        if total < MIN_PAIRS:
            continue
        sensitive_origins = store.origins([c for c in store.data if ctx.is_sensitive(c)])
        if sensitive_origins.bit_count() >= MIN_ORIGINS:
            found.append(((-special, -sensitive, -total, system.id), store))
            found.sort(key=lambda item: item[0])
    return [store for _, store in found[:TOP]]


def _bounds(ctx: Context) -> list[tuple[tuple, System]]:
    """(the comparison key of everything available at a system, the system), best first, for
    the systems that can be chokepoints: what it stores can be no more."""
    graph = ctx.graph
    counted = _counted(ctx)
    special: dict[str, int] = {}
    sensitive: dict[str, int] = {}
    total: dict[str, int] = {}
    for category in graph.categories:
        if not counted(category):
            continue
        level = ctx.taxonomy.sensitivity(category)
        tallies = (total, *([sensitive] if level >= ctx.sensitive_from else []),
                   *([special] if level >= Sensitivity.special else []))
        for system_id, bits in graph.available(category):  # each system's datasets counted once per category
            count = bits.bit_count()
            for counts in tallies:
                counts[system_id] = counts.get(system_id, 0) + count
    return sorted(((-special.get(s.id, 0), -sensitive.get(s.id, 0), -total.get(s.id, 0), s.id), s)
                  for s in graph.systems if s.kind is not SystemKind.external)


def templates_only(system) -> bool:
    """Whether a system keeps biometric templates rather than images: a matching component.

    >>> from flowmap.model import System
    >>> templates_only(System(id="sbms", sector="interoperability", kind="component", technologies=["biometric_matching"]))
    True
    >>> templates_only(System(id="vis", sector="visa", technologies=["biometric_matching"]))
    False
    """
    return system.kind is SystemKind.component and "biometric_matching" in system.technologies


def _what(ctx: Context, system, categories: list[str]) -> str:
    """The data a breach exposes, in words: templates for a matching component."""
    sensitive = [c for c in categories if ctx.is_sensitive(c)]
    others = [c for c in categories if not ctx.is_sensitive(c)]
    if templates_only(system):
        biometric = [c for c in sensitive if c.split(".", 1)[0] == "biometric"]
        if biometric:
            rest = [c for c in sensitive if c not in biometric]
            sensitive_words = (f"biometric templates computed from {categories_in_words(biometric)} (not the images "
                               "themselves)" + (f" and {categories_in_words(rest)}" if rest else ""))
        else:
            sensitive_words = categories_in_words(sensitive)
    else:
        sensitive_words = categories_in_words(sensitive)
    return sensitive_words + (f", with {categories_in_words(others)}," if others else "")


def check(ctx: Context):
    """One finding per chokepoint."""
    evidence = Evidence.of(ctx)
    graph = ctx.graph
    for store in chokepoints(ctx):
        system = ctx.system(store.system)
        name = system.display_name
        bits = store.origins()
        count = bits.bit_count()
        origins = evidence.named(bits)
        categories = sorted(store.data, key=lambda c: (-ctx.taxonomy.sensitivity(c), c))
        subjects = evidence.subjects(bits)
        special, _, total = exposed(ctx, store)
        people = f" of {plural(len(subjects), 'people group')} ({subjects_in_words(subjects)})" if subjects else ""
        recipients = sorted(store.recipients)
        of_special = f", {special} of them special category data" if special else ""
        passed = (
            f"; it passes data on through {plural(len(store.flows_out), 'flow')} to "
            f"{listing([ctx.system(r).display_name for r in recipients])}" if recipients else ""
        )
        message = (
            f"A breach of {name}, or one insider with access to it, exposes {_what(ctx, system, categories)}{people} "
            f"from {plural(count, 'system')} ({listing([ctx.system(o).display_name for o in origins], total=count)}). "
            f"It keeps or relays {plural(total, 'dataset')} (one kind of data from one system each)"
            f"{of_special}{passed}."
        )
        encrypted = system.controls.encryption_at_rest is True
        if encrypted:
            message += (" The model records its data as encrypted at rest, which an outside attacker must overcome; "
                        "an insider, or whoever holds the keys, need not.")
        paths = []
        for origin in (o for o in origins if o != system.id):
            bit = graph.origin_bit(origin)
            own = [c for c in categories if store.data[c] & bit]
            found = graph.path(origin, lead_category(ctx, own), system.id)
            if found is not None:
                paths.append(found)
            if len(paths) == 3:
                break
        yield RULE.finding(
            ctx, system,
            severity=max(Severity.info, Severity(ctx.grade(RULE, sensitivity=ctx.sensitivity(categories),
                                                                vulnerable=ctx.vulnerable(subjects), structural=True)
                                                      - encrypted)),  # encryption at rest: a step lower
            title=f"A breach of {name} exposes personal data from {plural(count, 'system')}",
            message=message,
            categories=categories,
            subjects=subjects,
            origins=origins,
            origins_total=count,
            reached=recipients,
            paths=paths,
            mitigation=MITIGATION,
        )


RULE = Rule(
    id="chokepoint",
    name="system where one breach exposes sensitive data of many systems",
    kind=Kind.structural,
    default_severity=Severity.medium,
    principles=("security", "data_minimisation"),
    linddun="data_disclosure",
    check=check,
    doc=__doc__,
)
