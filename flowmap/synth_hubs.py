"""The hub-heavy profile of ``flowmap synth``: national hubs and regional exchanges.

Interoperability is hubs: a common identity repository, a shared biometric matching service,
a search portal, a national data exchange and a police intelligence hub that a fifth to a
third of all systems send to or read from, plus regional exchanges each linking about
:data:`EXCHANGE_SIZE` systems. :func:`add_hubs` adds them to a gentle ecosystem built by
:mod:`flowmap.synth`. Feeds into a hub carry what the sender collected; a hub passes on what it
received, so an (origin, category) typically reaches hundreds or thousands of systems.

>>> from flowmap.synth import synthesize
>>> data = synthesize(400, seed=2, profile="hub-heavy")
>>> sorted(s["id"] for s in data["systems"] if s["id"].startswith("national-"))[:2]
['national-biometric-matching', 'national-data-exchange']
"""

from __future__ import annotations

import random
from typing import Any

__all__ = ["HUBS", "EXCHANGE_SIZE", "add_hubs", "hubs_within"]

EXCHANGE_SIZE = 80
FEED_SHARE = 0.25  # share of the systems whose own data goes into a national hub
CLIENT_SHARE = 0.06  # share of the systems a national hub passes data to (each hub: half of it)

# id, name, sector, actor, the sectors that feed it, the categories it takes
HUBS: tuple[tuple[str, str, str, str | None, tuple[str, ...], tuple[str, ...]], ...] = (
    ("national-identity-repository", "National common identity repository", "interoperability", None,
     ("civil_registry", "asylum", "visa", "border", "immigration", "welfare"),
     ("identity.biographic", "identity.travel_document", "identity.national_id", "biometric.face",
      "biometric.fingerprint")),
    ("national-biometric-matching", "National biometric matching service", "interoperability", None,
     ("asylum", "visa", "border", "police", "civil_registry"),
     ("biometric.face", "biometric.fingerprint", "biometric.iris")),
    ("national-search-portal", "National search portal", "interoperability", None,
     ("border", "visa", "immigration", "police"),
     ("identity.biographic", "identity.travel_document", "migration.alert", "criminal.alert")),
    ("national-data-exchange", "National data exchange", "interoperability", None,
     ("health", "welfare", "education", "civil_registry"),
     ("identity.biographic", "identity.contact", "identity.national_id", "welfare.benefits", "financial",
      "family.links")),
    ("police-intelligence-hub", "Police intelligence hub", "police", "law_enforcement",
     ("police", "immigration", "border", "intelligence"),
     ("criminal.record", "criminal.alert", "criminal.suspicion", "identity.biographic", "biometric.fingerprint")),
)


def hubs_within(systems: int) -> int:
    """How many of ``systems`` are national hubs and regional exchanges (0 below 100 systems).

    >>> hubs_within(99), hubs_within(100), hubs_within(10_000)
    (0, 7, 129)
    """
    if systems < 100:
        return 0
    return len(HUBS) + -(-(systems - len(HUBS)) // (EXCHANGE_SIZE + 1))


def _hub_system(hub_id: str, name: str, sector: str, actor: str | None) -> dict[str, Any]:
    system: dict[str, Any] = {"id": hub_id, "name": name, "kind": "component", "sector": sector,
                              "jurisdiction": "R00", "retention": "linked",
                              "technologies": ["identity_linking"], "sources": ["synth-interoperability"]}
    if actor:
        system["actor"] = actor
    return system


def add_hubs(builder, rng: random.Random, exchanges: int) -> None:
    """Add the national hubs and regional exchanges to a wired :class:`flowmap.synth._Builder`."""
    ordinary = [s for s in builder.systems if s.get("holds")]
    for hub_id, name, sector, actor, feeders, takes in HUBS:
        hub = _hub_system(hub_id, name, sector, actor)
        builder.systems.append(hub)
        builder.systems_by_id[hub_id] = hub
        builder.available[hub_id] = {}
        builder.region_of[hub_id] = 0
        for system in ordinary:
            if system["sector"] in feeders and rng.random() < FEED_SHARE:
                own = [c for c in system["holds"] if c in takes]
                if own:
                    builder.add_flow(system["id"], hub_id, own_only=True, prefer=tuple(own))
    hubs = [h[0] for h in HUBS]
    for hub_id in hubs:  # the hubs query each other
        for other in hubs:
            if other != hub_id and rng.random() < 0.3 and (hub_id, other) not in builder.pairs:
                builder.add_flow(hub_id, other)
    everyone = [s["id"] for s in builder.systems if s["id"] not in hubs]
    for hub_id in hubs:
        for client in everyone:
            if rng.random() < CLIENT_SHARE / 2 and (hub_id, client) not in builder.pairs:
                builder.add_flow(hub_id, client)
    _add_exchanges(builder, rng, [s for s in everyone if not builder.systems_by_id[s].get("actor")], exchanges)


def _add_exchanges(builder, rng: random.Random, members: list[str], count: int) -> None:
    """``count`` regional exchanges, each shared by a run of about :data:`EXCHANGE_SIZE` systems
    (in id order) sending what they collected and receiving what the others sent."""
    for number in range(count):
        group = members[number * len(members) // count:(number + 1) * len(members) // count]
        exchange_id = f"regional-exchange-{number:03d}"
        system = {"id": exchange_id, "name": f"Regional data exchange {number}",
                  "kind": "component", "sector": "interoperability", "jurisdiction": "R00", "retention": "linked",
                  "sources": ["synth-interoperability"]}
        builder.systems.append(system)
        builder.systems_by_id[exchange_id] = system
        builder.available[exchange_id] = {}
        builder.region_of[exchange_id] = 0
        for member in group:
            if builder.systems_by_id[member].get("holds") and rng.random() < 0.3:
                builder.add_flow(member, exchange_id, own_only=True)
        for member in group:
            if rng.random() < 0.25 and (exchange_id, member) not in builder.pairs:
                builder.add_flow(exchange_id, member)
