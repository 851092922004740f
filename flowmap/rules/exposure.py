"""Exposure: sensitive data reaches an actor of concern.

What it detects
    Flows where data of high sensitivity or above (configurable) enters the hands of a
    system marked ``actor:`` (law enforcement, immigration enforcement, intelligence,
    military, a third country, the country a person fled, a private contractor, an
    international organisation), from a system that is not an actor of the same type.
    One finding per such flow, anchored at it: the point where the data could be stopped.
    The evidence names the origins whose data crosses it (capped, with their exact
    number), the categories and people groups, and up to three shortest witness paths.
    The actor's own records crossing back to it do not count.

Why it matters
    Every actor that can see data is a place where it can be misused, leaked or
    used against the person. Interoperability multiplies such places, and the flow
    where data enters an actor's hands is where access can be narrowed or refused.

How to fix
    Narrow or remove the flow (carry fewer categories, replace a copy by a hit/no-hit
    query, limit what it forwards to the source's own records), or document why the access
    is necessary and proportionate and accept the finding with a reason.
"""

from __future__ import annotations

from flowmap.findings import Kind, Severity
from flowmap.rules._support import Evidence, bulk, entries_by_flow
from flowmap.rules.base import Context, Rule
from flowmap.words import sentence_case, actor_words, categories_in_words, listing, plural, subjects_in_words

MITIGATION = (
    "Narrow or remove this flow (fewer categories, a hit/no-hit query instead of a copy, only the "
    "source's own records), or document the necessity and proportionality of this access and accept the finding."
)


def check(ctx: Context):
    """One finding per flow where sensitive data enters an actor's hands."""
    evidence = Evidence.of(ctx)
    for edges in entries_by_flow(ctx, lambda s: bool(s.actor)):
        edge = edges[0]
        bits, categories = 0, set()
        for entering in edges:  # the actor's own records coming back to it do not count
            found, kinds = evidence.crossing(entering, category_ok=ctx.is_sensitive,
                                             exclude=ctx.graph.origin_bit(entering.target))
            bits |= found
            categories.update(kinds)
        if not bits:
            continue
        categories = sorted(categories)
        actor = ctx.system(edge.target)
        origins = evidence.named(bits)
        total = bits.bit_count()
        subjects = evidence.subjects(bits)
        names = [ctx.system(o).display_name for o in origins]
        people = f" about {subjects_in_words(subjects)}" if subjects else ""
        message = (
            f"{sentence_case(categories_in_words(categories))}{people}, from {plural(total, 'origin')} "
            f"({listing(names, total=total)}), enter the hands of {actor.display_name}, an actor of concern "
            f"({actor_words(actor.actor)}), through the flow {edge.id} "
            f"from {ctx.system(edge.source).display_name}."
        )
        yield RULE.finding(
            ctx, edge,
            severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(categories), vulnerable=ctx.vulnerable(subjects),
                               actor=actor.actor, volume=any(bulk(e) for e in edges)),
            title=f"Sensitive data enters {actor.display_name} ({actor_words(actor.actor)}) through {edge.id}",
            message=message,
            categories=categories,
            subjects=subjects,
            origins=origins,
            origins_total=total,
            paths=evidence.paths(edges, bits, categories),
            mitigation=MITIGATION,
            actor_types=1,
        )


RULE = Rule(
    id="exposure",
    name="sensitive data reaches an actor of concern",
    kind=Kind.exposure,
    default_severity=Severity.medium,
    principles=("purpose_limitation", "necessity_and_proportionality", "security"),
    linddun="data_disclosure",
    check=check,
    doc=__doc__,
)
