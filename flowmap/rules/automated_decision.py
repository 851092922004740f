"""Automated decision without human review.

What it detects
    Flows marked ``automated_decision: true`` (the receiver decides about people
    automatically on this data) or with mode ``automated_screening``, where a
    person is not known to review those decisions: the flow's
    ``human_review`` is not ``true`` and, when the flow does not say, neither is
    the receiving system's ``controls.human_review``. Also systems that use
    profiling technologies (automated risk scoring, predictive analytics) whose
    ``controls.human_review`` is not ``true``. One finding per flow or system;
    an omitted review field gives ``confidence: low``.

Why it matters
    People have the right not to be subject to a decision based solely on
    automated processing that significantly affects them (GDPR Art. 22, LED
    Art. 11). Screening rules and risk scores encode bias and errors that no
    one catches without a person who can understand, question and overturn
    them (CJEU, Ligue des droits humains, C-817/19).

How to fix
    Put a trained person with authority to overturn the result in the loop,
    record ``human_review: true`` with a source, tell people that automated
    processing was used and how to contest it.
"""

from __future__ import annotations

from flowmap.findings import Confidence, Kind, Severity
from flowmap.model import Mode
from flowmap.rules._support import describe, systems_by_id
from flowmap.rules.base import Context, Rule

PROFILING = ("automated_risk_scoring", "predictive_analytics")


def check(ctx: Context):
    systems = systems_by_id(ctx)
    for flow in ctx.flows:
        if not (flow.automated_decision or flow.mode == Mode.automated_screening):
            continue
        receiver = systems[flow.target]
        review = flow.human_review if flow.human_review is not None else receiver.controls.human_review
        if review is True:
            continue
        categories = sorted(set(flow.data))
        how = "decides automatically" if flow.automated_decision else "screens automatically"
        yield RULE.finding(
            ctx,
            [flow.id],
            severity=ctx.grade(
                RULE,
                sensitivity=ctx.sensitivity(categories),
                vulnerable=ctx.vulnerable(receiver) or ctx.vulnerable(systems[flow.source]),
                low_confidence=review is None,
            ),
            confidence=Confidence.low if review is None else Confidence.high,
            title=f"{receiver.display_name} {how} on flow {flow.id} without human review",
            message=(
                f"{describe(receiver)} {how} about people on {', '.join(categories)} received by flow {flow.id}, "
                + ("and no person is known to review those decisions (the model does not say)."
                   if review is None else "and no person reviews those decisions.")
                + " People have the right not to be subject to solely automated decisions that affect them."
            ),
            systems=sorted({flow.source, flow.target}),
            flows=[flow.id],
            categories=categories,
            mitigation="Have a trained person review and be able to overturn each decision; record "
            "human_review: true with a source; tell people how to contest.",
        )
    for system in ctx.systems:
        used = [t for t in system.technologies if t in PROFILING]
        review = system.controls.human_review
        if not used or review is True:
            continue
        categories = sorted(c for c in ctx.propagation.categories_at(system.id) | set(system.holds))
        yield RULE.finding(
            ctx,
            [system.id, "profiling"],
            severity=ctx.grade(
                RULE, sensitivity=ctx.sensitivity(categories), vulnerable=ctx.vulnerable(system),
                low_confidence=review is None,
            ),
            confidence=Confidence.low if review is None else Confidence.high,
            title=f"{system.display_name} profiles people ({', '.join(used)}) without human review",
            message=(
                f"{describe(system)} uses {', '.join(used)} and "
                + ("is not known to have" if review is None else "has no")
                + " human review of the resulting decisions."
            ),
            systems=[system.id],
            categories=categories,
            mitigation="Have a trained person review and be able to overturn each decision; record "
            "controls.human_review: true with a source.",
        )


RULE = Rule(
    id="automated_decision",
    name="automated decision or screening without human review",
    kind=Kind.automated_decision,
    default_severity=Severity.high,
    principles=("human_oversight", "non_discrimination", "effective_remedy"),
    linddun="unawareness",
    check=check,
    doc=__doc__,
)
