"""Benchmark: write and draw maps of hub-heavy synthetic ecosystems (issue 16 targets).

For each size (default 10,000 and 50,000 systems, ``flowmap synth``'s hub-heavy default):
the floor of ``benchmarks/run.py`` (``json.loads`` of the model + a networkx DiGraph of its
systems and flows with their attributes, in process: ``stages.floor``); wall time, CPU and
peak memory of ``flowmap map`` as a subprocess (best of --repeat), with and without findings,
as a ratio to the floor; where the time of each goes (load, graph and reach, analysis, the map
itself: in process, in a fresh child); the size of the HTML file; the static figure
(``-o fig.svg``); and the page opened from file:// in headless Debian Chromium, timing
navigation start to vis-network's first ``afterDrawing`` (the page's ``fm-drawn`` mark), best
of --repeat fresh pages. Targets: the map within 3x the floor at 10,000 systems; a first frame
within 1.5 s at 10,000 and 3 s at 50,000; at most 25 MB at 50,000.

    python benchmarks/map_bench.py                      # 10,000 and 50,000 systems
    python benchmarks/map_bench.py --systems 5000 --repeat 3
    python benchmarks/map_bench.py --model models/eu-interoperability.yaml --screenshot docs/images/map-eu.png
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

MARKS = "(() => { const o = {}; performance.getEntriesByType('mark').forEach(m => o[m.name] = m.startTime); return o; })()"


def wall(args: list[str], repeat: int) -> tuple[float, float, float]:
    """Best wall time, best CPU time (user + system) and peak memory (GB) of a subprocess."""
    best, best_cpu, peak = float("inf"), float("inf"), 0.0
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(["/usr/bin/time", "-f", "%M", *args], capture_output=True)
        best = min(best, time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        best_cpu = min(best_cpu, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            sys.exit(f"{' '.join(args)} failed: {done.stderr.decode()[:500]}")
        peak = max(peak, int(done.stderr.decode().strip().splitlines()[-1]) / 1e6)
    return best, best_cpu, peak


def floor_time(model_path: Path, repeat: int) -> float:
    """The floor of benchmarks/run.py (``stages.floor``: json.loads of the model and a networkx DiGraph
    of its systems and flows, with their attributes), best of ``repeat``, in this process."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import stages

    return min(stages.floor(str(model_path))["seconds"] for _ in range(repeat))


