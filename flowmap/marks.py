"""Line and column of a field path in a model file, from the YAML node marks.

Only used when there is something to report, so valid models never pay for it.
JSON is read with the YAML composer too (JSON is YAML for this purpose).

>>> locator = Locator("systems:\\n  - id: a\\n    hods: []\\n")
>>> locator.locate(("systems", 0, "hods"), key=True)
(3, 5)
>>> locator.locate(("systems", 0))
(2, 5)
"""

from __future__ import annotations

from typing import Sequence

__all__ = ["Locator"]


class Locator:
    """Finds where a path such as ``("flows", 3, "to")`` stands in a file's text."""

    def __init__(self, text: str):
        import yaml  # here, not with the module: a valid JSON model never imports PyYAML

        from flowmap.yaml_reader import base_loader

        try:
            self._root = yaml.compose(text, Loader=base_loader())
        except (yaml.YAMLError, RecursionError):
            self._root = None

    def locate(self, path: Sequence[str | int], *, key: bool = False) -> tuple[int, int]:
        """``(line, column)``, 1-based, of the deepest node of ``path`` found; ``(0, 0)`` if none.

        With ``key=True`` the last step points at the mapping key rather than its value
        (for an unknown field, the key is what is wrong).
        """
        import yaml

        node = self._root
        if node is None:
            return (0, 0)
        best = node.start_mark
        for index, step in enumerate(path):
            last = index == len(path) - 1
            child = None
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if str(key_node.value) == str(step):
                        child = key_node if (last and key) else value_node
                        break
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
                child = node.value[step]
            if child is None:
                break
            node = child
            best = node.start_mark
        return (best.line + 1, best.column + 1)
