"""CSV output: one row per finding (pandas), every finding, in rank order.

List fields are joined with ``;``; ``paths`` holds up to three witness paths, each written
``a > b > c``, joined with ``;``. ``safeguards`` (the safeguards recorded on the anchor flow)
is the last column: columns are only ever appended, since spreadsheets read them by position.
Every cell goes through
:func:`~flowmap.render.cells.guard_cell`: model text that a spreadsheet program would run as a
formula gets a leading ``'``.

>>> from flowmap.analysis import Report
>>> from flowmap.findings import Anchor, Confidence, Finding, Kind, Severity
>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [{"id": "a", "sector": "health"}]})
>>> f = Finding(id="exposure:a->b", rule="exposure", kind=Kind.exposure, severity=Severity.high,
...             confidence=Confidence.high, title="t", message="m, with a comma", anchor=Anchor("flow", "a->b"),
...             systems=["a", "b"], origins=["a"], origins_total=1, paths=[["a", "b"]], rank=1)
>>> print(render_csv(Report(m, [f])).splitlines()[1])
exposure:a->b,1,exposure,exposure,high,high,t,"m, with a comma",flow,a->b,a;b,,,,a,1,,,a > b,,,,,open,,,,
>>> f = f.replace(title='=HYPERLINK("http://evil")', message="-5 km")
>>> print(render_csv(Report(m, [f])).splitlines()[1])
exposure:a->b,1,exposure,exposure,high,high,"'=HYPERLINK(""http://evil"")",'-5 km,flow,a->b,a;b,,,,a,1,,,a > b,,,,,open,,,,
>>> f = f.replace(safeguards=["prior_authorisation", "access_logging"])
>>> print(render_csv(Report(m, [f])).splitlines()[1].rsplit(",", 1)[1])
prior_authorisation;access_logging
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flowmap.render.cells import csv_text, guard_cell

if TYPE_CHECKING:  # pragma: no cover
    from flowmap.analysis import Report

__all__ = ["COLUMNS", "render_csv"]

LIST_FIELDS = ("systems", "flows", "categories", "subjects", "origins", "reached", "principles", "safeguards")
COLUMNS = (
    "id", "rank", "rule", "kind", "severity", "confidence", "title", "message", "anchor_type", "anchor",
    "systems", "flows", "categories", "subjects", "origins", "origins_total", "reached", "reached_total",
    "paths", "principles", "mitigation", "question", "asks",
    "status", "acceptance_reason", "acceptance_by", "acceptance_until",
    "safeguards",  # appended: existing columns keep their positions
)


def render_csv(report: "Report") -> str:
    """Every finding as CSV with a header row, in rank order; cells guarded.

    Notes
    -----
    Linear in the size of the findings; pandas is imported here, only when CSV is asked for.
    """
    import pandas as pd

    rows = []
    for finding in report.findings:
        data = finding.to_dict()
        acceptance = data.pop("acceptance", None) or {}
        (data["anchor_type"], data["anchor"]), = data["anchor"].items()
        for name in LIST_FIELDS:
            data[name] = ";".join(data.get(name) or ())
        data["paths"] = ";".join(" > ".join(path) for path in data["paths"])
        data["acceptance_reason"] = acceptance.get("reason", "")
        data["acceptance_by"] = acceptance.get("by", "")
        data["acceptance_until"] = acceptance.get("until", "")
        rows.append([guard_cell("" if data.get(name) is None else str(data[name])) for name in COLUMNS])
    frame = pd.DataFrame(rows, columns=list(COLUMNS), dtype=str)
    return csv_text(frame)
