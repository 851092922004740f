"""In-process measurements, each run in a fresh child process by ``run.py``.

``python benchmarks/stages.py STAGE FILE...`` prints one JSON object with the
seconds of the timed section (imports and interpreter start excluded) and what
the stage counted. Peak memory is taken by the parent from the child's rusage.

Stages
    floor      read + ``json.loads`` of the model + a networkx DiGraph of its systems and flows
    yaml       PyYAML ``CSafeLoader`` parse of the YAML text alone
    load       the same parse, then ``flowmap.loader.load_model(strict=True)`` of the same file
               (issue 2: validation and model construction add at most 25% to the parse)
    analyses   ``flowmap.analysis.analyze`` on a loaded model, propagation included (cache cleared);
               then, separately, rendering every finding's text and witness path (``render_seconds``)
    pytm       the model as an OWASP pytm threat model: build, ``check()``, ``resolve()``
    parsers    every YAML reader on the same text: libyaml, yaml-rs, flowmap's fast path and whole read,
               rapidyaml and ruamel.yaml when installed
"""

from __future__ import annotations

import gc
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _read(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def floor(path: str) -> dict:
    import networkx as nx

    start = time.perf_counter()
    data = json.loads(_read(path))
    graph = nx.DiGraph()
    for system in data["systems"]:
        graph.add_node(system["id"], **system)
    for flow in data["flows"]:
        graph.add_edge(flow["from"], flow["to"], **flow)
        if flow.get("bidirectional"):
            graph.add_edge(flow["to"], flow["from"], **flow)
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "nodes": graph.number_of_nodes(), "edges": graph.number_of_edges()}


def yaml_parse(path: str) -> dict:
    import yaml

    text = _read(path)
    start = time.perf_counter()
    data = yaml.load(text, Loader=yaml.CSafeLoader)
    return {"seconds": time.perf_counter() - start, "systems": len(data["systems"])}


def load(path: str) -> dict:
    """Full load, then the parse alone, of the same file in one process.

    The load runs first, on cold memory, and the parse second, on memory the load
    has already paged in: the order favours the parse, so the overhead is not understated.
    """
    import yaml

    import flowmap.propagation  # noqa: F401 - imports are not validation: load them before timing, as yaml is
    import flowmap.validate  # noqa: F401
    from flowmap.loader import load_model

    text = _read(path)
    start = time.perf_counter()
    model = load_model(path, strict=True)
    total = time.perf_counter() - start
    counts = {"systems": len(model.systems), "flows": len(model.flows)}
    del model
    gc.collect()
    start = time.perf_counter()
    yaml.load(text, Loader=yaml.CSafeLoader)
    parse = time.perf_counter() - start
    return {"seconds": total, "parse": parse, "overhead": (total - parse) / parse, **counts}


def analyses(path: str) -> dict:
    from flowmap.analysis import analyze
    from flowmap.loader import load_model

    model = load_model(path)
    model._cache.clear()  # propagation is part of the analyses
    gc.collect()
    start = time.perf_counter()
    report = analyze(model)
    seconds = time.perf_counter() - start
    # Rules may leave a finding's words and witness path to be written when first read
    # (Finding.deferred): time writing them all, so the figure above hides nothing.
    from flowmap.loader import gc_paused

    start = time.perf_counter()
    with gc_paused():  # as in the CLI, which runs every command with the collector paused
        for finding in report.findings:
            finding.title  # noqa: B018 (reading one text field renders them all)
    rendered = time.perf_counter() - start
    return {"seconds": seconds, "render_seconds": rendered, "findings": len(report.findings),
            "by_kind": report.summary()["by_kind"]}


def pytm_resolve(path: str) -> dict:
    sys.path.insert(0, str(HERE))
    import pytm_adapter

    data = json.loads(_read(path))
    start = time.perf_counter()
    tm = pytm_adapter.build(data)
    built = time.perf_counter()
    tm.check()
    checked = time.perf_counter()
    tm.resolve()
    resolved = time.perf_counter()
    return {"seconds": resolved - checked, "build": built - start, "check": checked - built,
            "findings": len(tm.findings)}


def parsers(path: str) -> dict:
    """Each YAML reader on the same text, in seconds, with the collector paused as the CLI does
    (``run.py`` divides each by the floor): PyYAML's libyaml loader, yaml-rs alone, flowmap's fast
    path (its checks, then yaml-rs; ``fast_path_taken`` says whether it gave the data or left them
    to libyaml), flowmap's whole read (``read_data_text``: parse and shape checks), and, when
    installed, rapidyaml's C++ tree (no Python objects) and ruamel.yaml (files under 3 MB: it takes
    minutes beyond)."""
    text = _read(path)
    out: dict = {"bytes": len(text.encode("utf-8"))}
    gc.disable()

    def timed(name, read):
        start = time.perf_counter()
        result = read()
        out[name] = time.perf_counter() - start
        return result

    import yaml

    timed("libyaml", lambda: yaml.load(text, Loader=yaml.CSafeLoader))
    try:
        import yaml_rs

        timed("yaml_rs", lambda: yaml_rs.loads(text, parse_datetime=False))
    except ImportError:
        out["yaml_rs"] = "not installed"
    from flowmap import loader, yaml_fast, yaml_reader

    out["fast_path_taken"] = timed("fast_path", lambda: yaml_fast.load(text, yaml_reader.read_small)) is not None
    timed("flowmap_read", lambda: loader.read_data_text(text, path))
    try:
        import ryml

        raw = text.encode("utf-8")
        timed("rapidyaml_tree_only", lambda: ryml.parse_in_arena(raw))  # a tree of spans: no Python objects yet
    except ImportError:
        out["rapidyaml_tree_only"] = "not installed"
    try:
        from ruamel.yaml import YAML

        if len(text) < 3_000_000:
            timed("ruamel_safe_c", lambda: YAML(typ="safe", pure=False).load(text))
        else:
            out["ruamel_safe_c"] = "skipped: over 3 MB"
    except ImportError:
        out["ruamel_safe_c"] = "not installed"
    out["seconds"] = out["flowmap_read"]
    return out


STAGES = {"floor": floor, "yaml": yaml_parse, "load": load, "analyses": analyses, "pytm": pytm_resolve,
          "parsers": parsers}

if __name__ == "__main__":
    stage, *args = sys.argv[1:]
    print(json.dumps(STAGES[stage](*args)))
