"""What an assessment report says, as plain data: the HTML and Markdown renderers only lay it out.

Built from one analysis (:func:`flowmap.analysis.analyze`) and the model's graph
(:func:`flowmap.graph.graph_of`), in the order a reader needs it: a summary (counts by
severity and kind, established findings against questions, the systems with most findings),
the established findings by rank, the questions grouped by the system that can answer them,
the exposure matrix (sensitive data categories by actor type: which actors of concern really
receive each category, and the highest severity of the exposure findings there), a data
inventory per system, acceptances and sources. Everything is sorted, so the same model gives
the same content.

>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "as_of": "2024-06-01", "systems": [
...     {"id": "clinic", "sector": "health", "holds": ["special.health"], "purposes": ["services.health"]},
...     {"id": "police", "sector": "police", "actor": "law_enforcement"}],
...   "flows": [{"from": "clinic", "to": "police", "data": ["special.health"], "purpose": "enforcement.law"}]})
>>> content = build_content(m)
>>> content.matrix.actor_types, [c.category for c in content.matrix.rows]
(['law_enforcement'], ['special.health'])
>>> cell = content.matrix.rows[0].cells[0]
>>> cell.severity, cell.systems, cell.origins
('high', ['police'], 1)
>>> [(r.origin, r.categories) for r in content.inventory[1].received]
[('clinic', ['special.health'])]
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Sequence

from flowmap import __version__
from flowmap.analysis import Report, analyze, model_digest
from flowmap.findings import Finding, Kind, Severity
from flowmap.graph import graph_of
from flowmap.model import Acceptance, Model, System
from flowmap.render import QuestionGroup, questions_by_system
from flowmap.report.dpia import Action, FlowRow, PurposeUse, action_plan, flow_register, purposes_of_use, residual
from flowmap.taxonomy import Sensitivity

__all__ = ["ReportContent", "build_content", "principle_title"]

MAX_FINDINGS = 300  # established findings shown in full; the rest are counted (the full list: flowmap analyze)
MAX_ORIGINS = 12  # origins listed per system in the inventory; the rest are counted
MAX_SYSTEMS = 20  # actor systems named per matrix cell
CONTROLS = ("encryption_at_rest", "access_logging", "independent_oversight", "redress", "human_review")


def principle_title(principle: str) -> str:
    """``purpose_limitation`` -> ``Purpose limitation``.

    >>> principle_title("necessity_and_proportionality")
    'Necessity and proportionality'
    """
    words = principle.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


@dataclass
class Cell:
    severity: str | None = None  # highest severity of the exposure findings in the cell; None = none
    findings: int = 0  # exposure findings anchored at flows into (or at) these actor systems naming the category
    systems: list[str] = field(default_factory=list)  # actor systems of the type that receive it, sorted, capped
    systems_total: int = 0
    origins: int = 0  # origins whose data of the category reaches them


@dataclass
class MatrixRow:
    category: str
    sensitivity: str
    cells: list[Cell]


@dataclass
class Matrix:
    actor_types: list[str]
    rows: list[MatrixRow]


@dataclass
class Received:
    origin: str  # an origin system id
    categories: list[str]  # the categories of that origin that reach the system, sorted


@dataclass
class LegalBasis:
    text: str  # the citation when the entry is a source key, else the entry itself
    key: str | None = None


@dataclass
class InventoryEntry:
    system: System
    holds: list[str]
    received_categories: list[str]  # every category received from elsewhere, sorted
    received: list[Received]  # per origin, the first MAX_ORIGINS origins by id
    more_origins: int  # origins not listed
    legal_basis: list[LegalBasis]
    controls: list[tuple[str, str]]  # (control, "yes" | "no" | "unknown")
    retention: str
    accountability: list[tuple[str, str]] = field(default_factory=list)  # (label, text): format 1.1, where recorded


@dataclass
class AcceptanceRow:
    acceptance: Acceptance
    state: str  # "applies to N findings" | "expired" | "matches no finding"
    findings: list[str]


@dataclass
class ReportContent:
    model: Model
    report: Report
    version: str
    digest: str
    by_severity: list[tuple[str, int]]
    by_kind: list[tuple[str, int]]
    by_principle: list[tuple[str, int]]  # (principle title, findings), most first
    most_findings: list[tuple[str, int]]  # (system id, findings anchored at it or its flows)
    established: list[Finding]  # shown in full, by rank
    established_total: int
    questions: list[QuestionGroup]  # by the system that can answer them
    questions_total: int  # questions, over every system's gathered finding
    matrix: Matrix
    inventory: list[InventoryEntry]
    omitted: list[tuple[str, int]]  # established findings not shown in full, by severity
    acceptances: list[AcceptanceRow]
    sources: list[tuple[str, str]]
    names: dict[str, str]  # system id -> display name
    today: dt.date  # the date of the report (printed; decides which acceptances have expired)
    register: list[FlowRow]  # part 1: every flow, by id
    purposes: list[PurposeUse]  # part 2: every purpose a flow serves
    actions: list[Action]  # part 4: one per established finding (all of them), by rank
    residual: list[list[str]]  # part 4: counts by severity before and after the acceptances

    @property
    def title(self) -> str:
        return self.model.name

    @property
    def metadata(self) -> list[tuple[str, str]]:
        """(label, value) of the report's identity: what was assessed, as of when, by which flowmap, on which day."""
        m = self.model
        return [("Model", m.name), ("Snapshot as of", m.as_of or "not stated"),
                ("Size", f"{len(m.systems)} systems, {len(m.flows)} flows"), ("Model digest (sha256)", self.digest),
                ("flowmap version", self.version), ("Date of the report", self.today.isoformat())]


