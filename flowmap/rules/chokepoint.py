"""Chokepoint: a system where one breach exposes sensitive data of many systems.

What it detects
    The systems that store and pass on the most personal data of other systems. What a
    system *stores* is what it collects itself (``holds``) and what arrives through a flow
    that leaves a copy there: every mode except ``query``, ``hit_no_hit`` and
    ``automated_screening`` (see :data:`QUERY_MODES`; a flow of unknown mode counts as a
    copy: unknown is not safe). What it *passes on* is whatever crosses its outgoing flows
    (honouring each flow's ``forwards``). A system that only reads other systems by query
    and forwards nothing is a query user, not a store: it sees answers one at a time, and a
    breach of it does not open the databases it queries.

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

    One finding per such system, anchored at it. The evidence names the origins whose data
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
from flowmap.model import Mode
from flowmap.rules._support import lead_category, origins_in_order
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
    """Whether a flow leaves a copy at its receiver (any mode but a query; unknown counts)."""
    return edge.flow.mode not in QUERY_MODES


@dataclass
class Store:
    """What one system stores or passes on: category -> origins, and the systems it passes data to."""

    system: str
    data: dict[str, set[str]] = field(default_factory=dict)
    recipients: set[str] = field(default_factory=set)
    flows_out: set[str] = field(default_factory=set)

    def add(self, category: str, origins: list[str]) -> None:
        self.data.setdefault(category, set()).update(origins)


def store_of(ctx: Context, system_id: str) -> Store:
    """What ``system_id`` holds, receives as copies, and passes on through its outgoing flows
    (counted categories only). Data that only goes back to the one system it came from (the
    other direction of a bidirectional query) is not passed on.

    >>> from flowmap.model import Model
    >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
    ...     {"id": "db", "sector": "asylum", "holds": ["biometric.face"], "purposes": ["protection.asylum"]},
    ...     {"id": "hub", "sector": "interoperability"}, {"id": "user", "sector": "border"}],
    ...   "flows": [{"from": "db", "to": "hub", "data": ["biometric"], "purpose": "operations.x", "mode": "replication"},
    ...             {"from": "hub", "to": "user", "data": ["biometric"], "purpose": "operations.x", "mode": "query",
    ...              "bidirectional": True}]})
    >>> ctx = Context(m)
    >>> store_of(ctx, "hub").data, store_of(ctx, "user").data
    ({'biometric.face': {'db'}}, {})
    """
    graph = ctx.graph

    def counted(category: str) -> bool:
        return ctx.taxonomy.sensitivity(category) >= COUNTED_FROM

    store = Store(system_id)
    for category in graph.categories:
        if counted(category) and system_id in graph.origins_of(category):
            store.add(category, [system_id])
    senders: dict[tuple[str, str], set[str]] = {}  # (category, origin) -> systems it arrives from
    for edge in graph.in_edges(system_id):
        for category, origins in graph.crossing(edge).items():
            if counted(category):
                for origin in origins:
                    senders.setdefault((category, origin), set()).add(edge.source)
                if copies(edge):
                    store.add(category, origins)
    for edge in graph.out_edges(system_id):
        for category, origins in graph.crossing(edge).items():
            passed = [o for o in origins if counted(category)
                      and (o == system_id or senders.get((category, o)) != {edge.target})]
            if passed:
                store.add(category, passed)
                store.recipients.add(edge.target)
                store.flows_out.add(edge.id)
    return store


def exposed(ctx: Context, store: Store) -> tuple[int, int, int]:
    """(special-category datasets, sensitive datasets, all counted datasets) of a store."""
    special = sensitive = total = 0
    for category, origins in store.data.items():
        level = ctx.taxonomy.sensitivity(category)
        total += len(origins)
        sensitive += len(origins) if level >= ctx.sensitive_from else 0
        special += len(origins) if level >= Sensitivity.special else 0
    return special, sensitive, total


def chokepoints(ctx: Context) -> list[Store]:
    """The first :data:`TOP` qualifying systems, in the comparison of the module docstring.

    Notes
    -----
    Each flow's crossing origins are read at its two ends: O(flows x categories) set updates
    on top of the graph's reach.
    """
    found = []
    for system in ctx.systems:
        if system.kind is SystemKind.external:
            continue
        store = store_of(ctx, system.id)
        special, sensitive, total = exposed(ctx, store)
        sensitive_origins = {o for c, os in store.data.items() if ctx.is_sensitive(c) for o in os}
        if total >= MIN_PAIRS and len(sensitive_origins) >= MIN_ORIGINS:
            found.append(((-special, -sensitive, -total, system.id), store))
    return [store for _, store in sorted(found, key=lambda item: item[0])[:TOP]]


def check(ctx: Context):
    """One finding per chokepoint."""
    for store in chokepoints(ctx):
        system = ctx.system(store.system)
        name = system.display_name
        by_origin: dict[str, list[str]] = {}
        for category, origins in sorted(store.data.items()):
            for origin in origins:
                by_origin.setdefault(origin, []).append(category)
        origins = origins_in_order(ctx, by_origin)
        categories = sorted(store.data, key=lambda c: (-ctx.taxonomy.sensitivity(c), c))
        sensitive = [c for c in categories if ctx.is_sensitive(c)]
        others = [c for c in categories if not ctx.is_sensitive(c)]
        subjects = ctx.subjects_of(origins)
        special, _, total = exposed(ctx, store)
        what = categories_in_words(sensitive) + (f", with {categories_in_words(others)}," if others else "")
        people = f" of {plural(len(subjects), 'people group')} ({subjects_in_words(subjects)})" if subjects else ""
        recipients = sorted(store.recipients)
        of_special = f", {special} of them special category data" if special else ""
        passed = (
            f"; it passes data on through {plural(len(store.flows_out), 'flow')} to "
            f"{listing([ctx.system(r).display_name for r in recipients])}" if recipients else ""
        )
        message = (
            f"A breach of {name}, or one insider with access to it, exposes {what}{people} from "
            f"{plural(len(origins), 'system')} ({listing([ctx.system(o).display_name for o in origins])}). "
            f"It keeps or relays {plural(total, 'dataset')} (one kind of data from one system each)"
            f"{of_special}{passed}."
        )
        paths = []
        for origin in (o for o in origins if o != system.id):
            found = ctx.graph.path(origin, lead_category(ctx, by_origin[origin]), system.id)
            if found is not None:
                paths.append(found)
            if len(paths) == 3:
                break
        yield RULE.finding(
            ctx, system,
            severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(categories), vulnerable=ctx.vulnerable(subjects)),
            title=f"A breach of {name} exposes personal data from {plural(len(origins), 'system')}",
            message=message,
            categories=categories,
            subjects=subjects,
            origins=origins,
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
