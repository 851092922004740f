"""The record of processing activities (GDPR Art. 30(1); LED Art. 24(1)) as a spreadsheet: one row per system.

Each system of the model is one processing. The columns follow Art. 30(1)(a)-(g) in the order
of the supervisory authorities' controller templates, with the law-enforcement additions of
LED Art. 24(1) (legal basis, profiling) after them; :data:`COLUMNS` names each column and the
provision it answers. Recipients and transfers are derived from the flows (every system a
flow, or the reverse direction of a bidirectional one, carries this system's data to);
third countries and international organisations are those the model marks so (sector or actor
type ``third_country``, ``origin_country``, ``international_org``) or whose jurisdiction is of
another family than the sender's (the EU and its member states are one family, as for the
cross-border rule).

Nothing is invented: a cell is empty where the model does not say (joint controllers and the
DPO are never in a model; the DPO fills them in). Every cell goes through
:func:`~flowmap.render.cells.guard_cell`, so no model text becomes a formula, and the workbook
stores every cell as text with pinned timestamps: same model, same bytes.

>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
...     {"id": "eurodac", "sector": "asylum", "operator": "eu-LISA", "jurisdiction": "EU",
...      "holds": ["biometric.fingerprint"], "purposes": ["protection.asylum"], "subjects": ["asylum_seeker"],
...      "retention": "P10Y", "controls": {"access_logging": True}},
...     {"id": "origin", "name": "Country of origin", "sector": "third_country", "actor": "origin_country"},
...     {"id": "police", "name": "=HYPERLINK(1)", "sector": "police", "jurisdiction": "FR"}],
...   "flows": [{"from": "eurodac", "to": "origin", "data": ["biometric.fingerprint"], "purpose": "enforcement.return",
...              "legal_basis": ["Art. 50"]},
...             {"from": "eurodac", "to": "police", "data": ["biometric.fingerprint"], "purpose": "enforcement.law"}]})
>>> row, _, police = ropa_rows(m)
>>> row["Controller"], row["Recipients"], police["Processing"]
('eu-LISA', 'Country of origin (third country); =HYPERLINK(1) (FR)', "'=HYPERLINK(1)")
>>> is_third_country(m.system("police"), m.system("eurodac")), is_third_country(m.system("eurodac"), m.system("origin"))
(False, True)
>>> row["Transfers to third countries or international organisations"]
'eurodac->origin: to Country of origin (third country): biometric.fingerprint'
>>> row["Transfer safeguards"], row["Security measures"], row["Joint controllers"]
('eurodac->origin: legal basis: Art. 50', 'access logging: yes', '')
"""

from __future__ import annotations

import io
from typing import Iterable

from flowmap.graph import Graph, graph_of
from flowmap.model import Model, System
from flowmap.render.cells import csv_text, guard_cell
from flowmap.report.dpia import legal_text

__all__ = ["COLUMNS", "NAMES", "ropa_rows", "ropa_csv", "ropa_xlsx", "ropa_format", "is_third_country",
           "is_international_org"]

# (column, what it answers): the order of the columns in the record
COLUMNS: tuple[tuple[str, str], ...] = (
    ("Processing", "the processing: the system's name"),
    ("System id", "the system's id in the model"),
    ("Controller", "GDPR Art. 30(1)(a), LED Art. 24(1)(a): the system's operator"),
    ("Controller jurisdiction", "GDPR Art. 30(1)(a): the operator's jurisdiction"),
    ("Joint controllers", "GDPR Art. 30(1)(a), LED Art. 24(1)(a): not in the model, to fill"),
    ("Data protection officer", "GDPR Art. 30(1)(a), LED Art. 24(1)(a): not in the model, to fill"),
    ("Purposes", "GDPR Art. 30(1)(b), LED Art. 24(1)(b): purposes of collection, then the purposes of the "
                 "flows it receives data by"),
    ("Further purposes added by law", "GDPR Art. 30(1)(b): `further_purposes`, each with its provision"),
    ("Categories of data subjects", "GDPR Art. 30(1)(c), LED Art. 24(1)(d): its own subjects and the people "
                                    "whose data it receives"),
    ("Categories of personal data", "GDPR Art. 30(1)(c), LED Art. 24(1)(d): categories collected there, "
                                    "received through any chain of flows, and named by the flows it receives"),
    ("Recipients", "GDPR Art. 30(1)(d), LED Art. 24(1)(c): every system a flow carries its data to"),
    ("Recipients in third countries or international organisations", "GDPR Art. 30(1)(d), LED Art. 24(1)(c)"),
    ("Transfers to third countries or international organisations", "GDPR Art. 30(1)(e), LED Art. 24(1)(f): "
                                                                    "per flow, the recipient and the data"),
    ("Transfer safeguards", "GDPR Art. 30(1)(e) and 49(1): per transfer, its legal basis and conditions"),
    ("Time limits for erasure", "GDPR Art. 30(1)(f), LED Art. 24(1)(h): the system's retention"),
    ("Security measures", "GDPR Art. 30(1)(g), LED Art. 24(1)(i): the controls the model records (yes or no)"),
    ("Legal basis", "LED Art. 24(1)(g): the system's legal basis, sources cited in full"),
    ("Profiling", "LED Art. 24(1)(e): profiling technologies, automated decisions on received data"),
    ("Sources", "the model's source keys for the system"),
)
NAMES = tuple(name for name, _ in COLUMNS)
THIRD_COUNTRY = frozenset({"third_country", "origin_country"})
INTERNATIONAL_ORG = "international_org"
PROFILING_TECHNOLOGIES = ("automated_risk_scoring", "predictive_analytics")
SECURITY_CONTROLS = ("encryption_at_rest", "access_logging", "independent_oversight", "redress", "human_review")


