"""Identity linking: a component that joins records of the same people from three or more systems.

What it detects
    Systems that use the ``identity_linking`` technology, or are of kind
    ``component``, at which identity or biometric data (``identity.*``,
    ``biometric.*``) from at least :data:`MIN_ORIGINS` (3) origin systems is
    available. One finding per such system, naming the origins.

Why it matters
    Linking records across databases built for different purposes creates a
    new, more complete profile of each person that no single law foresaw. A
    wrong link merges two people; a right one lets every authority with access
    to one system learn what the others hold. Interoperability makes this the
    default.

How to fix
    Keep links purpose-bound (a link visible only to authorities entitled to
    both records), review links manually before they have effects, log and
    supervise access to the links, and let people see and contest them.
"""

from __future__ import annotations


from flowmap.findings import Kind, Severity
from flowmap.model import Kind as SystemKind
from flowmap.rules._support import describe, plural, systems_by_id
from flowmap.rules.base import Context, Rule

MIN_ORIGINS = 3
LINKED = ("identity", "biometric")


def _linked(category: str) -> bool:
    return any(category == f or category.startswith(f + ".") for f in LINKED)


def check(ctx: Context):
    prop = ctx.propagation
    for system in ctx.systems:
        if "identity_linking" not in system.technologies and system.kind != SystemKind.component:
            continue
        pairs = [(o, c) for c in sorted(prop.categories_at(system.id)) if _linked(c) for o in prop.origins_at(system.id, c)]
        origins = sorted({o for o, _ in pairs})
        if len(origins) < MIN_ORIGINS:
            continue
        categories = sorted({c for _, c in pairs})
        yield RULE.finding(
            ctx,
            [system.id],
            severity=ctx.grade(
                RULE,
                sensitivity=ctx.sensitivity(categories),
                vulnerable=any(ctx.vulnerable(systems_by_id(ctx)[o]) for o in origins),
            ),
            title=f"{system.display_name} links identities across {plural(len(origins), 'system')}",
            message=(
                f"{describe(system)} joins {', '.join(categories)} about the same people from "
                f"{plural(len(origins), 'origin system')} ({', '.join(origins)}), creating profiles that none of them "
                "was built to hold; a wrong link merges two people, a right one reveals each system to the others."
            ),
            systems=[system.id, *[o for o in origins if o != system.id]],
            categories=categories,
            mitigation=(
                "Keep links purpose-bound and visible only to those entitled to both records, review them manually, "
                "log and supervise access, and let people see and contest them."
            ),
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
