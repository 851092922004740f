"""Static figures (``flowmap map -o fig.svg|png|pdf``): deterministic, same map, inert."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from map_fixtures import HOSTILE, hostile_model_data, small_model_data
from test_maps import model_from

from flowmap.cli import main
from flowmap.figure import figure_bytes, render_figure
from flowmap.maps import build_map_data
from flowmap.synth import synthesize
from flowmap.validate import build_model

SVG = "{http://www.w3.org/2000/svg}"
XLINK = "{http://www.w3.org/1999/xlink}href"


@pytest.fixture(scope="module")
def small():
    return model_from(small_model_data())


def injection_model_data() -> dict:
    data = hostile_model_data()
    data["systems"][1]["name"] = "<img src=x onerror=alert(1)>"
    data["systems"][2]["name"] = "javascript:alert(1)"
    data["systems"][3]["name"] = "$\\frac{1}{0}$ costs $5 <a href='javascript:alert(1)'>x</a>"
    return data


def shapes(svg: bytes, gid_prefix: str) -> int:
    """Markers (``use``, one per point of a scatter) or else patches (``path``) inside the groups whose
    id starts with ``gid_prefix``."""
    root = ET.fromstring(svg)
    count = 0
    for group in root.iter(f"{SVG}g"):
        if group.get("id", "").startswith(gid_prefix):
            uses = sum(1 for e in group.iter(f"{SVG}use"))
            count += uses or sum(1 for e in group.iter(f"{SVG}path"))
    return count


@pytest.mark.parametrize("fmt", ["svg", "png", "pdf"])
def test_figure_is_byte_identical_run_to_run(small, fmt):
    first = figure_bytes(small, fmt)
    assert first == figure_bytes(small, fmt)
    assert first[:8] in (b"<?xml ve", b"\x89PNG\r\n\x1a\n", b"%PDF-1.4")
    if fmt == "png":
        assert b"tIME" not in first and b"Software" not in first
    if fmt == "pdf":
        assert b"CreationDate" not in first


def test_svg_parses_and_holds_one_shape_per_system(small):
    svg = figure_bytes(small, "svg")
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert shapes(svg, "fm-systems-") == len(small.systems)
    text = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert "Small test map" in text and "Matching hub" in text and "\u2691 Police" in text
    assert "function creep" in text or "security unknown" in text  # the legend names the flow styles


def test_focus_and_category_apply(small):
    assert shapes(figure_bytes(small, "svg", focus="clinic"), "fm-systems-") == 4
    assert shapes(figure_bytes(small, "svg", category="special"), "fm-systems-") == 3


def test_large_models_are_drawn_as_clusters():
    model = build_model(synthesize(450, seed=2), "synth.json")
    data = build_map_data(model)
    assert data.lod is not None
    svg = render_figure(data, "svg")
    clusters = data.lod["groupings"]["sector"]["clusters"]
    assert shapes(svg, "fm-clusters") == len(clusters)
    assert shapes(svg, "fm-systems-") == 0
    assert sum(c["count"] for c in clusters) == len(model.systems)
    assert render_figure(data, "svg") == svg


def test_model_text_in_the_svg_is_inert():
    model = model_from(injection_model_data())
    svg = figure_bytes(model, "svg")
    root = ET.fromstring(svg)
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    for element in root.iter():
        assert element.tag not in (f"{SVG}script", f"{SVG}foreignObject", f"{SVG}a", f"{SVG}image")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            assert not local.lower().startswith("on"), (element.tag, name)
            if local == "href":  # only matplotlib's own references to its markers
                assert value.startswith("#") and value[1:] in ids
    assert b"<script" not in svg and b"<img" not in svg and b"<a " not in svg
    text = " ".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))
    assert "<img src=x onerror=alert(1)>" in text and "javascript:alert(1)" in text  # shown as text
    assert "$\\frac{1}{0}$ costs $5" in text  # no mathematics from a model
    assert HOSTILE.replace("\u202e", "[U+202E]") in text and "\u202e" not in svg.decode("utf-8")


@pytest.mark.parametrize("suffix", [".svg", ".png", ".pdf"])
def test_cli_writes_a_figure(write_model, tmp_path, suffix):
    path = write_model(small_model_data())
    target = tmp_path / f"fig{suffix}"
    result = CliRunner().invoke(main, ["map", str(path), "-o", str(target), "--title", "Figure 1"])
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == figure_bytes(model_from(small_model_data()), suffix[1:], title="Figure 1")
