"""Finding objects: deferred text behaves exactly like text given up front."""

from __future__ import annotations

import pytest

from flowmap.analysis import analyze
from flowmap.findings import TEXT_FIELDS, Confidence, Finding, Kind, Severity, sort_findings
from flowmap.loader import load_model

from tests.conftest import ROOT


def _text(origin: str, target: str) -> tuple:
    return (f"{origin} reaches {target}", f"{origin} -> {target}", [origin, target], ["f1"], ["identity"],
            [origin, target], "narrow it")


def _deferred(calls: list | None = None) -> Finding:
    def render(origin, target):
        if calls is not None:
            calls.append((origin, target))
        return _text(origin, target)

    return Finding.deferred("exposure:a:b", "exposure", Kind.exposure, Severity.high, Confidence.high,
                            ["security"], render, ("a", "b"))


def _eager() -> Finding:
    return Finding(id="exposure:a:b", rule="exposure", kind=Kind.exposure, severity=Severity.high,
                   principles=["security"], **dict(zip(TEXT_FIELDS, _text("a", "b"))))


def test_deferred_text_is_rendered_once_on_first_read():
    calls: list = []
    finding = _deferred(calls)
    assert calls == []
    assert finding.severity is Severity.high and finding.status == "open"  # no rendering for these
    assert calls == []
    assert finding.message == "a -> b"
    assert finding.path == ["a", "b"] and finding.title == "a reaches b"
    assert calls == [("a", "b")]


def test_deferred_equals_eager_in_every_field_and_shape():
    assert _deferred() == _eager()
    assert _deferred().to_dict() == _eager().to_dict()


def test_replace_status_keeps_text_deferred_and_identical():
    calls: list = []
    accepted = _deferred(calls).replace(status="accepted", acceptance={"finding": "exposure:a:*", "reason": "r"})
    assert calls == []
    assert accepted.status == "accepted" and accepted.acceptance["reason"] == "r"
    assert accepted.to_dict() == _eager().replace(
        status="accepted", acceptance={"finding": "exposure:a:*", "reason": "r"}).to_dict()


def test_replace_of_a_text_field_renders_the_rest():
    changed = _deferred().replace(title="new")
    assert changed.title == "new" and changed.message == "a -> b"


def test_unknown_attribute_is_an_attribute_error():
    with pytest.raises(AttributeError):
        _deferred().nonexistent  # noqa: B018


def test_sort_is_severity_then_id():
    make = lambda i, s: Finding(id=i, rule="r", kind=Kind.exposure, severity=s, title="", message="")  # noqa: E731
    found = sort_findings([make("b", Severity.low), make("c", Severity.high), make("a", Severity.low),
                           make("a2", Severity.high)])
    assert [f.id for f in found] == ["a2", "c", "a", "b"]


def test_rendering_order_does_not_change_any_finding():
    """Rules share caches between renderers: reading findings backwards gives the same text."""
    model_path = ROOT / "examples" / "every-rule.yaml"
    forwards = [f.to_dict() for f in analyze(load_model(model_path)).findings]
    report = analyze(load_model(model_path))
    backwards = [f.to_dict() for f in reversed(report.findings)][::-1]
    assert backwards == forwards
