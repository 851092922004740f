"""Rendering a :class:`~flowmap.diff.result.Diff` as a text table, JSON or Markdown.

Every renderer is deterministic: the Diff's lists are already sorted, and
nothing here iterates a set or a dict built from hashing.

>>> format_value(["a", "b"]), format_value(None), format_value(True)
('[a, b]', 'unknown', 'true')
>>> list_delta(["a", "b"], ["b", "c"])
'+c, -a'

Free text is cut at a readable length; names (ids, categories, purposes) never are, so a
line never hides exactly what changed (``criminal.reco...``).
"""

from __future__ import annotations

import json
from typing import Any

from flowmap.diff.model_changes import ElementChange, EntryChange, FieldChange
from flowmap.diff.result import Diff

__all__ = ["render", "FORMATS", "format_value", "list_delta", "describe_field", "text_pair"]

FORMATS = ("table", "json", "markdown")
_MAX = 70


def _is_names(value: Any) -> bool:
    """A list of names: ids, categories, purposes (no spaces), never cut."""
    return isinstance(value, list) and all(isinstance(v, str) and " " not in v.strip() for v in value)


def format_value(value: Any, limit: int = _MAX) -> str:
    """A field value in a line of text (``unknown`` for an absent or omitted value). Free text
    longer than ``limit`` is cut; a list of names is shown whole.

    >>> format_value(["criminal.record", "identity.biographic"], limit=10)
    '[criminal.record, identity.biographic]'
    """
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if _is_names(value):
        return "[" + ", ".join(value) + "]"
    if isinstance(value, list):
        text = "[" + ", ".join(v if isinstance(v, str) else json.dumps(v, sort_keys=True) for v in value) + "]"
    elif isinstance(value, dict):
        text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    else:
        text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def text_pair(old: str, new: str, limit: int = _MAX) -> tuple[str, str]:
    """Two versions of a free text, cut around where they differ so that what changed shows:
    the common start and end give way to ``...``, a little context kept.

    >>> text_pair("EU borders, visa and asylum information systems (before interoperability)",
    ...           "EU borders, visa and asylum information systems (after interoperability)", 40)
    ('...systems (before interoperability)', '...systems (after interoperability)')
    """
    old, new = " ".join(old.split()), " ".join(new.split())
    if len(old) <= limit and len(new) <= limit:
        return old, new
    shortest = min(len(old), len(new))
    prefix = 0
    while prefix < shortest and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < shortest - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    begin = 0 if prefix <= 15 else old.rfind(" ", 0, prefix - 8) + 1

    def cut(text: str) -> str:
        stop = len(text) - suffix
        space = text.find(" ", stop + 8)
        stop = len(text) if space < 0 else space
        body = text[begin:stop]
        if len(body) > limit + 20:
            body = body[: limit + 17] + "..."
        return ("..." if begin else "") + body + ("..." if stop < len(text) and not body.endswith("...") else "")

    return cut(old), cut(new)


def list_delta(old: list, new: list) -> str:
    """Items added (+) and removed (-) between two lists of names."""
    added = [f"+{v}" for v in new if v not in old]
    removed = [f"-{v}" for v in old if v not in new]
    return ", ".join(added + removed)


def describe_field(change: FieldChange) -> str:
    """``holds: +biometric.face`` for lists of names, ``retention: P5Y -> P10Y`` otherwise.

    >>> describe_field(FieldChange("holds", None, ["criminal.record"]))
    'holds: +criminal.record'
    """
    old, new = change.old, change.new
    names = lambda v: isinstance(v, list) and all(isinstance(x, str) for x in v)  # noqa: E731
    if (names(old) or old is None) and (names(new) or new is None) and (old or new):
        delta = list_delta(old or [], new or [])
        if delta:
            return f"{change.field}: {delta}"
    if isinstance(old, str) and isinstance(new, str):
        before, after = text_pair(old, new)
        return f"{change.field}: {before} -> {after}"
    return f"{change.field}: {format_value(old)} -> {format_value(new)}"


