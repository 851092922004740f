"""High-risk technology that needs a necessity and legality assessment.

What it detects
    Systems that use a technology the taxonomy rates ``high`` risk (built in:
    automated risk scoring, predictive analytics, remote face recognition,
    dialect recognition, device extraction, social media monitoring, drone
    surveillance). One finding per (system, technology). The model has no field
    for the assessment itself: record it by accepting the finding with the
    assessment as the reason (and an expiry for its review).

Why it matters
    These technologies interfere deeply with private life and equality and
    often rest on contested accuracy; the law (EU AI Act high-risk regime, LED
    Art. 27 DPIAs, ECHR case law on surveillance) demands that their necessity,
    proportionality and legal basis be shown before use, not assumed.

How to fix
    Carry out and publish a necessity, proportionality and legality
    assessment (including accuracy and bias testing for the people concerned),
    then accept the finding referring to it; or stop using the technology.
"""

from __future__ import annotations

from flowmap.findings import Kind, Severity
from flowmap.rules._support import describe, technologies_of_risk
from flowmap.rules.base import Context, Rule
from flowmap.taxonomy import TechnologyRisk


def check(ctx: Context):
    for system, technology in technologies_of_risk(ctx, TechnologyRisk.high):
        yield RULE.finding(
            ctx,
            [system.id, technology],
            severity=ctx.grade(RULE, vulnerable=ctx.vulnerable(system)),
            title=f"{system.display_name} uses {technology.replace('_', ' ')}: assessment needed",
            message=(
                f"{describe(system)} uses {technology.replace('_', ' ')}, a high-risk technology. Its "
                "necessity, proportionality, accuracy and legal basis must be assessed and documented before use."
            ),
            systems=[system.id],
            mitigation="Carry out and publish a necessity and legality assessment, then accept this finding "
            "with it as the reason and a review date; or stop using the technology.",
        )


RULE = Rule(
    id="high_risk_technology",
    name="high-risk technology needs a necessity and legality assessment",
    kind=Kind.high_risk_technology,
    default_severity=Severity.medium,
    principles=("necessity_and_proportionality", "lawfulness", "non_discrimination"),
    linddun="detecting",
    check=check,
    doc=__doc__,
)
