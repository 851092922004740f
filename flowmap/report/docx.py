"""The assessment report as an editable Word document (python-docx), from the same content as HTML and Markdown.

The sections, their order, the findings and every table are those of the other two formats
(:mod:`flowmap.report.markdown` is the reference): headings a DPO can restyle, Word tables
(style "Table Grid"), the flow register on landscape pages, the figure of the map as an
image when :mod:`flowmap.figure` can draw one, and the sign-off block to fill.

Model text only ever becomes the text of a run: python-docx escapes it as XML text, so it can
make no field, hyperlink, external relationship or markup. Characters XML cannot hold are
dropped and bidirectional controls (which could reverse what a reader sees) are shown as
``[U+202E]``, as in the map. Nothing depends on the clock: the core properties carry the date
of the report, and every zip entry a pinned timestamp, so the same content gives the same bytes.

>>> clean("a\\u202eb\\x00c")
'a[U+202E]bc'
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from typing import Any, Iterable, Sequence

from flowmap.report.content import ReportContent, principle_title
from flowmap.report.dpia import ACTION_COLUMNS, REGISTER_COLUMNS, RESIDUAL_COLUMNS, SIGN_OFF, SIGN_OFF_COLUMNS
from flowmap.report.parts import PARTS, SECTIONS

__all__ = ["render_report_docx", "clean"]

_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI_VISIBLE = {ord(c): f"[U+{ord(c):04X}]" for c in _BIDI}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_PINNED = (1980, 1, 1, 0, 0, 0)


def clean(text: Any) -> str:
    """Model text as run text: XML-invalid characters dropped, bidirectional controls made visible."""
    return _NOT_XML.sub("", str(text)).translate(_BIDI_VISIBLE)


class _Writer:
    """Thin helpers over a python-docx Document: every text goes through :func:`clean`."""

    def __init__(self) -> None:
        from docx import Document
        from docx.shared import Mm, Pt

        self.doc = Document()
        self.Pt = Pt
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
            setattr(section, side, Mm(20))
        self.doc.styles["Normal"].font.size = Pt(10)
        self._styles: dict[str, Any] = {}

    def style(self, name: str) -> Any:
        """A style object, looked up by name once (python-docx scans every style on each lookup)."""
        if name not in self._styles:
            self._styles[name] = self.doc.styles[name]
        return self._styles[name]

    def _paragraph(self, style: str | None) -> Any:
        paragraph = self.doc.add_paragraph()
        if style:  # the style id set directly: python-docx would scan the styles twice per paragraph
            paragraph._p.style = self.style(style).style_id
        return paragraph

    def heading(self, text: str, level: int) -> None:
        self._paragraph("Title" if level == 0 else f"Heading {level}").add_run(clean(text))

    def para(self, *runs: tuple[str, str] | str, style: str | None = None) -> None:
        """A paragraph of runs: a plain string, or (text, "b"|"i"|"code")."""
        paragraph = self._paragraph(style)
        for run in runs:
            text, kind = (run, "") if isinstance(run, str) else run
            added = paragraph.add_run(clean(text))
            if kind == "b":
                added.bold = True
            elif kind == "i":
                added.italic = True
            elif kind == "code":
                added.font.name = "Consolas"

    def bullet(self, *runs: tuple[str, str] | str) -> None:
        self.para(*runs, style="List Bullet")

    def table(self, header: Sequence[str], rows: Iterable[Sequence[str]], *, size: float = 8.5,
              first_column_header: bool = False) -> None:
        rows = list(rows)
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = self.style("Table Grid")
        for cell, text in zip(table.rows[0].cells, header):
            self._cell(cell, text, size, bold=True)
        for row in rows:
            cells = table.add_row().cells
            for number, (cell, text) in enumerate(zip(cells, row)):
                self._cell(cell, text, size, bold=first_column_header and number == 0)
        self.doc.add_paragraph()

    def _cell(self, cell: Any, text: str, size: float, *, bold: bool = False) -> None:
        run = cell.paragraphs[0].add_run(clean(text))
        run.font.size = self.Pt(size)
        if bold:
            run.bold = True

    def orientation(self, landscape: bool) -> None:
        from docx.enum.section import WD_ORIENT, WD_SECTION

        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        wide, tall = sorted((section.page_width, section.page_height))[::-1]
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (wide, tall) if landscape else (tall, wide)

    def picture(self, png: bytes) -> None:
        from docx.shared import Mm

        self.doc.add_picture(io.BytesIO(png), width=Mm(170))

    def finish(self, title: str, today: dt.date) -> bytes:
        props = self.doc.core_properties
        stamp = dt.datetime(today.year, today.month, today.day)
        props.created = props.modified = props.last_printed = stamp
        props.author = props.last_modified_by = "flowmap"
        props.title = clean(title)[:250]
        props.revision = 1
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return _pin_zip(buffer.getvalue())


def _pin_zip(data: bytes) -> bytes:
    """The same zip with every entry's timestamp pinned and entries in name order, so equal content gives equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        infos = source.infolist()
        first = [i for i in infos if i.filename == "[Content_Types].xml"]
        for info in first + sorted((i for i in infos if i not in first), key=lambda i: i.filename):
            pinned = zipfile.ZipInfo(info.filename, date_time=_PINNED)
            pinned.compress_type = zipfile.ZIP_DEFLATED
            pinned.external_attr = 0o600 << 16
            target.writestr(pinned, source.read(info.filename))
    return out.getvalue()


