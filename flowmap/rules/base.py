"""What every rule is made of: metadata, and a check over the analysis context.

A rule lives in its own module ``flowmap/rules/<rule_id>.py`` as ``RULE = Rule(...)``
whose module docstring says what it detects, why it matters and how to fix it;
:mod:`flowmap.rules` lists the rules explicitly (no import-time registry). A rule reads the
model through :class:`Context` and its :class:`~flowmap.graph.Graph`, and makes each finding
with :meth:`Rule.finding`, which builds the id from the anchor and caps the evidence.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterable

from flowmap.findings import LIST_CAP, PATHS_CAP, Anchor, Confidence, Finding, Kind, Question, Severity
from flowmap.graph import Edge, Graph, graph_of
from flowmap.model import Flow, Model, System
from flowmap.ranking import Breadth
from flowmap.severity import grade
from flowmap.taxonomy import Sensitivity, Taxonomy
from flowmap.words import listing, safeguard_words

__all__ = ["Rule", "Context", "LINDDUN"]

# Enum members read for every finding, read once: in Python 3.11 reading a member off its class costs
# ~0.4 µs (EnumType.__getattr__ slows every class attribute)
_LOW_CONFIDENCE, _MEDIUM, _LEAST_SENSITIVE = Confidence.low, Severity.medium, Sensitivity.low

LINDDUN = (
    "linking",
    "identifying",
    "non_repudiation",
    "detecting",
    "data_disclosure",
    "unawareness",
    "non_compliance",
)


@dataclass(frozen=True)
class Rule:
    """A rule: stable id, name, kind, default severity, principles at stake, LINDDUN category,
    and the aspects its ids may end in (empty: one finding per anchor)."""

    id: str
    name: str
    kind: Kind
    default_severity: Severity
    principles: tuple[str, ...]
    linddun: str
    check: Callable[["Context"], Iterable[Finding]] = field(repr=False, compare=False)
    doc: str = ""  # the rule module's docstring: what, why, how to fix
    aspects: tuple[str, ...] = ()

    def finding(
        self,
        ctx: "Context",
        anchor: System | Flow | Edge,
        *,
        severity: Severity,
        title: str,
        message: str,
        aspect: str | None = None,
        confidence: Confidence = Confidence.high,
        categories: Iterable[str] = (),
        subjects: Iterable[str] = (),
        origins: list[str] = (),
        origins_total: int | None = None,
        reached: list[str] | None = None,
        reached_total: int | None = None,
        paths: list[tuple[list[str], list[str]]] = (),
        systems: Iterable[str] = (),
        flows: Iterable[str] = (),
        mitigation: str = "",
        question: str = "",
        asks: str | None = None,
        actor_types: int = 0,
        principles: Iterable[str] | None = None,
        questions: Iterable[Question] = (),
    ) -> Finding:
        """A finding of this rule anchored at a system or flow.

        ``origins`` and ``reached`` are complete lists, the most important first: they are cut
        at :data:`~flowmap.findings.LIST_CAP` with their exact totals; or the first few, with the
        totals given (``origins_total``, ``reached_total``: counted from bitsets). ``paths`` are (systems,
        flows) witness routes, at most :data:`~flowmap.findings.PATHS_CAP` kept. A finding
        that rests on unknowns is never critical: it is a question to answer. ``principles``
        default to the rule's; ``questions`` are those a gathered finding holds (:mod:`flowmap.questions`).
        """
        if aspect is not None and aspect not in self.aspects:
            raise ValueError(f"rule {self.id} has no aspect {aspect!r}")
        if isinstance(anchor, Edge):
            anchor = anchor.flow
        if isinstance(anchor, Flow):
            if anchor.subjects:  # the flow carries only these people's data
                subjects = [s for s in subjects if s in anchor.subjects] or list(anchor.subjects)
            notes = _flow_notes(ctx, anchor)
            if notes:
                message = " ".join(part for part in (message, *notes) if part)
            safeguards = sorted(set(anchor.safeguards)) if anchor.safeguards else []
            where = Anchor("flow", anchor.id)
            listed_systems = [anchor.source, anchor.target]
            listed_flows = [anchor.id]
        else:
            where = Anchor("system", anchor.id)
            listed_systems, listed_flows = [anchor.id], []
            safeguards = []
        asked = listed_systems[0]
        kept_paths = paths[:PATHS_CAP]
        if systems or flows or kept_paths:  # the anchor's elements first, then the others, each once
            listed_systems, listed_flows = [*listed_systems, *systems], [*listed_flows, *flows]
            for path_systems, path_flows in kept_paths:
                listed_systems += path_systems
                listed_flows += path_flows
            listed_systems, listed_flows = list(dict.fromkeys(listed_systems)), list(dict.fromkeys(listed_flows))
        subjects = sorted(set(subjects))
        categories = sorted(set(categories))
        low = confidence is _LOW_CONFIDENCE
        if low and severity > _MEDIUM:
            severity = _MEDIUM
        shown_origins = list(origins[:LIST_CAP])  # a list even from the default ()
        if origins_total is None:
            origins_total = len(origins)
        if reached is None:
            shown_reached, reached_total = None, None
        else:
            shown_reached = reached[:LIST_CAP]
            if reached_total is None:
                reached_total = len(reached)
        return Finding(  # by position, in the order of its fields: 25 keywords cost more than the rest of it
            f"{self.id}:{where.id}:{aspect}" if aspect else f"{self.id}:{where.id}",  # id
            self.id,  # rule
            self.kind,  # kind
            severity,  # severity
            confidence,  # confidence
            title,  # title
            message,  # message
            where,  # anchor
            aspect,  # aspect
            listed_systems,  # systems
            listed_flows,  # flows
            categories,  # categories
            subjects,  # subjects
            shown_origins,  # origins
            origins_total,  # origins_total
            shown_reached,  # reached
            reached_total,  # reached_total
            [p for p, _ in kept_paths] if kept_paths else [],  # paths
            list(self.principles if principles is None else principles),  # principles
            mitigation,  # mitigation
            question if low else "",  # question
            (asks or asked) if low else None,  # asks
            safeguards,  # safeguards
            list(questions),  # questions
            Breadth(  # breadth: what the ranking weighs, in its order
                int("child" in subjects), ctx.count_special(categories), ctx.count_vulnerable(subjects),
                origins_total, actor_types, reached_total or 0,
            ),
        )


def _flow_notes(ctx: "Context", flow: Flow) -> list[str]:
    """What every finding anchored at a flow says about the flow itself: a transform that leaves
    the data personal (pseudonymised data is still personal data), and the safeguards that stand
    on it (the finding stands with them; the ranking weighs them)."""
    notes = []
    if flow.safeguards:
        named = [safeguard_words(s) for s in sorted(set(flow.safeguards))]
        notes.append(f"Safeguards recorded on this flow: {listing(named, limit=len(named))}. The finding stands "
                     "with them; they are weighed in its rank.")
    if flow.transform is not None and ctx.taxonomy.personal(flow.transform):
        term = ctx.taxonomy.transforms.get(flow.transform)
        about = f": {term.description.rstrip('.')}" if term and term.description else ""
        notes.append(f"The data passes {flow.transform}{about}. That is still personal data, so its categories "
                     "count as carried on.")
    return notes


@dataclass
class Context:
    """What rules read: the model, its taxonomy, its graph and options. Built once per analysis."""

    model: Model
    sensitive_from: Sensitivity = Sensitivity.high  # exposure counts categories at or above this

    _memo: dict = field(default_factory=dict, repr=False)
    _sensitivity_of: dict = field(default_factory=dict, repr=False)  # category -> Sensitivity, decided once

    @cached_property
    def taxonomy(self) -> Taxonomy:
        return self.model.effective_taxonomy

    def forget(self) -> None:
        """Drop what the rules memoised (:meth:`cached`) and the graph's path searches
        (:meth:`Graph.forget_searches`): called by the analysis once every rule has run."""
        self._memo.clear()
        self.graph.forget_searches()

    def cached(self, key: object, build: Callable[[], object]):
        """``build()``, computed once per analysis for ``key`` (derived data a rule reuses)."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]

    @cached_property
    def graph(self) -> Graph:
        return graph_of(self.model)

    @property
    def systems(self) -> list[System]:
        """Systems sorted by id."""
        return self.graph.systems

    @property
    def flows(self) -> list[Flow]:
        """Flows sorted by id."""
        return self.graph.flows

    @cached_property
    def system(self) -> Callable[[str], System]:
        """``ctx.system(system_id)``: the system with this id (one dict lookup: rules ask it
        hundreds of thousands of times)."""
        return {s.id: s for s in self.graph.systems}.__getitem__

    def sensitivity(self, categories: Iterable[str]) -> Sensitivity:
        """The highest sensitivity among ``categories`` (low when there are none)."""
        of = self._sensitivity_of
        found = _LEAST_SENSITIVE
        for category in categories:
            level = of.get(category)
            if level is None:
                level = of[category] = self.taxonomy.sensitivity(category)
            if level > found:
                found = level
        return found

    def is_sensitive(self, category: str) -> bool:
        return self.sensitivity((category,)) >= self.sensitive_from

    @cached_property
    def _special_categories(self) -> frozenset[str]:
        """The taxonomy's categories of special sensitivity or above (an unknown one counts as high,
        so it is never among them), as :meth:`Taxonomy.sensitivity` decides."""
        taxonomy = self.taxonomy
        return frozenset(c for c in taxonomy.categories if taxonomy.sensitivity(c) >= Sensitivity.special)

    @cached_property
    def _vulnerable_groups(self) -> frozenset[str]:
        """The taxonomy's vulnerable people groups, as :meth:`Taxonomy.is_vulnerable` decides."""
        taxonomy = self.taxonomy
        return frozenset(s for s in taxonomy.subjects if taxonomy.is_vulnerable(s))

    def count_special(self, categories: Iterable[str]) -> int:
        """How many distinct ``categories`` are of special sensitivity or above (what the ranking's
        breadth counts)."""
        return len(self._special_categories.intersection(categories))

    def is_vulnerable(self, subject: str) -> bool:
        """Whether a people group is vulnerable (children, asylum seekers, ...)."""
        return subject in self._vulnerable_groups

    def count_vulnerable(self, subjects: Iterable[str]) -> int:
        """How many distinct ``subjects`` are vulnerable people groups (what the ranking's breadth counts)."""
        return len(self._vulnerable_groups.intersection(subjects))

    def vulnerable(self, subjects: Iterable[str]) -> bool:
        """Whether the subjects include a vulnerable group (children, asylum seekers, ...)."""
        return not self._vulnerable_groups.isdisjoint(subjects)

    def subjects_of(self, origins: Iterable[str]) -> list[str]:
        """The people groups whose data the origins collect (children where a ``min_age`` is below 18), sorted.
        The plain form of :meth:`Evidence.subjects_of <flowmap.rules._support.Evidence.subjects_of>`, which the
        rules ask (tests/test_equivalence.py holds the two alike)."""
        return sorted({s for o in origins for s in self.system(o).people})

    def grade(self, rule: Rule, *, sensitivity: Sensitivity | None = None, vulnerable: bool = False,
              actor: str | None = None, volume: bool = False, low_confidence: bool = False, answer_only: bool = False,
              remote: int = 0, standing: str | None = None, structural: bool = False) -> Severity:
        """The rule's severity through the one severity function (see :mod:`flowmap.severity`)."""
        return grade(rule.default_severity, sensitivity=sensitivity, vulnerable=vulnerable, actor=actor, volume=volume,
                     low_confidence=low_confidence, answer_only=answer_only, remote=remote, standing=standing,
                     structural=structural)

    @staticmethod
    def low_confidence(*values: bool | None) -> Confidence:
        return Confidence.low if any(v is None for v in values) else Confidence.high

