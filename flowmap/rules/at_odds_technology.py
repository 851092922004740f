"""Technology at odds with human rights: emotion recognition, lie detection.

What it detects
    Systems that use a technology the taxonomy rates ``at_odds`` with human
    rights (built in: ``emotion_recognition``, ``lie_detection``). One finding
    per (system, technology), always critical, wherever it is used.

Why it matters
    Inferring emotions or deception from faces, voices or bodies has no sound
    scientific basis, discriminates, and turns an interview or a border check
    into a test people cannot pass or contest. The EU AI Act (Art. 5) prohibits
    emotion recognition in several settings; iBorderCtrl-style lie detection at
    borders has been condemned by the European Parliament and civil society.

How to fix
    Stop using it. No safeguard makes an unscientific inference about a
    person's inner state fair; remove the technology and any data derived from
    it (``inferred.emotion``).
"""

from __future__ import annotations

from flowmap.findings import Kind, Severity
from flowmap.rules._support import describe, technologies_of_risk
from flowmap.rules.base import Context, Rule
from flowmap.taxonomy import TechnologyRisk


def check(ctx: Context):
    for system, technology in technologies_of_risk(ctx, TechnologyRisk.at_odds):
        yield RULE.finding(
            ctx,
            [system.id, technology],
            severity=ctx.grade(RULE, vulnerable=ctx.vulnerable(system)),
            title=f"{system.display_name} uses {technology.replace('_', ' ')}",
            message=(
                f"{describe(system)} uses {technology.replace('_', ' ')}, a technology at odds with human "
                "rights: it infers a person's inner state without a sound scientific basis, discriminates and "
                "cannot be meaningfully contested."
            ),
            systems=[system.id],
            mitigation=f"Stop using {technology.replace('_', ' ')} and delete the data derived from it.",
        )


RULE = Rule(
    id="at_odds_technology",
    name="technology at odds with human rights in use",
    kind=Kind.high_risk_technology,
    default_severity=Severity.critical,
    principles=("human_dignity", "non_discrimination", "necessity_and_proportionality"),
    linddun="detecting",
    check=check,
    doc=__doc__,
)
