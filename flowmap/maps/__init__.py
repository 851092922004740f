"""Interactive, self-contained HTML maps of a model (``flowmap map``).

- :mod:`flowmap.maps.data` decides what is drawn and how (pure data, testable);
- :mod:`flowmap.maps.layout` places systems deterministically;
- :mod:`flowmap.maps.html` renders a standalone page, or a fragment to embed.
"""

from __future__ import annotations

from flowmap.maps.data import MapData, build_map_data, select_elements
from flowmap.maps.html import MapFragment, map_fragment, render_html, render_map

__all__ = ["MapData", "MapFragment", "build_map_data", "select_elements", "map_fragment", "render_html", "render_map"]
