"""Children's biometrics, and where they travel.

What it detects
    Systems that collect biometric data (any ``biometric.*`` category) and list
    ``child`` among their subjects. One finding per such origin, naming the
    actors of concern that the children's biometric data can reach and how many
    systems it reaches in all, with the path to the first actor (by id). The
    finding is at least ``high``; ``critical`` when the data can reach the
    country a person fled.

Why it matters
    The best interests of the child come first (UN CRC Art. 3, Charter
    Art. 24). Children's faces and fingerprints change, so matching errors are
    frequent; the records outlive childhood and follow the person into
    adulthood; and the lower the age of collection (Eurodac now from six), the
    harder it is to justify as necessary and proportionate.

How to fix
    Raise the age of collection, collect only what a child-specific purpose
    needs (identifying missing or trafficked children), exclude children's data
    from enforcement access, and delete it at majority unless a decision
    requires otherwise; document a best-interests assessment.
"""

from __future__ import annotations

from collections import defaultdict

from flowmap.findings import Kind, Severity
from flowmap.rules._support import describe, flows_on, plural, systems_by_id, witness_paths
from flowmap.rules.base import Context, Rule
from flowmap.taxonomy import Sensitivity

ACTOR_ORDER = ("origin_country", "third_country")  # the worst first, for severity


def _is_biometric(category: str) -> bool:
    return category == "biometric" or category.startswith("biometric.")


def check(ctx: Context):
    systems = systems_by_id(ctx)
    prop = ctx.propagation
    ids = prop.index.ids
    origins = {s.id: s for s in ctx.systems if "child" in s.subjects and any(_is_biometric(c) for c in s.holds)}
    if not origins:
        return
    actor_nodes = {prop.index.position[s.id] for s in ctx.systems if s.actor}
    actors: dict[str, set[str]] = defaultdict(set)
    reached: dict[str, set[int]] = defaultdict(set)
    lead: dict[tuple[str, str], str] = {}
    for category in prop.categories:
        if not _is_biometric(category):
            continue
        mine = {bit: ids[node] for bit, node in enumerate(prop.origins[category]) if ids[node] in origins}
        if not mine:
            continue
        mask = sum(1 << bit for bit in mine)
        for node, bits in prop.reach[category].items():
            hit = bits & mask
            while hit:
                low = hit & -hit
                hit ^= low
                origin = mine[low.bit_length() - 1]
                if ids[node] != origin:
                    reached[origin].add(node)
                    if node in actor_nodes:
                        actors[origin].add(ids[node])
                        lead.setdefault((origin, ids[node]), category)
    first = {o: min(a) for o, a in actors.items()}
    paths = witness_paths(ctx, {(o, lead[(o, a)]): [a] for o, a in first.items()})
    for origin_id, origin in sorted(origins.items()):
        held = sorted(c for c in origin.holds if _is_biometric(c))
        found = sorted(actors.get(origin_id, ()), key=lambda a: (_rank(systems[a].actor), a))
        worst = systems[found[0]].actor if found else None
        path = paths.get((origin_id, first[origin_id]), []) if found else []
        travels = (
            f"It can reach {plural(len(reached[origin_id]), 'other system')}, including these actors of concern: "
            f"{', '.join(describe(systems[a]) for a in sorted(found))}."
            if found
            else f"It can reach {plural(len(reached.get(origin_id, ())), 'other system')}, no actor of concern."
        )
        yield RULE.finding(
            ctx,
            [origin_id],
            severity=ctx.grade(RULE, sensitivity=Sensitivity.special, vulnerable=True, actor=worst),
            title=f"{origin.display_name} collects children's biometrics ({', '.join(held)})",
            message=f"{origin.display_name} collects {', '.join(held)} about children. {travels}",
            systems=[origin_id, *sorted(found)],
            flows=flows_on(ctx, path, lead[(origin_id, first[origin_id])]) if found else [],
            categories=held,
            path=path,
            mitigation=(
                "Raise the age of collection, limit children's biometrics to child-protection purposes, exclude "
                "them from enforcement access and delete them at majority; document a best-interests assessment."
            ),
        )


def _rank(actor: str | None) -> int:
    return ACTOR_ORDER.index(actor) if actor in ACTOR_ORDER else len(ACTOR_ORDER)


RULE = Rule(
    id="children_biometrics",
    name="biometric data about children, and where it travels",
    kind=Kind.exposure,
    default_severity=Severity.low,
    principles=("best_interests_of_the_child", "necessity_and_proportionality", "data_minimisation"),
    linddun="identifying",
    check=check,
    doc=__doc__,
)
