"""The parts of the report that give it the shape of a DPIA (GDPR Art. 35(7); LED Art. 27), as plain text.

Everything here is text a renderer only escapes and lays out (HTML, Markdown, Word), so the
three formats cannot disagree:

- :func:`flow_register`: part 1, one row per flow (from, to, data and what comes back when the
  flow records ``returns``, people, purposes, mode, legal basis, conditions, safeguards and
  transport, retention at the receiver);
- :func:`purposes_of_use`: part 2, per purpose a flow serves: where it is a purpose of
  collection or a further purpose added by law, its flows' legal bases, conditions and
  safeguards, and what function creep and retention extension say about it;
- :func:`action_plan` and :func:`residual`: part 4, one action per established finding with
  owner (the acceptance's ``by``, else the operator of the system where the fix happens), due
  date (the acceptance's ``until``) and status; counts by severity before and after the
  acceptances;
- :data:`SIGN_OFF`: the sign-off block to fill.

Nothing is invented: what the model does not say is written as "not stated" (or left for the
reader to fill, in the sign-off block and an action without an owner).

>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
...     {"id": "clinic", "sector": "health", "holds": ["special.health"], "purposes": ["services.health"],
...      "subjects": ["patient"], "operator": "Health board"},
...     {"id": "police", "sector": "police", "actor": "law_enforcement", "retention": "P5Y"}],
...   "flows": [{"from": "clinic", "to": "police", "data": ["special.health"], "purpose": "enforcement.law",
...              "conditions": "court order", "transport": {"encrypted": True}}]})
>>> (row,) = flow_register(m)
>>> row.cells()[:5]
['clinic->police', 'clinic → police', 'special.health', 'patient', 'enforcement.law']
>>> row.conditions, row.transport, row.retention
('court order', 'encrypted: yes; authenticated: not stated; logged: not stated', 'P5Y')

What comes back on a flow (``returns``, format 1.1) is said with its data:

>>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
...     {"id": "vis", "sector": "visa", "holds": ["biometric.fingerprint"], "purposes": ["migration.visa"]},
...     {"id": "police", "sector": "police"}],
...   "flows": [{"from": "vis", "to": "police", "data": ["biometric.fingerprint"], "purpose": "enforcement.law",
...              "returns": "hit_no_hit"}]})
>>> flow_register(m)[0].cells()[2]
'biometric.fingerprint; returns: hit no hit'
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable

from flowmap.findings import Finding, Kind, Severity
from flowmap.graph import graph_of
from flowmap.model import Flow, Model

__all__ = [
    "NOT_STATED",
    "REGISTER_COLUMNS",
    "ACTION_COLUMNS",
    "RESIDUAL_COLUMNS",
    "SIGN_OFF",
    "SIGN_OFF_COLUMNS",
    "FlowRow",
    "PurposeUse",
    "Action",
    "flow_register",
    "purposes_of_use",
    "action_plan",
    "residual",
    "legal_text",
    "legal_refs",
]

NOT_STATED = "not stated"
REGISTER_COLUMNS = ("Flow", "From → to", "Data", "People", "Purposes", "Mode", "Legal basis", "Conditions",
                    "Safeguards and transport", "Retention at the receiver")
ACTION_COLUMNS = ("Rank", "Finding", "Severity", "Action", "Owner", "Due", "Status")
RESIDUAL_COLUMNS = ("Severity", "Before", "Accepted", "Mitigated", "False positive", "In progress", "Residual")
SIGN_OFF_COLUMNS = ("Role", "Name", "Date", "Decision or signature")
SIGN_OFF = (
    "Assessment prepared by",
    "Advice of the data protection officer (GDPR Art. 35(2); LED Art. 27)",
    "Measures approved by (controller)",
    "Residual risk accepted by (controller)",
    "Prior consultation of the supervisory authority (GDPR Art. 36; LED Art. 28): needed / not needed",
    "Next review due",
)
PLAN_KINDS = (Kind.function_creep, Kind.retention_extension)  # what part 2 reports per purpose
_UNSET = "to assign"


def _words(term: str) -> str:
    return term.replace("_", " ")


def _tri(value: bool | None) -> str:
    return NOT_STATED if value is None else ("yes" if value else "no")


def legal_text(model: Model, entries: Iterable[str]) -> list[str]:
    """Legal-basis entries as text: a source key becomes ``key: citation``, free text stays as written."""
    return [f"{e}: {model.sources[e]}" if e in model.sources else e for e in entries]


def legal_refs(model: Model, entries: Iterable[str]) -> list[str]:
    """Legal-basis entries as short references: a source key stays a key (the Sources section cites it in
    full, ``[key]``), free text stays as written."""
    return [f"[{e}]" if e in model.sources else e for e in entries]


@dataclass
class FlowRow:
    """One flow of the register, every cell plain text."""

    id: str
    route: str  # "Source → Target" ("↔" when bidirectional)
    data: str
    people: str
    purposes: str
    mode: str
    legal_basis: str
    conditions: str
    safeguards: str  # automated decisions and human review, what the flow passes on
    transport: str
    retention: str
    returns: str = ""  # what comes back on the flow (``returns``, in words); "" when the model does not say

    def cells(self) -> list[str]:
        safeguards = "; ".join(x for x in (self.safeguards, self.transport) if x)
        data = f"{self.data}; returns: {self.returns}" if self.returns else self.data
        return [self.id, self.route, data, self.people, self.purposes, self.mode, self.legal_basis,
                self.conditions, safeguards, self.retention]


def _forwards(flow: Flow) -> str:
    if flow.forwards == "all":
        return ""
    if flow.forwards == "own":
        return "passes on only the records its source collected"
    return "passes on only what arrived through " + ", ".join(flow.forwards)


def flow_register(model: Model) -> list[FlowRow]:
    """One row per flow, by flow id. People: the flow's own ``subjects`` when it names them, else
    the people groups of every origin whose data crosses it (computed over the graph)."""
    graph = graph_of(model)
    rows = []
    for flow in graph.flows:
        source, target = graph.system(flow.source), graph.system(flow.target)
        people = list(flow.subjects)
        if not people:
            edges = [graph.edge(flow.id)] + ([graph.edge(flow.id, reverse=True)] if flow.bidirectional else [])
            origins = {o for edge in edges for whose in graph.crossing(edge).values() for o in whose}
            people = sorted({s for o in origins for s in graph.system(o).subjects})
        safeguards = []
        if flow.automated_decision:
            safeguards.append("automated decisions on it; human review: " + _tri(flow.human_review))
        if forwards := _forwards(flow):
            safeguards.append(forwards)
        transport = "; ".join(f"{name}: {_tri(getattr(flow.transport, name))}"
                              for name in ("encrypted", "authenticated", "logged"))
        rows.append(FlowRow(
            id=flow.id,
            route=f"{source.display_name} {'↔' if flow.bidirectional else '→'} {target.display_name}",
            data=", ".join(flow.data),
            people=", ".join(_words(p) for p in people) or NOT_STATED,
            purposes=", ".join(flow.purposes),
            mode=_words(flow.mode.value) if flow.mode else NOT_STATED,
            legal_basis="; ".join(legal_refs(model, flow.legal_basis)) or "none recorded",
            conditions=flow.conditions or NOT_STATED,
            safeguards="; ".join(safeguards),
            transport=transport,
            retention=target.retention or NOT_STATED,
            returns=_words(flow.returns) if flow.returns else "",
        ))
    return rows


@dataclass
class PurposeUse:
    """A purpose some flow serves, and what the model and the analyses say about it."""

    purpose: str
    flows: list[str]  # "id (Source → Target)" per flow serving it
    collected_at: list[str]  # display names of systems that collect data for it
    further_at: list[str]  # "System: provision; provision" where a law added it as a further purpose
    legal_basis: list[str]  # the distinct references of its flows, then "none recorded for: ids"
    conditions: list[str]  # per flow with conditions: "id: conditions"
    safeguards: str  # transport and human review over its flows, counted
    findings: list[Finding] = field(default_factory=list)  # function creep and retention extension, by rank

    def rows(self) -> list[tuple[str, str]]:
        """(field, value) pairs, every value plain text, in the order a reader checks them."""
        found = "; ".join(f"{f.severity.name}, {f.id}: {f.title}" for f in self.findings)
        return [
            ("Flows", "; ".join(self.flows)),
            ("A purpose of collection at", ", ".join(self.collected_at) or "no system collects data for it"),
            ("A further purpose added by law at", "; ".join(self.further_at) or "none recorded"),
            ("Legal basis", "; ".join(self.legal_basis)),
            ("Conditions", "; ".join(self.conditions) or NOT_STATED),
            ("Safeguards", self.safeguards),
            ("Function creep and retention extension", found or "no finding"),
        ]


def _count_words(flows: list[Flow]) -> str:
    total = len(flows)
    parts = []
    for name in ("encrypted", "authenticated", "logged"):
        yes = sum(1 for f in flows if getattr(f.transport, name) is True)
        no = sum(1 for f in flows if getattr(f.transport, name) is False)
        parts.append(f"{name} {yes} of {total}" + (f" ({no} not)" if no else ""))
    text = "in transit: " + ", ".join(parts)
    automated = [f for f in flows if f.automated_decision]
    if automated:
        reviewed = sum(1 for f in automated if f.human_review is True)
        text += f"; automated decisions on {len(automated)} flows, {reviewed} with human review"
    return text


def _legal_of(model: Model, flows: list[Flow]) -> list[str]:
    refs = list(dict.fromkeys(r for f in flows for r in legal_refs(model, f.legal_basis)))
    missing = [f.id for f in flows if not f.legal_basis]
    return refs + ([f"none recorded for {', '.join(missing)}"] if missing else [])


def purposes_of_use(model: Model, findings: list[Finding]) -> list[PurposeUse]:
    """One entry per purpose any flow serves, by purpose; findings of :data:`PLAN_KINDS` anchored at
    a flow are listed under each of that flow's purposes."""
    graph = graph_of(model)
    by_purpose: dict[str, list[Flow]] = defaultdict(list)
    for flow in graph.flows:
        for purpose in flow.purposes:
            by_purpose[purpose].append(flow)
    found: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        if finding.kind in PLAN_KINDS and finding.anchor.type == "flow":
            for purpose in graph.flow(finding.anchor.id).purposes:
                found[purpose].append(finding)
    out = []
    for purpose, flows in sorted(by_purpose.items()):
        names = {s.id: s.display_name for s in graph.systems}
        out.append(PurposeUse(
            purpose=purpose,
            flows=[f"{f.id} ({names[f.source]} → {names[f.target]})" for f in flows],
            collected_at=[s.display_name for s in graph.systems if purpose in s.purposes],
            further_at=[f"{s.display_name}: {'; '.join(legal_refs(model, fp.by))}" for s in graph.systems
                        for fp in s.further_purposes if fp.purpose == purpose],
            legal_basis=_legal_of(model, flows),
            conditions=[f"{f.id}: {f.conditions}" for f in flows if f.conditions],
            safeguards=_count_words(flows),
            findings=sorted(found.get(purpose, []), key=lambda f: f.rank),
        ))
    return out