def _matrix(model: Model, findings: list[Finding]) -> Matrix:
    """Sensitive categories by actor type. A category counts for an actor only when data of it
    really crosses a flow into that actor (:meth:`Graph.crossing`), whoever collected it; the
    cell's severity is the highest of the exposure findings anchored at those flows (or at
    those actors) that name the category."""
    graph = graph_of(model)
    tax = graph.taxonomy
    systems: dict[tuple[str, str], set[str]] = defaultdict(set)
    origins: dict[tuple[str, str], set[str]] = defaultdict(set)
    for actor in graph.systems:
        if not actor.actor:
            continue
        for edge in graph.in_edges(actor.id):
            for category, whose in graph.crossing(edge).items():
                if tax.sensitivity(category) >= Sensitivity.high:
                    systems[(category, actor.actor)].add(actor.id)
                    origins[(category, actor.actor)].update(whose)
    cells: dict[tuple[str, str], Cell] = {}
    for key, receivers in systems.items():
        cells[key] = Cell(systems=sorted(receivers)[:MAX_SYSTEMS], systems_total=len(receivers),
                          origins=len(origins[key]))
    for finding in findings:
        if finding.kind != Kind.exposure:
            continue
        target = graph.flow(finding.anchor.id).target if finding.anchor.type == "flow" else finding.anchor.id
        actor = graph.system(target).actor
        for category in finding.categories:
            cell = cells.get((category, actor or ""))
            if cell is None:
                continue
            if cell.severity is None or Severity[cell.severity] < finding.severity:
                cell.severity = finding.severity.name
            cell.findings += 1
    actor_types = sorted({actor for _, actor in cells})
    categories = sorted({category for category, _ in cells}, key=lambda c: (-tax.sensitivity(c), c))
    rows = [MatrixRow(category, tax.sensitivity(category).name,
                      [cells.get((category, actor)) or Cell() for actor in actor_types]) for category in categories]
    return Matrix(actor_types, rows)


def _inventory(model: Model) -> list[InventoryEntry]:
    graph = graph_of(model)
    out = []
    for system in graph.systems:
        by_origin: dict[str, set[str]] = defaultdict(set)
        for category, whose in graph.holdings_at(system.id).items():
            for origin in whose:
                if origin != system.id:
                    by_origin[origin].add(category)
        received = [Received(o, sorted(c)) for o, c in sorted(by_origin.items())[:MAX_ORIGINS]]
        categories = sorted(set().union(*by_origin.values()))
        legal = [LegalBasis(model.sources[e], e) if e in model.sources else LegalBasis(e) for e in system.legal_basis]
        controls = [(c, _tri(getattr(system.controls, c))) for c in CONTROLS]
        out.append(InventoryEntry(system, sorted(system.holds), categories, received,
                                  max(0, len(by_origin) - MAX_ORIGINS), legal, controls, _retention(system),
                                  accountability(system)))
    return out


