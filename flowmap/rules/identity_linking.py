"""Identity linking: a component that joins records of the same people from three or more systems.

What it detects
    Systems that use the ``identity_linking`` technology (a multiple-identity detector, a
    common identity repository), at which identity or biometric data (``identity.*``, ``biometric.*``) of at least
    :data:`MIN_ORIGINS` (3) origin systems is available, held or received by any flow (a
    component that only queries still joins what it reads). One finding per such system,
    anchored at it; the evidence names the origins whose records it joins (capped, with
    their exact number), the categories and people groups, and up to three shortest routes
    by which the origins' data arrives. Being a component is not enough: a biometric matching
    service that keeps templates separated by the system they came from (Reg. 2019/818
    Art. 13(1)) compares, and leaves the links to the detector. A structural finding: at most
    ``high`` (see :mod:`flowmap.severity`).

Why it matters
    Linking records across databases built for different purposes creates a new, more
    complete profile of each person that no single law foresaw. A wrong link merges two
    people; a right one lets every authority with access to one system learn what the
    others hold. Interoperability makes this the default.

How to fix
    Keep links purpose-bound (a link visible only to authorities entitled to both
    records), review links manually before they have effects, log and supervise access to
    the links, and let people see and contest them.
"""

from __future__ import annotations

from itertools import islice

from flowmap.findings import LIST_CAP, Kind, Severity
from flowmap.model import System
from flowmap.rules._support import Evidence, lead_category, union
from flowmap.rules.base import Context, Rule
from flowmap.words import categories_in_words, listing, plural, subjects_in_words

MIN_ORIGINS = 3
"""A linking component joins identity or biometric data of at least this many systems."""
LINKED = ("identity", "biometric")
"""The families of data whose joining is a link between people's records."""

MITIGATION = (
    "Keep links purpose-bound and visible only to those entitled to both records, have a person review a "
    "link before it has effects, log and supervise access to the links, and let people see and contest them."
)


def links(system: System) -> bool:
    """Whether a system links identities: it uses the identity linking technology.

    >>> from flowmap.model import System
    >>> links(System(id="cir", sector="interoperability", technologies=["identity_linking"]))
    True
    >>> links(System(id="sbms", sector="interoperability", kind="component", technologies=["biometric_matching"]))
    False
    >>> links(System(id="police-db", sector="police"))
    False
    """
    return "identity_linking" in system.technologies


def linked_data(ctx: Context, system_id: str) -> dict[str, int]:
    """Identity or biometric category -> the bitset of the origins whose data of it is available
    at a system (:meth:`~flowmap.graph.Graph.origin_bits_at`)."""
    graph = ctx.graph
    out = {}
    for category in graph.categories:
        if category.split(".", 1)[0] in LINKED:
            bits = graph.origin_bits_at(system_id, category)
            if bits:
                out[category] = bits
    return out


def check(ctx: Context):
    """One finding per linking component that joins the records of three or more systems."""
    evidence = Evidence.of(ctx)
    for system in ctx.systems:
        if not links(system):
            continue
        by_category = linked_data(ctx, system.id)
        bits = union(by_category)
        count = bits.bit_count()
        if count < MIN_ORIGINS:
            continue
        origins = list(islice(evidence.in_order(by_category), LIST_CAP))  # the most important first
        categories = sorted(by_category, key=lambda c: (-ctx.taxonomy.sensitivity(c), c))
        subjects = evidence.subjects(bits)
        names = [ctx.system(o).display_name for o in origins[:3]]
        people = f", about {subjects_in_words(subjects)}," if subjects else ""
        message = (
            f"{system.display_name} joins {categories_in_words(categories)} from {plural(count, 'system')} "
            f"({listing(names, total=count)}){people} into links between the records of the same people: a profile "
            "none of those systems was built to hold. A wrong link merges two people; a right one shows anyone with "
            "access to the links what the other systems hold about them."
        )
        paths = []
        for origin in (o for o in evidence.in_order(by_category) if o != system.id):
            bit = ctx.graph.origin_bit(origin)
            own = [c for c, origins_of_c in by_category.items() if origins_of_c & bit]
            found = ctx.graph.path(origin, lead_category(ctx, own), system.id)
            if found is not None:
                paths.append(found)
            if len(paths) == 3:
                break
        yield RULE.finding(
            ctx, system,
            severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(categories), vulnerable=ctx.vulnerable(subjects),
                               structural=True),
            title=f"{system.display_name} links the records of the same people across {plural(count, 'system')}",
            message=message,
            categories=categories,
            subjects=subjects,
            origins=origins,
            origins_total=count,
            paths=paths,
            mitigation=MITIGATION,
        )


RULE = Rule(
    id="identity_linking",
    name="component joining identities from three or more systems",
    kind=Kind.structural,
    default_severity=Severity.medium,
    principles=("purpose_limitation", "data_minimisation", "accuracy"),
    linddun="linking",
    check=check,
    doc=__doc__,
)
