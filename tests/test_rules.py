"""Every rule against its pass and fail model fragments (``tests/rules/<rule_id>.yaml``),
and the laws every rule obeys: order independence, repeatability, stable ids.

A case is ``{name, model: {systems, flows, ...}, expect: [finding ids]}``; the test
asserts that the rule produces exactly those ids (a pass case expects ``[]``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import build
from hypothesis import given, settings
from hypothesis import strategies as st

from flowmap.analysis import analyze
from flowmap.rules import ALL_RULES, select_rules

CASES_DIR = Path(__file__).parent / "rules"
RULE_IDS = [r.id for r in ALL_RULES]


def load_cases():
    out = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text("utf-8"))["cases"]:
            out.append(pytest.param(path.stem, case, id=f"{path.stem}: {case['name']}"))
    return out


def run(model, rule_id):
    """The ids the rule gives: a question gathered on a system's ``questions`` finding keeps its own."""
    return [q.id for f in analyze(model, rules=select_rules(rule_id)).findings for q in (f.questions or [f])]


def model_of(case):
    body = dict(case["model"])
    return build(body.pop("systems"), body.pop("flows", []), **body)


@pytest.mark.parametrize("rule_id, case", load_cases())
def test_rule_case(rule_id, case):
    assert sorted(run(model_of(case), rule_id)) == sorted(case["expect"])


def test_every_rule_has_a_failing_and_a_passing_case():
    by_rule = {}
    for path in CASES_DIR.glob("*.yaml"):
        cases = yaml.safe_load(path.read_text("utf-8"))["cases"]
        by_rule[path.stem] = ([c for c in cases if c["expect"]], [c for c in cases if not c["expect"]])
    missing = [r for r in RULE_IDS if r not in by_rule or not by_rule[r][0] or not by_rule[r][1]]
    assert missing == [], f"rules without both a failing and a passing case in tests/rules/: {missing}"
    assert sorted(by_rule) == sorted(RULE_IDS), "a case file names no rule"


def test_fail_case_ids_start_with_their_rule():
    for param in load_cases():
        rule_id, case = param.values
        assert all(i.startswith(rule_id + ":") for i in case["expect"]), case["name"]


# --------------------------------------------------------------------------- laws over all rules
EVERY_RULE = Path(__file__).resolve().parent.parent / "examples" / "every-rule.yaml"


def every_rule_data():
    return yaml.safe_load(EVERY_RULE.read_text("utf-8"))


def from_data(data):
    body = dict(data)
    return build(body.pop("systems"), body.pop("flows", []), **body)


def test_every_rule_fires_on_the_example():
    report = analyze(from_data(every_rule_data()))
    fired = {q.rule for f in report.findings for q in (f.questions or [f])}
    assert sorted(set(RULE_IDS) - fired) == []


@settings(max_examples=15, deadline=None)
@given(st.randoms(use_true_random=False))
def test_findings_do_not_depend_on_the_order_of_systems_and_flows(rnd):
    data = every_rule_data()
    reference = analyze(from_data(data)).to_json()
    shuffled = dict(data)
    shuffled["systems"] = rnd.sample(data["systems"], len(data["systems"]))
    shuffled["flows"] = rnd.sample(data["flows"], len(data["flows"]))
    assert analyze(from_data(shuffled)).to_json() == reference


def test_running_twice_gives_byte_identical_json():
    first = analyze(from_data(every_rule_data())).to_json()
    second = analyze(from_data(every_rule_data())).to_json()
    assert first == second


def test_ids_do_not_change_when_an_unrelated_system_is_added():
    data = every_rule_data()
    before = {f.id for f in analyze(from_data(data)).findings}
    data["systems"] = [
        *data["systems"],
        {"id": "aaa-unrelated", "sector": "welfare", "holds": ["welfare.benefits"], "purposes": ["services.welfare"],
         "subjects": ["resident"], "legal_basis": ["Welfare Act"], "controls": {"independent_oversight": True, "redress": True}},
    ]
    after = {f.id for f in analyze(from_data(data)).findings if f.anchor.id != "aaa-unrelated"}
    assert after == before