@dataclass
class Action:
    """One row of the action plan: the measure for one established finding."""

    finding: Finding
    action: str  # the finding's mitigation (or "Decide how to address it" when it has none)
    owner: str  # the acceptance's `by`, else the operator of the system where the fix happens, else ""
    due: str  # the acceptance's `until`, else ""
    status: str

    def cells(self) -> list[str]:
        f = self.finding
        return [str(f.rank), f"{f.title} ({f.id})", f.severity.name, self.action, self.owner or _UNSET,
                self.due or _UNSET, self.status]


def _owner_system(model: Model, finding: Finding) -> str:
    """The system where the fix happens: the anchor system, or the sending system of an anchor flow."""
    if finding.anchor.type == "system":
        return finding.anchor.id
    flow = next((f for f in model.flows if f.id == finding.anchor.id), None)
    return flow.source if flow else ""


def action_plan(model: Model, established: list[Finding]) -> list[Action]:
    """One action per established finding, by rank (accepted ones too: their status says so)."""
    out = []
    for finding in established:
        acceptance = finding.acceptance or {}
        owner = acceptance.get("by") or ""
        if not owner:
            system = _owner_system(model, finding)
            owner = (model.system(system).operator or "") if system else ""
        out.append(Action(finding, finding.mitigation or "Decide how to address it.", owner,
                          acceptance.get("until") or "", _words(finding.status)))
    return out


