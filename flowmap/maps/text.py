"""What tooltips and detail panels say about a system or a flow, as rows of (label, text).

Rows are plain strings; the page puts them in the DOM as text. Long free text is clipped.

>>> from flowmap.model import Flow
>>> flow = Flow.model_validate({"from": "a", "to": "b", "data": ["identity"], "purpose": "enforcement.law"})
>>> flow_rows(flow)[:2]
[['purpose', 'enforcement.law'], ['transport', 'encrypted: unknown; authenticated: unknown; logged: unknown']]
"""

from __future__ import annotations

from flowmap.model import Flow, System

__all__ = ["system_rows", "flow_rows", "received_at_systems", "MAX_ORIGINS_SHOWN", "MAX_CATEGORIES_SHOWN"]

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

    One pass per category over the systems it reaches; a system reached by thousands of
    origins costs a popcount, not a list.
    """
    wanted = set(system_ids)
    ids = [s.id for s in graph.systems]  # Graph.reach numbers system nodes, and origin bits, in id order
    system_at = {i: sid for i, sid in enumerate(ids) if sid in wanted}
    out: dict[str, list[tuple[str, int, list[str]]]] = {}
    for category in graph.categories:
        for node, bits in graph.reach(category).items():
            sid = system_at.get(node)
            if sid is None:
                continue
            bits &= ~graph.origin_bit(sid)
            if not bits:
                continue
            first, rest = [], bits
            while rest and len(first) < MAX_ORIGINS_SHOWN:
                low = rest & -rest
                first.append(ids[low.bit_length() - 1])
                rest ^= low
            out.setdefault(sid, []).append((category, bits.bit_count(), first))
    return out


def system_rows(system: System, received, tax) -> list[list[str]]:
    rows = [["", f"{system.display_name} ({system.id})"], ["kind", f"{system.kind.value} \u00b7 {system.sector}"]]
    for label, value in (("operator", system.operator), ("jurisdiction", system.jurisdiction)):
        if value:
            rows.append([label, _clip(value)])
    if system.actor:
        rows.append(["actor of concern", system.actor])
    if system.holds:
        rows.append(["holds", ", ".join(system.holds)])
    if received:
        parts = []
        for category, count, first in received[:MAX_CATEGORIES_SHOWN]:
            more = f" +{count - len(first)} more" if count > len(first) else ""
            parts.append(f"{category} from {', '.join(first)}{more}")
        if len(received) > MAX_CATEGORIES_SHOWN:
            parts.append(f"+{len(received) - MAX_CATEGORIES_SHOWN} more categories")
        rows.append(["receives", "; ".join(parts)])
    rows.append(["retention", system.retention or "not stated"])
    controls = system.controls.model_dump()
    rows.append(["controls", "; ".join(f"{k.replace('_', ' ')}: {_tri(v)}" for k, v in controls.items())])
    if system.notes:
        rows.append(["notes", _clip(system.notes)])
    if system.sources:
        rows.append(["sources", ", ".join(system.sources)])
    return rows


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