def _element_line(kind: str, change: ElementChange) -> str:
    head = f"{kind} {change.id}" + (f" (renamed from {change.old_id})" if change.renamed else "")
    return head + (": " + "; ".join(describe_field(f) for f in change.fields) if change.fields else "")


def _entry_line(entry: EntryChange) -> str:
    if entry.change == "changed":
        return f"{entry.section} {entry.key}: {format_value(entry.old)} -> {format_value(entry.new)}"
    value = entry.new if entry.new is not None else entry.old
    return f"{entry.section} {entry.key}: {format_value(value)}"


def _model_lines(d: Diff) -> list[tuple[str, str]]:
    """(mark, text) for every model change: + added, - removed, ~ changed, > renamed."""
    m = d.model
    out: list[tuple[str, str]] = [("~", describe_field(f)) for f in m.meta]
    for kind in ("system", "flow"):
        added, removed = getattr(m, f"{kind}s_added"), getattr(m, f"{kind}s_removed")
        out += [("+", f"{kind} {e.id}" + _element_note(kind, e.data)) for e in added]
        out += [("-", f"{kind} {e.id}" + _element_note(kind, e.data)) for e in removed]
        out += [(">" if c.renamed else "~", _element_line(kind, c)) for c in getattr(m, f"{kind}s_changed")]
    for entry in [*m.taxonomy, *m.sources, *m.accepted]:
        mark = {"added": "+", "removed": "-", "changed": "~"}[entry.change]
        out.append((mark, _entry_line(entry)))
    return out


def _element_note(kind: str, data: dict[str, Any]) -> str:
    if kind == "flow":
        return f" ({data.get('from')} -> {data.get('to')}: {format_value(data.get('data'), 50)})"
    name = data.get("name")
    return f" ({format_value(name, 120)})" if name else ""


def _finding_lines(d: Diff) -> list[tuple[str, str, str, str, str]]:
    """(mark, severity, id, title, detail) per finding change; the detail says how a changed
    finding changed, in words, then which model changes explain it (never cut)."""
    out = []
    for mark, changes in (("+", d.risks.new), ("-", d.risks.resolved), ("~", d.risks.changed)):
        for c in changes:
            f = c.finding
            detail = "; ".join(c.how())
            because = "; ".join(cause.text() for cause in c.causes)
            if because:
                detail = (detail + "; " if detail else "") + "because " + because
            status = "" if f.status == "open" else f" [{f.status}]"
            out.append((mark, f.severity.name, c.id, " ".join(f.title.split()) + status, detail))  # one line, whole
    return out


def _counts(d: Diff) -> str:
    return f"{_counts_side(d.old)} -> {_counts_side(d.new)}"


def _title(s) -> str:
    return f"{s.label} ({s.name}" + (f", as of {s.as_of})" if s.as_of else ")")


def render_table(d: Diff) -> str:
    lines = [f"old: {_title(d.old)}", f"new: {_title(d.new)}", f"findings: {_counts(d)}"]
    if d.is_empty():
        return "\n".join(lines + ["", "no changes"]) + "\n"
    s = d.summary()
    lines.append(
        "changes: systems +{added} -{removed} ~{changed}".format(**s["systems"])
        + ", flows +{added} -{removed} ~{changed} >{renamed}".format(**s["flows"])
        + ", findings +{new} -{resolved} ~{changed}".format(**s["findings"])
    )
    model = _model_lines(d)
    if model:
        lines += ["", "Model changes (+ added, - removed, ~ changed, > renamed)"]
        lines += [f"  {mark} {text}" for mark, text in model]
    findings = _finding_lines(d)
    if findings:
        lines += ["", "Risk changes (+ new, - resolved, ~ changed)"]
        for mark, severity, fid, title, detail in findings:
            lines.append(f"  {mark} {severity:<8} {fid}  {title}")
            if detail:
                lines.append(f"      {detail}")
    e = d.exposure
    if not e.is_empty():
        lines += ["", "Exposure changes (sensitive data reaching actors of concern)"]
        lines += [f"  + {x.category} now reaches {x.actor} ({x.actor_type})" for x in e.appeared]
        lines += [f"  - {x.category} no longer reaches {x.actor} ({x.actor_type})" for x in e.disappeared]
        if e.actors:
            width = max(len(a.actor) for a in e.actors)
            lines.append(f"  {'actor':<{width}}  before  after  gained  lost")
            for a in e.actors:
                lines.append(f"  {a.actor:<{width}}  {a.before:>6}  {a.after:>5}  {a.gained:>6}  {a.lost:>4}")
    return "\n".join(lines) + "\n"


