"""Documented incident on a system or flow.

What it detects
    Systems and flows with ``incidents``: documented breaches, unlawful copies,
    court rulings against them. One finding per system or flow, listing the
    incidents with their dates and sources. Severity follows the most
    sensitive category the system holds or receives (or the flow carries).

Why it matters
    An incident is evidence, not a hypothesis: the safeguards failed once.
    Whether the causes were fixed, and whether the people affected were told,
    is what a DPIA and an auditor must check first.

How to fix
    Document the remediation (what changed, who verified it, whether people
    were notified) and accept the finding with that reason and a review date;
    if the cause persists, stop the processing until it is fixed.
"""

from __future__ import annotations

from flowmap.findings import Confidence, Finding, Kind, Severity
from flowmap.model import Incident
from flowmap.rules.base import Context, Rule

MITIGATION = (
    "Document the remediation and its verification, notify the people affected, then accept the finding with "
    "that reason and a review date."
)


def _listed(ctx: Context, incidents: list[Incident]) -> str:
    out = []
    for incident in sorted(incidents, key=lambda i: (i.date or "", i.summary)):
        cited = "; ".join(ctx.model.sources.get(s, s) for s in incident.sources)
        out.append(f"{incident.date or 'undated'}: {incident.summary}" + (f" ({cited})" if cited else ""))
    return "; ".join(out)


def check(ctx: Context):
    """One finding per system or flow with incidents; severity is decided here, the text when
    the finding is first read."""
    prop = ctx.propagation
    principles = list(RULE.principles)  # shared: findings are not changed in place
    for system in ctx.systems:
        if not system.incidents:
            continue
        level = max(ctx.sensitivity(prop.categories_at(system.id)), ctx.sensitivity(system.holds))
        yield Finding.deferred(
            f"incident:system:{system.id}", "incident", RULE.kind,
            ctx.grade(RULE, sensitivity=level, vulnerable=ctx.vulnerable(system)), Confidence.high, principles,
            _system_evidence, (ctx, system),
        )
    for flow in ctx.flows:
        if not flow.incidents:
            continue
        yield Finding.deferred(
            f"incident:flow:{flow.id}", "incident", RULE.kind, ctx.grade(RULE, sensitivity=ctx.sensitivity(flow.data)),
            Confidence.high, principles, _flow_evidence, (ctx, flow),
        )


def _system_evidence(ctx: Context, system) -> tuple:
    """The :data:`~flowmap.findings.TEXT_FIELDS` of a finding on a system."""
    categories = sorted(ctx.propagation.categories_at(system.id) | set(system.holds))
    return (
        f"{system.display_name}: {_count(system.incidents)}",
        f"{system.display_name} has documented incidents: {_listed(ctx, system.incidents)}.",
        [system.id], [], categories, [], MITIGATION,
    )


def _flow_evidence(ctx: Context, flow) -> tuple:
    """The :data:`~flowmap.findings.TEXT_FIELDS` of a finding on a flow."""
    return (
        f"Flow {flow.id}: {_count(flow.incidents)}",
        f"Flow {flow.id} ({flow.source} -> {flow.target}) has documented incidents: {_listed(ctx, flow.incidents)}.",
        sorted({flow.source, flow.target}), [flow.id], sorted(set(flow.data)), [], MITIGATION,
    )


def _count(incidents: list[Incident]) -> str:
    """``1 documented incident``, ``2 documented incidents``.

    >>> _count([None]), _count([None, None])
    ('1 documented incident', '2 documented incidents')
    """
    return f"{len(incidents)} documented incident{'s' if len(incidents) != 1 else ''}"


RULE = Rule(
    id="incident",
    name="documented incident on a system or flow",
    kind=Kind.insecure_link,
    default_severity=Severity.high,
    principles=("security", "accountability"),
    linddun="data_disclosure",
    check=check,
    doc=__doc__,
)
