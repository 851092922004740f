"""`flowmap paths` and flowmap.paths.routes: shortest routes per category, errors, exit codes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from conftest import build, model_data

from flowmap.cli import main
from flowmap.errors import UsageError
from flowmap.paths import routes

SYSTEMS = [
    {"id": "clinic", "sector": "health", "holds": ["special.health", "identity.biographic"],
     "purposes": ["services.health"]},
    {"id": "hub", "sector": "interoperability", "kind": "component"},
    {"id": "police", "sector": "police", "actor": "law_enforcement", "holds": ["criminal.record"],
     "purposes": ["enforcement.law"]},
    {"id": "court", "sector": "judicial"},
]
FLOWS = [
    {"from": "clinic", "to": "hub", "data": ["special.health", "identity"], "purpose": "services.health"},
    {"from": "hub", "to": "police", "data": ["identity.biographic"], "purpose": "enforcement.law"},
    {"from": "hub", "to": "court", "data": ["special.health"], "purpose": "enforcement.judicial"},
    {"from": "court", "to": "police", "data": ["special"], "purpose": "enforcement.law", "bidirectional": True},
    {"id": "shortcut", "from": "clinic", "to": "court", "data": ["identity.biographic"], "purpose": "enforcement.law"},
]


def model():
    return build(SYSTEMS, FLOWS)


def test_one_shortest_route_per_category_that_travels():
    found = routes(model(), "clinic", "police")
    assert [(r.category, r.path, r.flows, r.origins) for r in found] == [
        ("identity.biographic", ["clinic", "hub", "police"], ["clinic->hub", "hub->police"], ["clinic"]),
        ("special.health", ["clinic", "hub", "court", "police"], ["clinic->hub", "hub->court", "court->police"],
         ["clinic"]),
    ]


def test_bidirectional_flows_carry_back_and_received_data_counts_at_the_source():
    found = routes(model(), "police", "court")
    assert [(r.category, r.path, r.flows) for r in found] == [
        ("special.health", ["police", "court"], ["court->police"]),
    ]
    assert routes(model(), "police", "clinic") == []


def test_category_filter_takes_children_and_unknown_category_is_an_error():
    assert [r.category for r in routes(model(), "clinic", "police", category="special")] == ["special.health"]
    assert routes(model(), "clinic", "police", category="biometric") == []
    with pytest.raises(UsageError, match=r"--category 'speciall': unknown category \(did you mean 'special'\?\)"):
        routes(model(), "clinic", "police", category="speciall")


def test_unknown_or_same_systems_are_usage_errors():
    with pytest.raises(UsageError, match=r"--to 'polise': no such system in the model \(did you mean 'police'\?\)"):
        routes(model(), "clinic", "polise")
    with pytest.raises(UsageError, match="--from and --to both name 'clinic'"):
        routes(model(), "clinic", "clinic")


def test_cycles_and_file_order_do_not_change_routes():
    cyclic = FLOWS + [{"from": "police", "to": "hub", "data": ["special.health"], "purpose": "enforcement.law"}]
    forward = routes(build(SYSTEMS, cyclic), "clinic", "police")
    backward = routes(build(SYSTEMS[::-1], cyclic[::-1]), "clinic", "police")
    assert forward == backward
    assert [r.path for r in forward][1] == ["clinic", "hub", "court", "police"]


def test_routes_honour_what_a_flow_forwards():
    def with_forwards(value):
        flows = [dict(f) for f in FLOWS]
        flows[1]["forwards"] = value  # hub -> police
        return build(SYSTEMS, flows)

    # the hub answers only about its own records (it holds none): the clinic's identity data stops there
    assert [r.category for r in routes(with_forwards("own"), "clinic", "police")] == ["special.health"]
    assert [r.category for r in routes(with_forwards("own"), "hub", "police")] == ["special.health"]  # via court
    # it passes on what arrived through the named flow: the route is back
    named = routes(with_forwards(["clinic->hub"]), "clinic", "police")
    assert [(r.category, r.path, r.flows) for r in named][0] == (
        "identity.biographic", ["clinic", "hub", "police"], ["clinic->hub", "hub->police"])


def test_a_source_passes_its_own_records_through_a_flow_that_forwards_only_those():
    flows = [dict(f) for f in FLOWS] + [
        {"id": "police-court", "from": "police", "to": "court", "data": ["criminal"], "purpose": "enforcement.judicial",
         "forwards": "own"}]
    found = routes(build(SYSTEMS, flows), "police", "court")
    assert [(r.category, r.path, r.flows) for r in found] == [
        ("criminal.record", ["police", "court"], ["police-court"]),
        ("special.health", ["police", "court"], ["court->police"]),
    ]


@pytest.fixture
def path(write_model):
    return write_model(model_data(SYSTEMS, FLOWS))


def test_cli_text_and_exit_codes(path):
    result = CliRunner().invoke(main, ["paths", str(path), "--from", "clinic", "--to", "police"])
    assert result.exit_code == 0
    assert result.stdout == (
        "Data moves from clinic to police in 2 categories:\n"
        "  identity.biographic (collected at clinic): 2 steps\n"
        "    clinic -> hub -> police\n"
        "    via clinic->hub, hub->police\n"
        "  special.health (collected at clinic): 3 steps\n"
        "    clinic -> hub -> court -> police\n"
        "    via clinic->hub, hub->court, court->police\n"
    )
    none = CliRunner().invoke(main, ["paths", str(path), "--from", "police", "--to", "clinic"])
    assert (none.exit_code, none.stdout) == (0, "no data moves from police to clinic\n")  # an answer, not a failure
    none = CliRunner().invoke(main, ["paths", str(path), "--from", "clinic", "--to", "police", "--category", "biometric"])
    assert (none.exit_code, none.stdout) == (0, "no biometric data moves from clinic to police\n")


def test_cli_json(path):
    result = CliRunner().invoke(main, ["paths", str(path), "--from", "clinic", "--to", "court", "--format", "json"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert (data["from"], data["to"]) == ("clinic", "court")
    assert data["routes"] == [
        {"category": "identity.biographic", "path": ["clinic", "court"], "flows": ["shortcut"], "origins": ["clinic"],
         "hops": 1},
        {"category": "special.health", "path": ["clinic", "hub", "court"], "flows": ["clinic->hub", "hub->court"],
         "origins": ["clinic"], "hops": 2},
    ]


def test_cli_bad_input_is_one_line(path):
    result = CliRunner().invoke(main, ["paths", str(path), "--from", "clinc", "--to", "police"])
    assert result.exit_code == 2
    assert result.stderr == "Error: --from 'clinc': no such system in the model (did you mean 'clinic'?)\n"
    result = CliRunner().invoke(main, ["paths", "missing.yaml", "--from", "a", "--to", "b"])
    assert (result.exit_code, result.stderr) == (2, "Error: missing.yaml: no such file: check the path\n")
