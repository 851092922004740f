"""Line numbers of a model's systems and flows in its file, by id (for SARIF locations).

JSON files are scanned with the C JSON decoder, element by element (composing
a large JSON file as YAML nodes takes over 40 s at 10,000 systems); YAML files
are composed once with :class:`flowmap.marks.Locator`.

>>> text = '{"flowmap": 1, "systems": [\\n {"id": "a"},\\n {"id": "b"}\\n], "flows": []}'
>>> json_element_lines(text)
{'systems': [2, 3], 'flows': []}
>>> json_element_lines("not json") is None
True
"""

from __future__ import annotations

import bisect
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from flowmap.model import Model

__all__ = ["ElementLines", "json_element_lines"]

_DECODER = json.JSONDecoder()
_SPACE = " \t\n\r"


def _skip(text: str, at: int) -> int:
    while at < len(text) and text[at] in _SPACE:
        at += 1
    return at


def json_element_lines(text: str, keys: tuple[str, ...] = ("systems", "flows")) -> dict[str, list[int]] | None:
    """For each top-level array in ``keys``, the 1-based line where each element starts;
    ``None`` when ``text`` is not a JSON object.

    Notes
    -----
    One pass of the C decoder over the text plus a bisection per element: linear.
    """
    try:
        at = _skip(text, 0)
        if text[at:at + 1] == "\ufeff":
            at = _skip(text, at + 1)
        if text[at:at + 1] != "{":
            return None
        newlines = _newlines(text)
        found: dict[str, list[int]] = {key: [] for key in keys}
        at = _skip(text, at + 1)
        while text[at] != "}":
            key, at = _DECODER.raw_decode(text, at)
            at = _skip(text, at)
            if text[at] != ":":
                return None
            at = _skip(text, at + 1)
            if key in found and text[at] == "[":
                at = _skip(text, at + 1)
                while text[at] != "]":
                    found[key].append(bisect.bisect_left(newlines, at) + 1)
                    _, at = _DECODER.raw_decode(text, at)
                    at = _skip(text, at)
                    if text[at] == ",":
                        at = _skip(text, at + 1)
                at += 1
            else:
                _, at = _DECODER.raw_decode(text, at)
            at = _skip(text, at)
            if text[at] == ",":
                at = _skip(text, at + 1)
        return found
    except (ValueError, IndexError):
        return None


def _newlines(text: str) -> list[int]:
    out = []
    at = text.find("\n")
    while at != -1:
        out.append(at)
        at = text.find("\n", at + 1)
    return out


class ElementLines:
    """Where each system and flow of ``model`` starts in ``text`` (line 1 when unknown)."""

    def __init__(self, model: "Model", text: str | None, *, is_json: bool = False):
        self.systems = {s.id: i for i, s in enumerate(model.systems)}
        self.flows = {f.id: i for i, f in enumerate(model.flows)}
        self._json = json_element_lines(text) if (text and is_json) else None
        self._locator = None
        if text and self._json is None:
            from flowmap.marks import Locator

            self._locator = Locator(text)

    def line(self, element: str, *, flow: bool) -> int:
        """The line of system (or flow) ``element``."""
        key = "flows" if flow else "systems"
        index = (self.flows if flow else self.systems).get(element)
        if index is None:
            return 1
        if self._json is not None:
            lines = self._json.get(key, [])
            return lines[index] if index < len(lines) else 1
        if self._locator is None:
            return 1
        return max(1, self._locator.locate((key, index))[0])
