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

from flowmap.findings import Confidence, Finding, Kind, Severity
from flowmap.model import Mode
from flowmap.rules._support import describe, systems_by_id
from flowmap.rules.base import Context, Rule

PROFILING = ("automated_risk_scoring", "predictive_analytics")


def check(ctx: Context):
    """One finding per flow or profiling system without human review; severity is decided here,
    from grades memoised per (sensitivity, vulnerability, confidence), and the text when the
    finding is first read."""
    systems = systems_by_id(ctx)
    prop = ctx.propagation
    levels: dict[tuple[str, ...], object] = {}  # the categories a flow carries -> their sensitivity
    principles = list(RULE.principles)  # shared: findings are not changed in place
    deferred, kind = Finding.deferred, Kind.automated_decision

    grade = ctx.grader(RULE)

    def severity(level, vulnerable: bool, low: bool) -> Severity:
        return grade(level, vulnerable, None, False, low)

    screening = Mode.automated_screening
    for flow in ctx.flows:
        if not (flow.automated_decision or flow.mode == screening):
            continue
        receiver = systems[flow.target]
        review = flow.human_review if flow.human_review is not None else receiver.controls.human_review
        if review is True:
            continue
        carried = tuple(flow.data)
        level = levels.get(carried)
        if level is None:
            level = levels[carried] = ctx.sensitivity(carried)
        vulnerable = ctx.vulnerable(receiver) or ctx.vulnerable(systems[flow.source])
        low = review is None
        yield deferred(
            f"automated_decision:{flow.id}", "automated_decision", kind, severity(level, vulnerable, low),
            Confidence.low if low else Confidence.high, principles, _flow_evidence, (receiver, flow, low),
        )
    for system in ctx.systems:
        review = system.controls.human_review
        if review is True or not any(t in PROFILING for t in system.technologies):
            continue
        level = max(ctx.sensitivity(prop.categories_at(system.id)), ctx.sensitivity(system.holds))
        low = review is None
        yield deferred(
            f"automated_decision:{system.id}:profiling", "automated_decision", kind,
            severity(level, ctx.vulnerable(system), low), Confidence.low if low else Confidence.high, principles,
            _system_evidence, (ctx, system, low),
        )


def _flow_evidence(receiver, flow, low: bool) -> tuple:
    """The :data:`~flowmap.findings.TEXT_FIELDS` of a finding on a flow (``low``: review not known)."""
    categories = sorted(set(flow.data))
    how = "decides automatically" if flow.automated_decision else "screens automatically"
    message = (
        f"{describe(receiver)} {how} about people on {', '.join(categories)} received by flow {flow.id}, "
        + ("and no person is known to review those decisions (the model does not say)."
           if low else "and no person reviews those decisions.")
        + " People have the right not to be subject to solely automated decisions that affect them."
    )
    return (
        f"{receiver.display_name} {how} on flow {flow.id} without human review", message,
        sorted({flow.source, flow.target}), [flow.id], categories, [],
        "Have a trained person review and be able to overturn each decision; record human_review: true with a "
        "source; tell people how to contest.",
    )


def _system_evidence(ctx: Context, system, low: bool) -> tuple:
    """The :data:`~flowmap.findings.TEXT_FIELDS` of a finding on a profiling system."""
    used = ", ".join(t for t in system.technologies if t in PROFILING)
    categories = sorted(ctx.propagation.categories_at(system.id) | set(system.holds))
    message = (
        f"{describe(system)} uses {used} and {'is not known to have' if low else 'has no'} human review of the "
        "resulting decisions."
    )
    return (
        f"{system.display_name} profiles people ({used}) without human review", message, [system.id], [],
        categories, [],
        "Have a trained person review and be able to overturn each decision; record controls.human_review: true "
        "with a source.",
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
