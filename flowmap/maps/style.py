"""Visual encoding of a map: fixed colours, shapes, sizes and edge styles.

Colours come from Paul Tol's colour-blind-safe schemes (muted, light and
vibrant); every built-in sector has a fixed colour so that the same sector looks
the same on every map. Shape encodes the system kind and is redundant with no
colour, so a map still reads in greyscale.

>>> sector_colour("asylum", ["border", "asylum"])
'#117733'
>>> KIND_SHAPE["database"], node_size(None), node_size(5)
('dot', 10, 34)
>>> edge_width(None), edge_width(5)
(1.0, 5.4)
"""

from __future__ import annotations

__all__ = [
    "SECTOR_COLOURS",
    "EXTRA_COLOURS",
    "KIND_SHAPE",
    "EDGE_STYLES",
    "STATUS_STYLES",
    "SEVERITY_COLOURS",
    "ACTOR_BORDER",
    "sector_colour",
    "node_size",
    "edge_width",
]

# Paul Tol, "Colour Schemes" (SRON/EPS/TN/09-002): muted and light qualitative schemes, two from vibrant
# (chosen so that sectors that often meet on one map are far apart).
SECTOR_COLOURS = {
    "border": "#332288",  # indigo
    "visa": "#88CCEE",  # cyan
    "asylum": "#117733",  # green
    "immigration": "#44AA99",  # teal
    "police": "#882255",  # wine
    "judicial": "#AA4499",  # purple
    "intelligence": "#CC6677",  # rose
    "military": "#999933",  # olive
    "health": "#DDCC77",  # sand
    "welfare": "#EE8866",  # orange
    "education": "#BBCC33",  # pear
    "civil_registry": "#77AADD",  # light blue
    "humanitarian": "#44BB99",  # mint
    "private": "#FFAABB",  # pink
    "third_country": "#EE3377",  # magenta (Tol vibrant)
    "international_org": "#BBBBBB",  # grey (Tol vibrant)
    "interoperability": "#EEDD88",  # light yellow
}
# for sectors a model adds to the taxonomy, in the order the taxonomy lists them
EXTRA_COLOURS = ("#0077BB", "#009988", "#CCBB44", "#AA3377", "#33BBEE", "#AAAA00", "#99DDFF", "#DDDDDD")

KIND_SHAPE = {
    "database": "dot",
    "registry": "square",
    "component": "diamond",
    "service": "hexagon",
    "authority": "triangle",
    "device": "triangleDown",
    "external": "star",
}

# Tol vibrant red / orange and a neutral grey; dashes are vis-network dash patterns.
EDGE_STYLES = {
    "insecure": {"colour": "#CC3311", "dashes": [8, 5], "label": "insecure link (transport not encrypted or authenticated)"},
    "creep": {"colour": "#EE7733", "dashes": False, "label": "function creep (purpose incompatible with collection)"},
    "unknown": {"colour": "#9E9E9E", "dashes": [2, 5], "label": "security unknown (transport fields omitted)"},
    "normal": {"colour": "#4D4D4D", "dashes": False, "label": "secured flow"},
}

# Styling a caller (e.g. a diff map) may ask for, per node or edge.
STATUS_STYLES = {
    "added": {"colour": "#228833", "opacity": 1.0, "label": "added"},
    "removed": {"colour": "#BBBBBB", "opacity": 0.35, "label": "removed"},
    "changed": {"colour": "#EE7733", "opacity": 1.0, "label": "changed"},
}

SEVERITY_COLOURS = {
    "critical": "#882255",
    "high": "#CC3311",
    "medium": "#EE7733",
    "low": "#0077BB",
    "info": "#777777",
}

ACTOR_BORDER = "#000000"


def sector_colour(sector: str, taxonomy_sectors: list[str]) -> str:
    """The fixed colour of a built-in sector; extension sectors take extra colours in taxonomy order."""
    if sector in SECTOR_COLOURS:
        return SECTOR_COLOURS[sector]
    extras = [s for s in taxonomy_sectors if s not in SECTOR_COLOURS]
    position = extras.index(sector) if sector in extras else len(extras)
    return EXTRA_COLOURS[position % len(EXTRA_COLOURS)]


def node_size(sensitivity: int | None) -> int:
    """Node radius from the highest sensitivity held or received (1 low .. 5 critical; None = no data)."""
    return 10 if sensitivity is None else 10 + 6 * (sensitivity - 1)


def edge_width(sensitivity: int | None) -> float:
    """Edge width from the most sensitive category a flow carries."""
    return 1.0 if sensitivity is None else round(1.0 + 1.1 * (sensitivity - 1), 1)
