"""Format 1.1's fields: all optional, each read by the analyses as docs/model-format.md says, and
each bad value a one-line error (or warning) with its path.

The rule cases in tests/rules/ show each field changing a result; here: what validation says.
"""

from __future__ import annotations

import pytest
from conftest import build

from flowmap.errors import ModelError

EURODAC = {"id": "eurodac", "sector": "asylum", "holds": ["biometric.fingerprint"], "purposes": ["protection.asylum"]}
POLICE = {"id": "police", "sector": "police", "actor": "law_enforcement"}
FLOW = {"from": "eurodac", "to": "police", "data": ["biometric.fingerprint"], "purpose": "enforcement.law"}


def messages(systems, flows=(), **top) -> list[str]:
    """The located lines of validation errors (none: the warnings)."""
    try:
        model = build(list(systems), list(flows), **top)
    except ModelError as err:
        return [d.format() for d in err.diagnostics]
    return [d.format() for d in model.warnings]


def test_a_format_1_model_validates_with_every_new_field_omitted():
    model = build([EURODAC, POLICE], [FLOW])
    flow, system = model.flows[0], model.systems[0]
    assert (flow.returns, flow.transform, flow.safeguards, flow.answer, flow.delivers) == (None, None, [], None, True)
    assert (system.controller, system.joint_controllers, system.processors, system.rights_via) == (None, [], [], None)


@pytest.mark.parametrize("system, expected", [
    ({**EURODAC, "rights_via": "eurodak-portal"},
     "test.yaml: systems[0].rights_via: warning: 'eurodak-portal' looks like a system id but no system has it: name a system "
     "of the model or write the authority out in words"),
    ({**EURODAC, "rights_via": "polise"},
     "test.yaml: systems[0].rights_via: warning: 'polise' looks like a system id but no system has it (did you mean "
     "'police'?): name a system of the model or write the authority out in words"),
])
def test_a_rights_via_that_looks_like_a_missing_system_is_a_warning(system, expected):
    assert messages([system, POLICE]) == [expected]


def test_a_rights_via_in_words_or_naming_a_system_is_fine():
    assert messages([{**EURODAC, "rights_via": "police"}, POLICE]) == []
    assert messages([{**EURODAC, "rights_via": "Member State of origin"}, POLICE]) == []


@pytest.mark.parametrize("field, value, expected", [
    ("controller", ["a", "b"], "test.yaml: systems[0].controller: expected text, got a list"),
    ("processors", "eu-LISA", "test.yaml: systems[0].processors: expected a list, got 'eu-LISA'"),
])
def test_bad_accountability_values_are_one_line_errors_with_the_path(field, value, expected):
    assert messages([{**EURODAC, field: value}, POLICE]) == [expected]


def test_an_incompatible_pair_is_a_change_the_diff_lists_and_replays():
    from flowmap.diff.apply import apply_changes
    from flowmap.diff.model_changes import compare_models, snapshot_data

    before = build([EURODAC, POLICE], [FLOW])
    after = build([EURODAC, POLICE], [FLOW], taxonomy={"incompatible": [["enforcement.law", "enforcement.immigration"]]})
    changes = compare_models(before, after)
    assert [(c.section, c.key, c.change) for c in changes.taxonomy] == [
        ("taxonomy", "incompatible.enforcement.immigration <-> enforcement.law", "added")]
    assert snapshot_data(apply_changes(before, changes)) == snapshot_data(after)
