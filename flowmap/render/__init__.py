"""Renderers: a :class:`~flowmap.analysis.Report` as text in one output format.

One module per format, imported only when that format is asked for (the CSV
renderer needs pandas, which ``flowmap --help`` must not pay for). JSON is the
output contract itself, :meth:`Report.to_json`.

>>> from flowmap.analysis import analyze
>>> from flowmap.model import Model
>>> m = Model.model_validate({"flowmap": 1, "name": "x", "systems": [{"id": "a", "sector": "health"}]})
>>> render(analyze(m), "json").startswith('{\\n  "flowmap"')
True
>>> sorted(FORMATS)
['csv', 'json', 'markdown', 'sarif', 'table']
"""

from __future__ import annotations

import inspect
from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from flowmap.analysis import Report

__all__ = ["FORMATS", "render", "status_text"]

# format -> (module, function); each function takes the report and keyword options it knows
FORMATS: dict[str, tuple[str, str]] = {
    "table": ("flowmap.render.table", "render_table"),
    "json": ("", ""),
    "csv": ("flowmap.render.csv_out", "render_csv"),
    "markdown": ("flowmap.render.markdown", "render_markdown"),
    "sarif": ("flowmap.render.sarif", "render_sarif"),
}


def render(report: "Report", fmt: str, **options: Any) -> str:
    """``report`` as text in format ``fmt`` (a key of :data:`FORMATS`).

    Options a format does not use are ignored: ``color`` (table), ``uri`` and
    ``text`` (sarif: the model file's address and content), ``rules`` (sarif).
    """
    if fmt == "json":
        return report.to_json()
    module_name, function_name = FORMATS[fmt]
    function = getattr(import_module(module_name), function_name)
    known = inspect.signature(function).parameters
    return function(report, **{k: v for k, v in options.items() if k in known})


def status_text(acceptance: dict | None, status: str) -> str:
    """A finding's status with the acceptance behind it, in words.

    >>> status_text({"reason": "court order", "by": "DPO", "until": "2027-01-01"}, "accepted")
    'accepted by DPO until 2027-01-01: court order'
    >>> status_text(None, "open")
    'open'
    """
    if not acceptance:
        return status
    text = status
    if acceptance.get("by"):
        text += f" by {acceptance['by']}"
    if acceptance.get("until"):
        text += f" until {acceptance['until']}"
    return f"{text}: {acceptance['reason']}"