def _words(term: str) -> str:
    return term.replace("_", " ")


def _summary(w: _Writer, c: ReportContent) -> None:
    w.heading(SECTIONS["summary"], 1)
    findings = c.report.findings
    if not findings:
        w.para("No findings.")
        return
    still_open = sum(1 for f in findings if f.status == "open")
    w.para(f"{len(findings)} finding{'s' if len(findings) != 1 else ''}"
           + (f" ({still_open} open)" if still_open != len(findings) else "")
           + f": {c.established_total} established (they rest on recorded facts), {c.questions_total} "
           f"question{'s' if c.questions_total != 1 else ''} to answer (they rest on what the model does not say).")
    w.table(["Severity", "Findings"], [[name, str(n)] for name, n in c.by_severity])
    w.table(["Kind", "Findings"], [[_words(name), str(n)] for name, n in c.by_kind])
    if c.by_principle:
        w.table(["Principle at stake", "Findings"], [[name, str(n)] for name, n in c.by_principle])
    if c.most_findings:
        w.para("Systems with most findings: " + ", ".join(f"{c.names.get(s, s)} ({n})" for s, n in c.most_findings)
               + ".")


def _inventory(w: _Writer, c: ReportContent) -> None:
    w.heading(SECTIONS["inventory"], 2)
    w.para("Per system: categories collected there, categories received and from which origins, retention, "
           "legal basis and safeguards. \"unknown\" means the model does not say; it is not treated as safe.")
    for e in c.inventory:
        s = e.system
        w.heading(f"{s.display_name} ({s.id})", 3)
        kind = f"{s.kind.value}, {_words(s.sector)}" + (f"; actor of concern: {_words(s.actor)}" if s.actor else "")
        held = ", ".join(e.holds) or "nothing collected here"
        if e.holds and s.purposes:
            held += " for " + ", ".join(s.purposes)
        received = "; ".join(f"from {c.names[r.origin]}: {', '.join(r.categories)}" for r in e.received) \
            or "nothing from other systems"
        if e.more_origins:
            received += (f"; and {e.more_origins} more origin systems (all categories received: "
                         + ", ".join(e.received_categories) + ")")
        rows = [
            ["Kind, sector", kind],
            ["Operator", (s.operator or "unknown") + (f" ({s.jurisdiction})" if s.jurisdiction else "")],
            ["Holds", held],
            ["Receives", received],
            ["Subjects", ", ".join(_words(x) for x in s.subjects) or "unknown"],
            ["Retention", e.retention],
            *([label, text] for label, text in e.accountability),
            ["Legal basis", "; ".join((f"{lb.key}: " if lb.key else "") + lb.text for lb in e.legal_basis)
             or "none known"],
            ["Controls", "; ".join(f"{_words(name)}: {value}" for name, value in e.controls)],
        ]
        if s.technologies:
            rows.append(["Technologies", ", ".join(_words(t) for t in s.technologies)])
        if s.incidents:
            rows.append(["Incidents", "; ".join((f"{i.date}: " if i.date else "") + i.summary for i in s.incidents)])
        w.table(["Field", "Value"], rows, size=9, first_column_header=True)


