"""The HTML report printed: its print stylesheet shows the static figure where the interactive map is.

The figure is the drawing of ``flowmap map MODEL -o fig.svg`` inlined as inert SVG
(:mod:`flowmap.report.print_figure`); these tests read the HTML, then print it to PDF through
headless Chromium and read the PDF's text with pypdf (a test dependency).
"""

from __future__ import annotations

import html
import io
import re
import unicodedata
import xml.etree.ElementTree as ET

import pytest
from browser_support import browser, open_page  # noqa: F401  (fixtures)
from map_fixtures import HOSTILE, hostile_model_data, small_model_data
from test_maps import model_from

from flowmap.analysis import analyze
from flowmap.figure import figure_bytes
from flowmap.maps import build_map_data
from flowmap.maps.html import csp_hash
from flowmap.report import render_report
from flowmap.report.print_figure import PREFIX, inline_svg, print_figure

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "http://www.w3.org/1999/xlink"
LEGEND = "Flows (width: most sensitive data)"  # drawn in the figure's legend, written nowhere else in a report


def figure_of(report: str) -> ET.Element:
    """The inline SVG of a report's print figure, parsed (it is well-formed XML as written)."""
    found = re.search(r'<figure class="rp-figure">\s*(<svg .*?</svg>)', report, re.S)
    assert found, "the report holds no print figure"
    return ET.fromstring(found.group(1).replace("<svg ", f'<svg xmlns:xlink="{XLINK}" ', 1))


def texts(root: ET.Element, namespace: str = "") -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(f"{namespace}text")]


def test_the_report_holds_the_figure_inline_inert_and_allowed_by_its_policy():
    model = model_from(hostile_model_data())
    report = render_report(model)
    assert report == render_report(model_from(hostile_model_data()))  # byte-identical run to run
    root = figure_of(report)
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    for element in root.iter():
        assert element.tag in {"svg", "g", "defs", "clipPath", "path", "use", "rect", "text"}, element.tag
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on") and name != "style", (element.tag, name)
            if name.endswith("href"):
                assert value.startswith("#" + PREFIX) and value[1:] in ids
            if name == "clip-path":
                assert value[5:-1] in ids
    assert all(i.startswith(PREFIX) for i in ids)
    outside = report.replace(re.search(r'<figure class="rp-figure">.*?</figure>', report, re.S).group(0), "")
    assert not ids & set(re.findall(r'\sid="([^"]+)"', outside))  # the figure's ids clash with nothing of the report
    shown = HOSTILE.replace("\u202e", "[U+202E]")
    assert any(shown in t for t in texts(root))  # model text is text
    assert not re.search(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", report)
    csp = html.unescape(re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', report).group(1))
    styles = re.findall(r"<style>(.*?)</style>", report, re.S)
    assert any(".fmf-0 " in s for s in styles)  # the figure's styles are classes of a hashed sheet
    assert all(csp_hash(s) in csp for s in styles) and "unsafe-inline" not in csp
    markers = sum(1 for g in root.iter("g") if g.get("id", "").startswith(PREFIX + "fm-systems-") for _ in g.iter("use"))
    assert markers == len(model.systems)  # one shape per system


def test_the_figure_is_the_drawing_of_flowmap_map():
    model = model_from(small_model_data())
    root = figure_of(render_report(model))
    drawn = ET.fromstring(figure_bytes(model, "svg"))
    geometry = [e.get("d") for e in root.iter("path")]
    assert geometry == [" ".join(e.get("d").split()) for e in drawn.iter(f"{SVG}path")]
    # the same words but the subtitle, where the report's map also counts its findings
    subtitle = build_map_data(model).subtitle
    ours, theirs = texts(root), texts(drawn, SVG)
    assert [t for t in ours if not t.startswith(subtitle)] == [t for t in theirs if t != subtitle]
    assert len(ours) == len(theirs) and any(t.startswith(subtitle + " \u00b7 ") and "findings" in t for t in ours)


def test_no_map_no_figure():
    report = render_report(model_from(small_model_data()), with_map=False)
    assert 'class="rp-figure"' not in report and "<svg" not in report


def test_inline_svg_keeps_only_drawing():
    svg = b"""<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 9 9">
      <style>@import url(https://example.org/x.css); * { fill: red }</style>
      <script>alert(1)</script><foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject>
      <a xlink:href="javascript:alert(1)"><text x="1" y="1">link</text></a>
      <image xlink:href="https://example.org/x.png" width="9" height="9"/>
      <g id="a&quot; onload=&quot;alert(1)" onclick="alert(1)"><animate attributeName="x" onbegin="alert(1)"/>
        <path d="M 0 0 L 1 1" style="fill: url(https://example.org/#x); stroke: #000000; x: expression(alert(1))"/>
        <path d="M 0 0 L 1 1" transform="translate(javascript:alert(1))" clip-path="url(https://example.org/#c)"/>
        <use xlink:href="#m1" x="1" y="2" style="fill: #112233"/>
        <text x="1" y="2" style="font-size: 7px; font-family: 'DejaVu Sans'">a &lt;/style&gt;<tspan>b</tspan> c</text>
      </g></svg>"""
    markup, css = inline_svg(svg)
    assert markup == (
        '<svg class="fm-figure" viewBox="0 0 9 9" role="img"><g><path d="M 0 0 L 1 1" class="fmf-0"/>'
        '<path d="M 0 0 L 1 1"/><use xlink:href="#fmfig-m1" x="1" y="2" class="fmf-1"/>'
        '<text x="1" y="2" class="fmf-2">a &lt;/style&gt;<tspan>b</tspan> c</text></g></svg>')
    assert css.splitlines()[2:] == ["svg.fm-figure .fmf-0 { stroke: #000000 }",
                                    "svg.fm-figure .fmf-1 { fill: #112233 }",
                                    "svg.fm-figure .fmf-2 { font-size: 7px; font-family: 'DejaVu Sans' }"]


def test_a_figure_above_the_limit_prints_as_clusters():
    model = model_from(small_model_data())
    findings = analyze(model).findings
    data = build_map_data(model, findings=findings)
    full = print_figure(model, data, findings)
    assert not full.clustered and PREFIX + "fm-systems-" in full.markup
    bounded = print_figure(model, data, findings, limit=len(full.markup) - 1)
    assert bounded.clustered and PREFIX + "fm-clusters" in bounded.markup and PREFIX + "fm-systems-" not in bounded.markup
    assert len(bounded.markup) < len(full.markup)
    report = render_report(model)
    assert full.markup in report and "drawn as clusters" not in report


def pdf_pages(page) -> list:
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True))).pages