def _retention(system: System) -> str:
    """The retention, with the people groups kept for another time: "P10Y; irregular migrant: P5Y"."""
    text = system.retention or "unknown"
    groups = "; ".join(f"{g.replace('_', ' ')}: {r}" for g, r in system.retention_by_subject.items())
    return f"{text}; {groups}" if groups else text


def accountability(system: System) -> list[tuple[str, str]]:
    """Who answers for a system's data and from which age it is collected, as (label, text) rows
    of the inventory; only what the model records (format 1.1 fields).

    >>> accountability(System(id="eurodac", sector="asylum", controller="Member State of origin",
    ...     processors=["eu-LISA"], min_age={"biometric.fingerprint": 6}))
    [('Controller', 'Member State of origin'), ('Processors', 'eu-LISA'), ('Youngest age of collection', 'biometric.fingerprint: 6')]
    """
    rows = []
    if system.controller or system.joint_controllers:
        joint = f" (jointly with {', '.join(system.joint_controllers)})" if system.joint_controllers else ""
        rows.append(("Controller", (system.controller or "unknown") + joint))
    if system.processors:
        rows.append(("Processors", ", ".join(system.processors)))
    if system.rights_via:
        rows.append(("Rights exercised via", system.rights_via))
    if system.min_age:
        rows.append(("Youngest age of collection", "; ".join(f"{k}: {a}" for k, a in system.min_age.items())))
    return rows


def _tri(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def _by_principle(findings: list[Finding]) -> list[tuple[str, int]]:
    counts: dict[str, int] = defaultdict(int)
    for finding in findings:
        for principle in finding.principles:
            counts[principle] += 1
    return [(principle_title(p), n) for p, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def _acceptances(acceptances: list[Acceptance], report: Report) -> list[AcceptanceRow]:
    expired = {id(a) for a in report.expired_acceptances}
    unmatched = {id(a) for a in report.unmatched_acceptances}
    rows = []
    for acceptance in acceptances:
        matched = sorted(f.id for f in report.findings
                         if f.acceptance and f.acceptance.get("finding") == acceptance.finding
                         and f.status == acceptance.status.value)
        if id(acceptance) in expired:
            state = "expired"
        elif id(acceptance) in unmatched:
            now = report.replacements.get(acceptance.finding)
            state = f"matches no finding (now: {now})" if now else "matches no finding"
        else:
            state = f"applies to {len(matched)} finding{'s' if len(matched) != 1 else ''}"
        rows.append(AcceptanceRow(acceptance, state, matched))
    return rows


def build_content(
    model: Model,
    *,
    accepted: Sequence[Acceptance] = (),
    today: dt.date | None = None,
    max_findings: int = MAX_FINDINGS,
) -> ReportContent:
    """Everything the report shows, from one analysis of ``model`` with its own and ``accepted`` acceptances.

    ``today`` is the date of the report (default: the current date): it is printed and decides
    which acceptances have expired, so the same model and date give the same content. The first
    ``max_findings`` established findings by rank are shown in full (0: all); the others are
    counted by severity. Questions are listed in full, one entry per system that can answer
    them; the summary and the matrix cover every finding.

    Notes
    -----
    Linear in the findings plus one crossing per flow and one holdings query per system.
    """
    today = today or dt.date.today()
    report = analyze(model, accepted=accepted, today=today)
    summary = report.summary()
    established = report.established
    shown = established[:max_findings] if max_findings > 0 else established
    omitted: dict[str, int] = defaultdict(int)
    for finding in established[len(shown):]:
        omitted[finding.severity.name] += 1
    questions = report.questions
    return ReportContent(
        model=model,
        report=report,
        version=__version__,
        digest=model_digest(model),
        by_severity=list(summary["by_severity"].items()),
        by_kind=list(summary["by_kind"].items()),
        by_principle=_by_principle(report.findings),
        most_findings=report.most_findings(),
        established=shown,
        established_total=len(established),
        questions=questions_by_system(questions),
        questions_total=sum(len(f.questions) or 1 for f in questions),
        matrix=_matrix(model, report.findings),
        inventory=_inventory(model),
        omitted=list(omitted.items()),
        acceptances=_acceptances([*model.accepted, *accepted], report),
        sources=sorted(model.sources.items()),
        names={s.id: s.display_name for s in model.systems},
        today=today,
        register=flow_register(model),
        purposes=purposes_of_use(model, report.findings),
        actions=action_plan(model, established),
        residual=residual(report.findings),
    )
