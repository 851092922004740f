"""Models shared by the map tests (unit and browser)."""

from __future__ import annotations

HOSTILE = "<img src=x onerror=\"window.__pwned=1;alert(1)\"></script><script>window.__pwned=2</script>'\"\u202e\u200f&amp;"
# how the page shows it: a right-to-left override is made visible, a right-to-left mark is kept
HOSTILE_SHOWN = HOSTILE.replace("\u202e", "[U+202E]")


def small_model_data() -> dict:
    """Five systems, five flows: one insecure, one unknown, one secure, one bidirectional, one carrying health data."""
    return {
        "flowmap": 1,
        "name": "Small test map",
        "as_of": "2024-01-01",
        "systems": [
            {"id": "clinic", "name": "Clinic records", "sector": "health", "holds": ["special.health"],
             "purposes": ["services.health"], "subjects": ["asylum_seeker"], "operator": "Health board",
             "retention": "P5Y", "controls": {"encryption_at_rest": True}},
            {"id": "asylum", "name": "Asylum case files", "sector": "asylum", "kind": "registry",
             "holds": ["migration.asylum_claim", "identity.biographic"], "purposes": ["protection.asylum"]},
            {"id": "hub", "name": "Matching hub", "sector": "interoperability", "kind": "component"},
            {"id": "police", "name": "Police", "sector": "police", "kind": "authority", "actor": "law_enforcement"},
            {"id": "stats", "name": "Statistics office", "sector": "welfare", "kind": "service"},
        ],
        "flows": [
            {"from": "clinic", "to": "hub", "data": ["special.health"], "purpose": "services.health",
             "transport": {"encrypted": False, "authenticated": True}},
            {"from": "asylum", "to": "hub", "data": ["identity.biographic"], "purpose": "protection.asylum",
             "transport": {"encrypted": True, "authenticated": True, "logged": True}},
            {"from": "hub", "to": "police", "data": ["special.health", "identity.biographic"],
             "purpose": "enforcement.law", "mode": "query"},
            {"id": "hub-stats", "from": "hub", "to": "stats", "data": ["identity.biographic"],
             "purpose": "statistics.official", "bidirectional": True,
             "transport": {"encrypted": True, "authenticated": True}},
            {"from": "asylum", "to": "police", "data": ["migration.asylum_claim"], "purpose": "enforcement.law"},
        ],
    }


def hostile_model_data() -> dict:
    """A model whose free text tries HTML and script injection (ids must stay valid)."""
    data = small_model_data()
    data["name"] = "Title " + HOSTILE
    data["description"] = HOSTILE
    data["sources"] = {"evil": HOSTILE}
    data["taxonomy"] = {"categories": {"custom.thing": {"sensitivity": "high", "description": HOSTILE}}}
    for system in data["systems"]:
        system["name"] = system["name"] + " " + HOSTILE
        system["notes"] = HOSTILE
        system["operator"] = HOSTILE
        system["sources"] = ["evil"]
    for flow in data["flows"]:
        flow["notes"] = HOSTILE
        flow["conditions"] = HOSTILE
        flow["legal_basis"] = [HOSTILE]
    data["systems"][0]["holds"].append("custom.thing")
    data["flows"][0]["data"].append("custom.thing")
    return data
