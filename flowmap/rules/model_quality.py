"""Model quality: gaps in the model that stop other rules from judging.

What it detects
    Systems that hold data but list no ``purposes`` (id ending ``no_purposes``):
    function creep, the firewall and every purpose-based judgement cannot be
    made for their data, so silence from those rules means nothing. Systems
    that hold data but list no ``subjects`` (``no_subjects``): whether the
    data is about children, asylum seekers or other vulnerable people cannot be
    known, so severities and the refoulement and children rules cannot take it
    into account. (An acceptance that matches no
    finding is reported by the analysis itself; :func:`unmatched_acceptances`
    gives the same information for ``flowmap validate``.)

Why it matters
    A clean report on an incomplete model is false reassurance. The analyst
    needs to know where the model is too thin to support a conclusion.

How to fix
    Add the purposes of collection and the data subjects, with a source, to
    each system that holds data.
"""

from __future__ import annotations

import datetime as dt

from flowmap.findings import Kind, Severity
from flowmap.model import Model
from flowmap.rules.base import Context, Rule


def check(ctx: Context):
    for system in ctx.systems:
        if system.holds and not system.purposes:
            categories = sorted(set(system.holds))
            yield RULE.finding(
                ctx,
                [system.id, "no_purposes"],
                severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(categories)),
                title=f"{system.display_name} holds data but lists no purposes",
                message=(
                    f"{system.display_name} collects {', '.join(categories)} but the model lists no purposes of "
                    "collection, so function creep and firewall breaches of this data cannot be judged."
                ),
                systems=[system.id],
                categories=categories,
                mitigation=f"Add the purposes of collection of {system.display_name}, with a source.",
            )
        if system.holds and not system.subjects:
            categories = sorted(set(system.holds))
            yield RULE.finding(
                ctx,
                [system.id, "no_subjects"],
                severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(categories)),
                title=f"{system.display_name} holds data but lists no subjects",
                message=(
                    f"{system.display_name} collects {', '.join(categories)} but the model does not say about whom, "
                    "so whether children, asylum seekers or other vulnerable people are affected cannot be judged."
                ),
                systems=[system.id],
                categories=categories,
                mitigation=f"Add the data subjects of {system.display_name}, with a source.",
            )


def unmatched_acceptances(model: Model, *, today: dt.date | None = None) -> list[tuple[int, str]]:
    """Acceptances in ``model.accepted`` that match no finding: (index, message) for a validate warning.

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
    return [
        (index, f"acceptance '{a.finding}' matches no finding: fix the id or glob (see `flowmap analyze`), or remove it")
        for index, a in enumerate(model.accepted)
        if id(a) in unmatched
    ]


RULE = Rule(
    id="model_quality",
    name="the model is too thin for a rule to judge",
    kind=Kind.model_quality,
    default_severity=Severity.low,
    principles=("accountability",),
    linddun="unawareness",
    check=check,
    doc=__doc__,
)
