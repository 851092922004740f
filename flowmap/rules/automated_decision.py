"""Automated decision without human review.

What it detects
    - Flows on which, as the model says, the receiver decides about people automatically:
      ``automated_decision: true``, or mode ``automated_screening`` unless the flow says
      ``automated_decision: false`` (the matching is automated, the decision is a person's:
      officers who issue a detainer after a fingerprint match decide themselves). Such a flow
      is reported when a person is not known to review those decisions: its
      ``human_review``, or when the flow does not say, the receiver's
      ``controls.human_review``.

      - ``false`` is an established gap: one finding per flow, anchored at it
        (``automated_decision:<flow>``), confidence high.
      - Omitted on the flow and at the receiver is an unknown, and unknowns aggregate at the
        system that can answer them: one question per receiving system
        (``automated_decision:<system>:unknown_review``, confidence low) that names its
        flows (the first :data:`FLOWS_CAP` in the evidence ``flows``) and the systems they
        come from.
    - Systems that use profiling technologies (automated risk scoring, predictive
      analytics) whose ``controls.human_review`` is not ``true``: one finding anchored at
      the system (``automated_decision:<system>:profiling``), established or a question
      in the same way.

    The evidence names the categories decided on, the origins whose data they are, and the
    people decided about. A finding that rests on an unknown review is never critical.

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

from flowmap.findings import LIST_CAP, Confidence, Kind, Severity
from flowmap.model import Flow, Mode, System
from flowmap.rules._support import Evidence, display_names
from flowmap.rules.base import Context, Rule
from flowmap.words import categories_in_words, listing, plural, sentence_case, subjects_in_words, term_words

PROFILING = ("automated_risk_scoring", "predictive_analytics")

FLOWS_CAP = LIST_CAP
"""An ``unknown_review`` finding lists at most this many flows in its evidence."""

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
    if flow.automated_decision:  # true only where the model says so
        return True
    if flow.mode is not Mode.automated_screening:
        return False
    return "automated_decision" not in flow.model_fields_set  # screening, unless the model says it decides nothing


def _review(flow: Flow, receiver: System) -> bool | None:
    """The flow's human review, or when it does not say, the receiver's."""
    return flow.human_review if flow.human_review is not None else receiver.controls.human_review


def _decided_on(ctx: Context, receiver: System, flows: list[Flow]) -> tuple[int, list[str], list[str]]:
    """(origins bitset, categories, subjects) of what the receiver decides on through ``flows``:
    the decisions are about the receiver's people; the data crossing is what they rest on."""
    ev = Evidence.of(ctx)
    bits, categories = ev.across_flows(flows)
    return bits, categories, sorted(set(receiver.people)) or ev.subjects(bits)


def _how(flows: list[Flow], people: str, data: str) -> str:
    """What the receiver does on ``flows``: decides, screens, or both.

    >>> from flowmap.model import Flow
    >>> decide = Flow.model_validate({"from": "a", "to": "b", "data": ["x"], "purpose": "p", "automated_decision": True})
    >>> screen = Flow.model_validate({"from": "c", "to": "b", "data": ["x"], "purpose": "p", "mode": "automated_screening"})
    >>> _how([decide], "people", "data"), _how([screen], "people", "data")
    ('decides automatically about people on the basis of data', 'screens people automatically against data')
    >>> _how([decide, screen], "people", "data")
    'decides about people or screens them automatically on the basis of data'
    """
    deciding = {bool(f.automated_decision) for f in flows}
    pause = "," if people.endswith("among them") else ""
    if deciding == {True}:
        return f"decides automatically about {people}{pause} on the basis of {data}"
    if deciding == {False}:
        return f"screens {people}{pause} automatically against {data}"
    return f"decides about {people}{pause} or screens them automatically on the basis of {data}"


def _flow_finding(ctx: Context, flow: Flow):
    """A flow on which the model records that no person reviews the automated decisions."""
    receiver = ctx.system(flow.target)
    bits, categories, subjects = _decided_on(ctx, receiver, [flow])
    name, source = receiver.display_name, display_names(ctx)[flow.source]
    people = subjects_in_words(subjects) if subjects else "people"
    how = _how([flow], people, f"{categories_in_words(categories)} from {source}")
    return RULE.finding(
        ctx, flow,
        severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(categories), vulnerable=ctx.vulnerable(subjects)),
        title=f"Automated decisions on the flow {flow.id} without human review",
        message=(
            f"On the flow {flow.id}, the receiving system, {name}, {how}. The model records that no person reviews "
            f"these decisions. People have the right not to be subject to a decision based solely on automated "
            f"processing that significantly affects them."
        ),
        categories=categories, subjects=subjects,
        origins=Evidence.of(ctx).named(bits), origins_total=bits.bit_count(),
        mitigation=MITIGATION,
    )


