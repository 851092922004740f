"""Finding objects and the ranking: the contract's JSON shape, round trips, and the order every output uses."""

from __future__ import annotations

from flowmap.analysis import analyze
from flowmap.findings import Anchor, Confidence, Finding, Kind, Severity
from flowmap.loader import load_model
from flowmap.ranking import ranked

from tests.conftest import ROOT

EU = ROOT / "models" / "eu-interoperability.yaml"


def _finding(**changes) -> Finding:
    base = dict(id="exposure:a->b", rule="exposure", kind=Kind.exposure, severity=Severity.high,
                confidence=Confidence.high, title="t", message="m", anchor=Anchor("flow", "a->b"))
    return Finding(**(base | changes))


def test_json_shape_follows_the_contract():
    data = _finding(origins=["a"], origins_total=1, paths=[["a", "b"]]).to_dict()
    assert list(data)[:9] == ["id", "rule", "kind", "severity", "confidence", "rank", "title", "message", "anchor"]
    assert data["anchor"] == {"flow": "a->b"} and data["origins_total"] == 1 and data["paths"] == [["a", "b"]]
    assert "reached" not in data and "question" not in data and "acceptance" not in data


def test_a_finding_round_trips_through_json():
    finding = _finding(reached=["b"], reached_total=4, question="", status="accepted",
                       acceptance={"finding": "exposure:*", "reason": "r"})
    assert Finding.from_dict(finding.to_dict()) == finding


def test_replace_copies_and_leaves_the_original():
    finding = _finding()
    copy = finding.replace(rank=3, status="mitigated")
    assert (copy.rank, copy.status, finding.rank, finding.status) == (3, "mitigated", 0, "open")


def test_rule_finding_puts_each_value_in_its_field():
    """Rule.finding builds a Finding by position: every value must land in the field it is for."""
    from flowmap.model import Model
    from flowmap.ranking import Breadth
    from flowmap.rules import Context, Rule

    model = Model.model_validate({"flowmap": 1, "name": "x", "systems": [
        {"id": "a", "sector": "health"}, {"id": "b", "sector": "police"}, {"id": "c", "sector": "police"}],
        "flows": [{"from": "a", "to": "b", "data": ["special.health"], "purpose": "enforcement.law"}]})
    ctx = Context(model)
    rule = Rule(id="r", name="n", kind=Kind.exposure, default_severity=Severity.high, principles=("p1",),
                linddun="linking", check=lambda ctx: (), aspects=("x",))
    finding = rule.finding(
        ctx, ctx.flows[0], severity=Severity.critical, title="T", message="M", aspect="x", confidence=Confidence.low,
        categories=["special.health", "special.health"], subjects=["child"], origins=["a"], origins_total=5,
        reached=["c"], reached_total=7, paths=[(["a", "b", "c"], ["a->b", "b->c"])], systems=["c"], flows=["b->c"],
        mitigation="fix", question="Q?", actor_types=2, principles=["p2"], questions=[],
    )
    assert {name: getattr(finding, name) for name in (
        "id", "rule", "kind", "severity", "confidence", "title", "message", "anchor", "aspect", "systems", "flows",
        "categories", "subjects", "origins", "origins_total", "reached", "reached_total", "paths", "principles",
        "mitigation", "question", "asks", "safeguards", "questions", "breadth", "rank", "status", "acceptance")} == {
        "id": "r:a->b:x", "rule": "r", "kind": Kind.exposure, "severity": Severity.medium, "confidence": Confidence.low,
        "title": "T", "message": "M", "anchor": Anchor("flow", "a->b"), "aspect": "x", "systems": ["a", "b", "c"],
        "flows": ["a->b", "b->c"], "categories": ["special.health"], "subjects": ["child"], "origins": ["a"],
        "origins_total": 5, "reached": ["c"], "reached_total": 7, "paths": [["a", "b", "c"]], "principles": ["p2"],
        "mitigation": "fix", "question": "Q?", "asks": "a", "safeguards": [], "questions": [],
        "breadth": Breadth(1, 1, 1, 5, 2, 7), "rank": 0, "status": "open", "acceptance": None}