def split(model_path: Path, with_findings: bool) -> dict[str, float]:
    """CPU seconds of each stage of ``flowmap map``, in process, in a fresh child (as the command
    runs: the cyclic collector paused): imports, load (parse and validate), the graph and the reach
    of every category (which the analysis and the map share), the analysis, the map (data and page)."""
    code = f"""
import json, sys, time
from flowmap.loader import gc_paused
clock = time.process_time
out = {{}}
with gc_paused():
    t = clock()
    from flowmap.analysis import analyze
    from flowmap.graph import graph_of
    from flowmap.loader import load_model
    from flowmap.maps import build_map_data, render_html
    out["imports"] = clock() - t; t = clock()
    model = load_model({str(model_path)!r})
    out["load"] = clock() - t; t = clock()
    graph = graph_of(model)
    for category in graph.categories:
        graph.reach(category)
    out["graph"] = clock() - t; t = clock()
    findings = analyze(model).findings if {with_findings!r} else None
    out["analysis"] = clock() - t; t = clock()
    page = render_html(build_map_data(model, findings=findings))
    out["map"] = clock() - t
print(json.dumps(out))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"stage split failed: {done.stderr[-500:]}")
    return json.loads(done.stdout)


def library_time(model_path: Path, repeat: int) -> tuple[float, float]:
    from flowmap.loader import load_model
    from flowmap.maps import build_map_data, render_html
    from flowmap.propagation import propagate

    model = load_model(model_path)
    propagate(model)
    best, best_cpu = float("inf"), float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        render_html(build_map_data(model))
        best = min(best, time.perf_counter() - start)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
    return best, best_cpu


def draw(html: Path, repeat: int, screenshot: Path | None, size: tuple[int, int]) -> dict:
    from browser_support import CHROMIUM_ARGS, chromium_path
    from playwright.sync_api import sync_playwright

    best: dict = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for attempt in range(repeat):
            page = browser.new_page(viewport={"width": size[0], "height": size[1]})
            cdp = page.context.new_cdp_session(page)
            cdp.send("Performance.enable")
            page.goto(html.resolve().as_uri())
            page.wait_for_function("window.flowmapMap && window.flowmapMap.state.ready", timeout=120_000)
            marks = page.evaluate(MARKS)
            metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
            marks["busy"] = metrics.get("TaskDuration", 0.0)  # main-thread busy seconds so far
            if not best or marks["fm-drawn"] < best["fm-drawn"]:
                best = marks
            if screenshot and attempt == repeat - 1:
                page.wait_for_timeout(500)
                screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(screenshot))
            page.close()
        browser.close()
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, nargs="+", default=[10_000, 50_000])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--model", type=Path, help="Use this model instead of a synthetic one.")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--screenshot", type=Path, help="Save a screenshot of the drawn map here.")
    parser.add_argument("--size", default="1800x1100", help="Viewport for drawing, WIDTHxHEIGHT.")
    parser.add_argument("--no-library", action="store_true", help="Skip the in-process build+render timing.")
    parser.add_argument("--findings-up-to", type=int, default=10_000, metavar="N",
                        help="Above N systems, skip the map with findings (the analysis dominates it: see "
                             "benchmarks/run.py) and draw the map without findings.")
    options = parser.parse_args()
    size = tuple(int(v) for v in options.size.split("x"))
    for systems in [None] if options.model else options.systems:
        bench(options, systems, size)


def bench(options, systems: int | None, size: tuple[int, int]) -> None:
    os.environ.setdefault("FLOWMAP_INPUT_LIMIT_MIB", "1024")  # a 50,000-system model is about 115 MiB of JSON
    with tempfile.TemporaryDirectory() as tmp:
        model = options.model
        if model is None:
            model = Path(tmp) / "synth.json"
            subprocess.run(["flowmap", "synth", "--systems", str(systems), "--seed", str(options.seed),
                            "-o", str(model)], check=True, capture_output=True)
        floor = floor_time(model, max(options.repeat, 3))
        html = Path(tmp) / "map.html"
        plain = wall(["flowmap", "map", str(model), "--no-findings", "-o", str(html)], options.repeat)
        plain_split = split(model, with_findings=False)
        with_findings = systems is None or systems <= options.findings_up_to
        full_html = Path(tmp) / "full.html"
        full = wall(["flowmap", "map", str(model), "-o", str(full_html)], 1) if with_findings else None
        full_split = split(model, with_findings=True) if with_findings else None
        drawn_page = full_html if with_findings else html
        figure = wall(["flowmap", "map", str(model), "--no-findings", "-o", str(Path(tmp) / "fig.svg")], 1)
        library = None if options.no_library else library_time(model, options.repeat)
        marks = draw(drawn_page, max(options.repeat, 2), options.screenshot, size)
        sizes = {"map.html": html.stat().st_size / 1e6}
        if with_findings:
            sizes["full.html"] = full_html.stat().st_size / 1e6
        figure_mb = (Path(tmp) / "fig.svg").stat().st_size / 1e6
    drawn = marks["fm-drawn"] / 1000
    first = 1.5 if (systems or 0) <= 10_000 else 3.0
    name = model.name if options.model else f"synth {systems} systems (hub-heavy) seed {options.seed}"
    print(f"model={name} load={os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; floor {floor:.2f}s")
    print(f"write: flowmap map --no-findings {plain[0]:.2f}s wall = {plain[0] / floor:.1f}x floor / {plain[1]:.2f}s CPU "
          f"/ {plain[2]:.2f} GB peak; CPU {stages_text(plain_split, floor)}"
          + (f" (library build+render {library[0]:.2f}s wall / {library[1]:.2f}s CPU)" if library else ""))
    if full:
        print(f"write: flowmap map (findings) {full[0]:.2f}s wall = {full[0] / floor:.1f}x floor / {full[1]:.2f}s CPU "
              f"/ {full[2]:.2f} GB peak; CPU {stages_text(full_split, floor)}")
    else:
        print("write: flowmap map (findings): skipped (--findings-up-to)")
    print("size: " + ", ".join(f"{k} {v:.1f} MB" for k, v in sizes.items())
          + (f" [{'ok' if sizes['map.html'] <= 25 else 'OVER'} the 25 MB target]" if (systems or 0) >= 50_000 else ""))
    print(f"figure: flowmap map --no-findings -o fig.svg {figure[0]:.2f}s wall / {figure[1]:.2f}s CPU, {figure_mb:.2f} MB")
    print(f"draw ({drawn_page.name}): first afterDrawing {drawn:.2f}s after navigation start, main thread busy "
          f"{marks['busy']:.2f}s (script start {marks['fm-start'] / 1000:.2f}s, JSON parsed {marks['fm-parsed'] / 1000:.2f}s, "
          f"network built {marks['fm-network'] / 1000:.2f}s) [{'ok' if drawn < first else 'OVER'} the {first} s target]",
          flush=True)
    if systems == 10_000 or options.model:
        worst = full or plain
        print(f"target: flowmap map within 3x the floor: {worst[0] / floor:.1f}x "
              f"[{'ok' if worst[0] <= 3 * floor else 'OVER'}]", flush=True)


def stages_text(seconds: dict[str, float], floor: float) -> str:
    """``imports 0.3s, load 2.2s = 2.8x floor, ...``: where a command's CPU time goes."""
    return ", ".join(f"{k} {v:.2f}s = {v / floor:.1f}x floor" for k, v in seconds.items()
                     if k != "analysis" or v > 0.01)


if __name__ == "__main__":
    main()