def _review_question(ctx: Context, receiver: System, flows: list[Flow]):
    """The question to a receiving system about the automated decisions it takes on ``flows``
    with no human review recorded (on the flow or at the system)."""
    bits, categories, subjects = _decided_on(ctx, receiver, flows)
    name = receiver.display_name
    people = subjects_in_words(subjects) if subjects else "people"
    name_of = display_names(ctx)
    sources = list(dict.fromkeys(name_of[f.source] for f in flows))
    if len(flows) == 1:
        (flow,) = flows
        where = f"On the flow {flow.id}, the receiving system, {name}"
        how = _how(flows, people, f"{categories_in_words(categories)} from {sources[0]}")
        on = f"on the flow {flow.id}"
        title = f"Automated decisions on the flow {flow.id} with no known human review"
    else:
        where = f"On {len(flows)} incoming flows, the receiving system, {name}"
        how = _how(flows, people, f"{categories_in_words(categories)} from {plural(len(sources), 'system')} "
                                  f"({listing(sources)})")
        on = f"on its {len(flows)} incoming flows from {listing(sources)}"
        title = f"Automated decisions of {name} on {len(flows)} incoming flows with no known human review"
    return RULE.finding(
        ctx, receiver, aspect="unknown_review",
        confidence=Confidence.low,
        severity=ctx.grade(RULE, sensitivity=ctx.sensitivity(categories), vulnerable=ctx.vulnerable(subjects),
                           low_confidence=True),
        title=title,
        message=(
            f"{where}, {how}. The model does not record whether a person reviews these decisions before they "
            f"take effect. People have the right not to be subject to a decision based solely on automated "
            f"processing that significantly affects them."
        ),
        categories=categories, subjects=subjects,
        origins=Evidence.of(ctx).named(bits), origins_total=bits.bit_count(),
        flows=[f.id for f in flows][:FLOWS_CAP],
        mitigation=MITIGATION,
        question=f"Does a person review the automated decisions of {name} {on} before they take effect?",
        asks=receiver.id,
    )


def _profiling_finding(ctx: Context, system: System, used: list[str]):
    review = system.controls.human_review
    low = review is None
    ev = Evidence.of(ctx)
    bits, categories = ev.at(system.id)
    subjects = ev.subjects(bits | ctx.graph.origin_bit(system.id))  # its own people too, sorted
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
        categories=categories, subjects=subjects, origins=ev.named(bits), origins_total=bits.bit_count(),
        mitigation=MITIGATION.replace("human_review: true", "controls.human_review: true"),
        question=f"Does a person review the decisions {name} bases on {techniques}?" if low else "",
    )


def check(ctx: Context):
    """One finding per automated flow known to have no review; one question per system
    receiving automated flows whose review is not recorded; one per profiling system.

    An unknown review of children's biometric data is a question to the receiver, low
    confidence and never critical (it would grade critical if the gap were established):

    >>> from flowmap.model import Model
    >>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
    ...     {"id": "eurodac", "sector": "asylum", "holds": ["biometric.fingerprint"],
    ...      "subjects": ["asylum_seeker", "child"], "purposes": ["protection.asylum"]},
    ...     {"id": "screening", "name": "Screening", "sector": "border", "subjects": ["asylum_seeker", "child"]}],
    ...   "flows": [{"from": "eurodac", "to": "screening", "data": ["biometric"], "purpose": "protection.asylum",
    ...              "automated_decision": True}]})
    >>> (f,) = check(Context(m))
    >>> f.id, f.confidence.value, f.severity.name, f.asks, f.flows
    ('automated_decision:screening:unknown_review', 'low', 'medium', 'screening', ['eurodac->screening'])
    >>> f.question
    'Does a person review the automated decisions of Screening on the flow eurodac->screening before they take effect?'
    >>> m.flows[0].human_review = False
    >>> [(f.id, f.confidence.value, f.severity.name) for f in check(Context(m))]
    [('automated_decision:eurodac->screening', 'high', 'critical')]
    """
    unknown: dict[str, list[Flow]] = {}
    for flow in ctx.flows:
        if not decides_automatically(flow):
            continue
        review = _review(flow, ctx.system(flow.target))
        if review is False:
            yield _flow_finding(ctx, flow)
        elif review is None:
            unknown.setdefault(flow.target, []).append(flow)
    for receiver, flows in sorted(unknown.items()):
        yield _review_question(ctx, ctx.system(receiver), flows)
    for system in ctx.systems:
        used = sorted(set(system.technologies).intersection(PROFILING))
        if used and system.controls.human_review is not True:
            yield _profiling_finding(ctx, system, used)


RULE = Rule(
    id="automated_decision",
    name="automated decision or screening without human review",
    kind=Kind.automated_decision,
    default_severity=Severity.high,
    principles=("human_oversight", "non_discrimination", "effective_remedy"),
    linddun="unawareness",
    check=check,
    doc=__doc__,
    aspects=("unknown_review", "profiling"),
)
