"""What the model does not say, gathered at the system that can answer it: one finding per system.

A rule that cannot judge because a fact is missing (is this flow encrypted? is there
independent oversight? how long is the data kept?) reports a finding with low confidence and a
question, addressed to the system that can answer it (``Finding.asks``). Several rules ask
the same system, so the analysis gathers them: every finding that rests on unknowns becomes
one :class:`~flowmap.findings.Question` on the one finding ``questions:<system>`` of that
system. That finding is the point of action for the system's owner ("VIS: is there
independent oversight? a route to redress? are its 4 outgoing flows encrypted?"), and the
number of findings stays within the number of systems and flows however many rules ask.

The gathered finding:

- rule ``questions``, kind ``model_quality`` (the model is too thin to judge), confidence
  low, anchored at the system;
- severity: the worst of its questions (each at most medium: a finding that rests on an
  unknown is never critical);
- ``questions``: each question with the id the rule gave it (``insecure_link:vis:unknown_transport``),
  its rule, kind, severity, title, flows and categories, worst first;
- systems, flows, categories and people groups: those of all its questions, which the
  ranking's breadth weighs (children, special categories, vulnerable groups).

>>> from flowmap.model import Model
>>> from flowmap.rules import ALL_RULES, Context
>>> ctx = Context(Model.model_validate({"flowmap": 1, "name": "x", "systems": [
...     {"id": "vis", "sector": "border", "holds": ["biometric.fingerprint"], "purposes": ["migration.visa"]},
...     {"id": "police", "sector": "police", "actor": "law_enforcement"}],
...   "flows": [{"from": "vis", "to": "police", "data": ["biometric.fingerprint"], "purpose": "migration.visa"}]}))
>>> (gathered,) = [f for f in gather_questions([f for r in ALL_RULES for f in r.check(ctx)], ctx)
...                if f.rule == "questions" and f.anchor.id == "vis"]
>>> gathered.id, gathered.confidence.value, gathered.asks
('questions:vis', 'low', 'vis')
>>> [q.id for q in gathered.questions][:2]
['accountability_gap:vis:unknown_safeguards', 'insecure_link:vis:unknown_transport']
"""

from __future__ import annotations

from typing import Iterable

from flowmap.findings import Confidence, Finding, Kind, Question, Severity
from flowmap.model import System
from flowmap.rules.base import Context, Rule

__all__ = ["RULE", "RULE_ID", "gather_questions", "question_of"]

RULE_ID = "questions"
"""The rule id of a gathered finding: ``questions:<system>``."""

_DOC = """Questions the model leaves open, gathered at the system that can answer them.

What it detects
    Every finding of the other rules that rests on what the model does not say (unknown
    transport security, oversight, redress, retention, human review, transfer basis,
    purposes or people concerned), gathered into one finding per system that can answer:
    ``questions:<system>``. Each question keeps the id its rule gave it
    (``insecure_link:vis:unknown_transport``) in the finding's ``questions`` list. The
    finding's severity is the worst of its questions, never above medium.

Why it matters
    Unknown is not safe: each question stands for a risk that the facts at hand can neither
    confirm nor rule out. Asked of one system at once, they are one task for its owner, not
    a dozen findings.

How to fix
    Answer the questions in the model, with a source: each answer turns a question into an
    established finding or removes it.
"""

RULE = Rule(
    id=RULE_ID,
    name="questions the model leaves open, gathered at the system that can answer them",
    kind=Kind.model_quality,
    default_severity=Severity.medium,
    principles=("accountability",),
    linddun="unawareness",
    check=lambda ctx: (),  # gathered by the analysis from the other rules' findings (gather_questions)
    doc=_DOC,
)
"""The catalogue entry of gathered findings (``flowmap rules``, SARIF): no check of its own."""


def question_of(finding: Finding) -> Question:
    """The question a finding that rests on unknowns asks, as it goes onto the gathered finding."""
    return Question(  # by position, in the order of its fields (keywords cost more than the rest of it)
        finding.id,  # id
        finding.rule,  # rule
        finding.kind,  # kind
        finding.severity,  # severity
        finding.question or finding.title,  # question
        finding.title,  # title
        finding.flows,  # flows: values, shared, never changed in place
        finding.categories,  # categories
    )


def gather_questions(findings: Iterable[Finding], ctx: Context) -> list[Finding]:
    """The established findings as they are, then one ``questions:<system>`` finding per system
    asked (in system id order) gathering every finding that rests on unknowns."""
    established: list[Finding] = []
    asked: dict[str, list[Finding]] = {}
    high = Confidence.high  # read once: an enum member read off its class is slow in Python 3.11
    for finding in findings:
        if finding.confidence is high:
            established.append(finding)
        else:
            system = finding.asks or (finding.systems[0] if finding.systems else finding.anchor.id)
            asked.setdefault(system, []).append(finding)
    return established + [_gathered(ctx, ctx.system(system), asked[system]) for system in sorted(asked)]


def _gathered(ctx: Context, system: System, unknowns: list[Finding]) -> Finding:
    """One system's questions as one finding, worst first: what the questions name, each once, in
    the order first named."""
    unknowns = sorted(unknowns, key=lambda f: (-f.severity, f.id))
    questions = [question_of(f) for f in unknowns]
    systems, flows, principles, categories, subjects = [], [], [], [], []  # as named: Rule.finding keeps each once
    topics, mitigations, asked = {}, {}, {}  # ordered sets
    for finding, question in zip(unknowns, questions):
        systems += finding.systems
        flows += finding.flows
        principles += finding.principles
        categories += finding.categories
        subjects += finding.subjects
        topics[_TOPICS[finding.kind]] = None
        if finding.mitigation:
            mitigations[_sentence(finding.mitigation)] = None
        asked[_sentence(question.question, "?")] = None
    count = len(questions)
    return RULE.finding(
        ctx, system,
        severity=unknowns[0].severity,
        confidence=Confidence.low,
        title=f"{system.display_name}: {count} question{'s' if count != 1 else ''} to answer ({', '.join(topics)})",
        message=" ".join(_sentence(f.message) for f in unknowns),
        systems=systems,
        flows=flows,
        categories=categories,
        subjects=subjects,
        mitigation=" ".join(mitigations),
        question=" ".join(asked),
        asks=system.id,
        principles=list(dict.fromkeys(principles)),
        questions=questions,
    )


_TOPICS = {kind: kind.value.replace("_", " ") for kind in Kind}
"""A kind of finding as a topic of questions in a gathered finding's title: ``insecure link``."""


def _sentence(text: str, end: str = ".") -> str:
    """``text`` stripped, ending in a full stop or question mark.

    >>> _sentence("Is VIS encrypted", "?"), _sentence("It is. ")
    ('Is VIS encrypted?', 'It is.')
    """
    text = text.strip()
    return text if text[-1:] in ".?!" else text + end