@pytest.mark.browser
def test_printed_to_pdf_the_report_shows_the_figure_and_on_screen_the_interactive_map(open_page, tmp_path):
    model = model_from(small_model_data())
    path = tmp_path / "report.html"
    path.write_text(render_report(model), encoding="utf-8")
    page, log = open_page(path, wait_for="document.querySelector('#fm-network canvas') !== null")
    assert page.locator("#fm-network canvas").is_visible()
    assert page.locator(".rp-figure").is_hidden() and page.locator(".rp-figure svg").bounding_box() is None
    page.emulate_media(media="print")
    assert page.locator(".rp-figure svg").is_visible() and page.locator("#fm-network").is_hidden()
    box = page.locator(".rp-figure svg").bounding_box()
    assert box["width"] > 400 and 0.6 < box["height"] / box["width"] < 0.9  # the figure's 4:3, at page width
    # the figure's classes apply under the page's policy: markers are filled with their sector's colour
    fills = page.evaluate("[...document.querySelectorAll('.rp-figure g[id^=fmfig-fm-systems] use')]"
                          ".map(u => getComputedStyle(u).fill)")
    assert len(fills) == len(model.systems) and "rgb(0, 0, 0)" not in fills and len(set(fills)) > 2
    pages = pdf_pages(page)
    with_figure = [p for p in pages if LEGEND in p.extract_text()]
    assert len(with_figure) == 1
    text = unicodedata.normalize("NFKC", with_figure[0].extract_text())  # "ﬃ" is a ligature of the font
    assert all(s.display_name in text for s in model.systems)  # every system is named in the figure
    assert len(with_figure[0].images) == 0  # drawn as vectors, not a picture
    assert log.console_errors == [] and log.page_errors == [] and log.external_requests == []


@pytest.mark.browser
def test_a_hostile_model_prints_with_nothing_executed(open_page, tmp_path):
    path = tmp_path / "report.html"
    path.write_text(render_report(model_from(hostile_model_data())), encoding="utf-8")
    page, log = open_page(path, wait_for="document.querySelector('#fm-network canvas') !== null")
    page.emulate_media(media="print")
    pages = pdf_pages(page)
    assert any(LEGEND in p.extract_text() for p in pages)
    assert page.evaluate("window.__pwned === undefined") is True
    assert page.evaluate("document.querySelectorAll('img, .rp-figure a, .rp-figure script').length") == 0
    assert log.dialogs == [] and log.page_errors == [] and log.console_errors == [] and log.external_requests == []
