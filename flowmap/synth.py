"""Synthetic ecosystems: realistic, deterministic models of any size, for trying flowmap at scale.

The generator lays systems out in regions of about 250 (a region is a country or
a federal state). Each region has a common identity repository (a hub that
collectors feed identities and biometrics into and enforcement bodies query), a
dozen sectors of systems with the categories, purposes and subjects typical of
their sector, a few percent of them actors of concern, and about four flows per
system. Flows mostly stay inside a region and pass data on along short chains (a
category is forwarded at most a couple of hops from where it was collected), as
in real inventories, so not everything reaches everything. Feedback flows
(alerts back to the hub, status checks back to services) and bidirectional
exchanges make cycles. Every flow carries only categories available at its
source, and every entry cites a source, so the result is valid under
``flowmap validate --strict``.

The same ``(systems, seed, vary)`` always gives the same model, byte for byte.
``vary`` makes a later snapshot of the same ecosystem in which that fraction of
flows was changed, removed or added (for ``flowmap diff``).

>>> data = synthesize(60, seed=1, profile="gentle")
>>> len(data["systems"]), data["flows"][0]["from"]
(60, 'asylum-r00-0000')
>>> synthesize(60, seed=1, profile="gentle") == data
True
>>> changed = synthesize(60, seed=1, vary=0.05, profile="gentle")
>>> len(changed["systems"]) == 60 and changed["flows"] != data["flows"]
True
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from typing import Any

__all__ = ["synthesize", "dump", "PROFILES", "SYNTH_PROFILES", "REGION_SIZE"]

REGION_SIZE = 250
CROSS_REGION = 0.05  # share of flows that leave their region
MAX_HOPS = 2  # a received category is passed on at most this many flows from its origin
ACTOR_SECTORS = {"police", "immigration", "intelligence", "third_country", "private", "international_org"}


@dataclass(frozen=True)
class Profile:
    """What systems of one sector look like."""

    sector: str
    weight: int  # relative number of systems
    tier: int  # 0 collects from people, 1 links and enforces, 2 receives at the end of chains
    kind: str
    holds: tuple[str, ...]
    purposes: tuple[str, ...]
    subjects: tuple[str, ...]
    targets: tuple[tuple[str, int], ...]  # (sector, weight) flows usually go to
    actor: str | None = None
    actor_share: float = 0.0  # share of its systems that are actors of concern
    technologies: tuple[str, ...] = ()


_P = Profile
PROFILES: tuple[Profile, ...] = (
    _P("civil_registry", 8, 0, "registry",
       ("identity.biographic", "identity.civil_status", "identity.contact", "identity.national_id",
        "family.links", "biometric.face"), ("services.civil_registration",), ("citizen", "resident", "child", "stateless"),
       (("welfare", 3), ("health", 2), ("education", 2), ("police", 1), ("immigration", 1))),
    _P("health", 12, 0, "database",
       ("special.health", "identity.biographic", "identity.contact", "identity.national_id", "financial",
        "biometric.dna"), ("services.health",), ("patient", "resident", "child", "asylum_seeker", "irregular_migrant"),
       (("health", 4), ("welfare", 2), ("immigration", 1), ("private", 1), ("police", 1))),
    _P("welfare", 10, 0, "database",
       ("welfare.benefits", "financial", "identity.biographic", "identity.contact", "family.links",
        "employment.records", "identity.national_id"), ("services.welfare",), ("resident", "refugee", "child"),
       (("welfare", 2), ("immigration", 2), ("private", 1), ("police", 1))),
    _P("education", 8, 0, "database",
       ("education.records", "identity.biographic", "identity.contact", "family.links", "special.ethnicity"),
       ("services.education",), ("child", "resident", "refugee"),
       (("education", 2), ("welfare", 2), ("immigration", 1), ("private", 1))),
    _P("asylum", 6, 0, "database",
       ("migration.asylum_claim", "biometric.fingerprint", "biometric.face", "identity.biographic", "family.links",
        "special.religion", "special.political_opinion", "special.health"), ("protection.asylum",),
       ("asylum_seeker", "child", "stateless", "victim_of_trafficking"),
       (("immigration", 3), ("humanitarian", 1), ("police", 1), ("third_country", 1)),
       technologies=("dialect_recognition", "biometric_matching")),
    _P("visa", 6, 0, "database",
       ("migration.visa_application", "identity.travel_document", "identity.biographic", "biometric.fingerprint",
        "biometric.face", "financial", "employment.records"), ("migration.visa",),
       ("visa_applicant", "third_country_national"),
       (("border", 3), ("immigration", 2), ("police", 1), ("private", 1)),
       technologies=("automated_risk_scoring", "biometric_matching")),
    _P("border", 7, 0, "database",
       ("migration.border_crossing", "identity.travel_document", "biometric.face", "biometric.fingerprint",
        "migration.travel_itinerary"), ("migration.border_management",), ("traveller", "third_country_national", "child"),
       (("immigration", 3), ("police", 2), ("border", 1), ("third_country", 1)),
       technologies=("remote_face_recognition", "lie_detection", "automated_risk_scoring")),
    _P("humanitarian", 4, 0, "database",
       ("identity.biographic", "special.health", "family.links", "biometric.iris"), ("protection.humanitarian",),
       ("refugee", "asylum_seeker", "child", "victim_of_trafficking"),
       (("asylum", 2), ("international_org", 1), ("immigration", 1))),
    _P("immigration", 8, 1, "authority",
       ("migration.immigration_status", "migration.alert", "identity.biographic", "location.tracking",
        "employment.records"), ("enforcement.immigration", "migration.residence"),
       ("irregular_migrant", "third_country_national", "refugee"),
       (("police", 2), ("welfare", 1), ("health", 1), ("border", 2), ("third_country", 1)),
       actor="immigration_enforcement", actor_share=0.08, technologies=("automated_risk_scoring",)),
    _P("police", 12, 1, "database",
       ("criminal.record", "criminal.alert", "criminal.suspicion", "biometric.fingerprint", "biometric.dna",
        "device.extraction", "location.tracking", "communications.metadata"), ("enforcement.law",),
       ("resident", "third_country_national", "victim_of_trafficking"),
       (("police", 3), ("judicial", 2), ("intelligence", 1), ("immigration", 1), ("third_country", 1)),
       actor="law_enforcement", actor_share=0.06, technologies=("remote_face_recognition", "device_extraction")),
    _P("judicial", 5, 1, "registry",
       ("criminal.record", "identity.biographic", "family.links"), ("enforcement.judicial",), ("resident",),
       (("police", 2), ("immigration", 1))),
    _P("intelligence", 2, 2, "authority",
       ("communications.metadata", "communications.content", "online.social_media", "criminal.suspicion",
        "location.tracking"), ("security.intelligence", "security.counter_terrorism"), ("resident", "traveller"),
       (("police", 1), ("third_country", 1)),
       actor="intelligence", actor_share=0.35, technologies=("social_media_monitoring", "predictive_analytics")),
    _P("private", 5, 2, "service",
       ("identity.contact", "financial", "location.tracking", "online.social_media"), ("operations.hosting",),
       ("resident", "child"), (("private", 1), ("police", 1)),
       actor="private_contractor", actor_share=0.05, technologies=("emotion_recognition",)),
    _P("third_country", 1, 2, "external", ("criminal.alert",), ("enforcement.law",), ("third_country_national",),
       (("police", 1),), actor="third_country", actor_share=0.6),
    _P("international_org", 1, 2, "external", ("identity.biographic",), ("protection.humanitarian",),
       ("refugee", "stateless"), (("humanitarian", 1),), actor="international_org", actor_share=0.2),
)
_BY_SECTOR = {p.sector: p for p in PROFILES}
_HUB_FEEDERS = ("civil_registry", "asylum", "visa", "border", "police")
_HUB_CLIENTS = ("police", "immigration", "border", "visa", "asylum")
_HUB_DATA = ("identity.biographic", "identity.travel_document", "biometric.face", "biometric.fingerprint",
             "criminal.alert", "migration.alert")
_CATEGORY_COUNTS = (1, 2, 3, 4, 5, 6, 7, 8)
_CATEGORY_WEIGHTS = (22, 26, 20, 12, 8, 6, 4, 2)
_RETENTION = ("P6M", "P18M", "P5Y", "P10Y", "P75Y", "indefinite", "linked", "unknown")
_MODES = ("query", "hit_no_hit", "push", "pull", "bulk", "replication", "automated_screening", "manual")


def _tri(rng: random.Random, known: float = 0.6, true: float = 0.8) -> bool | None:
    """A control or transport value: unknown (None) with probability 1 - known."""
    if rng.random() >= known:
        return None
    return rng.random() < true


def _sector_plan(count: int) -> list[str]:
    """Sectors of a region's systems (besides its hub), in proportion to the profile weights."""
    total = sum(p.weight for p in PROFILES)
    plan: list[str] = []
    for profile in PROFILES:
        plan += [profile.sector] * max(1, round(count * profile.weight / total))
    plan = plan[:count]
    while len(plan) < count:
        plan.append(PROFILES[len(plan) % len(PROFILES)].sector)
    return plan


