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

from flowmap.findings import Confidence, Finding, Kind, Severity
from flowmap.rules._support import Trees, describe, origin_mask, origins_reaching, plural, set_bits, systems_by_id
from flowmap.rules.base import Context, Rule
from flowmap.taxonomy import Sensitivity

ACTOR_ORDER = ("origin_country", "third_country")  # the worst first, for severity
MITIGATION = (
    "Raise the age of collection, limit children's biometrics to child-protection purposes, exclude "
    "them from enforcement access and delete them at majority; document a best-interests assessment."
)


def _is_biometric(category: str) -> bool:
    return category == "biometric" or category.startswith("biometric.")


def check(ctx: Context):
    """One finding per origin of children's biometrics; severity (from the worst actor its data
    reaches) is decided here, the text and path when the finding is first read (see :class:`_Evidence`)."""
    index = ctx.propagation.index
    ids, position = index.ids, index.position
    origins = {
        position[s.id] for s in ctx.model.systems if "child" in s.subjects and any(map(_is_biometric, s.holds))
    }
    if not origins:
        return
    actor_type = {position[s.id]: s.actor for s in ctx.systems if s.actor}
    # (origin, actor) -> the biometric categories (sorted) by which the origin's data reaches the actor
    reached = origins_reaching(ctx, list(actor_type), category_ok=_is_biometric, origins=origins)
    actors: dict[int, list[int]] = defaultdict(list)
    for origin, actor in sorted(reached):
        actors[origin].append(actor)
    evidence = _Evidence(ctx, reached, actors, origins)
    principles = list(RULE.principles)  # shared: findings are not changed in place
    grade = ctx.grader(RULE)
    for origin in sorted(origins):  # system indices follow id order
        found = actors.get(origin)
        worst = actor_type[min(found, key=lambda a: (_rank(actor_type[a]), a))] if found else None
        yield Finding.deferred(
            f"children_biometrics:{ids[origin]}", "children_biometrics", RULE.kind,
            grade(Sensitivity.special, True, worst), Confidence.high,
            principles, evidence, (origin,),
        )


class _Evidence:
    """Writes the text and witness path of a children's biometrics finding when it is first read.

    How many systems each origin's biometrics reach is counted for all origins at once, on the
    first render; the path to an origin's first actor (by id) is one breadth-first search.
    """

    def __init__(self, ctx: Context, reached: dict, actors: dict[int, list[int]], origins: set[int]):
        self.ctx, self.reached, self.actors, self.origins = ctx, reached, actors, origins
        self.ids = ctx.propagation.index.ids
        self.systems = systems_by_id(ctx)
        self.trees = Trees(ctx, self._requests)
        self.counts: dict[int, int] | None = None

    def _requests(self) -> dict[tuple[int, str], list[int]]:
        return {(origin, self.reached[(origin, found[0])][0]): [found[0]] for origin, found in self.actors.items()}

    def _count(self, origin: int) -> int:
        """How many other systems the origin's biometric data reaches."""
        if self.counts is None:
            prop = self.ctx.propagation
            reached: dict[int, set[int]] = defaultdict(set)
            for category in prop.categories:
                if _is_biometric(category):
                    nodes = prop.origins[category]
                    mask = origin_mask(nodes, self.origins)
                    for node, bits in prop.reach[category].items():
                        hit = bits & mask
                        if hit:
                            for bit in set_bits(hit):
                                if nodes[bit] != node:
                                    reached[nodes[bit]].add(node)
            self.counts = {origin: len(nodes) for origin, nodes in reached.items()}
        return self.counts.get(origin, 0)

    def __call__(self, origin_node: int) -> tuple:
        """The finding's :data:`~flowmap.findings.TEXT_FIELDS`."""
        systems, ids = self.systems, self.ids
        origin = systems[ids[origin_node]]
        held = sorted(c for c in origin.holds if _is_biometric(c))
        found = [ids[a] for a in self.actors.get(origin_node, ())]  # in id order
        travels = (
            f"It can reach {plural(self._count(origin_node), 'other system')}, including these actors of concern: "
            f"{', '.join(describe(systems[a]) for a in found)}."
            if found
            else f"It can reach {plural(self._count(origin_node), 'other system')}, no actor of concern."
        )
        path, flows = [], []
        if found:
            first = self.actors[origin_node][0]
            lead = self.reached[(origin_node, first)][0]
            path, flows = self.trees.path(origin_node, lead, first) or ([], [])
        title = f"{origin.display_name} collects children's biometrics ({', '.join(held)})"
        message = f"{origin.display_name} collects {', '.join(held)} about children. {travels}"
        return title, message, [origin.id, *found], flows, held, path, MITIGATION


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
