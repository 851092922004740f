"""Function creep: data used for a purpose beyond why it was collected.

What it detects
    Flows where data arrives for a purpose incompatible with every purpose it was
    collected for (two purposes are compatible when they share their first segment or
    the taxonomy lists the pair). The finding is anchored at the *first* such flow on a
    chain of compatible flows, for at least one origin: it is where the new use begins.
    Flows further downstream of an incompatible one are consequences of the same creep
    and are not reported again for that origin. One finding per flow; the evidence
    names the origins whose purposes it breaks, the categories and people groups, and up
    to three witness paths, each a chain of compatible flows ending in this one.

    Three cases are told apart, with different words and severities:

    - the purpose is among the origin's ``purposes`` (why people gave the data): no
      finding;
    - it is a purpose a law *added* later (the origin's ``further_purposes``, with the
      provision): authorised, still function creep in the critics' sense; the message
      says "a further purpose added by" the provision, one severity step lower and never
      critical (a further purpose matches that purpose and those below it, not its family);
    - it is neither: a use for which no purpose of collection and no added purpose
      accounts. A legal basis recorded on the flow is quoted; it does not suppress the
      finding.

Why it matters
    Purpose limitation (GDPR Art. 5(1)(b), LED Art. 4(1)(b)) is the promise made
    to people when their data is taken: fingerprints given to claim asylum are
    for examining the claim. When the same records are opened to the police or
    used for removal, the people concerned never agreed, often cannot know, and
    lose trust in the service that collected them. A law can authorise the new
    use, but it remains a new use whose necessity and proportionality must be
    shown.

How to fix
    Remove the flow, narrow it to categories and cases where the new purpose
    is compatible, or put it behind safeguards (prior judicial authorisation,
    hit/no-hit only, a cascade that consults other sources first) and record a
    necessity and proportionality assessment; then accept the finding with that
    reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flowmap.findings import Kind, Severity
from flowmap.graph import Edge
from flowmap.model import System
from flowmap.rules._support import bulk, lead_category, origins_in_order
from flowmap.rules.base import Context, Rule
from flowmap.severity import grade
from flowmap.words import sentence_case, categories_in_words, citations, listing, plural, purpose_words, subjects_in_words

MITIGATION = (
    "Remove the flow, narrow it to the categories and cases the purposes of collection allow, or put it "
    "behind safeguards (prior independent authorisation, hit/no-hit only, a cascade that consults other "
    "sources first), record a necessity and proportionality assessment, and accept the finding with it."
)


@dataclass
class _Use:
    """What arrives through one flow for a purpose beyond collection: per origin, the categories."""

    edges: list[Edge] = field(default_factory=list)
    by_origin: dict[str, set[str]] = field(default_factory=dict)
    key_of: dict[str, tuple] = field(default_factory=dict)  # origin -> its purpose signature


def _compatible(ctx: Context, used: str, purposes: tuple[str, ...]) -> bool:
    return any(ctx.taxonomy.compatible(used, p) for p in purposes)


def _allowed(ctx: Context, purposes: tuple[str, ...]):
    """The test of whether an edge's every purpose is compatible with one of ``purposes``
    (one test per purpose set and analysis, deciding each set of flow purposes once)."""

    def build():
        decided: dict[tuple[str, ...], bool] = {}  # per set of flow purposes
        by_flow: dict[str, bool] = {}

        def allowed(edge: Edge) -> bool:
            found = by_flow.get(edge.flow.id)
            if found is None:
                used = tuple(edge.flow.purposes)
                found = decided.get(used)
                if found is None:
                    found = decided[used] = all(_compatible(ctx, p, purposes) for p in used)
                by_flow[edge.flow.id] = found
            return found

        return allowed

    return ctx.cached(("function_creep.allowed", purposes), build)


def first_uses(ctx: Context) -> dict[str, _Use]:
    """Flow id -> the first incompatible uses it carries, for every origin with purposes.

    Notes
    -----
    Origins are grouped by their purposes; per (category, group) one reach over the
    compatible flows (:meth:`~flowmap.graph.Graph.reach`) finds where each origin's data
    can go without creep, and the incompatible flows leaving those places are the first uses.
    """
    graph = ctx.graph
    uses: dict[str, _Use] = {}
    for category in graph.categories:
        groups: dict[tuple[str, ...], list[str]] = {}
        for origin in graph.origins_of(category):
            purposes = tuple(sorted(set(ctx.system(origin).purposes)))
            if purposes:
                groups.setdefault(purposes, []).append(origin)
        carrying = graph.edges_carrying(category)
        for purposes, members in sorted(groups.items()):
            allowed = _allowed(ctx, purposes)
            wrong = [e for e in carrying if not allowed(e)]
            if not wrong:
                continue
            key = ("function_creep", purposes)
            reach = graph.reach(category, origins=members, allowed=allowed, key=key)
            for edge in wrong:
                bits = graph.crossing_bits(edge, category, reach)
                if not bits:
                    continue
                use = uses.setdefault(edge.flow.id, _Use())
                if edge not in use.edges:
                    use.edges.append(edge)
                for origin in graph.bits_to_origins(category, bits):
                    use.by_origin.setdefault(origin, set()).add(category)
                    use.key_of[origin] = purposes
    return dict(sorted(uses.items()))


def _added_by(system: System, used: list[str], ctx: Context) -> list[str] | None:
    """The provisions that added every purpose in ``used`` to the system's purposes, or
    ``None`` when some purpose was not added by law."""
    provisions: list[str] = []
    for purpose in used:
        matching = [fp for fp in system.further_purposes
                    if purpose == fp.purpose or purpose.startswith(fp.purpose + ".")]  # that purpose, not its family
        if not matching:
            return None
        for fp in matching:
            provisions.extend(b for b in fp.by if b not in provisions)
    return provisions


def check(ctx: Context):
    """One finding per flow of first incompatible use."""
    for flow_id, use in first_uses(ctx).items():
        flow = ctx.graph.flow(flow_id)
        beyond = {  # per origin, the flow's purposes its collection does not account for
            origin: [p for p in flow.purposes if not _compatible(ctx, p, use.key_of[origin])]
            for origin in use.by_origin
        }
        added = {o: _added_by(ctx.system(o), beyond[o], ctx) for o in use.by_origin}
        unauthorised = [o for o in use.by_origin if added[o] is None]
        by_origin = {o: sorted(c) for o, c in use.by_origin.items()}
        origins = origins_in_order(ctx, by_origin)
        categories = sorted({c for cats in by_origin.values() for c in cats})
        subjects = ctx.subjects_of(origins)
        base = RULE.default_severity if unauthorised else Severity.low  # a use a law added: one step lower
        severity = grade(
            base, sensitivity=ctx.sensitivity(categories), vulnerable=ctx.vulnerable(subjects),
            volume=any(bulk(e) for e in use.edges),
        )
        if not unauthorised:  # a purpose the law added is authorised: never graded as a use without basis
            severity = min(severity, Severity.high)
        paths = []
        for origin in origins[:3]:
            key = ("function_creep", use.key_of[origin])
            allowed = _allowed(ctx, use.key_of[origin])
            for edge in use.edges:
                found = ctx.graph.path_to(origin, lead_category(ctx, by_origin[origin]), edge, allowed=allowed, key=key)
                if found is not None:
                    paths.append(found)
                    break
        yield RULE.finding(
            ctx, flow,
            severity=severity,
            title=_title(flow, categories, bool(unauthorised)),
            message=_message(ctx, flow, by_origin, origins, subjects, beyond, added, unauthorised),
            categories=categories,
            subjects=subjects,
            origins=origins,
            paths=paths,
            mitigation=MITIGATION,
        )


def _title(flow, categories: list[str], unauthorised: bool) -> str:
    purposes = listing([purpose_words(p) for p in flow.purposes])
    what = "used for" if unauthorised else "used for a further purpose added by law:"
    return f"{sentence_case(categories_in_words(categories, limit=2))} {what} {purposes} ({flow.id})"


def _message(ctx: Context, flow, by_origin, origins, subjects, beyond, added, unauthorised) -> str:
    sources = ctx.model.sources
    names = [ctx.system(o).display_name for o in origins]
    categories = sorted({c for cats in by_origin.values() for c in cats})
    people = f" about {subjects_in_words(subjects)}" if subjects else ""
    collected = listing(sorted({purpose_words(p) for o in origins for p in ctx.system(o).purposes}))
    head = (
        f"{sentence_case(categories_in_words(categories))}{people}, collected by {plural(len(origins), 'origin')} "
        f"({listing(names)}) for {collected}, arrive through the flow {flow.id} at "
        f"{ctx.system(flow.target).display_name} for {listing([purpose_words(p) for p in flow.purposes])}."
    )
    parts = [head]
    if unauthorised:
        shown = [ctx.system(o).display_name for o in unauthorised]
        used = sorted({p for o in unauthorised for p in beyond[o]})
        parts.append(
            f"For the data of {listing(shown, total=len(unauthorised))}, {listing([purpose_words(p) for p in used])} "
            f"is none of the purposes of collection, and no law is recorded as adding it to them."
        )
        if flow.legal_basis:
            parts.append(f"The flow cites as its legal basis: {citations(sources, flow.legal_basis)}.")
        else:
            parts.append("The model records no legal basis for the flow.")
    authorised = [o for o in origins if added[o] is not None]
    if authorised:
        provisions = sorted({p for o in authorised for p in added[o]})
        shown = [ctx.system(o).display_name for o in authorised]
        parts.append(
            f"For the data of {listing(shown, total=len(authorised))}, this is a further purpose added by "
            f"{citations(sources, provisions)}, beyond why people gave the data: authorised, and still a new use "
            f"whose necessity and proportionality must be shown."
        )
    return " ".join(parts)


RULE = Rule(
    id="function_creep",
    name="data used for a purpose beyond why it was collected",
    kind=Kind.function_creep,
    default_severity=Severity.medium,
    principles=("purpose_limitation", "necessity_and_proportionality"),
    linddun="non_compliance",
    check=check,
    doc=__doc__,
)
