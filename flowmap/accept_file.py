"""Acceptance files (``flowmap analyze --accept FILE``): risk decisions kept outside the model.

The file is YAML or JSON holding a list of acceptances, the same shape as a
model's ``accepted:``, or a mapping with an ``accepted:`` key. It is read
through the model loader's safe path and validated with located diagnostics.

>>> import pathlib, tempfile
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "ok.yaml").write_text("- finding: exposure:a:*\\n  reason: necessary\\n  by: DPO\\n")
>>> [a.finding for a in load_acceptances(folder / "ok.yaml")]
['exposure:a:*']
>>> _ = (folder / "bad.yaml").write_text("accepted:\\n  - finding: x\\n    reson: typo\\n")
>>> try:
...     load_acceptances(folder / "bad.yaml")
... except ModelError as err:
...     print(str(err).replace(str(folder), "DIR"))
DIR/bad.yaml:2:5: accepted[0].reason: required field 'reason' is missing: add it
DIR/bad.yaml:3:5: accepted[0].reson: unknown field 'reson' (did you mean 'reason'?)
"""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from flowmap.errors import ModelError
from flowmap.loader import read_data
from flowmap.model import Acceptance
from flowmap.structure import Checked, explain_validation_error

__all__ = ["load_acceptances", "AcceptanceFile"]

HOLDING = "a list of acceptances (finding, status, reason, by, until) or a mapping with `accepted:`"


class AcceptanceFile(BaseModel):
    """An acceptance file written as a mapping."""

    model_config = ConfigDict(extra="forbid")

    accepted: list[Acceptance] = Field(default_factory=list, description="Risk acceptances.")


class _Items(BaseModel):
    """Stand-in root for a bare list, so error locations walk into Acceptance fields."""

    model_config = ConfigDict(extra="forbid")

    items: list[Acceptance]


_LIST = TypeAdapter(list[Acceptance])


def load_acceptances(path: str | os.PathLike) -> list[Acceptance]:
    """The acceptances in ``path``, in file order.

    Raises :class:`ModelError` with every problem, located by line and column.
    """
    name = str(path)
    data, text = read_data(path, holding=HOLDING)
    checked = Checked(name)
    try:
        if isinstance(data, list):
            return _LIST.validate_python(data)
        return AcceptanceFile.model_validate(data).accepted
    except ValidationError as exc:
        explain_validation_error(exc, checked, data, root=_Items if isinstance(data, list) else AcceptanceFile)
    raise ModelError(checked.diagnostics(text))
