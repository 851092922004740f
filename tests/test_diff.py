"""Snapshot diff library: model changes, renames, causes, exposure, gate, replay, rendering."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest
from conftest import build

from flowmap.diff import apply_changes, compare_models, diff, parse_gate, render
from flowmap.errors import UsageError
from flowmap.findings import Severity
from flowmap.rules import select_rules

TODAY = dt.date(2026, 1, 1)
EXPOSURE = select_rules("exposure")  # other rules evolve; these tests pin one
CLINIC = {"id": "clinic", "sector": "health", "holds": ["special.health"], "purposes": ["services.health"]}
HUB = {"id": "hub", "sector": "interoperability", "kind": "component"}
POLICE = {"id": "police", "sector": "police", "actor": "law_enforcement"}
TO_HUB = {"id": "clinic-hub", "from": "clinic", "to": "hub", "data": ["special.health"], "purpose": "services.health"}
TO_POLICE = {"id": "hub-police", "from": "hub", "to": "police", "data": ["special.health"], "purpose": "enforcement.law"}


def pair(change):
    """A base model and a variant made by ``change(systems, flows, top)``."""
    systems, flows, top = [CLINIC, HUB, POLICE], [TO_HUB, TO_POLICE], {"sources": {"r1": "Regulation (EU) 2016/679"}}
    old = build(copy.deepcopy(systems), copy.deepcopy(flows), **copy.deepcopy(top))
    systems, flows, top = copy.deepcopy(systems), copy.deepcopy(flows), copy.deepcopy(top)
    change(systems, flows, top)
    return old, build(systems, flows, **top)


def test_renamed_flow_is_reported_as_renamed_not_removed_and_added():
    old, new = pair(lambda s, f, t: f[1].update(id="hub-to-police"))
    changes = compare_models(old, new)
    assert [(c.old_id, c.id, c.fields) for c in changes.flows_changed] == [("hub-police", "hub-to-police", ())]
    assert changes.flows_added == [] and changes.flows_removed == []


def test_flow_with_new_id_and_new_data_is_removed_and_added():
    old, new = pair(lambda s, f, t: f[1].update(id="hub-to-police", data=["special"]))
    changes = compare_models(old, new)
    assert [e.id for e in changes.flows_added] == ["hub-to-police"]
    assert [e.id for e in changes.flows_removed] == ["hub-police"]
    assert changes.flows_changed == []


def test_fields_are_compared_one_by_one_with_old_and_new_values():
    def change(systems, flows, top):
        systems[0]["controls"] = {"redress": False}
        systems[0]["holds"] = ["special.health", "identity.biographic"]
        flows[0]["transport"] = {"encrypted": True}

    old, new = pair(change)
    changes = compare_models(old, new)
    clinic = changes.systems_changed[0]
    assert [(f.field, f.old, f.new) for f in clinic.fields] == [
        ("holds", ["special.health"], ["identity.biographic", "special.health"]),
        ("controls.redress", None, False),
    ]
    assert [(f.field, f.old, f.new) for f in changes.flows_changed[0].fields] == [("transport.encrypted", None, True)]


def test_order_of_names_inside_a_list_is_not_a_change():
    old, new = pair(lambda s, f, t: s[0].update(holds=["identity.biographic", "special.health"]))
    again, reordered = pair(lambda s, f, t: s[0].update(holds=["special.health", "identity.biographic"]))
    assert compare_models(new, reordered).is_empty()


def test_sources_taxonomy_and_acceptances_are_entries():
    def change(systems, flows, top):
        top["sources"] = {"r1": "Regulation (EU) 2016/679, Art. 5", "r2": "Directive (EU) 2016/680"}
        top["taxonomy"] = {"categories": {"custom.tag": {"sensitivity": "low"}}}
        top["accepted"] = [{"finding": "exposure:hub-*", "reason": "court order", "status": "accepted"}]

    changes = compare_models(*pair(change))
    assert [(e.section, e.key, e.change) for e in changes.sources] == [("sources", "r1", "changed"), ("sources", "r2", "added")]
    assert [(e.key, e.change) for e in changes.taxonomy] == [("categories.custom.tag", "added")]
    assert [(e.key, e.change) for e in changes.accepted] == [("exposure:hub-*", "added")]


def test_new_finding_is_traced_to_the_added_flow():
    old, new = pair(lambda s, f, t: f.pop(1))
    result = diff(new, old, today=TODAY, rules=EXPOSURE)  # from "no hub->police flow" to "with it"
    (exposure,) = [c for c in result.risks.new if c.id == "exposure:hub-police"]
    assert [cause.text() for cause in exposure.causes] == ["flow hub-police was added"]
    assert exposure.finding.anchor.to_dict() == {"flow": "hub-police"}
    assert exposure.finding.paths == [["clinic", "hub", "police"]]
    assert exposure.how() == []


def test_resolved_finding_is_traced_to_the_system_that_changed():
    old, new = pair(lambda s, f, t: s[2].pop("actor"))
    result = diff(old, new, today=TODAY, rules=EXPOSURE)
    assert [c.id for c in result.risks.resolved] == ["exposure:hub-police"]
    assert [cause.text() for cause in result.risks.resolved[0].causes] == ["system police changed (actor)"]


def test_changed_status_is_traced_to_the_acceptance():
    accept = {"finding": "exposure:hub-*", "reason": "court order", "status": "mitigated"}
    old, new = pair(lambda s, f, t: t.update(accepted=[accept]))
    result = diff(old, new, today=TODAY, rules=EXPOSURE)
    (changed,) = result.risks.changed
    assert [(f.field, f.old, f.new) for f in changed.fields] == [("status", "open", "mitigated")]
    assert changed.how() == ["status open -> mitigated"]
    assert [c.text() for c in changed.causes] == ["acceptance exposure:hub-* was added"]


CHILDREN = {"id": "school", "sector": "education", "holds": ["special.health", "biometric.fingerprint"],
            "purposes": ["services.education"], "subjects": ["child"]}
TO_HUB_2 = {"id": "school-hub", "from": "school", "to": "hub", "data": ["special.health", "biometric"],
            "purpose": "services.education"}


def widen(systems, flows, top):
    """A second origin (children's health data and fingerprints) now reaches the police through the hub."""
    systems.append(copy.deepcopy(CHILDREN))
    flows.append(copy.deepcopy(TO_HUB_2))
    flows[1]["data"] = ["special.health", "biometric"]


def test_widened_evidence_is_one_changed_finding_that_says_how():
    old, new = pair(widen)
    result = diff(old, new, today=TODAY, rules=EXPOSURE)
    assert result.risks.new == [] and result.risks.resolved == []
    (changed,) = result.risks.changed
    assert changed.id == "exposure:hub-police" and changed.change == "changed"
    assert {f.field: (f.old, f.new) for f in changed.fields} == {
        "severity": ("high", "critical"), "origins_total": (1, 2), "origins": (["clinic"], ["clinic", "school"]),
        "categories": (["special.health"], ["biometric.fingerprint", "special.health"]),
        "subjects": ([], ["child"]),
    }
    assert changed.how() == ["severity high -> critical", "now reaches 1 more origin's data (school)",
                             "now carries fingerprints", "children now among the people concerned"]
    # the mirror narrows: same finding, the opposite words
    back = diff(new, old, today=TODAY, rules=EXPOSURE).risks.changed[0]
    assert back.how() == ["severity critical -> high", "reaches 1 fewer origin's data (school)", "no longer carries fingerprints",
                          "children no longer among the people concerned"]
    data = result.to_dict()["risks"]["changed"][0]
    assert data["how"] == changed.how() and data["anchor"] == {"flow": "hub-police"}
    assert data["origins_total"] == 2 and data["subjects"] == ["child"]


def test_a_change_the_rule_does_not_read_is_never_a_cause():
    def change(systems, flows, top):
        widen(systems, flows, top)
        systems[1]["retention"] = "P5Y"  # the hub: exposure does not read retention
        systems[1]["notes"] = "documentation only"
        flows[0]["transport"] = {"encrypted": True}  # nor transport security

    result = diff(*pair(change), today=TODAY, rules=EXPOSURE)
    (changed,) = result.risks.changed
    assert [c.text() for c in changed.causes] == [
        "flow hub-police changed (data)", "flow school-hub was added", "system school was added"]
    text = render(result, "table")
    assert "system hub: retention: unknown -> P5Y" in text  # the model change is still listed
    assert "because flow hub-police changed (data); flow school-hub was added; system school was added" in text


def test_changed_finding_that_rose_to_the_threshold_fails_the_gate():
    old, new = pair(widen)
    forward = diff(old, new, today=TODAY, rules=EXPOSURE)
    (changed,) = forward.risks.changed
    assert (changed.old.severity, changed.new.severity) == (Severity.high, Severity.critical)  # children
    assert [c.id for c in forward.gate(Severity.critical)] == ["exposure:hub-police"]
    assert forward.gate(Severity.high) == []  # already open at high before: not newly open
    assert diff(new, old, today=TODAY, rules=EXPOSURE).gate(Severity.info) == []  # narrowing never gates


def test_names_are_never_cut_in_table_or_markdown():
    def change(systems, flows, top):
        systems[0]["holds"] = ["special.health", "criminal.record", "identity.biographic", "migration.asylum_claim",
                               "biometric.fingerprint"]
        flows[0]["data"] = flows[1]["data"] = ["special", "criminal", "identity", "migration", "biometric"]

    result = diff(*pair(change), today=TODAY, rules=EXPOSURE)
    for fmt in ("table", "markdown"):
        text = render(result, fmt)
        assert "criminal.reco..." not in text and "..." not in text
        assert "criminal.record" in text.replace("\\", "")
        assert "now carries" in text and "criminal records" in text


def test_exposure_changes_count_pairs_per_actor():
    def change(systems, flows, top):
        systems[0]["holds"].append("biometric.fingerprint")
        flows[0]["data"] = flows[1]["data"] = ["special.health", "biometric"]

    old, new = pair(change)
    result = diff(old, new, today=TODAY, rules=EXPOSURE)
    assert [(e.category, e.actor) for e in result.exposure.appeared] == [("biometric.fingerprint", "police")]
    assert [(a.actor, a.before, a.after, a.gained, a.lost) for a in result.exposure.actors] == [("police", 1, 2, 1, 0)]


def test_gate_counts_new_escalated_and_reopened_findings_only():
    old, new = pair(lambda s, f, t: f.pop(1))
    assert [c.id for c in diff(new, old, today=TODAY, rules=EXPOSURE).gate(Severity.high)] == ["exposure:hub-police"]
    assert diff(old, new, today=TODAY, rules=EXPOSURE).gate(Severity.info) == []  # only removes risk
    assert diff(new, old, today=TODAY, rules=EXPOSURE).gate(Severity.critical) == []


def test_parse_gate_accepts_new_prefix_or_plain_severity():
    assert parse_gate("new:high") == parse_gate("HIGH") == Severity.high
    with pytest.raises(UsageError, match="new:SEVERITY"):
        parse_gate("resolved:high")
    with pytest.raises(UsageError, match="unknown severity 'severe'"):
        parse_gate("new:severe")


def test_apply_refuses_changes_that_do_not_fit_the_model():
    old, new = pair(lambda s, f, t: s[0].update(sector="police"))
    changes = compare_models(old, new)
    assert apply_changes(old, changes).system("clinic").sector == "police"
    with pytest.raises(UsageError, match="field sector is 'police', the change expects 'health'"):
        apply_changes(new, changes)


def test_markdown_escapes_model_text():
    old, new = pair(lambda s, f, t: s[1].update(name="Hub | <script>alert(1)</script>"))
    text = render(diff(old, new, today=TODAY, rules=EXPOSURE), "markdown")
    assert "<script>" not in text
    assert "name: unknown -&gt; Hub \\| &lt;script&gt;alert(1)&lt;/script&gt;" in text


def test_json_output_is_the_diff_dict_and_deterministic():
    old, new = pair(lambda s, f, t: f.pop(1))
    first = render(diff(old, new, today=TODAY, rules=EXPOSURE), "json")
    assert first == render(diff(old, new, today=TODAY, rules=EXPOSURE), "json")
    data = json.loads(first)
    assert data["summary"]["flows"] == {"added": 0, "removed": 1, "changed": 0, "renamed": 0}
    assert [r["id"] for r in data["risks"]["resolved"]] == ["exposure:hub-police"]
    assert data["risks"]["resolved"][0]["because"][0]["text"] == "flow hub-police was removed"


def test_a_field_is_a_cause_at_the_anchor_not_at_an_origin():
    from flowmap.diff import compare_findings
    from flowmap.diff.model_changes import ElementChange, FieldChange, ModelChanges
    from flowmap.findings import Anchor, Confidence, Finding, Kind

    def gap(origins):
        return Finding(id="accountability_gap:border:unknown_safeguards", rule="accountability_gap",
                       kind=Kind.accountability_gap, severity=Severity.medium, confidence=Confidence.low, title="t",
                       message="m", anchor=Anchor("system", "border"), aspect="unknown_safeguards", systems=["border"],
                       origins=origins, origins_total=len(origins))

    changes = ModelChanges(systems_changed=[
        ElementChange("border", (FieldChange("legal_basis", [], ["r1"]),)),
        ElementChange("vis", (FieldChange("holds", [], ["biometric.face"]), FieldChange("legal_basis", [], ["r1"]))),
    ])
    (changed,) = compare_findings([gap(["sis"])], [gap(["sis", "vis"])], changes).changed
    assert [c.text() for c in changed.causes] == ["system border changed (legal_basis)", "system vis changed (holds)"]
