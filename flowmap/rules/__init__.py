"""The rule catalogue: an explicit, ordered list of every rule (no import-time magic).

Add a rule by writing ``flowmap/rules/<id>.py`` with ``RULE = Rule(...)`` and
listing it in :data:`ALL_RULES`; ``flowmap rules`` and docs/rules.md follow
(step by step, with deferred findings: docs/architecture.md).

>>> [r.id for r in ALL_RULES][:1]
['exposure']
"""

from __future__ import annotations

from flowmap.errors import UsageError
from flowmap.rules import (
    accountability_gap,
    at_odds_technology,
    automated_decision,
    children_biometrics,
    chokepoint,
    cross_border,
    exposure,
    firewall,
    fragmented_accountability,
    function_creep,
    high_risk_technology,
    identity_linking,
    incident,
    insecure_link,
    model_quality,
    refoulement,
    retention_extension,
)
from flowmap.rules.base import Context, Rule

__all__ = ["ALL_RULES", "Rule", "Context", "select_rules"]

ALL_RULES: tuple[Rule, ...] = (
    exposure.RULE,
    function_creep.RULE,
    firewall.RULE,
    refoulement.RULE,
    insecure_link.RULE,
    cross_border.RULE,
    incident.RULE,
    accountability_gap.RULE,
    automated_decision.RULE,
    at_odds_technology.RULE,
    high_risk_technology.RULE,
    retention_extension.RULE,
    children_biometrics.RULE,
    chokepoint.RULE,
    identity_linking.RULE,
    fragmented_accountability.RULE,
    model_quality.RULE,
)


def select_rules(ids: str | None) -> tuple[Rule, ...]:
    """The rules named in a comma-separated list (all when ``ids`` is None). A list that names
    no rule (``""``, ``","``, ``" "``) is a usage error, never a run of no rule that passes.

    >>> [r.id for r in select_rules("exposure")]
    ['exposure']
    """
    if ids is None:
        return ALL_RULES
    known = {r.id: r for r in ALL_RULES}
    wanted = [part.strip() for part in ids.split(",") if part.strip()]
    if not wanted:
        raise UsageError(f"--rules '{ids}' names no rule: give rule ids separated by commas (see `flowmap rules`), "
                         "or leave --rules out to run every rule")
    unknown = [w for w in wanted if w not in known]
    if unknown:
        from flowmap.diagnostics import did_you_mean

        raise UsageError(
            f"unknown rule '{unknown[0]}'{did_you_mean(unknown[0], known)}: see `flowmap rules` for the ids"
        )
    return tuple(r for r in ALL_RULES if r.id in wanted)
