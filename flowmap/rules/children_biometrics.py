"""Children's biometrics, and where they travel.

What it detects
    Systems that collect biometric data (any ``biometric.*`` category) from children: they
    list ``child`` among their subjects, or a ``min_age`` below 18 applies to a biometric
    category they hold (or to one of their people groups: Eurodac takes fingerprints from
    the age of 6, ``min_age: {biometric.fingerprint: 6}``). The message gives the age of
    collection where the model records it. One finding per such system, anchored at it: the
    collection is where the age limit, the purposes and the deletion at majority are
    decided. The evidence lists the systems the children's biometric data can reach (the
    actors of concern first, with their exact number), names the actors of concern, and
    gives up to three shortest paths to them. The finding is at least ``high``;
    ``critical`` when the data can reach the country a person fled.

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

>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
...     {"id": "eurodac", "sector": "asylum", "holds": ["biometric.fingerprint"], "purposes": ["protection.asylum"],
...      "subjects": ["asylum_seeker", "child"]},
...     {"id": "hub", "sector": "interoperability"},
...     {"id": "police", "sector": "police", "actor": "law_enforcement"}],
...   "flows": [{"from": "eurodac", "to": "hub", "data": ["biometric"], "purpose": "operations.interoperability"},
...             {"from": "hub", "to": "police", "data": ["biometric"], "purpose": "enforcement.law"}]})
>>> (f,) = check(Context(m))
>>> f.id, f.severity.name, f.reached, f.paths
('children_biometrics:eurodac', 'high', ['police', 'hub'], [['eurodac', 'hub', 'police']])
"""

from __future__ import annotations

from flowmap.findings import LIST_CAP, Kind, Severity
from flowmap.model import System
from flowmap.rules._support import bitset
from flowmap.rules.base import Context, Rule
from flowmap.words import actor_words, categories_in_words, category_words, listing, plural, subjects_in_words

ACTOR_ORDER = (  # the order actors of concern are named in: the worst places for a child's data first
    "origin_country", "third_country", "immigration_enforcement", "law_enforcement", "intelligence", "military",
    "international_org", "private_contractor",
)
CHANGING = ("biometric.face", "biometric.fingerprint")  # traits that change as children grow
MITIGATION = (
    "Raise the age of collection, limit children's biometrics to child-protection purposes, exclude "
    "them from enforcement access and delete them at majority; document a best-interests assessment."
)


def _is_biometric(category: str) -> bool:
    return category == "biometric" or category.startswith("biometric.")


def _actor_rank(actor: str) -> int:
    return ACTOR_ORDER.index(actor) if actor in ACTOR_ORDER else len(ACTOR_ORDER)


def check(ctx: Context):
    """One finding per system collecting children's biometrics.

    Notes
    -----
    The systems each origin's biometric data reaches are one bitset per category
    (:meth:`~flowmap.graph.Graph.reached_bits`: one push per category for every origin);
    actors of concern are told apart by one mask per actor type, so only the actors named
    and the systems listed are ever looked up.
    """
    graph = ctx.graph
    collecting = [o for o in ctx.systems if any(_is_biometric(c) and o.children_for(c) for c in o.holds)]
    if not collecting:
        return
    biometric = [c for c in graph.categories if _is_biometric(c)]
    reached_in = {}  # category -> origin -> the systems its data of it reaches
    for category in biometric:
        origins = set(graph.origins_of(category))
        reached_in[category] = graph.reached_bits(category, [o.id for o in collecting if o.id in origins])
    concern = _Concern(ctx)
    for origin in collecting:
        categories = [c for c in biometric if origin.id in reached_in[c]]
        reached_bits = 0
        for category in categories:
            reached_bits |= reached_in[category][origin.id]
        reached_bits &= ~graph.origin_bit(origin.id)  # not the origin itself
        actor_bits = reached_bits & concern.mask
        actors = concern.first(actor_bits, LIST_CAP)  # the worst places first
        types = concern.types(actor_bits)
        reached = [a.id for a in actors] + graph.bits_to_origins("", reached_bits & ~concern.mask, limit=LIST_CAP - len(actors))
        first_category = {  # the first biometric category that reaches each of the actors a path is shown to
            a.id: next(c for c in categories if reached_in[c][origin.id] & graph.origin_bit(a.id)) for a in actors[:3]
        }
        paths = _paths(ctx, origin.id, [(a.id, first_category[a.id]) for a in actors[:3]])
        fled = "origin_country" in types
        count, actor_count = reached_bits.bit_count(), actor_bits.bit_count()
        yield RULE.finding(
            ctx, origin,
            severity=Severity.critical if fled else Severity.high,
            title=_title(origin, categories, count, actor_count),
            message=_message(ctx, origin, categories, count, actors, actor_count, types),
            categories=categories,
            subjects=origin.people,
            origins=[origin.id],
            reached=reached,
            reached_total=count,
            paths=paths,
            mitigation=MITIGATION,
            actor_types=len(types),
        )