def test_ranking_puts_established_findings_first_within_a_severity():
    findings = ranked([
        _finding(id="x:q", confidence=Confidence.low, severity=Severity.medium),
        _finding(id="x:e", severity=Severity.medium),
        _finding(id="x:c", severity=Severity.critical),
    ])
    assert [f.id for f in findings] == ["x:c", "x:e", "x:q"] and [f.rank for f in findings] == [1, 2, 3]


def test_on_the_eu_model_no_question_outranks_an_established_finding_of_its_severity():
    findings = analyze(load_model(EU)).findings
    assert [f.rank for f in findings] == list(range(1, len(findings) + 1))
    for before, after in zip(findings, findings[1:]):
        if before.severity == after.severity:
            assert not (before.confidence is Confidence.low and after.confidence is Confidence.high)
    assert not [f.id for f in findings if f.confidence is Confidence.low and f.severity is Severity.critical]


def test_the_report_is_byte_identical_across_runs():
    assert analyze(load_model(EU)).to_json() == analyze(load_model(EU)).to_json()


# --------------------------------------------------------------------------- findings grow with the model
def _count_and_size(model):
    report = analyze(model)
    return len(report.findings), len(model.systems) + len(model.flows), report


def test_curated_models_have_at_most_one_and_a_half_findings_per_element():
    # issue 12: several rules may anchor at one busy flow, but never more than 1.5x systems + flows
    for path in sorted((ROOT / "models").glob("*.yaml")):
        findings, elements, _ = _count_and_size(load_model(path))
        assert findings <= 1.5 * elements, (path.name, findings, elements)


def test_a_hub_heavy_ecosystem_has_no_more_findings_than_systems_and_flows():
    # issue 12 asks it of 10,000 systems (56,175 findings for 60,370 systems + flows, measured with
    # `flowmap synth --systems 10000 --seed 1`); 600 hub-heavy systems keep the suite fast
    from flowmap.synth import synthesize
    from flowmap.validate import build_model

    model = build_model(synthesize(600, seed=1, profile="hub-heavy"), "synth.json")
    findings, elements, report = _count_and_size(model)
    assert findings <= elements, (findings, elements)
    assert len(report.questions) <= len(model.systems)  # one gathered finding per system at most
    assert len({f.id for f in report.findings}) == findings


def test_the_model_digest_is_the_sha256_of_the_canonical_json():
    # the digest is written by orjson for speed; it must be the hash of the documented canonical form
    import hashlib
    import json

    from flowmap.analysis import _sha256_of, model_digest

    for path in sorted((ROOT / "models").glob("*.yaml")):
        model = load_model(path)
        data = dict(model._cache["source_data"])
        data["systems"] = sorted(data.get("systems") or [], key=lambda s: str(s.get("id")))
        data["flows"] = sorted(data.get("flows") or [], key=lambda f: str(f.get("id") or f"{f.get('from')}->{f.get('to')}"))
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
        assert model_digest(model) == "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest(), path.name
    # what orjson refuses (a whole number beyond 64 bits) is written by json.dumps instead
    odd = {"n": [2**70, "é", None, True, 1.0], "a": {"z": 0, "b": [0.0]}}
    plain = json.dumps(odd, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert _sha256_of(odd) == hashlib.sha256(plain.encode("utf-8")).hexdigest()


def test_context_grade_takes_every_step_of_the_severity_function():
    """Context.grade names the severity function's parameters itself: it must keep up with them."""
    import inspect

    from flowmap.rules import Context
    from flowmap.severity import grade

    steps = list(inspect.signature(grade).parameters.values())[1:]  # all but the rule's default severity
    assert list(inspect.signature(Context.grade).parameters.values())[2:] == steps  # all but self and the rule


def test_question_of_puts_each_value_in_its_field():
    """question_of builds a Question by position: every value must land in the field it is for."""
    from flowmap.questions import question_of

    finding = _finding(id="r:a->b:x", rule="r", kind=Kind.insecure_link, severity=Severity.medium,
                       confidence=Confidence.low, title="T", question="Q?", flows=["a->b"], categories=["c"])
    assert question_of(finding).to_dict() == {"id": "r:a->b:x", "rule": "r", "kind": "insecure_link",
                                              "severity": "medium", "question": "Q?", "title": "T",
                                              "flows": ["a->b"], "categories": ["c"]}