def test_function_creep_message_says_the_use_is_authorised_and_by_what():
    case = yaml.safe_load((CASES_DIR / "function_creep.yaml").read_text("utf-8"))["cases"][0]
    (finding,) = analyze(model_of(case), rules=select_rules("function_creep")).findings
    assert "none of the purposes of collection, and no law is recorded as adding it" in finding.message
    assert ("The flow cites as its legal basis Regulation 1/2024 on fingerprints [reg-1]: authorised, and still a new "
            "use") in finding.message
    assert finding.severity.name != "critical"  # authorised by the flow's legal basis: never graded as a use without one
    assert finding.paths == [["eurodac", "europol"]] and finding.flows == ["eurodac-to-europol"]


def test_function_creep_names_the_provision_that_added_a_further_purpose():
    cases = yaml.safe_load((CASES_DIR / "function_creep.yaml").read_text("utf-8"))["cases"]
    case = next(c for c in cases if c["name"].startswith("a further purpose added by law"))
    (finding,) = analyze(model_of(case), rules=select_rules("function_creep")).findings
    assert ("a further purpose added by Regulation (EU) 2024/1358, Art. 1(1)(d) [reg-1358], beyond why people "
            "gave the data") in finding.message
    assert finding.severity.name != "critical" and "further purpose added by law" in finding.title


def test_function_creep_path_runs_through_compatible_flows():
    case = yaml.safe_load((CASES_DIR / "function_creep.yaml").read_text("utf-8"))["cases"][1]
    (finding,) = analyze(model_of(case), rules=select_rules("function_creep")).findings
    assert finding.paths == [["eurodac", "hub", "police"]]
    assert finding.flows == ["hub->police", "eurodac->hub"]  # the anchor first, then the path's flows


def test_unknown_transport_is_a_low_confidence_gap():
    case = yaml.safe_load((CASES_DIR / "insecure_link.yaml").read_text("utf-8"))["cases"][0]
    found = {f.id: f for f in analyze(model_of(case), rules=select_rules("insecure_link")).findings}
    (asked,) = found["questions:a"].questions  # gathered at the sender, the system that can answer
    assert asked.id == "insecure_link:a:unknown_transport" and found["questions:a"].confidence.value == "low"
    assert found["insecure_link:a->b"].confidence.value == "high"
    # replication of special data with a confirmed gap grades above the unknown single-record link
    assert found["insecure_link:a->b"].severity > asked.severity == found["questions:a"].severity


def test_firewall_is_graded_above_plain_function_creep():
    case = yaml.safe_load((CASES_DIR / "firewall.yaml").read_text("utf-8"))["cases"][0]
    found = {f.rule: f for f in analyze(model_of(case), rules=select_rules("firewall,function_creep")).findings}
    assert found["firewall"].severity > found["function_creep"].severity


def test_function_creep_grades_a_use_without_legal_basis_above_an_authorised_one():
    """Issue 13's three cases: no legal basis (the full grade), authorised by a law (a step lower,
    never critical), within the purposes of collection (no finding)."""
    cases = yaml.safe_load((CASES_DIR / "function_creep.yaml").read_text("utf-8"))["cases"]
    bare = next(c for c in cases if c["name"].startswith("a use without any legal basis"))
    (finding,) = analyze(model_of(bare), rules=select_rules("function_creep")).findings
    assert finding.severity.name == "critical" and "The model records no legal basis for the flow." in finding.message
    assert "without a recorded legal basis" in finding.title


def test_a_chokepoint_encrypted_at_rest_is_graded_a_step_lower_and_says_why():
    case = next(c for c in yaml.safe_load((CASES_DIR / "chokepoint.yaml").read_text("utf-8"))["cases"] if c["expect"])
    plain = {f.id: f for f in analyze(model_of(case), rules=select_rules("chokepoint")).findings}
    anchor = case["expect"][0].split(":", 1)[1]
    body = yaml.safe_load(yaml.safe_dump(case))
    for system in body["model"]["systems"]:
        if system["id"] == anchor:
            system["controls"] = {"encryption_at_rest": True}
    encrypted = {f.id: f for f in analyze(model_of(body), rules=select_rules("chokepoint")).findings}
    before, after = plain[case["expect"][0]], encrypted[case["expect"][0]]
    assert after.severity == before.severity - 1 and "encrypted at rest" in after.message


