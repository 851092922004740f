"""Laws of the snapshot diff, checked on small random valid models (Hypothesis).

- diff(a, a) is empty;
- diff(a, b) is the mirror of diff(b, a) (added <-> removed, old <-> new);
- reordering systems and flows in either file changes nothing;
- applying the reported model changes to a yields b.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import random

from conftest import build
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowmap.diff import apply_changes, diff, snapshot_data

TODAY = dt.date(2026, 1, 1)
IDS = ["a", "b", "c", "d", "e"]
SECTORS = ["asylum", "police", "health", "border"]
ACTORS = [None, None, "law_enforcement", "intelligence", "origin_country"]
CATEGORIES = ["biometric.fingerprint", "identity.biographic", "special.health", "migration.asylum_claim", "custom.x"]
PURPOSES = ["protection.asylum", "enforcement.law", "services.health", "migration.border_management"]
FLOW_IDS = [None, None, "f1", "f2", "f3", "f4"]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def systems(draw):
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=5, unique=True))
    out = []
    for sid in ids:
        holds = draw(st.lists(st.sampled_from(CATEGORIES), max_size=2, unique=True))
        system = {"id": sid, "sector": draw(st.sampled_from(SECTORS))}
        if holds:
            system["holds"] = holds
            system["purposes"] = draw(st.lists(st.sampled_from(PURPOSES), min_size=1, max_size=2, unique=True))
        actor = draw(st.sampled_from(ACTORS))
        if actor:
            system["actor"] = actor
        redress = draw(st.sampled_from([None, True, False]))
        if redress is not None:
            system["controls"] = {"redress": redress}
        if draw(st.booleans()):
            system["sources"] = ["s1"]
        out.append(system)
    return out


@st.composite
def models(draw):
    nodes = draw(systems())
    ids = [s["id"] for s in nodes]
    flows, seen = [], set()
    for _ in range(draw(st.integers(0, 6))):
        source, target = draw(st.sampled_from(ids)), draw(st.sampled_from(ids))
        flow = {
            "from": source,
            "to": target,
            "data": draw(st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=2, unique=True)),
            "purpose": draw(st.sampled_from(PURPOSES)),
        }
        flow_id = draw(st.sampled_from(FLOW_IDS))
        if flow_id:
            flow["id"] = flow_id
        if draw(st.booleans()):
            flow["transport"] = {"encrypted": draw(st.booleans())}
        effective = flow_id or f"{source}->{target}"
        if effective not in seen:
            seen.add(effective)
            flows.append(flow)
    top = {"sources": {"s1": "Regulation (EU) 2019/817", "s2": "Regulation (EU) 2019/818"}}
    top["taxonomy"] = {"categories": {"custom.x": {"sensitivity": draw(st.sampled_from(["low", "special"]))}}}
    if draw(st.booleans()):
        top["sources"]["s3"] = "a new source"
    if draw(st.booleans()):
        top["accepted"] = [{"finding": "exposure:*", "reason": "necessary", "status": "mitigated"}]
    return nodes, flows, top


@st.composite
def mutated(draw, base):
    """A variant of ``base``: renamed flow ids, edited fields, dropped and added elements."""
    nodes, flows, top = copy.deepcopy(base)
    taken = {f.get("id") or f"{f['from']}->{f['to']}" for f in flows}
    for flow in flows:
        if draw(st.integers(0, 3)) == 0:
            new_id = f"r-{flow.get('id') or flow['from'] + '-' + flow['to']}".replace(">", "")
            if new_id not in taken:
                taken.add(new_id)
                flow["id"] = new_id
    for system in nodes:
        if draw(st.integers(0, 2)) == 0:
            system["sector"] = draw(st.sampled_from(SECTORS))
        if draw(st.integers(0, 3)) == 0:
            system["actor"] = draw(st.sampled_from(ACTORS[2:]))
    if flows and draw(st.booleans()):
        flows.pop(draw(st.integers(0, len(flows) - 1)))
    extra_nodes, extra_flows, _ = draw(models())
    known = {s["id"] for s in nodes}
    nodes += [s for s in extra_nodes if s["id"] not in known]
    known = {s["id"] for s in nodes}
    for flow in extra_flows:
        effective = flow.get("id") or f"{flow['from']}->{flow['to']}"
        if effective not in taken and flow["from"] in known and flow["to"] in known:
            taken.add(effective)
            flows.append(flow)
    if draw(st.booleans()):
        top["sources"]["s2"] = "Regulation (EU) 2019/818, as amended"
    return nodes, flows, top


@st.composite
def pairs(draw):
    a = draw(models())
    b = draw(st.one_of(models(), mutated(a)))
    return a, b


def _model(parts, shuffle_seed=None):
    nodes, flows, top = copy.deepcopy(parts)
    if shuffle_seed is not None:
        rng = random.Random(shuffle_seed)
        rng.shuffle(nodes)
        rng.shuffle(flows)
    return build(nodes, flows, **top)


def _normal(data):
    """A diff's JSON with lists whose order is presentation only put in a canonical order."""
    for change in [*data["risks"]["new"], *data["risks"]["resolved"], *data["risks"]["changed"]]:
        change["because"] = sorted(change["because"], key=lambda c: json.dumps(c, sort_keys=True))
    for actor in data["exposure"]["actors"]:
        actor.pop("actor_type")
    return data


@SETTINGS
@given(models())
def test_diff_of_a_model_with_itself_is_empty(parts):
    result = diff(_model(parts), _model(parts), today=TODAY)
    assert result.is_empty()
    assert result.to_dict()["summary"]["findings"] == {"new": 0, "resolved": 0, "changed": 0}


@SETTINGS
@given(pairs())
def test_diff_is_the_mirror_of_the_reverse_diff(pair):
    a, b = _model(pair[0]), _model(pair[1])
    forward = diff(a, b, today=TODAY, old_label="a", new_label="b")
    backward = diff(b, a, today=TODAY, old_label="b", new_label="a")
    assert _normal(forward.mirror().to_dict()) == _normal(backward.to_dict())
    assert [e.id for e in forward.model.systems_added] == [e.id for e in backward.model.systems_removed]


@SETTINGS
@given(pairs(), st.integers(0, 1000), st.integers(0, 1000))
def test_reordering_systems_and_flows_changes_nothing(pair, seed_a, seed_b):
    plain = diff(_model(pair[0]), _model(pair[1]), today=TODAY)
    shuffled = diff(_model(pair[0], seed_a), _model(pair[1], seed_b), today=TODAY)
    assert shuffled.to_dict() == plain.to_dict()


@SETTINGS
@given(pairs())
def test_applying_the_model_changes_to_a_yields_b(pair):
    a, b = _model(pair[0]), _model(pair[1])
    result = diff(a, b, today=TODAY)
    assert snapshot_data(apply_changes(a, result.model)) == snapshot_data(b)
    assert diff(apply_changes(a, result.model), b, today=TODAY).is_empty()