def _register(w: _Writer, c: ReportContent) -> None:
    w.orientation(landscape=True)
    w.heading(SECTIONS["register"], 2)
    w.para(f"{len(c.register)} flows, by id. \"not stated\": the model does not say; it is not treated as safe.")
    w.table(REGISTER_COLUMNS, (r.cells() for r in c.register), size=7)
    w.orientation(landscape=False)


def _figure(w: _Writer, c: ReportContent, png: bytes | None) -> None:
    w.heading(SECTIONS["figure"], 2)
    if png:
        w.picture(png)
        w.para(("Systems and flows of the model (the interactive map is in the HTML version of this report).", "i"))
    else:
        w.para("The map is in the HTML version of this report (flowmap report MODEL -o FILE.html).")


def _purposes(w: _Writer, c: ReportContent) -> None:
    w.heading(PARTS[1], 1)
    w.para("For each purpose a flow serves: where data is collected for it, where a law added it as a further "
           "purpose, the legal basis and conditions of its flows, their safeguards, and what the function creep "
           "and retention extension analyses say about it.")
    for use in c.purposes:
        w.heading(use.purpose, 2)
        w.table(["Field", "Value"], use.rows(), size=9, first_column_header=True)


def _established(w: _Writer, c: ReportContent) -> None:
    w.heading(SECTIONS["findings"], 2)
    if not c.established_total:
        w.para("No established findings.")
        return
    w.para(f"{c.established_total} finding{'s' if c.established_total != 1 else ''} resting on recorded facts, "
           "most important first (severity, then how many people groups, special categories, children and "
           "origins are involved).")
    if c.omitted:
        counts = ", ".join(f"{n} {name}" for name, n in c.omitted)
        w.para(f"The first {len(c.established)} are shown in full; {sum(n for _, n in c.omitted)} more are not "
               f"({counts}). The complete list: flowmap analyze MODEL --all or --format csv, or this report "
               "with --max-findings 0.")
    for f in c.established:
        w.heading(f"{f.rank}. {f.severity.name.upper()}: {f.title}", 3)
        w.para((f.id, "code"), f", at the {f.anchor.type} ", (f.anchor.id, "code"),
               f", status: {f.status.replace('_', ' ')}")
        w.para(f.message)
        if f.origins_total:
            more = f" and {f.origins_total - len(f.origins)} more" if f.origins_total > len(f.origins) else ""
            w.bullet(f"Origins ({f.origins_total}): {', '.join(c.names.get(o, o) for o in f.origins)}{more}")
        for path in f.paths:
            w.bullet(f"Witness path: {' → '.join(c.names.get(s, s) for s in path)}")
        if f.categories:
            w.bullet(f"Data: {', '.join(f.categories)}")
        if f.mitigation:
            w.bullet(f"Mitigation: {f.mitigation}")
        if f.principles:
            w.bullet(f"Principles: {', '.join(principle_title(p) for p in f.principles)}")
        if f.acceptance:
            a = f.acceptance
            w.bullet(f"Acceptance: {a['reason']}" + (f" ({a['by']})" if a.get("by") else "")
                     + (f", until {a['until']}" if a.get("until") else ""))


def _questions(w: _Writer, c: ReportContent) -> None:
    w.heading(SECTIONS["questions"], 2)
    if not c.questions:
        w.para("None: no finding rests on what the model does not say.")
        return
    w.para(f"{c.questions_total} question{'s' if c.questions_total != 1 else ''} rest on what the model does not "
           "say. Each system below can answer its questions; an answer turns a question into an established "
           "finding or removes it.")
    for group in c.questions:
        w.bullet((c.names.get(group.system, group.system), "b"), f" ({group.system}): {group.text()} (",
                 (", ".join(f.id for f in group.findings), "code"), ")")