def test_anonymised_or_aggregated_flows_carry_no_one_on():
    """format 1.1's transform: statistics do not carry the personal categories on (CRRS, Art. 39)."""
    from conftest import build

    systems = [{"id": "ees", "sector": "border", "holds": ["biometric.face"], "purposes": ["migration.border_management"],
                "subjects": ["child"]},
               {"id": "stats", "sector": "interoperability", "kind": "component"},
               {"id": "police", "sector": "police", "actor": "law_enforcement"}]
    flows = [{"id": "to-stats", "from": "ees", "to": "stats", "data": ["biometric.face"], "purpose": "statistics.official"},
             {"id": "stats-police", "from": "stats", "to": "police", "data": ["biometric.face"], "purpose": "enforcement.law"}]
    assert [f.id for f in analyze(build(systems, flows), rules=select_rules("exposure")).findings] == [
        "exposure:stats-police"]
    flows[0]["transform"] = "anonymised"
    assert analyze(build(systems, flows), rules=select_rules("exposure")).findings == []


def test_an_answer_is_a_step_lower_than_the_record_and_says_what_crosses():
    """format 1.1's returns: a reference to a criminal record is reported at the flow, one step lower."""
    from conftest import build

    systems = [{"id": "ecris", "sector": "judicial", "holds": ["criminal.record"], "purposes": ["enforcement.judicial"]},
               {"id": "partner", "sector": "third_country", "actor": "third_country"}]
    flows = [{"id": "ask", "from": "ecris", "to": "partner", "data": ["criminal.record"], "purpose": "security.intelligence"}]
    (record,) = analyze(build(systems, flows), rules=select_rules("exposure")).findings
    flows[0]["returns"] = "reference"
    (reference,) = analyze(build(systems, flows), rules=select_rules("exposure")).findings
    assert reference.severity == record.severity - 1
    assert "Only a reference crosses this flow" in reference.message and reference.title.startswith("References to")


def test_a_pseudonymised_flow_says_its_data_is_still_personal():
    from conftest import build

    systems = [{"id": "ees", "sector": "border", "holds": ["biometric.face"], "purposes": ["migration.border_management"]},
               {"id": "police", "sector": "police", "actor": "law_enforcement"}]
    flows = [{"id": "f", "from": "ees", "to": "police", "data": ["biometric.face"], "purpose": "enforcement.law",
              "transform": "pseudonymised"}]
    (finding,) = analyze(build(systems, flows), rules=select_rules("exposure")).findings
    assert finding.message.endswith("The data passes pseudonymised: identifiers replaced by codes that extra information "
                                    "kept elsewhere can reverse (GDPR Art. 4(5), Recital 26). That is still personal "
                                    "data, so its categories count as carried on.")


def test_a_safeguarded_flow_is_reported_names_its_safeguards_and_ranks_after_an_unguarded_one():
    from conftest import build

    systems = [{"id": "eurodac", "sector": "asylum", "holds": ["biometric.fingerprint"], "purposes": ["protection.asylum"]},
               {"id": "vis", "sector": "visa", "holds": ["biometric.fingerprint"], "purposes": ["migration.visa"]},
               {"id": "police", "sector": "police", "actor": "law_enforcement"}]
    flows = [{"id": "a-guarded", "from": "eurodac", "to": "police", "data": ["biometric"], "purpose": "enforcement.law"},
             {"id": "b-open", "from": "vis", "to": "police", "data": ["biometric"], "purpose": "enforcement.law"}]
    plain = analyze(build(systems, flows), rules=select_rules("exposure")).findings
    assert [f.id for f in plain] == ["exposure:a-guarded", "exposure:b-open"]  # equal: by id
    flows[0]["safeguards"] = ["prior_authorisation", "cascade"]
    guarded = analyze(build(systems, flows), rules=select_rules("exposure")).findings
    assert [f.id for f in guarded] == ["exposure:b-open", "exposure:a-guarded"]
    finding = guarded[1]
    assert finding.severity == plain[0].severity and finding.safeguards == ["cascade", "prior_authorisation"]
    assert finding.to_dict()["safeguards"] == ["cascade", "prior_authorisation"]
    assert "Safeguards recorded on this flow: a cascade (less intrusive sources first) and prior authorisation by an " \
           "independent authority. The finding stands with them" in finding.message
    assert "safeguards" not in guarded[0].to_dict()