class _Builder:
    def __init__(self, systems: int, seed: int):
        self.rng = random.Random(seed)
        self.systems: list[dict] = []
        self.flows: list[dict] = []
        self.pairs: set[tuple[str, str]] = set()
        self.available: dict[str, dict[str, int]] = {}  # system -> category -> hops from its origin
        self.region_of: dict[str, int] = {}
        self.by_region_sector: dict[tuple[int, str], list[str]] = {}
        self.by_sector: dict[str, list[str]] = {}
        self._lay_out(systems)

    def _lay_out(self, count: int) -> None:
        regions = max(1, count // REGION_SIZE)
        for region in range(regions):
            size = count // regions + (1 if region < count % regions else 0)
            plan = ["interoperability"] + _sector_plan(size - 1) if size > 1 else ["civil_registry"]
            plan.sort(key=lambda sector: (_BY_SECTOR[sector].tier if sector in _BY_SECTOR else 0.5, sector))
            for number, sector in enumerate(plan):
                self._add_system(region, number, sector)

    def _add_system(self, region: int, number: int, sector: str) -> None:
        rng = self.rng
        sid = f"{sector}-r{region:02d}-{number:04d}"
        if sector == "interoperability":
            system: dict[str, Any] = {"id": sid, "name": f"Common identity repository, region {region}",
                                      "kind": "component", "sector": sector, "jurisdiction": f"R{region}",
                                      "technologies": ["identity_linking", "biometric_matching"],
                                      "retention": "linked", "sources": ["synth-interoperability"]}
            self.available[sid] = {}
        else:
            profile = _BY_SECTOR[sector]
            holds = sorted(rng.sample(profile.holds, rng.randint(min(2, len(profile.holds)), len(profile.holds))))
            system = {"id": sid, "name": f"{sector.replace('_', ' ').capitalize()} system {number}, region {region}",
                      "kind": profile.kind, "sector": sector, "jurisdiction": f"R{region}"}
            if profile.actor and rng.random() < profile.actor_share:
                system["actor"] = "origin_country" if sector == "third_country" and rng.random() < 0.3 else profile.actor
            system["holds"] = holds
            system["subjects"] = sorted(rng.sample(profile.subjects, rng.randint(1, len(profile.subjects))))
            system["purposes"] = list(profile.purposes)
            if rng.random() < 0.35:
                system["retention"] = rng.choice(_RETENTION)
            if rng.random() < 0.8:
                system["legal_basis"] = [f"synth-law-{sector}"]
            if profile.technologies and rng.random() < 0.15:
                system["technologies"] = [rng.choice(profile.technologies)]
            controls = {name: _tri(rng) for name in ("encryption_at_rest", "access_logging", "independent_oversight",
                                                      "redress", "human_review")}
            system["controls"] = {k: v for k, v in controls.items() if v is not None}
            if rng.random() < 0.005:
                system["incidents"] = [{"date": f"20{rng.randint(10, 23)}", "summary": "records copied without authority",
                                        "sources": [f"synth-{sector}"]}]
            system["sources"] = [f"synth-{sector}"]
            self.available[sid] = {c: 0 for c in holds}
        self.systems.append(system)
        self.region_of[sid] = region
        self.by_region_sector.setdefault((region, sector), []).append(sid)
        self.by_sector.setdefault(sector, []).append(sid)

    def _pick_target(self, source: str, sector: str) -> str | None:
        """A system of ``sector`` in the source's region (None when there is none or the pair exists)."""
        pool = self.by_region_sector.get((self.region_of[source], sector), [])
        if not pool:
            return None
        target = self.rng.choice(pool)
        return None if target == source or (source, target) in self.pairs else target

    def _cross_region(self, pending: list[tuple[str, str]]) -> None:
        """Flows to other regions, added last: they carry only what the source collected, and only
        categories the target never passes on, so no chain crosses two regions (in real inventories
        a national link is one hop, and data does not percolate through the whole country)."""
        rng = self.rng
        forwarded: dict[str, set[str]] = {}
        for flow in self.flows:
            forwarded.setdefault(flow["from"], set()).update(flow["data"])
            if flow.get("bidirectional"):
                forwarded.setdefault(flow["to"], set()).update(flow["data"])
        received: dict[str, set[str]] = {}
        for source, sector in pending:
            pool = self.by_sector.get(sector, [])
            if not pool:
                continue
            target = rng.choice(pool)
            if self.region_of[target] == self.region_of[source] or (source, target) in self.pairs:
                continue
            own = [c for c, hops in self.available[source].items() if hops == 0]
            allowed = sorted(set(own) - forwarded.get(target, set()) - received.get(source, set()))
            if allowed:
                self._emit(source, target, allowed, bidirectional=False)
                received.setdefault(target, set()).update(self.flows[-1]["data"])
                forwarded.setdefault(source, set()).update(self.flows[-1]["data"])

    def add_flow(self, source: str, target: str, own_only: bool = False, prefer: tuple[str, ...] = ()) -> None:
        available = self.available[source]
        candidates = sorted(c for c, hops in available.items() if hops == 0 or (not own_only and hops < MAX_HOPS))
        preferred = [c for c in candidates if c in prefer]
        if prefer and preferred:
            candidates = preferred
        if candidates:
            self._emit(source, target, candidates, bidirectional=self.rng.random() < 0.06)

    def _emit(self, source: str, target: str, candidates: list[str], bidirectional: bool) -> None:
        rng = self.rng
        count = min(len(candidates), rng.choices(_CATEGORY_COUNTS, _CATEGORY_WEIGHTS)[0])
        data = sorted(rng.sample(candidates, count))
        target_profile = _BY_SECTOR.get(self.systems_by_id[target]["sector"])
        purpose = target_profile.purposes[0] if target_profile else "operations.interoperability"
        if rng.random() < 0.05:
            purpose = rng.choice(("statistics.official", "enforcement.law", "migration.identity_verification"))
        flow: dict[str, Any] = {"from": source, "to": target, "data": data, "purpose": purpose,
                                "mode": rng.choice(_MODES)}
        if target_profile and target_profile.tier >= 1 and rng.random() < 0.1:
            flow["automated_decision"] = True
            human = _tri(rng, known=0.5, true=0.5)
            if human is not None:
                flow["human_review"] = human
        if bidirectional:
            flow["bidirectional"] = True
        transport = {name: _tri(rng, known=0.55, true=0.85) for name in ("encrypted", "authenticated", "logged")}
        if any(v is not None for v in transport.values()):
            flow["transport"] = {k: v for k, v in transport.items() if v is not None}
        if rng.random() < 0.7:
            flow["legal_basis"] = [f"synth-law-{self.systems_by_id[source]['sector']}"]
        flow["sources"] = [f"synth-{self.systems_by_id[source]['sector']}"]
        self.flows.append(flow)
        self.pairs.add((source, target))
        for end, other in ((target, source), (source, target)) if bidirectional else ((target, source),):
            received = self.available[end]
            for category in data:
                hops = self.available[other].get(category, MAX_HOPS) + 1
                if hops < received.get(category, MAX_HOPS + 1):
                    received[category] = hops

    def wire(self) -> None:
        """Generate the flows, tier by tier so that chains form from collectors towards enforcement."""
        rng = self.rng
        self.systems_by_id = {s["id"]: s for s in self.systems}
        order = sorted(self.systems, key=lambda s: (_BY_SECTOR[s["sector"]].tier if s["sector"] in _BY_SECTOR
                                                    else 0.5, s["id"]))
        pending: list[tuple[str, str]] = []
        for system in order:
            sid, sector = system["id"], system["sector"]
            region = self.region_of[sid]
            if sector == "interoperability":
                for client_sector in _HUB_CLIENTS:
                    for client in self.by_region_sector.get((region, client_sector), [])[:3]:
                        if (sid, client) not in self.pairs:
                            self.add_flow(sid, client, prefer=_HUB_DATA)
                continue
            profile = _BY_SECTOR[sector]
            hubs = self.by_region_sector.get((region, "interoperability"), [])
            degree = rng.choices((1, 2, 3, 4, 5, 6, 7), (6, 12, 18, 22, 18, 14, 10))[0]
            if hubs and sector in _HUB_FEEDERS and rng.random() < 0.6:
                self.add_flow(sid, hubs[0], own_only=True, prefer=_HUB_DATA)
                degree -= 1
            sectors, weights = zip(*profile.targets)
            for _ in range(max(degree, 1)):
                sector_wanted = rng.choices(sectors, weights)[0]
                if rng.random() < CROSS_REGION:
                    pending.append((sid, sector_wanted))
                    continue
                target = self._pick_target(sid, sector_wanted)
                if target is not None:
                    self.add_flow(sid, target)
        # feedback: alerts and status back into the hub and to services, which closes cycles
        for (region, sector), members in sorted(self.by_region_sector.items()):
            hubs = self.by_region_sector.get((region, "interoperability"), [])
            if sector in ("police", "immigration") and hubs:
                for member in members[:2]:
                    if (member, hubs[0]) not in self.pairs:
                        self.add_flow(member, hubs[0], own_only=True, prefer=("criminal.alert", "migration.alert"))
        self._cross_region(pending)


def _sources() -> dict[str, str]:
    sources = {f"synth-{p.sector}": f"Synthetic {p.sector.replace('_', ' ')} systems: generated by flowmap synth, "
               "not a real system" for p in PROFILES}
    sources["synth-interoperability"] = "Synthetic interoperability hubs: generated by flowmap synth"
    sources["synth-law-interoperability"] = "Synthetic interoperability regulation (placeholder legal basis)"
    for p in PROFILES:
        sources[f"synth-law-{p.sector}"] = f"Synthetic {p.sector.replace('_', ' ')} statute (placeholder legal basis)"
    return dict(sorted(sources.items()))


SYNTH_PROFILES = ("hub-heavy", "gentle")
"""``hub-heavy`` (the default): national hubs and regional exchanges on top of the regions
(:mod:`flowmap.synth_hubs`); ``gentle``: regions and short chains only."""


def synthesize(systems: int, seed: int = 0, vary: float = 0.0, profile: str = "hub-heavy") -> dict[str, Any]:
    """A synthetic model with ``systems`` systems, as plain data (see the module docstring).

    In the hub-heavy profile, five national hubs and one regional exchange per 80 systems are
    among them (from 100 systems on: a smaller model has no room for them).
    """
    if systems < 1:
        raise ValueError("a model needs at least one system")
    if profile not in SYNTH_PROFILES:
        raise ValueError(f"unknown profile {profile!r}: use one of {', '.join(SYNTH_PROFILES)}")
    from flowmap.synth_hubs import HUBS, add_hubs, hubs_within

    hubs = hubs_within(systems) if profile == "hub-heavy" else 0
    builder = _Builder(systems - hubs, seed)
    builder.wire()
    if hubs:
        add_hubs(builder, random.Random(f"{seed}-hubs"), exchanges=hubs - len(HUBS))
    flows = builder.flows
    if vary > 0:
        flows = _vary(builder, vary, random.Random(f"{seed}-vary"))
    return {
        "flowmap": 1,
        "name": f"Synthetic {profile} ecosystem of {systems} systems (seed {seed})",
        "as_of": "2024-06-01",
        "description": "Generated by `flowmap synth` for trying flowmap at scale. No system or flow in it is real.",
        "sources": _sources(),
        "systems": builder.systems,
        "flows": flows,
    }


def _vary(builder: _Builder, fraction: float, rng: random.Random) -> list[dict]:
    """A later snapshot: ``fraction`` of the flows changed (half), removed (a quarter) or added (a quarter).

    Only flows whose removal leaves every other flow's data available are removed, and
    added flows carry what their source holds, so the snapshot stays valid.
    """
    flows = [dict(f) for f in builder.flows]
    budget = max(1, round(len(flows) * fraction))
    forwarded: dict[str, set[str]] = {}
    for flow in flows:
        forwarded.setdefault(flow["from"], set()).update(flow["data"])
        if flow.get("bidirectional"):
            forwarded.setdefault(flow["to"], set()).update(flow["data"])
    removable = [i for i, f in enumerate(flows) if not f.get("bidirectional")
                 and not (set(f["data"]) & forwarded.get(f["to"], set()))]
    removed = set(rng.sample(removable, min(len(removable), budget // 4)))
    changed = rng.sample([i for i in range(len(flows)) if i not in removed], min(len(flows) - len(removed), budget // 2))
    for i in changed:
        flow = flows[i]
        flow["transport"] = {"encrypted": not (flow.get("transport") or {}).get("encrypted", False)}
        flow["mode"] = "bulk" if flow.get("mode") != "bulk" else "query"
    kept = [f for i, f in enumerate(flows) if i not in removed]
    holders = [s for s in builder.systems if s.get("holds")]
    added = 0
    while added < budget - len(removed) - len(changed) and holders:
        source = rng.choice(holders)
        region = builder.region_of[source["id"]]
        target = builder.systems_by_id[rng.choice(builder.by_region_sector.get((region, rng.choice(PROFILES).sector))
                                                  or [source["id"]])]
        if source is target or (source["id"], target["id"]) in builder.pairs:
            continue
        builder.pairs.add((source["id"], target["id"]))
        data = sorted(rng.sample(source["holds"], min(len(source["holds"]), 2)))
        kept.append({"from": source["id"], "to": target["id"], "data": data, "purpose": "enforcement.law",
                     "mode": "bulk", "sources": [source["sources"][0]]})
        added += 1
    return kept


def dump(data: dict[str, Any], fmt: str) -> str:
    """The model as YAML or JSON text (deterministic: key order is the generator's).

    >>> dump({"flowmap": 1, "name": "x"}, "json")
    '{\\n "flowmap": 1,\\n "name": "x"\\n}\\n'
    >>> print(dump({"flowmap": 1, "systems": [{"id": "a", "holds": ["x", "y"]}]}, "yaml"), end="")
    flowmap: 1
    systems:
    - id: a
      holds: [x, y]
    """
    if fmt == "json":
        return json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=120, default_flow_style=None)
