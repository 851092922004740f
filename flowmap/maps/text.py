"""What tooltips and detail panels say about a system or a flow, as rows of (label, text).

Rows are ``[label, text]``; the page puts them in the DOM as text. Long free text is clipped.
What a system receives is kept structured (:class:`Received`) and written by the page.

>>> from flowmap.model import Flow
>>> flow = Flow.model_validate({"from": "a", "to": "b", "data": ["identity"], "purpose": "enforcement.law"})
>>> flow_rows(flow)[:2]
[['purpose', 'enforcement.law'], ['transport', 'encrypted: unknown; authenticated: unknown; logged: unknown']]
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from flowmap.model import Flow, System

__all__ = ["system_rows", "flow_rows", "received_at_systems", "Received", "MAX_ORIGINS_SHOWN", "MAX_CATEGORIES_SHOWN"]

MAX_ORIGINS_SHOWN = 3
MAX_CATEGORIES_SHOWN = 8
MAX_TEXT = 600


def _clip(text: str | None) -> str:
    text = (text or "").strip()
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 1] + "\u2026"


def _tri(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


def received_at_systems(graph, system_ids) -> dict[str, list[tuple[str, int, list[str]]]]:
    """System id -> (category, number of other origins, the first few of them) reaching it, for
    the systems in ``system_ids``, read from the model's :class:`~flowmap.graph.Graph` (so a
    flow that forwards only its source's own records passes on nothing else).

    One pass per category over the systems it reaches. The systems of one strongly connected
    component share one bitset: its count and first origins are read once, and each system
    only takes its own bit out.
    """
    wanted = set(system_ids)
    ids = [s.id for s in graph.systems]  # Graph.reach numbers system nodes, and origin bits, in id order
    position = {sid: i for i, sid in enumerate(ids)}
    system_at = {i: sid for i, sid in enumerate(ids) if sid in wanted}
    out: dict[str, list[tuple[str, int, list[str]]]] = {}
    for category in graph.categories:
        seen: dict[int, tuple[int, list[int]]] = {}
        holders = {position[o] for o in graph.origins_of(category)}  # their own bit is set where they are
        for node, bits in graph.reach(category).items():
            sid = system_at.get(node)
            if sid is None or not bits:
                continue
            summary = seen.get(bits)
            if summary is None:
                summary = seen[bits] = (bits.bit_count(), _lowest_bits(bits, MAX_ORIGINS_SHOWN + 1))
            count, first = summary
            if node in holders:  # a system is no origin of what reaches it
                count -= 1
                first = [i for i in first if i != node]
            if count:
                out.setdefault(sid, []).append((category, count, [ids[i] for i in first[:MAX_ORIGINS_SHOWN]]))
    return out


def _lowest_bits(bits: int, n: int) -> list[int]:
    """Positions of the ``n`` lowest set bits.

    >>> _lowest_bits(0b101100, 2)
    [2, 3]
    """
    out = []
    while bits and len(out) < n:
        low = bits & -bits
        out.append(low.bit_length() - 1)
        bits ^= low
    return out


@dataclass(frozen=True)
class Received:
    """The "receives" row of a system: per category (the first :data:`MAX_CATEGORIES_SHOWN`), how
    many other origins' data reach it and the first few of them; ``more`` categories beyond.

    Kept structured, not as text: the page writes the text (``str()`` gives the same words), and a
    map of 50,000 systems carries each origin once, not once per sentence that names it.

    >>> str(Received((("identity", 5, ("a", "b", "c")), ("health", 1, ("d",))), more=2))
    'identity from a, b, c +2 more; health from d; +2 more categories'
    """

    parts: tuple[tuple[str, int, tuple[str, ...]], ...]
    more: int = 0

    def __str__(self) -> str:
        out = [f"{category} from {', '.join(first)}" + (f" +{count - len(first)} more" if count > len(first) else "")
               for category, count, first in self.parts]
        if self.more:
            out.append(f"+{self.more} more categories")
        return "; ".join(out)


def system_rows(system: System, received, tax) -> list[list]:
    """Tooltip rows of a system after its heading (``name (id)``, ``kind \u00b7 sector``), which the
    page writes from the node itself; the "receives" row's text is a :class:`Received`."""
    rows: list[list] = []
    for label, value in (("operator", system.operator), ("jurisdiction", system.jurisdiction)):
        if value:
            rows.append([label, _clip(value)])
    if system.actor:
        rows.append(["actor of concern", system.actor])
    if system.holds:
        rows.append(["holds", ", ".join(system.holds)])
    if received:
        shown = tuple((category, count, tuple(first)) for category, count, first in received[:MAX_CATEGORIES_SHOWN])
        rows.append(["receives", Received(shown, max(0, len(received) - MAX_CATEGORIES_SHOWN))])
    rows.append(["retention", system.retention or "not stated"])
    rows.append(["controls", _controls(system.controls)])
    if system.notes:
        rows.append(["notes", _clip(system.notes)])
    if system.sources:
        rows.append(["sources", ", ".join(system.sources)])
    return rows


def _controls(controls) -> str:
    return _controls_text(tuple(controls))


@functools.lru_cache(maxsize=256)
def _controls_text(fields: tuple[tuple[str, bool | None], ...]) -> str:
    return "; ".join(f"{k.replace('_', ' ')}: {_tri(v)}" for k, v in fields)


def flow_rows(flow: Flow) -> list[list[str]]:
    """Tooltip rows of a flow beyond what its edge item carries (ends, id, data, style)."""
    rows = [["purpose", ", ".join(flow.purposes)]]
    if flow.mode:
        rows.append(["mode", flow.mode.value])
    t = flow.transport
    rows.append(["transport", f"encrypted: {_tri(t.encrypted)}; authenticated: {_tri(t.authenticated)}; "
                              f"logged: {_tri(t.logged)}"])
    rows.append(["legal basis", _clip(", ".join(flow.legal_basis)) or "none known"])
    if flow.automated_decision:
        rows.append(["automated decision", f"yes; human review: {_tri(flow.human_review)}"])
    if flow.conditions:
        rows.append(["conditions", _clip(flow.conditions)])
    if flow.notes:
        rows.append(["notes", _clip(flow.notes)])
    return rows