class _Concern:
    """The actors of concern of a model as bitsets (:meth:`~flowmap.graph.Graph.origin_bit`): one
    mask per rank of :data:`ACTOR_ORDER` (the types it does not list share the last rank), and
    one per actor type."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        by_type: dict[str, list[int]] = {}
        for position, system in enumerate(ctx.systems):  # bit i stands for the i-th system in id order
            if system.actor:
                by_type.setdefault(system.actor, []).append(position)
        self.by_type = {actor: bitset(positions) for actor, positions in by_type.items()}
        self.mask = bitset(p for positions in by_type.values() for p in positions)
        self.by_rank = [0] * (len(ACTOR_ORDER) + 1)
        for actor, bits in self.by_type.items():
            self.by_rank[_actor_rank(actor)] |= bits

    def first(self, bits: int, limit: int) -> list[System]:
        """The first ``limit`` actors of ``bits`` in the order they are named: the worst types first
        (:data:`ACTOR_ORDER`), then by id."""
        out: list[System] = []
        systems = self.ctx.graph.systems  # bit i stands for the i-th system in id order
        for mask in self.by_rank:
            found = bits & mask
            while found and len(out) < limit:
                low = found & -found
                out.append(systems[low.bit_length() - 1])
                found ^= low
        return out

    def types(self, bits: int) -> list[str]:
        """The actor types among the actors of ``bits``, the worst first."""
        return sorted((t for t, mask in self.by_type.items() if bits & mask), key=lambda t: (_actor_rank(t), t))


def _paths(ctx: Context, origin: str, targets: list[tuple[str, str]]) -> list[tuple[list[str], list[str]]]:
    """Shortest routes of ``origin``'s data to each (target, category), in the order given."""
    return [found for found in ctx.graph.paths(origin, targets) if found is not None]


def _from_age(origin: System, categories: list[str]) -> str:
    """", from the age of 6" when every category's age is recorded and the same; the ages per
    category otherwise (" (fingerprints from the age of 12)"); "" when the model gives none.

    >>> s = System(id="vis", sector="visa", min_age={"biometric.fingerprint": 6, "biometric.face": 12})
    >>> _from_age(s, ["biometric.face", "biometric.fingerprint"])
    ' (facial images from the age of 12 and fingerprints from the age of 6)'
    >>> _from_age(s, ["biometric.fingerprint"]), _from_age(s, ["biometric.iris", "biometric.fingerprint"])
    (', from the age of 6', ' (fingerprints from the age of 6)')
    """
    ages = {c: origin.min_age_for(c) for c in categories}
    known = {c: a for c, a in ages.items() if a is not None}
    if not known:
        return ""
    if len(known) == len(ages) and len(set(known.values())) == 1:
        return f", from the age of {next(iter(known.values()))}"
    return " (" + listing([f"{category_words(c)} from the age of {a}" for c, a in known.items()],
                          limit=len(known)) + ")"


def _title(origin: System, categories: list[str], reached: int, actors: int) -> str:
    where = (
        f"reaching {plural(actors, 'actor')} of concern" if actors
        else f"reaching {plural(reached, 'other system')}, no actor of concern"
    )
    return f"{origin.display_name} collects children's {categories_in_words(categories)}, {where}"


def _message(ctx: Context, origin: System, categories: list[str], reached: int, actors: list[System],
             actor_count: int, types: list[str]) -> str:
    """``reached``: how many systems the data reaches; ``actors``: the first of the ``actor_count``
    actors of concern among them, of ``types``."""
    parts = [f"{origin.display_name} collects {categories_in_words(categories)} of {subjects_in_words(origin.people)}"
             f"{_from_age(origin, categories)}."]
    if not reached:
        parts.append("The model records no flow that passes the children's biometric data on.")
    elif not actor_count:
        parts.append(f"The data can reach {plural(reached, 'other system')}, no actor of concern among them.")
    else:
        named = listing([f"{a.display_name} ({actor_words(a.actor)})" for a in actors[:3]], total=actor_count)
        if actor_count == 1:
            concern = f"{'an' if reached == 1 else 'one of them an'} actor of concern: {named}"
        elif len(types) == 1:
            concern = f"{actor_count} of them actors of concern: {named}"
        else:
            concern = (f"{actor_count} of them actors of concern of {len(types)} types "
                       f"({listing([actor_words(t) for t in types], limit=len(types))}): {named}")
        parts.append(f"The data can reach {plural(reached, 'other system')}, {concern}.")
    if any(c in CHANGING for c in categories):
        parts.append("Children's faces and fingerprints change as they grow, so matches are less reliable; "
                     "the records follow them into adulthood.")
    else:
        parts.append("The records follow them into adulthood.")
    return " ".join(parts)


RULE = Rule(
    id="children_biometrics",
    name="biometric data about children, and where it travels",
    kind=Kind.exposure,
    default_severity=Severity.high,
    principles=("best_interests_of_the_child", "necessity_and_proportionality", "data_minimisation"),
    linddun="identifying",
    check=check,
    doc=__doc__,
)
