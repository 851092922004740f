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

from flowmap.findings import Kind, Severity
from flowmap.model import Incident
from flowmap.rules.base import Context, Rule


def _listed(ctx: Context, incidents: list[Incident]) -> str:
    out = []
    for incident in sorted(incidents, key=lambda i: (i.date or "", i.summary)):
        cited = "; ".join(ctx.model.sources.get(s, s) for s in incident.sources)
        out.append(f"{incident.date or 'undated'}: {incident.summary}" + (f" ({cited})" if cited else ""))
    return "; ".join(out)


def check(ctx: Context):
    prop = ctx.propagation
    for system in ctx.systems:
        if not system.incidents:
            continue
        categories = sorted(prop.categories_at(system.id) | set(system.holds))
        count = len(system.incidents)
        yield RULE.finding(
            ctx,
            ["system", system.id],
            severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(categories), vulnerable=ctx.vulnerable(system)),
            title=f"{system.display_name}: {count} documented incident{'s' if count != 1 else ''}",
            message=f"{system.display_name} has documented incidents: {_listed(ctx, system.incidents)}.",
            systems=[system.id],
            categories=categories,
            mitigation="Document the remediation and its verification, notify the people affected, then accept "
            "the finding with that reason and a review date.",
        )
    for flow in ctx.flows:
        if not flow.incidents:
            continue
        categories = sorted(set(flow.data))
        count = len(flow.incidents)
        yield RULE.finding(
            ctx,
            ["flow", flow.id],
            severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(categories)),
            title=f"Flow {flow.id}: {count} documented incident{'s' if count != 1 else ''}",
            message=f"Flow {flow.id} ({flow.source} -> {flow.target}) has documented incidents: "
            f"{_listed(ctx, flow.incidents)}.",
            systems=sorted({flow.source, flow.target}),
            flows=[flow.id],
            categories=categories,
            mitigation="Document the remediation and its verification, notify the people affected, then accept "
            "the finding with that reason and a review date.",
        )


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
