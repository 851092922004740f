"""Model quality: gaps in the model that stop other rules from judging.

What it detects
    Systems that hold data but list no ``purposes`` (aspect ``no_purposes``): function
    creep, the firewall and every purpose-based judgement cannot be made for their data, so
    silence from those rules means nothing. Systems that hold data but list no ``subjects``
    (aspect ``no_subjects``): whether the data is about children, asylum seekers or other
    vulnerable people cannot be known, so severities and the refoulement and children rules
    cannot take it into account. One finding per system and aspect, anchored at the system;
    each rests on what the model does not say, so it has low confidence and is a question
    for that system to answer.

    (An acceptance that matches no finding is reported by the analysis itself;
    :func:`unmatched_acceptances` gives the same information for ``flowmap validate``.)

Why it matters
    A clean report on an incomplete model is false reassurance. The analyst needs to know
    where the model is too thin to support a conclusion.

How to fix
    Add the purposes of collection and the data subjects, with a source, to each system
    that holds data.
"""

from __future__ import annotations

import datetime as dt

from flowmap.findings import Confidence, Kind, Severity
from flowmap.model import Model
from flowmap.rules.base import Context, Rule
from flowmap.words import categories_in_words


def check(ctx: Context):
    """Per system that holds data: one finding if it lists no purposes, one if it lists no subjects."""
    for system in ctx.systems:
        if not system.holds or (system.purposes and system.subjects):
            continue
        categories = sorted(set(system.holds))
        what = f"{system.display_name} collects {categories_in_words(categories)}"
        severity = ctx.grade(RULE, sensitivity=ctx.sensitivity(categories))
        if not system.purposes:
            yield RULE.finding(
                ctx, system, aspect="no_purposes",
                severity=severity,
                title=f"{system.display_name} holds data but the model lists no purposes of collection",
                message=(
                    f"{what}, but the model does not say why: without the purposes of collection, function "
                    "creep and firewall breaches of this data cannot be judged, and their absence from the findings "
                    "proves nothing."
                ),
                confidence=Confidence.low,
                question=f"For what purposes does {system.display_name} collect its data?",
                categories=categories,
                mitigation=f"Add the purposes of collection of {system.display_name} to the model, with a source.",
            )
        if not system.subjects:
            yield RULE.finding(
                ctx, system, aspect="no_subjects",
                severity=severity,
                title=f"{system.display_name} holds data but the model does not say about whom",
                message=(
                    f"{what}, but the model does not say about whom: whether children, asylum seekers or other "
                    "vulnerable people are affected cannot be judged, so the severity of findings about this data "
                    "may be understated."
                ),
                confidence=Confidence.low,
                question=f"About whom does {system.display_name} hold data: which people groups, and are children among them?",
                categories=categories,
                mitigation=f"Add the data subjects of {system.display_name} to the model, with a source.",
            )


def unmatched_acceptances(model: Model, *, today: dt.date | None = None) -> list[tuple[int, str]]:
    """Acceptances in ``model.accepted`` that match no finding: (index, message) for a validate
    warning, naming the finding that now covers an old id where that is unambiguous.

    Runs the whole analysis once. Expired acceptances are not listed (they no longer count).

    >>> from flowmap.model import Model
    >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [{"id": "a", "sector": "asylum"}],
    ...     "accepted": [{"finding": "exposure:a:*", "reason": "ok"}]})
    >>> unmatched_acceptances(m, today=dt.date(2025, 1, 1))
    [(0, "acceptance 'exposure:a:*' matches no finding: fix the id or glob (see `flowmap analyze`), or remove it")]
    """
    from flowmap.analysis import analyze  # local: analysis imports the rule catalogue

    report = analyze(model, today=today)
    unmatched = {id(a) for a in report.unmatched_acceptances}
    out = []
    for index, acceptance in enumerate(model.accepted):
        if id(acceptance) not in unmatched:
            continue
        now = report.replacements.get(acceptance.finding)
        fix = f"the finding is now '{now}': update the id" if now else "fix the id or glob (see `flowmap analyze`), or remove it"
        out.append((index, f"acceptance '{acceptance.finding}' matches no finding: {fix}"))
    return out


RULE = Rule(
    id="model_quality",
    name="the model is too thin for a rule to judge",
    kind=Kind.model_quality,
    default_severity=Severity.low,
    principles=("accountability",),
    linddun="unawareness",
    check=check,
    doc=__doc__,
    aspects=("no_purposes", "no_subjects"),
)
