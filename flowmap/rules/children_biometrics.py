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

from flowmap.findings import Kind, Severity
from flowmap.model import System
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


def _concern_order(actor: System) -> tuple:
    """Actors of concern in the order they are named: the worst types first, then by id."""
    return (_actor_rank(actor.actor), actor.id)


def _actor_rank(actor: str) -> int:
    return ACTOR_ORDER.index(actor) if actor in ACTOR_ORDER else len(ACTOR_ORDER)


def check(ctx: Context):
    """One finding per system collecting children's biometrics.

    Notes
    -----
    The systems reached are read from each biometric category's reach once, system by
    system, keeping only the collecting origins' bits (no per-origin search); actors
    are told apart by a set of ids, so only the actors reached are looked up and sorted.
    """
    graph = ctx.graph
    concern = {s.id for s in ctx.systems if s.actor}
    collecting = [o for o in ctx.systems if any(_is_biometric(c) and o.children_for(c) for c in o.holds)]
    reached_of = _reached(ctx, collecting)
    biometric = {c: set(graph.origins_of(c)) for c in graph.categories if _is_biometric(c)}
    for origin in collecting:
        categories = [c for c, origins in biometric.items() if origin.id in origins]
        reached_by = reached_of[origin.id]  # system -> the first biometric category that reaches it
        actors = sorted((ctx.system(s) for s in reached_by if s in concern), key=_concern_order)
        reached = [a.id for a in actors] + sorted(s for s in reached_by if s not in concern)
        paths = _paths(ctx, origin.id, [(a.id, reached_by[a.id]) for a in actors[:3]])
        fled = any(a.actor == "origin_country" for a in actors)
        yield RULE.finding(
            ctx, origin,
            severity=Severity.critical if fled else Severity.high,
            title=_title(origin, categories, reached, actors),
            message=_message(ctx, origin, categories, reached, actors),
            categories=categories,
            subjects=origin.people,
            origins=[origin.id],
            reached=reached,
            paths=paths,
            mitigation=MITIGATION,
            actor_types=len({a.actor for a in actors}),
        )


def _reached(ctx: Context, origins: list[System]) -> dict[str, dict[str, str]]:
    """Origin -> {system its biometric data reaches: the first category that does}, for the
    ``origins``: each category's reach read once, system by system, keeping only their bits."""
    graph = ctx.graph
    ids = [s.id for s in ctx.systems]  # a system's bit is its position in id order
    mask = 0
    for origin in origins:
        mask |= graph.origin_bit(origin.id)
    out: dict[str, dict[str, str]] = {o.id: {} for o in origins}
    for category in graph.categories:
        if not _is_biometric(category):
            continue
        reach = graph.reach(category)
        for position, system in enumerate(ids):
            found = reach.get(position, 0) & mask & ~(1 << position)  # not the origin itself
            for origin in graph.bits_to_origins(category, found) if found else ():
                out[origin].setdefault(system, category)
    return out


def _paths(ctx: Context, origin: str, targets: list[tuple[str, str]]) -> list[tuple[list[str], list[str]]]:
    """Shortest routes of ``origin``'s data to each (target, category), in the order given
    (the graph's search tree of each (origin, category) is shared by its targets)."""
    out = []
    for target, category in targets:
        found = ctx.graph.path(origin, category, target)
        if found is not None:
            out.append(found)
    return out


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


def _title(origin: System, categories: list[str], reached: list[str], actors: list[System]) -> str:
    where = (
        f"reaching {plural(len(actors), 'actor')} of concern" if actors
        else f"reaching {plural(len(reached), 'other system')}, no actor of concern"
    )
    return f"{origin.display_name} collects children's {categories_in_words(categories)}, {where}"


def _message(ctx: Context, origin: System, categories: list[str], reached: list[str], actors: list[System]) -> str:
    parts = [f"{origin.display_name} collects {categories_in_words(categories)} of {subjects_in_words(origin.people)}"
             f"{_from_age(origin, categories)}."]
    if not reached:
        parts.append("The model records no flow that passes the children's biometric data on.")
    elif not actors:
        parts.append(f"The data can reach {plural(len(reached), 'other system')}, no actor of concern among them.")
    else:
        named = listing([f"{a.display_name} ({actor_words(a.actor)})" for a in actors])
        types = sorted({a.actor for a in actors}, key=lambda t: (_actor_rank(t), t))
        if len(actors) == 1:
            concern = f"{'an' if len(reached) == 1 else 'one of them an'} actor of concern: {named}"
        elif len(types) == 1:
            concern = f"{len(actors)} of them actors of concern: {named}"
        else:
            concern = (f"{len(actors)} of them actors of concern of {len(types)} types "
                       f"({listing([actor_words(t) for t in types], limit=len(types))}): {named}")
        parts.append(f"The data can reach {plural(len(reached), 'other system')}, {concern}.")
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
