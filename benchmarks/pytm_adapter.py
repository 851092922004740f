"""The same synthetic ecosystem expressed as an OWASP pytm threat model (for the peer comparison).

Mapping: a region (jurisdiction) is a ``Boundary``; a database or registry is a
``Datastore``; an external party an ``ExternalEntity``; a service or component a
``Process``; an authority or device a ``Server``. Each flow is a ``Dataflow``
(two for a bidirectional flow) carrying one ``Data`` per category, classified by
the category's sensitivity; transport security maps to ``isEncrypted``,
``authenticatesDestination`` and ``isLogged`` where the model knows it.
"""

from __future__ import annotations

from typing import Any

_CLASSIFICATION = {"low": "RESTRICTED", "medium": "SENSITIVE", "high": "SECRET", "special": "TOP_SECRET",
                   "critical": "TOP_SECRET"}


def build(data: dict[str, Any]):
    """A ``pytm.TM`` holding the model's systems and flows (pytm keeps them in class-level state)."""
    import pytm
    from pytm import TM, Boundary, Classification, Data, Dataflow, Datastore, ExternalEntity, Process, Server

    from flowmap.taxonomy import builtin_taxonomy

    tax = builtin_taxonomy()
    TM.reset()
    tm = TM(data["name"], description=data.get("description") or data["name"])
    tm.isOrdered = False
    boundaries: dict[str, Any] = {}
    categories: dict[str, Any] = {}
    elements: dict[str, Any] = {}
    for system in data["systems"]:
        region = system.get("jurisdiction") or "unknown"
        boundary = boundaries.get(region)
        if boundary is None:
            boundary = boundaries[region] = Boundary(f"Region {region}")
        kind = system.get("kind", "database")
        cls = {"database": Datastore, "registry": Datastore, "external": ExternalEntity, "component": Process,
               "service": Process}.get(kind, Server)
        element = cls(system["id"], inBoundary=boundary)
        controls = system.get("controls") or {}
        if cls is Datastore:
            element.storesPII = True
            element.storesSensitiveData = bool(system.get("holds"))
        if controls.get("encryption_at_rest"):
            element.controls.isEncryptedAtRest = True
        if controls.get("access_logging"):
            element.controls.hasAccessControl = True
        elements[system["id"]] = element
    for flow in data["flows"]:
        carried = []
        for name in flow["data"]:
            item = categories.get(name)
            if item is None:
                level = tax.sensitivity(name).name
                item = categories[name] = Data(name, isPII=True,
                                               classification=getattr(Classification, _CLASSIFICATION[level]))
            carried.append(item)
        ends = [(flow["from"], flow["to"])]
        if flow.get("bidirectional"):
            ends.append((flow["to"], flow["from"]))
        transport = flow.get("transport") or {}
        for source, sink in ends:
            dataflow = Dataflow(elements[source], elements[sink], f"{source}->{sink}", data=carried)
            if transport.get("encrypted"):
                dataflow.controls.isEncrypted = True
            if transport.get("authenticated"):
                dataflow.controls.authenticatesDestination = True
    del pytm
    return tm
