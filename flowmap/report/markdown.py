"""The assessment report as Markdown that pastes cleanly into a document (DPIA, memo, wiki).

The same sections as the HTML and Word reports, without the map: the report's identity, a
summary, then the four parts of a DPIA (GDPR Art. 35(7)): 1. description (systems, flow
register), 2. necessity and proportionality per purpose, 3. risks (established findings by
rank, questions by the system that can answer them, exposure matrix), 4. measures (action
plan, residual risk, acceptances); sources and the sign-off block. Model text is escaped
(:func:`flowmap.render.markdown.escape`: no emphasis, links, tables or HTML
sneak in) and ids sit in code spans; the exposure matrix is a table of
severity words. GitHub-flavoured tables; no raw HTML.

>>> from flowmap.model import Model
>>> from flowmap.report.content import build_content
>>> m = Model.model_validate({"flowmap": 1, "name": "x | *y*", "systems": [{"id": "a", "sector": "health"}]})
>>> render_report_markdown(build_content(m)).splitlines()[0]
'# Assessment report: x \\\\| \\\\*y\\\\*'
"""

from __future__ import annotations

from flowmap.render.markdown import code, escape
from flowmap.report.content import ReportContent, principle_title
from flowmap.report.dpia import ACTION_COLUMNS, REGISTER_COLUMNS, RESIDUAL_COLUMNS, SIGN_OFF, SIGN_OFF_COLUMNS
from flowmap.report.parts import PARTS, SECTIONS

__all__ = ["render_report_markdown"]


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out + [""]


def _words(name: str) -> str:
    return escape(name.replace("_", " "))


def _summary(c: ReportContent) -> list[str]:
    out = ["## Summary", ""]
    findings = c.report.findings
    if not findings:
        return out + ["No findings.", ""]
    still_open = sum(1 for f in findings if f.status == "open")
    out += [f"{len(findings)} finding{'s' if len(findings) != 1 else ''}"
            + (f" ({still_open} open)" if still_open != len(findings) else "")
            + f": {c.established_total} established (they rest on recorded facts), {c.questions_total} "
            f"question{'s' if c.questions_total != 1 else ''} to answer (they rest on what the model does not say).", ""]
    out += _table(["Severity", "Findings"], [[name, str(n)] for name, n in c.by_severity])
    out += _table(["Kind", "Findings"], [[_words(name), str(n)] for name, n in c.by_kind])
    if c.by_principle:
        out += _table(["Principle at stake", "Findings"], [[escape(name), str(n)] for name, n in c.by_principle])
    if c.most_findings:
        out += ["Systems with most findings: " + ", ".join(f"{escape(c.names.get(s, s))} ({n})"
                                                         for s, n in c.most_findings) + ".", ""]
    return out


def _matrix(c: ReportContent) -> list[str]:
    out = [f"### {SECTIONS['matrix']}", ""]
    if not c.matrix.rows:
        return out + ["No sensitive data reaches an actor of concern.", ""]
    out += ["Rows: sensitive data categories that cross a flow into an actor of concern (most sensitive first). "
            "Columns: actor types. Each cell: the highest severity of the exposure findings there and how many "
            "actor systems receive the category; \"received\" when some do but no exposure finding names it; "
            "- = none.", ""]
    rows = [[f"{code(r.category)} ({r.sensitivity})", *(_cell(cell) for cell in r.cells)] for r in c.matrix.rows]
    return out + _table(["Category", *(_words(a) for a in c.matrix.actor_types)], rows)


def _cell(cell) -> str:
    if not cell.systems_total:
        return "-"
    systems = f"{cell.systems_total} system{'s' if cell.systems_total != 1 else ''}"
    return f"{cell.severity} ({systems})" if cell.severity else f"received ({systems})"