def _matrix(w: _Writer, c: ReportContent) -> None:
    w.heading(SECTIONS["matrix"], 2)
    if not c.matrix.rows:
        w.para("No sensitive data reaches an actor of concern.")
        return
    w.para("Rows: sensitive data categories that cross a flow into an actor of concern (most sensitive first). "
           "Columns: actor types. Each cell: the highest severity of the exposure findings there and how many "
           "actor systems receive the category; \"received\" when some do but no exposure finding names it; "
           "- = none.")

    def cell(x: Any) -> str:
        if not x.systems_total:
            return "-"
        systems = f"{x.systems_total} system{'s' if x.systems_total != 1 else ''}"
        return f"{x.severity} ({systems})" if x.severity else f"received ({systems})"

    w.table(["Category", *(_words(a) for a in c.matrix.actor_types)],
            ([f"{r.category} ({r.sensitivity})", *(cell(x) for x in r.cells)] for r in c.matrix.rows), size=8)


def _measures(w: _Writer, c: ReportContent) -> None:
    w.heading(PARTS[3], 1)
    w.heading(SECTIONS["actions"], 2)
    if c.actions:
        w.para("One action per established finding, by rank. Owner: who accepted the finding, else the operator of "
               "the system where the fix happens (the anchor system, or the sender of the anchor flow). Due: the "
               "acceptance's expiry. \"to assign\": the model does not say.")
        w.table(ACTION_COLUMNS, (a.cells() for a in c.actions), size=8)
    else:
        w.para("No established finding calls for an action.")
    w.heading(SECTIONS["residual"], 2)
    w.para("Findings by severity before the acceptances, what each status takes out or marks, and the residual "
           "risk (open or in progress).")
    w.table(RESIDUAL_COLUMNS, c.residual, size=9)
    w.heading(SECTIONS["acceptances"], 2)
    if not c.acceptances:
        w.para("No acceptances recorded: every finding is open.")
        return
    w.table(["Finding (id or pattern)", "Status", "Reason", "By", "Until", "State"],
            ([r.acceptance.finding, _words(r.acceptance.status.value), r.acceptance.reason, r.acceptance.by or "",
              str(r.acceptance.until or "no expiry"), r.state] for r in c.acceptances), size=8)


def _sources(w: _Writer, c: ReportContent) -> None:
    w.heading(SECTIONS["sources"], 1)
    if not c.sources:
        w.para("The model cites no sources.")
    for key, citation in c.sources:
        w.bullet((key, "code"), f": {citation}")


def _sign_off(w: _Writer) -> None:
    w.heading(SECTIONS["sign_off"], 1)
    w.table(SIGN_OFF_COLUMNS, ([role, "", "", ""] for role in SIGN_OFF), size=10, first_column_header=True)


def render_report_docx(c: ReportContent, *, figure: bytes | None = None) -> bytes:
    """The whole report as .docx bytes; ``figure`` is a PNG of the map to embed (None: a note instead)."""
    w = _Writer()
    m = c.model
    w.heading(f"Assessment report: {m.name}", 0)
    w.para("A data protection impact assessment in the four parts of GDPR Art. 35(7) (LED Art. 27), drawn from "
           "the model.")
    w.table(["Report", ""], c.metadata, size=9, first_column_header=True)
    if m.description:
        w.para(m.description)
    _summary(w, c)
    w.heading(PARTS[0], 1)
    _inventory(w, c)
    _register(w, c)
    _figure(w, c, figure)
    _purposes(w, c)
    w.heading(PARTS[2], 1)
    _established(w, c)
    _questions(w, c)
    _matrix(w, c)
    _measures(w, c)
    _sources(w, c)
    _sign_off(w)
    return w.finish(m.name, c.today)
