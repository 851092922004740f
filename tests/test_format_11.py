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


# --------------------------------------------------------------------------- diffs: format 1.1 changes explain findings
def _diff(old_systems, old_flows, new_systems, new_flows, rules, **top):
    import datetime as dt

    from flowmap.diff import diff
    from flowmap.rules import select_rules

    return diff(build(old_systems, old_flows, **top), build(new_systems, new_flows, **top),
                today=dt.date(2026, 1, 1), rules=select_rules(rules))


def test_a_safeguard_added_to_a_flow_is_the_cause_of_the_finding_change():
    guarded = {**FLOW, "safeguards": ["prior_authorisation", "cascade"]}
    result = _diff([EURODAC, POLICE], [FLOW], [EURODAC, POLICE], [guarded], "exposure")
    (change,) = result.risks.changed
    assert change.id == "exposure:eurodac->police"
    assert change.how() == [
        "now stands with a cascade (less intrusive sources first) and prior authorisation by an independent authority"]
    assert [c.text() for c in change.causes] == ["flow eurodac->police changed (safeguards)"]


def test_a_lowered_min_age_is_the_cause_of_a_new_childrens_biometrics_finding():
    lowered = {**EURODAC, "subjects": ["asylum_seeker"], "min_age": {"biometric.fingerprint": 6}}
    adult = {**EURODAC, "subjects": ["asylum_seeker"]}
    result = _diff([adult, POLICE], [FLOW], [lowered, POLICE], [FLOW], "children_biometrics")
    (change,) = result.risks.new
    assert change.id == "children_biometrics:eurodac"
    assert [c.text() for c in change.causes] == ["system eurodac changed (min_age)"]


def test_a_listed_incompatible_pair_is_the_cause_of_new_function_creep():
    police = {"id": "police-db", "sector": "police", "holds": ["criminal.suspicion"], "purposes": ["enforcement.law"]}
    ice = {"id": "ice", "sector": "immigration", "actor": "immigration_enforcement"}
    flow = {"from": "police-db", "to": "ice", "data": ["criminal.suspicion"], "purpose": "enforcement.immigration"}
    import datetime as dt

    from flowmap.diff import diff
    from flowmap.rules import select_rules

    old = build([police, ice], [flow])
    new = build([police, ice], [flow], taxonomy={"incompatible": [["enforcement.law", "enforcement.immigration"]]})
    result = diff(old, new, today=dt.date(2026, 1, 1), rules=select_rules("function_creep"))
    (change,) = result.risks.new
    assert change.id == "function_creep:police-db->ice"
    assert [c.text() for c in change.causes] == [
        "taxonomy incompatible.enforcement.immigration <-> enforcement.law was added"]