def _inventory(c: ReportContent) -> list[str]:
    out = [f"### {SECTIONS['inventory']}", "",
           "Per system: categories collected there, categories received and from which origins, retention, "
           "legal basis and safeguards. \"unknown\" means the model does not say; it is not treated as safe.", ""]
    for e in c.inventory:
        s = e.system
        out += [f"#### {escape(s.display_name)} ({code(s.id)})", ""]
        kind = f"{s.kind.value}, {_words(s.sector)}"
        if s.actor:
            kind += f"; **actor of concern: {_words(s.actor)}**"
        held = ", ".join(code(x) for x in e.holds) or "nothing collected here"
        if e.holds and s.purposes:
            held += " for " + ", ".join(escape(p) for p in s.purposes)
        received = "; ".join(f"from {escape(c.names[r.origin])}: {', '.join(code(x) for x in r.categories)}"
                             for r in e.received) or "nothing from other systems"
        if e.more_origins:
            received += f"; and {e.more_origins} more origin systems (all categories received: " + ", ".join(
                code(x) for x in e.received_categories) + ")"
        legal = "; ".join((f"{code(lb.key)}: " if lb.key else "") + escape(lb.text) for lb in e.legal_basis)
        rows = [
            ["Kind, sector", kind],
            ["Operator", (escape(s.operator) if s.operator else "unknown")
             + (f" ({escape(s.jurisdiction)})" if s.jurisdiction else "")],
            ["Holds", held],
            ["Receives", received],
            ["Subjects", ", ".join(_words(x) for x in s.subjects) or "unknown"],
            ["Retention", escape(e.retention)],
            *([label, escape(text)] for label, text in e.accountability),
            ["Legal basis", legal or "none known"],
            ["Controls", "; ".join(f"{_words(name)}: {value}" for name, value in e.controls)],
        ]
        if s.technologies:
            rows.append(["Technologies", ", ".join(_words(t) for t in s.technologies)])
        if s.incidents:
            rows.append(["Incidents", "; ".join((f"{escape(i.date)}: " if i.date else "") + escape(i.summary)
                                                for i in s.incidents)])
        out += _table(["Field", "Value"], rows)
    return out


def _established(c: ReportContent) -> list[str]:
    out = [f"### {SECTIONS['findings']}", ""]
    if not c.established_total:
        return out + ["No established findings.", ""]
    out += [f"{c.established_total} finding{'s' if c.established_total != 1 else ''} resting on recorded facts, "
            "most important first (severity, then how many people groups, special categories, children and "
            "origins are involved).", ""]
    if c.omitted:
        counts = ", ".join(f"{n} {name}" for name, n in c.omitted)
        out += [f"The first {len(c.established)} are shown in full; {sum(n for _, n in c.omitted)} more are not "
                f"({counts}). The complete list: `flowmap analyze MODEL --all` or `--format csv`, or this report "
                "with `--max-findings 0`.", ""]
    for f in c.established:
        out += [f"#### {f.rank}. {f.severity.name.upper()}: {escape(f.title)}", "",
                f"{code(f.id)}, at the {f.anchor.type} {code(f.anchor.id)}, status: {f.status.replace('_', ' ')}", "",
                escape(f.message), ""]
        if f.origins_total:
            more = f" and {f.origins_total - len(f.origins)} more" if f.origins_total > len(f.origins) else ""
            out += [f"- Origins ({f.origins_total}): {', '.join(escape(c.names.get(o, o)) for o in f.origins)}{more}"]
        for path in f.paths:
            out += [f"- Witness path: {' → '.join(escape(c.names.get(s, s)) for s in path)}"]
        if f.categories:
            out += [f"- Data: {', '.join(code(x) for x in f.categories)}"]
        if f.mitigation:
            out += [f"- Mitigation: {escape(f.mitigation)}"]
        if f.principles:
            out += [f"- Principles: {', '.join(escape(principle_title(p)) for p in f.principles)}"]
        if f.acceptance:
            a = f.acceptance
            out += [f"- Acceptance: {escape(a['reason'])}" + (f" ({escape(a['by'])})" if a.get("by") else "")
                    + (f", until {a['until']}" if a.get("until") else "")]
        out.append("")
    return out


def _questions(c: ReportContent) -> list[str]:
    out = [f"### {SECTIONS['questions']}", ""]
    if not c.questions:
        return out + ["None: no finding rests on what the model does not say.", ""]
    out += [f"{c.questions_total} question{'s' if c.questions_total != 1 else ''} rest on what the model does not say. "
            "Each system below can answer its questions; an answer turns a question into an established finding "
            "or removes it.", ""]
    for group in c.questions:
        ids = ", ".join(code(f.id) for f in group.findings)
        out += [f"- **{escape(c.names.get(group.system, group.system))}** ({code(group.system)}): "
                f"{escape(group.text())} ({ids})"]
    return out + [""]


