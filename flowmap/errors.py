"""The one exception tree of flowmap.

The CLI turns a :class:`FlowmapError` into ``Error: ...`` lines on stderr and
exit code 2; nothing else it raises is expected.

>>> err = ModelError([Diagnostic("m.yaml", 3, 5, "flows[0].to", "unknown system 'x'")])
>>> str(err)
"m.yaml:3:5: flows[0].to: unknown system 'x'"
"""

from __future__ import annotations

from flowmap.diagnostics import Diagnostic

__all__ = ["FlowmapError", "ModelError", "UsageError", "Diagnostic"]


class FlowmapError(Exception):
    """Base class of every error flowmap raises on purpose."""


class UsageError(FlowmapError):
    """A command was called with options that do not fit together."""


class ModelError(FlowmapError):
    """A model file is invalid; ``diagnostics`` lists every problem found, sorted."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))
