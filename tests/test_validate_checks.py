"""The checks of meaning speak wherever a problem is, though each runs only where a quick set test
says it may find one (validate._semantic_checks): one system and one flow with every problem a
guarded check reports, and the order of problems past the reporting cap kept as found."""

from __future__ import annotations

import pytest

from flowmap.errors import ModelError
from flowmap.structure import MAX_REPORTED
from flowmap.validate import build_model

SOURCES = {"eu-2019-817": "Regulation (EU) 2019/817"}


def _model(system: dict, flow: dict, **extra) -> dict:
    good = {"id": "b", "sector": "police"}
    return {"flowmap": 1, "name": "m", "sources": SOURCES, "systems": [system, good],
            "flows": [flow], **extra}


def _paths(data: dict) -> list[str]:
    try:
        model = build_model(data, "m.yaml")
    except ModelError as err:
        return [d.path for d in err.diagnostics]
    return [d.path for d in model.warnings]


def test_every_guarded_check_of_a_system_and_a_flow_still_reports():
    system = {"id": "a", "sector": "asylum", "holds": ["identity", "idnetity"], "purposes": ["nope"],
              "subjects": ["nobody"], "technologies": ["telepathy"], "retention": "P5Q", "min_age": {"nothing": 200},
              "sources": ["eu-2019-817", "missing"], "legal_basis": ["eu-2019-818"]}
    flow = {"from": "a", "to": "europoll", "initiated_by": "nobody", "data": ["idnetity"], "purpose": ["nope"],
            "subjects": ["nobody"], "safeguards": ["prayer"], "transform": "shredded", "sources": ["missing"],
            "legal_basis": ["eu-2019-818"]}
    assert _paths(_model(system, flow)) == [
        "flows[0].data[0]", "flows[0].initiated_by", "flows[0].purpose[0]", "flows[0].safeguards[0]",
        "flows[0].sources[0]", "flows[0].subjects[0]", "flows[0].to", "flows[0].transform",
        "systems[0].holds[1]", "systems[0].min_age.nothing", "systems[0].min_age.nothing", "systems[0].purposes[0]",
        "systems[0].retention", "systems[0].sources[1]", "systems[0].subjects[0]", "systems[0].technologies[0]",
    ]


def test_a_legal_basis_that_looks_like_a_missing_source_key_is_a_warning_on_systems_and_flows():
    system = {"id": "a", "sector": "asylum", "holds": ["identity"], "purposes": ["protection.asylum"],
              "legal_basis": ["eu-2019-818", "eu-2019-817", "the Asylum Act"]}
    flow = {"from": "a", "to": "b", "data": ["identity"], "purpose": "enforcement.law",
            "legal_basis": ["Art. 20", "eu-2019-818"]}
    assert _paths(_model(system, flow)) == ["flows[0].legal_basis[1]", "systems[0].legal_basis[0]"]


def test_past_the_cap_the_problems_found_first_are_the_ones_listed():
    flows = [{"id": f"f{i}", "from": "a", "to": "b", "data": [f"unknown{i:05d}"], "purpose": "enforcement.law"}
             for i in range(MAX_REPORTED + 5)]
    data = {"flowmap": 1, "name": "m", "systems": [{"id": "a", "sector": "asylum"}, {"id": "b", "sector": "police"}],
            "flows": [{"from": "a", "to": "nowhere", "data": ["identity"], "purpose": "enforcement.law"}, *flows]}
    with pytest.raises(ModelError) as caught:
        build_model(data, "m.yaml")
    paths = [d.path for d in caught.value.diagnostics]
    assert "flows[0].to" in paths and f"flows[{MAX_REPORTED - 1}].data[0]" in paths
    assert f"flows[{MAX_REPORTED}].data[0]" not in paths