def _acceptances(c: ReportContent) -> list[str]:
    out = [f"### {SECTIONS['acceptances']}", ""]
    if not c.acceptances:
        return out + ["No acceptances recorded: every finding is open.", ""]
    rows = [[code(r.acceptance.finding), _words(r.acceptance.status.value), escape(r.acceptance.reason),
             escape(r.acceptance.by or ""), str(r.acceptance.until or "no expiry"), r.state] for r in c.acceptances]
    return out + _table(["Finding (id or pattern)", "Status", "Reason", "By", "Until", "State"], rows)


def _sources(c: ReportContent) -> list[str]:
    out = [f"## {SECTIONS['sources']}", ""]
    if not c.sources:
        return out + ["The model cites no sources.", ""]
    return out + [f"- {code(key)}: {escape(citation)}" for key, citation in c.sources] + [""]


def _plain(rows) -> list[list[str]]:
    return [[escape(cell) for cell in row] for row in rows]


def _register(c: ReportContent) -> list[str]:
    out = [f"### {SECTIONS['register']}", "", f"{len(c.register)} flows, by id. \"not stated\": the model does not "
           "say; it is not treated as safe.", ""]
    return out + _table(list(REGISTER_COLUMNS), _plain(r.cells() for r in c.register))


def _figure(c: ReportContent) -> list[str]:
    return [f"### {SECTIONS['figure']}", "", "The map is in the HTML version of this report "
            "(`flowmap report MODEL -o FILE.html`, interactive) and, as a figure, in the Word version "
            "(`-o FILE.docx`).", ""]


def _purposes(c: ReportContent) -> list[str]:
    out = [f"## {PARTS[1]}", "", "For each purpose a flow serves: where data is collected for it, where a law "
           "added it as a further purpose, the legal basis and conditions of its flows, their safeguards, and "
           "what the function creep and retention extension analyses say about it.", ""]
    for use in c.purposes:
        out += [f"### {code(use.purpose)}", ""]
        out += _table(["Field", "Value"], _plain(use.rows()))
    return out


def _actions(c: ReportContent) -> list[str]:
    out = [f"### {SECTIONS['actions']}", ""]
    if not c.actions:
        return out + ["No established finding calls for an action.", ""]
    out += ["One action per established finding, by rank. Owner: who accepted the finding, else the operator of "
            "the system where the fix happens (the anchor system, or the sender of the anchor flow). Due: the "
            "acceptance's expiry. \"to assign\": the model does not say.", ""]
    return out + _table(list(ACTION_COLUMNS), _plain(a.cells() for a in c.actions))


def _residual(c: ReportContent) -> list[str]:
    out = [f"### {SECTIONS['residual']}", "", "Findings by severity before the acceptances, what each status "
           "takes out or marks, and the residual risk (open or in progress).", ""]
    return out + _table(list(RESIDUAL_COLUMNS), _plain(c.residual))


def _sign_off(c: ReportContent) -> list[str]:
    out = [f"## {SECTIONS['sign_off']}", ""]
    return out + _table(list(SIGN_OFF_COLUMNS), [[escape(role), "", "", ""] for role in SIGN_OFF])


def render_report_markdown(c: ReportContent) -> str:
    """The whole report as Markdown text ending in one newline."""
    m = c.model
    head = [f"# Assessment report: {escape(m.name)}", "",
            "A data protection impact assessment in the four parts of GDPR Art. 35(7) (LED Art. 27), drawn from "
            "the model.", ""]
    head += _table(["Report", ""], _plain(c.metadata))
    if m.description:
        head += [escape(m.description), ""]
    lines = (head + _summary(c)
             + [f"## {PARTS[0]}", ""] + _inventory(c) + _register(c) + _figure(c)
             + _purposes(c)
             + [f"## {PARTS[2]}", ""] + _established(c) + _questions(c) + _matrix(c)
             + [f"## {PARTS[3]}", ""] + _actions(c) + _residual(c) + _acceptances(c)
             + _sources(c) + _sign_off(c))
    while lines and lines[-1] == "":
        lines.pop()
    return "\n".join(lines) + "\n"
