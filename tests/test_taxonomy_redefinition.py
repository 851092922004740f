"""A model that defines a term a later flowmap builds in keeps validating, unless it changes its meaning."""

from __future__ import annotations

import pytest
from conftest import build

from flowmap.errors import ModelError

SYSTEMS = [{"id": "a", "sector": "police"}]


@pytest.mark.parametrize(
    "section, entry",
    [
        ("categories", {"biometric.face": {"sensitivity": "special", "description": "our words"}}),
        ("subjects", {"child": {"vulnerable": True, "description": "our words"}}),
        ("technologies", {"emotion_recognition": {"risk": "at_odds", "description": "our words"}}),
        ("sectors", {"police": {"description": "our words"}}),
    ],
)
def test_same_meaning_is_a_warning_and_the_model_keeps_its_description(section, entry):
    model = build(SYSTEMS, taxonomy={section: entry})
    name = next(iter(entry))
    assert [w.message for w in model.warnings] == [
        f"'{name}' is now built in, with the same meaning: remove this definition (its description is used meanwhile)"
    ]
    assert getattr(model.effective_taxonomy, section)[name].description == "our words"


@pytest.mark.parametrize(
    "section, entry, change",
    [
        ("categories", {"biometric.face": {"sensitivity": "low"}}, "with sensitivity special, not low"),
        ("subjects", {"child": {"vulnerable": False}}, "with vulnerable: true, not false"),
        ("technologies", {"emotion_recognition": {"risk": "high"}}, "with risk at_odds, not high"),
    ],
)
def test_a_changed_meaning_needs_override(section, entry, change):
    name = next(iter(entry))
    with pytest.raises(ModelError) as caught:
        build(SYSTEMS, taxonomy={section: entry})
    assert [d.message for d in caught.value.diagnostics] == [
        f"'{name}' is already built in {change}: add `override: true` to redefine it, or pick another name"
    ]
    entry[name]["override"] = True
    assert build(SYSTEMS, taxonomy={section: entry}).warnings == []
