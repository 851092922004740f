"""Technology at odds with human rights: emotion recognition, lie detection.

What it detects
    Systems that use a technology the taxonomy rates ``at_odds`` with human rights (built
    in: ``emotion_recognition``, ``lie_detection``; a model may declare more under
    ``taxonomy.technologies``). One finding per system, anchored at it, naming every such
    technology it uses: the list of technologies is not fixed (a model can extend it), so
    it is evidence in the message, not an aspect of the id. Critical wherever used.

Why it matters
    Inferring emotions or deception from faces, voices or bodies has no sound scientific
    basis, discriminates, and turns an interview or a border check into a test people
    cannot pass or contest. The EU AI Act prohibits emotion recognition at work and in
    education (Art. 5(1)(f)) and treats emotion recognition, and polygraphs and similar
    tools used in migration, asylum and border control, as high-risk (Annex III, points
    1(c) and 7(a)); the iBorderCtrl "lie detector" trials at EU borders were widely
    criticised.

How to fix
    Stop using it. No safeguard makes an unscientific inference about a person's inner
    state fair; remove the technology and any data derived from it (``inferred.emotion``).
"""

from __future__ import annotations

from flowmap.findings import Kind, Severity
from flowmap.rules._support import technologies_of_risk
from flowmap.rules.base import Context, Rule
from flowmap.taxonomy import TechnologyRisk
from flowmap.words import listing, subjects_in_words, term_words


def by_system(ctx: Context, risk: TechnologyRisk):
    """(system, [technologies of this risk]) for every system using one, in id order.

    >>> from flowmap.model import Model
    >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
    ...     {"id": "kiosk", "sector": "border", "technologies": ["lie_detection", "emotion_recognition", "biometric_matching"]}]})
    >>> [(s.id, t) for s, t in by_system(Context(m), TechnologyRisk.at_odds)]
    [('kiosk', ['emotion_recognition', 'lie_detection'])]
    """
    grouped: dict[str, list[str]] = {}
    for system, technology in technologies_of_risk(ctx, risk):
        grouped.setdefault(system.id, []).append(technology)
    return [(ctx.system(sid), technologies) for sid, technologies in grouped.items()]


def check(ctx: Context):
    """One finding per system that uses a technology at odds with human rights."""
    for system, technologies in by_system(ctx, TechnologyRisk.at_odds):
        named = listing([term_words(t) for t in technologies], limit=len(technologies))
        people = f" on {subjects_in_words(system.people)}" if system.people else ""
        yield RULE.finding(
            ctx, system,
            severity=ctx.grade(RULE, vulnerable=ctx.vulnerable(system.people)),
            title=f"{system.display_name} uses {named}",
            message=(
                f"{system.display_name} uses {named}{people}: "
                f"{'a technology' if len(technologies) == 1 else 'technologies'} at odds with human rights. "
                "Such technology infers a person's inner state without a sound scientific basis, "
                "discriminates, and its verdict cannot be meaningfully contested."
            ),
            subjects=system.people,
            mitigation=f"Stop using {named} and delete the data derived from it.",
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