def md(text: str) -> str:
    """Model text made safe inside a Markdown table cell (no HTML, no pipes, one line).

    >>> md("a|b <script>")
    'a\\\\|b &lt;script&gt;'
    """
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for ch in "\\|*_`[]":
        text = text.replace(ch, "\\" + ch)
    return text


def render_markdown(d: Diff) -> str:
    out = [
        f"# Diff: {md(d.old.name)} -> {md(d.new.name)}",
        "",
        "| | snapshot | as of | findings |",
        "|---|---|---|---|",
        f"| old | {md(d.old.label)} | {md(d.old.as_of or 'unknown')} | {md(_counts_side(d.old))} |",
        f"| new | {md(d.new.label)} | {md(d.new.as_of or 'unknown')} | {md(_counts_side(d.new))} |",
        "",
    ]
    if d.is_empty():
        return "\n".join(out + ["No changes.", ""])
    s = d.summary()
    out.append(
        "Systems: {added} added, {removed} removed, {changed} changed. ".format(**s["systems"])
        + "Flows: {added} added, {removed} removed, {changed} changed, {renamed} renamed. ".format(**s["flows"])
        + "Findings: {new} new, {resolved} resolved, {changed} changed.".format(**s["findings"])
    )
    findings = _finding_lines(d)
    if findings:
        out += ["", "## Risk changes", "", "| | severity | finding | title | why |", "|---|---|---|---|---|"]
        labels = {"+": "new", "-": "resolved", "~": "changed"}
        for mark, severity, fid, title, detail in findings:
            out.append(f"| {labels[mark]} | {severity} | `{fid.replace('`', '')}` | {md(title)} | {md(detail)} |")
    model = _model_lines(d)
    if model:
        labels = {"+": "added", "-": "removed", "~": "changed", ">": "renamed"}
        out += ["", "## Model changes", "", "| | change |", "|---|---|"]
        out += [f"| {labels[mark]} | {md(text)} |" for mark, text in model]
    e = d.exposure
    if not e.is_empty():
        out += ["", "## Exposure changes", ""]
        out += [f"- now reaches: {md(x.category)} -> {md(x.actor)} ({md(x.actor_type)})" for x in e.appeared]
        out += [f"- no longer reaches: {md(x.category)} -> {md(x.actor)} ({md(x.actor_type)})" for x in e.disappeared]
        if e.actors:
            out += ["", "| actor | type | sensitive pairs before | after | gained | lost |", "|---|---|---|---|---|---|"]
            out += [
                f"| {md(a.actor)} | {md(a.actor_type)} | {a.before} | {a.after} | {a.gained} | {a.lost} |"
                for a in e.actors
            ]
    return "\n".join(out) + "\n"


def _counts_side(s) -> str:
    parts = ", ".join(f"{n} {k}" for k, n in s.by_severity.items())
    return f"{s.findings}" + (f" ({parts})" if parts else "")


def render_json(d: Diff) -> str:
    return json.dumps(d.to_dict(), indent=2, ensure_ascii=False) + "\n"


def render(d: Diff, fmt: str) -> str:
    """The diff in ``fmt``: one of :data:`FORMATS`."""
    return {"table": render_table, "json": render_json, "markdown": render_markdown}[fmt](d)
