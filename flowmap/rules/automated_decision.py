"""Automated decision without human review.

What it detects
    - Flows on which, as the model says, the receiver decides about people automatically:
      ``automated_decision: true``, or mode ``automated_screening`` unless the flow says
      ``automated_decision: false`` (the matching is automated, the decision is a person's:
      officers who issue a detainer after a fingerprint match decide themselves). The flow
      is reported when a person is not known to review those decisions: its
      ``human_review``, or when the flow does not say, the receiver's
      ``controls.human_review``. ``false`` is an established gap (confidence high);
      omitted is an unknown (confidence low, a question to the receiver). One finding per
      flow, anchored at it (``automated_decision:<flow>``).
    - Systems that use profiling technologies (automated risk scoring, predictive
      analytics) whose ``controls.human_review`` is not ``true``: one finding anchored at
      the system (``automated_decision:<system>:profiling``), established or a question
      in the same way.

    A finding that rests on an unknown review is never critical.

Why it matters
    People have the right not to be subject to a decision based solely on automated
    processing that significantly affects them (GDPR Art. 22, LED Art. 11). Screening rules
    and risk scores encode bias and errors that no one catches without a person who can
    understand, question and overturn them (CJEU, Ligue des droits humains, C-817/19).

How to fix
    Put a trained person with authority to overturn the result in the loop, record
    ``human_review: true`` with a source, and tell people that automated processing was used
    and how to contest it.
"""

from __future__ import annotations

from flowmap.findings import Confidence, Kind, Severity
from flowmap.model import Flow, Mode, System
from flowmap.rules.accountability_gap import Evidence, data_at, edges_by_flow, sentence_case
from flowmap.rules.base import Context, Rule
from flowmap.words import categories_in_words, listing, subjects_in_words, term_words

PROFILING = ("automated_risk_scoring", "predictive_analytics")

MITIGATION = (
    "Have a trained person review each decision with the authority to overturn it, record human_review: true "
    "with a source, and tell the people concerned that automated processing was used and how to contest it."
)


def decides_automatically(flow: Flow) -> bool:
    """Whether the model says the receiver decides automatically on this flow: an explicit
    ``automated_decision`` wins; otherwise mode ``automated_screening`` says so.

    >>> from flowmap.model import Flow
    >>> def flow(**kw):
    ...     return Flow.model_validate({"from": "a", "to": "b", "data": ["x"], "purpose": "p", **kw})
    >>> decides_automatically(flow(mode="automated_screening"))
    True
    >>> decides_automatically(flow(mode="automated_screening", automated_decision=False))
    False
    >>> decides_automatically(flow(automated_decision=True)), decides_automatically(flow(mode="query"))
    (True, False)
    """
    if "automated_decision" in flow.model_fields_set and flow.automated_decision is not None:
        return bool(flow.automated_decision)
    return flow.mode == Mode.automated_screening


def _review(flow: Flow, receiver: System) -> bool | None:
    """The flow's human review, or when it does not say, the receiver's."""
    return flow.human_review if flow.human_review is not None else receiver.controls.human_review


def _flow_finding(ctx: Context, ev: Evidence, flow: Flow, edges, review: bool | None):
    receiver = ctx.system(flow.target)
    origins, categories, crossing_subjects = ev.across(edges)
    categories = categories or sorted(set(flow.data))
    # the decisions are about the receiver's people; their data is what is decided on
    subjects = sorted(set(receiver.subjects)) or crossing_subjects
    low = review is None
    name, source = receiver.display_name, ctx.system(flow.source).display_name
    people = subjects_in_words(subjects) if subjects else "people"
    pause = "," if people.endswith("among them") else ""
    data = f"{categories_in_words(categories)} from {source}"
    if flow.automated_decision:
        how = f"decides automatically about {people}{pause} on the basis of {data}"
    else:
        how = f"screens {people}{pause} automatically against {data}"
    if low:
        gap = "The model does not record whether a person reviews these decisions before they take effect."
        question = (f"Does a person review the automated decisions of {name} on the flow {flow.id} "
                    f"before they take effect?")
    else:
        gap = "The model records that no person reviews these decisions."
        question = ""
    message = (
        f"On the flow {flow.id}, the receiving system, {name}, {how}. {gap} People have the right not to be "
        f"subject to a decision based solely on automated processing that significantly affects them."
    )
    return RULE.finding(
        ctx, flow,
        confidence=Confidence.low if low else Confidence.high,
        severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(categories), vulnerable=ctx.vulnerable(subjects),
                           low_confidence=low),
        title=(f"Automated decisions on the flow {flow.id} "
               f"{'with no known human review' if low else 'without human review'}"),
        message=message,
        categories=categories, subjects=subjects, origins=origins,
        mitigation=MITIGATION,
        question=question,
        asks=flow.target,
    )