_STATUSES = ("accepted", "mitigated", "false_positive", "in_progress")


def residual(findings: list[Finding]) -> list[list[str]]:
    """Rows of :data:`RESIDUAL_COLUMNS`: per severity (most severe first, then a total), every finding
    before the acceptances, those each status took out or marks, and the residual (open or in progress).

    >>> from flowmap.findings import Anchor, Confidence
    >>> def f(i, severity, status="open"):
    ...     return Finding(id=f"r:{i}", rule="r", kind=Kind.exposure, severity=severity, confidence=Confidence.high,
    ...                    title="t", message="m", anchor=Anchor("flow", "a->b"), status=status)
    >>> residual([f(1, Severity.high), f(2, Severity.high, "accepted"), f(3, Severity.low, "in_progress")])
    [['high', '2', '1', '0', '0', '0', '1'], ['low', '1', '0', '0', '0', '1', '1'], ['total', '3', '1', '0', '0', '1', '2']]
    """
    rows = []
    total = [0] * 6
    for severity in reversed(Severity):
        these = [f for f in findings if f.severity is severity]
        if not these:
            continue
        counts = [len(these), *(sum(1 for f in these if f.status == s) for s in _STATUSES),
                  sum(1 for f in these if f.status in ("open", "in_progress"))]
        total = [a + b for a, b in zip(total, counts)]
        rows.append([severity.name, *map(str, counts)])
    return rows + [["total", *map(str, total)]]
