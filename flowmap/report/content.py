"""What an assessment report says, as plain data: the HTML and Markdown renderers only lay it out.

Built from one analysis (:func:`flowmap.analysis.analyze`) and one propagation
(:func:`flowmap.propagation.propagate`): a summary, the exposure matrix (data
categories by actor type, each cell the highest severity of the exposure
findings there), a data inventory per system, findings grouped by principle,
acceptances and sources. Everything is sorted, so the same model gives the same
content.

>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "as_of": "2024-06-01", "systems": [
...     {"id": "clinic", "sector": "health", "holds": ["special.health"], "purposes": ["services.health"]},
...     {"id": "police", "sector": "police", "actor": "law_enforcement"}],
...   "flows": [{"from": "clinic", "to": "police", "data": ["special.health"], "purpose": "enforcement.law"}]})
>>> content = build_content(m)
>>> content.matrix.actor_types, [c.category for c in content.matrix.rows]
(['law_enforcement'], ['special.health'])
>>> content.matrix.rows[0].cells[0].severity, content.matrix.rows[0].cells[0].pairs
('high', ['clinic -> police'])
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
from flowmap.model import Acceptance, Model, System
from flowmap.propagation import propagate

__all__ = ["ReportContent", "build_content", "TOP_EXPOSURES", "principle_title"]

TOP_EXPOSURES = 5
MAX_FINDINGS = 300  # findings shown in full; the rest are counted (the full list: flowmap analyze)
MAX_ORIGINS = 12  # origins listed per system in the inventory; the rest are counted
MAX_PAIRS = 20  # (origin -> actor) pairs named per matrix cell
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
    findings: int = 0
    pairs: list[str] = field(default_factory=list)  # "origin -> actor system", sorted, at most MAX_PAIRS


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


@dataclass
class PrincipleGroup:
    principle: str
    title: str
    findings: list[Finding]  # shown in full here (this is their first principle)
    also: list[Finding]  # listed by id: shown in full under their first principle


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
    top_exposures: list[Finding]
    exposures: int
    matrix: Matrix
    inventory: list[InventoryEntry]
    principles: list[PrincipleGroup]
    omitted: list[tuple[str, int]]  # findings not shown in full, by severity
    acceptances: list[AcceptanceRow]
    sources: list[tuple[str, str]]
    names: dict[str, str]  # system id -> display name

    @property
    def title(self) -> str:
        return self.model.name


def _matrix(model: Model, findings: list[Finding]) -> Matrix:
    tax = model.effective_taxonomy
    cells: dict[tuple[str, str], Cell] = defaultdict(Cell)
    for finding in findings:
        if finding.kind != Kind.exposure or len(finding.systems) < 2:
            continue
        origin, target = finding.systems[0], finding.systems[-1]
        actor = model.system(target).actor or "unknown"
        for category in finding.categories:
            cell = cells[(category, actor)]
            if cell.severity is None or Severity[cell.severity] < finding.severity:
                cell.severity = finding.severity.name
            cell.findings += 1
            cell.pairs.append(f"{origin} -> {target}")
    actor_types = sorted({actor for _, actor in cells})
    categories = sorted({category for category, _ in cells}, key=lambda c: (-tax.sensitivity(c), c))
    rows = []
    for category in categories:
        row = [cells.get((category, actor)) or Cell() for actor in actor_types]
        for cell in row:
            cell.pairs = sorted(cell.pairs)[:MAX_PAIRS]
        rows.append(MatrixRow(category, tax.sensitivity(category).name, row))
    return Matrix(actor_types, rows)


def _inventory(model: Model) -> list[InventoryEntry]:
    result = propagate(model)
    out = []
    for system in sorted(model.systems, key=lambda s: s.id):
        by_origin: dict[str, set[str]] = defaultdict(set)
        for origin, category in result.received_at(system.id):
            by_origin[origin].add(category)
        received = [Received(o, sorted(c)) for o, c in sorted(by_origin.items())[:MAX_ORIGINS]]
        categories = sorted(set().union(*by_origin.values()))
        legal = [LegalBasis(model.sources[e], e) if e in model.sources else LegalBasis(e) for e in system.legal_basis]
        controls = [(c, _tri(getattr(system.controls, c))) for c in CONTROLS]
        out.append(InventoryEntry(system, sorted(system.holds), categories, received,
                                  max(0, len(by_origin) - MAX_ORIGINS), legal, controls, system.retention or "unknown"))
    return out


def _tri(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def _principles(findings: list[Finding]) -> list[PrincipleGroup]:
    first: dict[str, list[Finding]] = defaultdict(list)
    also: dict[str, list[Finding]] = defaultdict(list)
    for finding in findings:
        principles = finding.principles or ["other"]
        first[principles[0]].append(finding)
        for principle in principles[1:]:
            also[principle].append(finding)
    def order(p: str) -> tuple:  # principles with findings shown in full first, the most severe first
        shown = first.get(p, [])
        return (not shown, p == "other", -max((int(f.severity) for f in shown), default=0), -len(shown), p)

    names = sorted(set(first) | set(also), key=order)
    return [PrincipleGroup(p, principle_title(p), first.get(p, []), also.get(p, [])) for p in names]


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
            state = "matches no finding"
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

    ``today`` decides which acceptances have expired (default: the current date);
    it is not printed, so the output carries no date but the model's ``as_of``. The
    ``max_findings`` most severe findings are shown in full (0: all); the others are
    counted by severity, and everything else (summary, matrix) covers all of them.

    Notes
    -----
    Linear in the findings plus the received (origin, category) pairs over all systems.
    """
    report = analyze(model, accepted=accepted, today=today)
    summary = report.summary()
    exposures = [f for f in report.findings if f.kind == Kind.exposure]
    shown = report.findings[:max_findings] if max_findings > 0 else report.findings
    if len(shown) < len(report.findings):  # the top exposures are always shown in full (the summary links them)
        listed = {f.id for f in shown} | {f.id for f in exposures[:TOP_EXPOSURES]}
        shown = [f for f in report.findings if f.id in listed]
    omitted: dict[str, int] = defaultdict(int)
    shown_ids = {f.id for f in shown}
    for finding in report.findings:
        if finding.id not in shown_ids:
            omitted[finding.severity.name] += 1
    return ReportContent(
        model=model,
        report=report,
        version=__version__,
        digest=model_digest(model),
        by_severity=list(summary["by_severity"].items()),
        by_kind=list(summary["by_kind"].items()),
        top_exposures=exposures[:TOP_EXPOSURES],
        exposures=len(exposures),
        matrix=_matrix(model, report.findings),
        inventory=_inventory(model),
        principles=_principles(shown),
        omitted=list(omitted.items()),
        acceptances=_acceptances([*model.accepted, *accepted], report),
        sources=sorted(model.sources.items()),
        names={s.id: s.display_name for s in model.systems},
    )
