"""High-risk technology that needs a necessity and legality assessment.

What it detects
    Systems that use a technology the taxonomy rates ``high`` risk (built in: automated
    risk scoring, predictive analytics, remote face recognition, dialect recognition,
    device extraction, social media monitoring, drone surveillance; a model may declare
    more under ``taxonomy.technologies``). One finding per system, anchored at it, naming
    every such technology it uses: the list of technologies is not fixed (a model can
    extend it), so it is evidence in the message, not an aspect of the id. The model has
    no field for the assessment itself: record it by accepting the finding with the
    assessment as the reason (and an expiry for its review).

Why it matters
    These technologies interfere deeply with private life and equality and often rest on
    contested accuracy; the law (EU AI Act high-risk regime, LED Art. 27 and GDPR Art. 35
    impact assessments, ECHR case law on surveillance) demands that their necessity,
    proportionality and legal basis be shown before use, not assumed.

How to fix
    Carry out and publish a necessity, proportionality and legality assessment (including
    accuracy and bias testing for the people concerned), then accept the finding referring
    to it; or stop using the technology.
"""

from __future__ import annotations

from flowmap.findings import Kind, Severity
from flowmap.rules.at_odds_technology import by_system
from flowmap.rules.base import Context, Rule
from flowmap.taxonomy import TechnologyRisk
from flowmap.words import listing, subjects_in_words, term_words

MITIGATION = (
    "Carry out and publish a necessity, proportionality and legality assessment, with accuracy and bias "
    "testing for the people concerned; then accept this finding with it as the reason and a review date, "
    "or stop using the technology."
)


def check(ctx: Context):
    """One finding per system that uses high-risk technology."""
    for system, technologies in by_system(ctx, TechnologyRisk.high):
        named = listing([term_words(t) for t in technologies], limit=len(technologies))
        people = f" on {subjects_in_words(system.people)}" if system.people else ""
        yield RULE.finding(
            ctx, system,
            severity=ctx.grade(RULE, vulnerable=ctx.vulnerable(system.people)),
            title=f"{system.display_name} uses {named}: an assessment is needed",
            message=(
                f"{system.display_name} uses {named}{people}. "
                f"{'This high-risk technology interferes' if len(technologies) == 1 else 'These high-risk technologies interfere'} "
                "deeply with private life and equality and may rest on contested accuracy. Before use, the "
                "necessity, proportionality and legal basis of the use, and its accuracy for the people concerned, "
                "must be assessed and documented."
            ),
            subjects=system.people,
            mitigation=MITIGATION,
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