def _words(term: str) -> str:
    return term.replace("_", " ")


def _join(items: Iterable[str]) -> str:
    return "; ".join(dict.fromkeys(i for i in items if i))


def is_international_org(system: System) -> bool:
    """Marked as an international organisation (sector or actor type ``international_org``)."""
    return INTERNATIONAL_ORG in (system.sector, system.actor)


def _marked_abroad(system: System) -> bool:
    return bool({system.sector, system.actor} & THIRD_COUNTRY) or is_international_org(system)


def is_third_country(sender: System, recipient: System) -> bool:
    """Marked as a third country (sector or actor type), or, for a sender not itself marked as a third
    country or international organisation, in a jurisdiction of another family than the sender's."""
    from flowmap.rules.cross_border import jurisdiction_family

    if recipient.sector in THIRD_COUNTRY or recipient.actor in THIRD_COUNTRY:
        return True
    if is_international_org(recipient) or _marked_abroad(sender) or not (sender.jurisdiction and recipient.jurisdiction):
        return False
    return jurisdiction_family(sender.jurisdiction) != jurisdiction_family(recipient.jurisdiction)


def _where(sender: System, recipient: System) -> str:
    """``international organisation``, ``third country`` (with its jurisdiction when the model names one),
    else the recipient's jurisdiction when it is not the sender's."""
    where = recipient.jurisdiction or ""
    if is_international_org(recipient):
        return "international organisation"
    if is_third_country(sender, recipient):
        return "third country" + (f": {where}" if where and "countr" not in where.lower() else "")
    return where if where != (sender.jurisdiction or "") else ""


def _named(sender: System, recipient: System) -> str:
    where = _where(sender, recipient)
    return recipient.display_name + (f" ({where})" if where else "")