def _profiling_finding(ctx: Context, ev: Evidence, system: System, used: list[str]):
    review = system.controls.human_review
    low = review is None
    by_origin = data_at(ctx, system, sensitive_only=False)
    origins = ev.order(by_origin)
    categories = sorted({c for cats in by_origin.values() for c in cats})
    subjects = sorted({*system.subjects, *ev.subjects(origins)})
    name = system.display_name
    techniques = listing([term_words(t) for t in used])
    about = f" about {subjects_in_words(subjects)}" if subjects else ""
    data = f" on {categories_in_words(categories)}{about}" if categories else about
    if low:
        gap = "The model does not record whether a person reviews the resulting decisions."
    else:
        gap = "The model records that no person reviews the resulting decisions."
    return RULE.finding(
        ctx, system, aspect="profiling",
        confidence=Confidence.low if low else Confidence.high,
        severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(categories), vulnerable=ctx.vulnerable(subjects),
                           low_confidence=low),
        title=f"Profiling ({techniques}) at {name} {'with no known human review' if low else 'without human review'}",
        message=(
            f"{sentence_case(techniques)} {'is' if len(used) == 1 else 'are'} used at {name}{data}. {gap} "
            f"Risk scores and predictions encode bias and errors that nobody catches without a person who can "
            f"understand, question and overturn them."
        ),
        categories=categories, subjects=subjects, origins=origins,
        mitigation=MITIGATION.replace("human_review: true", "controls.human_review: true"),
        question=f"Does a person review the decisions {name} bases on {techniques}?" if low else "",
    )


def check(ctx: Context):
    """One finding per automated flow without known review; one per profiling system.

    An unknown review of children's biometric data is a question, low confidence and never
    critical (it would grade critical if the gap were established):

    >>> from flowmap.model import Model
    >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
    ...     {"id": "eurodac", "sector": "asylum", "holds": ["biometric.fingerprint"],
    ...      "subjects": ["asylum_seeker", "child"], "purposes": ["protection.asylum"]},
    ...     {"id": "screening", "name": "Screening", "sector": "border", "subjects": ["asylum_seeker", "child"]}],
    ...   "flows": [{"from": "eurodac", "to": "screening", "data": ["biometric"], "purpose": "protection.asylum",
    ...              "automated_decision": True}]})
    >>> (f,) = check(Context(m))
    >>> f.id, f.confidence.value, f.severity.name, f.asks
    ('automated_decision:eurodac->screening', 'low', 'medium', 'screening')
    >>> f.question
    'Does a person review the automated decisions of Screening on the flow eurodac->screening before they take effect?'
    >>> m.flows[0].human_review = False
    >>> [(f.confidence.value, f.severity.name) for f in check(Context(m))]
    [('high', 'critical')]
    """
    edges, ev = edges_by_flow(ctx), Evidence(ctx)
    for flow in ctx.flows:
        if not decides_automatically(flow):
            continue
        review = _review(flow, ctx.system(flow.target))
        if review is not True:
            yield _flow_finding(ctx, ev, flow, edges[flow.id], review)
    for system in ctx.systems:
        used = [t for t in sorted(set(system.technologies)) if t in PROFILING]
        if used and system.controls.human_review is not True:
            yield _profiling_finding(ctx, ev, system, used)


RULE = Rule(
    id="automated_decision",
    name="automated decision or screening without human review",
    kind=Kind.automated_decision,
    default_severity=Severity.high,
    principles=("human_oversight", "non_discrimination", "effective_remedy"),
    linddun="unawareness",
    check=check,
    doc=__doc__,
    aspects=("profiling",),
)
