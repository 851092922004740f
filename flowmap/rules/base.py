"""What every rule is made of: metadata, and a check over the analysis context.

A rule lives in its own module ``flowmap/rules/<rule_id>.py`` as ``RULE = Rule(...)``
whose module docstring says what it detects, why it matters and how to fix it;
:mod:`flowmap.rules` lists the rules explicitly (no import-time registry).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Iterable

from flowmap.findings import Confidence, Finding, Kind, Severity
from flowmap.model import Flow, Model, System
from flowmap.propagation import Propagation, propagate
from flowmap.severity import grade
from flowmap.taxonomy import Sensitivity, Taxonomy

__all__ = ["Rule", "Context", "LINDDUN"]

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
    """A rule: stable id, name, kind, default severity, principles at stake, LINDDUN category."""

    id: str
    name: str
    kind: Kind
    default_severity: Severity
    principles: tuple[str, ...]
    linddun: str
    check: Callable[["Context"], Iterable[Finding]] = field(repr=False, compare=False)
    doc: str = ""  # the rule module's docstring: what, why, how to fix

    def finding(self, ctx: "Context", elements: Iterable[str], **fields) -> Finding:
        """A finding of this rule; its id is the rule id and the named elements, joined by ':'."""
        fields.setdefault("principles", list(self.principles))
        return Finding(id=":".join([self.id, *elements]), rule=self.id, kind=self.kind, **fields)


@dataclass
class Context:
    """What rules read: the model, its taxonomy, propagation and options. Built once per analysis."""

    model: Model
    sensitive_from: Sensitivity = Sensitivity.high  # exposure counts categories at or above this

    @cached_property
    def taxonomy(self) -> Taxonomy:
        return self.model.effective_taxonomy

    @cached_property
    def propagation(self) -> Propagation:
        return propagate(self.model, self.taxonomy)

    @cached_property
    def _memo(self) -> dict:
        """Derived data shared by every analysis of this model (the model's own cache)."""
        return self.model._cache

    def _derived(self, key: str, build: Callable[[], object]):
        value = self._memo.get(key)
        if value is None:
            value = self._memo[key] = build()
        return value

    @cached_property
    def systems(self) -> list[System]:
        """Systems sorted by id."""
        return self._derived("rules.systems", lambda: sorted(self.model.systems, key=lambda s: s.id))

    @cached_property
    def flows(self) -> list[Flow]:
        """Flows sorted by id."""
        return self._derived("rules.flows", lambda: sorted(self.model.flows, key=lambda f: f.id))

    def system(self, system_id: str) -> System:
        return self.model.system(system_id)

    def sensitivity(self, categories: Iterable[str]) -> Sensitivity:
        """The highest sensitivity among ``categories`` (low when there are none)."""
        return max((self.taxonomy.sensitivity(c) for c in categories), default=Sensitivity.low)

    def is_sensitive(self, category: str) -> bool:
        return self.taxonomy.sensitivity(category) >= self.sensitive_from

    def vulnerable(self, system: System) -> bool:
        """Whether the system's data subjects include a vulnerable group."""
        found = self._vulnerable.get(system.id)
        if found is None:
            found = self._vulnerable[system.id] = any(self.taxonomy.is_vulnerable(s) for s in system.subjects)
        return found

    @cached_property
    def _vulnerable(self) -> dict[str, bool]:
        return self._derived("rules.vulnerable", dict)

    def grade(self, rule: Rule, **kwargs) -> Severity:
        """The rule's severity through the one severity function (see :mod:`flowmap.severity`)."""
        return grade(rule.default_severity, **kwargs)

    def grader(self, rule: Rule) -> Callable[..., Severity]:
        """:meth:`grade` for a rule that grades many findings: positional arguments
        (sensitivity, vulnerable, actor, volume, low_confidence), memoised by their values.

        >>> from flowmap.rules import select_rules
        >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [{"id": "a", "sector": "police"}]})
        >>> severity = Context(m).grader(select_rules("exposure")[0])
        >>> severity(Sensitivity.special, True, "law_enforcement").name
        'critical'
        """
        base = rule.default_severity
        cache: dict[tuple, Severity] = {}

        def severity(sensitivity=None, vulnerable=False, actor=None, volume=False, low_confidence=False) -> Severity:
            key = (sensitivity, vulnerable, actor, volume, low_confidence)
            found = cache.get(key)
            if found is None:
                found = cache[key] = grade(
                    base, sensitivity=sensitivity, vulnerable=vulnerable, actor=actor, volume=volume,
                    low_confidence=low_confidence,
                )
            return found

        return severity

    @staticmethod
    def low_confidence(*values: bool | None) -> Confidence:
        return Confidence.low if any(v is None for v in values) else Confidence.high