def _row(model: Model, graph: Graph, system: System) -> dict[str, str]:
    incoming = graph.in_edges(system.id)
    outgoing = graph.out_edges(system.id)
    people = list(system.subjects)
    for edge in incoming:
        if edge.flow.subjects:
            people += edge.flow.subjects
        else:
            origins = {o for whose in graph.crossing(edge).values() for o in whose}
            people += sorted({s for o in origins for s in graph.system(o).subjects})
    categories = sorted(set(system.holds) | set(graph.holdings_at(system.id))
                        | {c for e in incoming for c in e.flow.data})
    recipients = [graph.system(e.target) for e in outgoing]
    abroad = [(e, graph.system(e.target)) for e in outgoing
              if is_third_country(system, graph.system(e.target)) or is_international_org(graph.system(e.target))]
    safeguards = []
    for edge, recipient in abroad:
        parts = []
        if edge.flow.legal_basis:
            parts.append("legal basis: " + "; ".join(legal_text(model, edge.flow.legal_basis)))
        if edge.flow.conditions:
            parts.append("conditions: " + edge.flow.conditions)
        if parts:
            safeguards.append(f"{edge.id}: " + "; ".join(parts))
    profiling = [_words(t) for t in system.technologies if t in PROFILING_TECHNOLOGIES]
    for edge in incoming:
        if edge.flow.automated_decision:
            review = {None: "not stated", True: "yes", False: "no"}[edge.flow.human_review]
            profiling.append(f"automated decisions on data from {graph.system(edge.source).display_name} "
                             f"({edge.id}; human review: {review})")
    controls = [(name, getattr(system.controls, name)) for name in SECURITY_CONTROLS]
    further = [f"{fp.purpose} ({'; '.join(fp.by)})" for fp in system.further_purposes]
    row = {
        "Processing": system.display_name,
        "System id": system.id,
        "Controller": system.operator or "",
        "Controller jurisdiction": system.jurisdiction or "",
        "Joint controllers": "",
        "Data protection officer": "",
        "Purposes": _join([*system.purposes, *(p for e in incoming for p in e.flow.purposes)]),
        "Further purposes added by law": _join(further),
        "Categories of data subjects": _join(_words(p) for p in people),
        "Categories of personal data": _join(categories),
        "Recipients": _join(_named(system, r) for r in recipients),
        "Recipients in third countries or international organisations": _join(_named(system, r) for _, r in abroad),
        "Transfers to third countries or international organisations": _join(
            f"{e.id}: to {_named(system, r)}: {', '.join(e.flow.data)}" for e, r in abroad),
        "Transfer safeguards": _join(safeguards),
        "Time limits for erasure": system.retention or "",
        "Security measures": _join(f"{_words(n)}: {'yes' if v else 'no'}" for n, v in controls if v is not None),
        "Legal basis": _join(legal_text(model, system.legal_basis)),
        "Profiling": _join(profiling),
        "Sources": _join(system.sources),
    }
    return {name: guard_cell(row[name]) for name in NAMES}


def ropa_rows(model: Model) -> list[dict[str, str]]:
    """One row per system (by id): column name -> cell text, guarded against formulas; empty = the model does not say."""
    graph = graph_of(model)
    return [_row(model, graph, system) for system in graph.systems]


def ropa_format(filename: str) -> str:
    """``csv`` for a ``.csv`` file name (or ``-``, standard output), else ``xlsx``.

    >>> ropa_format("out/ropa.CSV"), ropa_format("-"), ropa_format("ropa.xlsx")
    ('csv', 'csv', 'xlsx')
    """
    return "csv" if filename == "-" or filename.lower().endswith(".csv") else "xlsx"


def ropa_csv(model: Model) -> bytes:
    """The record as CSV (UTF-8, ``\\n`` line ends, the header first)."""
    import pandas as pd

    frame = pd.DataFrame([[r[n] for n in NAMES] for r in ropa_rows(model)], columns=list(NAMES), dtype=str)
    return csv_text(frame).encode("utf-8")


def ropa_xlsx(model: Model) -> bytes:
    """The record as a workbook: sheet ``record`` (header frozen, every cell text) and sheet ``about``
    (what was recorded, from which model, and what each column answers)."""
    import datetime as dt

    from openpyxl import Workbook

    from flowmap import __version__
    from flowmap.analysis import model_digest
    from flowmap.spreadsheet.write import _letter, _pin_zip, _text_cell

    rows = ropa_rows(model)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("record")
    sheet.freeze_panes = "C2"
    for number, name in enumerate(NAMES):
        longest = max([len(name), *(len(r[name]) for r in rows)])
        sheet.column_dimensions[_letter(number)].width = min(max(longest + 2, 10), 60)
    sheet.append(list(NAMES))
    for row in rows:
        sheet.append([_text_cell(sheet, row[name]) for name in NAMES])
    about = book.create_sheet("about")
    about.column_dimensions["A"].width = 40
    about.column_dimensions["B"].width = 100
    facts = [("Record of processing activities", "GDPR Art. 30(1); LED Art. 24(1); one row per system"),
             ("Model", model.name), ("Snapshot as of", model.as_of or ""), ("Model digest (sha256)", model_digest(model)),
             ("flowmap version", __version__), ("", ""), ("Column", "What it answers")]
    for label, value in [*facts, *COLUMNS]:
        about.append([_text_cell(about, guard_cell(label)), _text_cell(about, guard_cell(value))])
    book.properties.created = book.properties.modified = dt.datetime(2000, 1, 1)
    book.properties.creator = "flowmap"
    buffer = io.BytesIO()
    book.save(buffer)
    return _pin_zip(buffer.getvalue())
