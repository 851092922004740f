"""CSV output: one row per finding (pandas), list fields joined with ``;``.

Every cell goes through :func:`~flowmap.render.cells.guard_cell`: model text
that a spreadsheet program would run as a formula gets a leading ``'``.

>>> from flowmap.analysis import Report
>>> from flowmap.findings import Finding, Severity
>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [{"id": "a", "sector": "health"}]})
>>> f = Finding(id="exposure:a:b", rule="exposure", kind="exposure", severity=Severity.high,
...             title="t", message="m, with a comma", systems=["a", "b"])
>>> print(render_csv(Report(m, [f])).splitlines()[1])
exposure:a:b,exposure,exposure,high,high,t,"m, with a comma",a;b,,,,,,open,,,
>>> f = Finding(id="exposure:a:b", rule="exposure", kind="exposure", severity=Severity.high,
...             title='=HYPERLINK("http://evil")', message="-5 km", systems=["a"])
>>> print(render_csv(Report(m, [f])).splitlines()[1])
exposure:a:b,exposure,exposure,high,high,"'=HYPERLINK(""http://evil"")",'-5 km,a,,,,,,open,,,
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flowmap.render.cells import csv_text, guard_cell

if TYPE_CHECKING:  # pragma: no cover
    from flowmap.analysis import Report

__all__ = ["COLUMNS", "render_csv"]

LIST_FIELDS = ("systems", "flows", "categories", "path", "principles")
COLUMNS = (
    "id", "rule", "kind", "severity", "confidence", "title", "message",
    *LIST_FIELDS,
    "mitigation", "status", "acceptance_reason", "acceptance_by", "acceptance_until",
)


def render_csv(report: "Report") -> str:
    """The findings as CSV with a header row, in the contract's order (severity, then id); cells guarded.

    Notes
    -----
    Linear in the size of the findings; pandas is imported here, only when CSV is asked for.
    """
    import pandas as pd

    rows = []
    for finding in report.findings:
        data = finding.to_dict()
        acceptance = data.pop("acceptance", None) or {}
        for name in LIST_FIELDS:
            data[name] = ";".join(data[name])
        data["acceptance_reason"] = acceptance.get("reason", "")
        data["acceptance_by"] = acceptance.get("by", "")
        data["acceptance_until"] = acceptance.get("until", "")
        rows.append([guard_cell("" if data[name] is None else str(data[name])) for name in COLUMNS])
    frame = pd.DataFrame(rows, columns=list(COLUMNS), dtype=str)
    return csv_text(frame)
