"""flowmap benchmarks: one command, every figure as a ratio to a floor measured in the same run.

    python benchmarks/run.py                       # sizes 1000,5000,10000,50000
    python benchmarks/run.py --sizes 1000,10000    # some sizes
    python benchmarks/run.py --quick               # 1000 and 5000, pytm at 1000: a few minutes
    python benchmarks/run.py --profile gentle      # the short-chain ecosystem (default: hub-heavy)

Every measurement runs in its own child process; wall time is the whole process
(interpreter start included) for CLI commands and the timed section for in-process
stages (see stages.py); peak memory is the child's maximum resident set size
(``os.wait4`` rusage). Results go to benchmarks/results/ (JSON and Markdown);
``--readme`` also rewrites the figures section of benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
STAGES = HERE / "stages.py"
TIMEOUT = 1800


def flowmap_cmd() -> list[str]:
    script = shutil.which("flowmap")
    return [script] if script else [sys.executable, "-m", "flowmap"]


def measure(argv: list[str], timeout: int = TIMEOUT) -> dict:
    """Run ``argv`` in a child process: wall seconds, peak RSS in MiB, exit code, JSON on stdout if any."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return {"error": f"timed out after {timeout} s", "wall": time.perf_counter() - start}
    # communicate() reaped the child; its rusage is gone, so read the peak from the kernel's
    # per-child accounting: run each measurement under a wrapper that reports its own peak.
    wall = time.perf_counter() - start
    result: dict = {"wall": wall, "exit": proc.returncode}
    text = out.decode("utf-8", "replace").strip().splitlines()
    peak = err.decode("utf-8", "replace").strip().splitlines()
    if peak and peak[-1].startswith("PEAK_RSS_KB="):
        result["peak_mib"] = int(peak.pop().split("=", 1)[1]) / 1024
    if proc.returncode not in (0, 1):
        result["error"] = (peak[-1] if peak else f"exit {proc.returncode}")[:300]
    if text:
        try:
            result.update(json.loads(text[-1]))
        except json.JSONDecodeError:
            pass
    return result


def wrapped(argv: list[str]) -> list[str]:
    """``argv`` run under a tiny parent that reports the child's peak RSS (per-child, via wait4)."""
    code = (
        "import os,sys;pid=os.fork()\n"
        "if pid==0:\n os.execvp(sys.argv[1],sys.argv[1:])\n"
        "_,status,ru=os.wait4(pid,0);sys.stderr.write('\\nPEAK_RSS_KB=%d\\n'%ru.ru_maxrss);"
        "sys.exit(os.waitstatus_to_exitcode(status))"
    )
    return [sys.executable, "-c", code, *argv]


def run_cli(*args: str) -> dict:
    return measure(wrapped([*flowmap_cmd(), *args]))


def run_stage(stage: str, *args: str) -> dict:
    return measure(wrapped([sys.executable, str(STAGES), stage, *args]))


def best_of(times: int, run) -> dict:
    """The fastest of ``times`` runs of ``run()`` (a measurement dict): on a shared machine the
    minimum is the figure least disturbed by other work. Stops at the first error."""
    best: dict | None = None
    for _ in range(max(1, times)):
        result = run()
        if "error" in result or "skipped" in result:
            return result
        if best is None or (seconds(result) or 0) < (seconds(best) or 0):
            best = result
    assert best is not None
    return best


def has_command(name: str) -> bool:
    return subprocess.run([*flowmap_cmd(), name, "--help"], capture_output=True, cwd=ROOT).returncode == 0


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = os.getloadavg()[0]
    except OSError:
        load = None
    return {"nproc": os.cpu_count(), "python": platform.python_version(), "cpu": cpu, "load_at_start": load,
            "platform": platform.platform()}


def models_for(size: int, seed: int, workdir: Path, yaml_too: bool, profile: str) -> dict[str, Path]:
    """Generate (once, cached in results/models) the JSON model, its 1%-varied snapshot and the YAML."""
    stem = f"synth-{profile}-{size}-s{seed}"
    out = {"json": workdir / f"{stem}.json", "vary": workdir / f"{stem}-vary1.json"}
    if yaml_too:
        out["yaml"] = workdir / f"{stem}.yaml"
    for key, path in out.items():
        if not path.exists():
            extra = ["--vary", "0.01"] if key == "vary" else []
            result = run_cli("synth", "--systems", str(size), "--seed", str(seed), "--profile", profile, *extra,
                             "-o", str(path))
            if "error" in result:
                raise SystemExit(f"flowmap synth failed: {result['error']}")
    return out


def bench_size(size: int, seed: int, workdir: Path, opts: argparse.Namespace, log) -> dict:
    files = models_for(size, seed, workdir, yaml_too=size <= opts.yaml_max, profile=opts.profile)
    model, later = str(files["json"]), str(files["vary"])
    row: dict = {"size": size, "profile": opts.profile, "flows": None, "stages": {}}
    st = row["stages"]
    synth_time = run_cli("synth", "--systems", str(size), "--seed", str(seed), "--profile", opts.profile,
                         "--format", "json")
    st["synth"] = {k: synth_time.get(k) for k in ("wall", "peak_mib", "error") if k in synth_time}
    repeat = opts.repeat
    # every figure, the floor included, is the best of the same number of runs: a floor with
    # more tries would be luckier than the stages divided by it
    log(size, "floor", st.setdefault("floor", best_of(repeat, lambda: run_stage("floor", model))))
    row["flows"] = st["floor"].get("edges")
    if "yaml" in files:
        log(size, "yaml parse", st.setdefault("yaml", run_stage("yaml", str(files["yaml"]))))
        log(size, "load yaml (parse + validate)",
            st.setdefault("load", best_of(repeat, lambda: run_stage("load", str(files["yaml"])))))
        log(size, "validate yaml", st.setdefault("validate_yaml", run_cli("validate", "--strict", str(files["yaml"]))))
    log(size, "validate", st.setdefault("validate", best_of(repeat, lambda: run_cli("validate", "--strict", model))))
    log(size, "analyses alone", st.setdefault("analyses", best_of(repeat, lambda: run_stage("analyses", model))))
    if "render_seconds" in st["analyses"]:
        st["render"] = {"seconds": st["analyses"]["render_seconds"]}
    output = workdir / "out"
    output.mkdir(exist_ok=True)
    for name, args in (
        ("analyze", ["analyze", model, "--format", "json", "-o", str(output / f"analyze-{size}.json")]),
        ("map", ["map", model, "-o", str(output / f"map-{size}.html")]),
        ("diff", ["diff", model, later, "--format", "json", "-o", str(output / f"diff-{size}.json")]),
    ):
        if not has_command(args[0]):
            st[name] = {"skipped": f"`flowmap {args[0]}` does not exist yet"}
        else:
            st[name] = best_of(repeat, lambda: run_cli(*args))
            if name == "analyze" and "error" not in st[name]:
                summary = json.loads(Path(args[-1]).read_text(encoding="utf-8"))["summary"]
                st[name]["findings"] = summary["findings"]
        log(size, name, st[name])
    if opts.pytm_size == size and not opts.no_pytm:
        try:
            import pytm  # noqa: F401

            st["pytm"] = run_stage("pytm", model)
        except ImportError:
            st["pytm"] = {"skipped": "pytm is not installed: pip install -e '.[bench]'"}
        log(size, "pytm resolve", st["pytm"])
    if opts.parsers and "yaml" in files:
        st["parsers"] = best_of(repeat, lambda: run_stage("parsers", str(files["yaml"])))
        log(size, "yaml readers (flowmap's read)", st["parsers"])
    if "yaml" in files:
        row["yaml_bytes"] = files["yaml"].stat().st_size
    return row


def startup() -> dict:
    cold = measure(wrapped([sys.executable, "-c", "import flowmap.cli"]))
    helped = run_cli("--help")
    heavy = subprocess.run(
        [sys.executable, "-c", "import sys, flowmap.cli; print(' '.join(sorted(m for m in "
         "('pandas','pyvis','networkx','jinja2','openpyxl','pydantic','yaml') if m in sys.modules)))"],
        capture_output=True, text=True, cwd=ROOT,
    ).stdout.strip()
    return {"import_cli": cold.get("wall"), "help": helped.get("wall"), "help_peak_mib": helped.get("peak_mib"),
            "modules_imported_by_cli": heavy}


def seconds(stage: dict) -> float | None:
    """The figure of a stage: in-process seconds when it has them, else the process wall time."""
    if not stage or "error" in stage or "skipped" in stage:
        return None
    return stage.get("seconds") if "seconds" in stage else stage.get("wall")


def growth(rows: list[dict], stage: str) -> list[tuple[int, int, float]]:
    out = []
    for a, b in zip(rows, rows[1:]):
        ta, tb = seconds(a["stages"].get(stage, {})), seconds(b["stages"].get(stage, {}))
        if ta and tb:
            out.append((a["size"], b["size"], math.log(tb / ta) / math.log(b["size"] / a["size"])))
    return out


ORDER = ("floor", "yaml", "load", "validate_yaml", "validate", "analyses", "render", "analyze", "map", "diff", "pytm", "synth")
LABEL = {
    "floor": "floor: json.loads + networkx DiGraph (in-process)",
    "yaml": "YAML parse alone, PyYAML CSafeLoader (in-process)",
    "load": "load YAML: parse + validate + build (in-process)",
    "validate_yaml": "`flowmap validate --strict` YAML (process)",
    "validate": "`flowmap validate --strict` JSON (process)",
    "analyses": "analyses alone, model loaded (in-process)",
    "render": "then every finding's text and witness path written (in-process)",
    "analyze": "`flowmap analyze --format json` (process)",
    "map": "`flowmap map` HTML written (process)",
    "diff": "`flowmap diff` two snapshots, 1% of flows differ (process)",
    "pytm": "OWASP pytm `tm.resolve()` (in-process)",
    "synth": "`flowmap synth` (process)",
}


def report(results: dict) -> str:
    rows = results["rows"]
    lines = [f"Command: `{results['command']}`  ", f"Date: {results['date']}  ",
             f"Ecosystem: `flowmap synth --profile {results.get('profile', 'gentle')}`  ",
             "Machine: {nproc} CPUs, {cpu}, Python {python}, load average at start {load_at_start}".format(
                 **results["machine"]), ""]
    head = "| stage | " + " | ".join(f"{r['size']:,} systems ({(r['flows'] or 0):,} edges)" for r in rows) + " |"
    lines += [head, "|---" * (len(rows) + 1) + "|"]
    for stage in ORDER:
        if not any(stage in r["stages"] for r in rows):
            continue
        cells = []
        for r in rows:
            s = r["stages"].get(stage)
            if s is None:
                cells.append("")
            elif "skipped" in s or "error" in s:
                cells.append(s.get("skipped") or f"error: {s['error']}")
            else:
                t, floor = seconds(s), seconds(r["stages"].get("floor", {}))
                cell = f"{t:.2f} s"
                if floor and stage != "floor":
                    cell += f" = {t / floor:.1f}x floor"
                if s.get("peak_mib"):
                    cell += f", {s['peak_mib']:.0f} MiB"
                if "findings" in s:
                    cell += f", {s['findings']:,} findings"
                cells.append(cell)
        lines.append(f"| {LABEL[stage]} | " + " | ".join(cells) + " |")
    lines += parsers_table(rows)
    lines += ["", "Growth exponents, log(t2/t1)/log(n2/n1) (1.0 = linear; 5x systems -> 6x time is 1.11):", ""]
    for stage in ("floor", "validate", "analyses", "analyze", "map", "diff"):
        g = growth(rows, stage)
        if g:
            lines.append(f"- {stage}: " + ", ".join(f"{a:,}->{b:,}: {e:.2f}" for a, b, e in g))
    lines += ["", "Targets:", ""] + [f"- {t}" for t in targets(results)]
    s = results.get("startup", {})
    if s:
        lines += ["", f"Startup: `python -c 'import flowmap.cli'` {s['import_cli']:.2f} s, `flowmap --help` "
                  f"{s['help']:.2f} s; heavy modules imported by the CLI: {s['modules_imported_by_cli'] or 'none'}"]
    return "\n".join(lines) + "\n"


PARSERS = {
    "libyaml": "PyYAML `CSafeLoader` (libyaml)",
    "yaml_rs": "yaml-rs alone (Rust, YAML 1.2)",
    "fast_path": "flowmap's fast path: its checks, then yaml-rs",
    "flowmap_read": "flowmap's whole read: fast path or libyaml, then shape checks",
    "rapidyaml_tree_only": "rapidyaml, C++ tree only (no Python objects)",
    "ruamel_safe_c": "ruamel.yaml `typ=safe` (C)",
}


def parsers_table(rows: list[dict]) -> list[str]:
    """The YAML readers on each size's YAML model (in-process, collector paused), as ratios to
    the JSON floor of the same size and run."""
    rows = [r for r in rows if isinstance(r["stages"].get("parsers"), dict) and "error" not in r["stages"]["parsers"]]
    if not rows:
        return []
    lines = ["", "YAML readers on the YAML form of the same model (in-process, collector paused; "
             "ratios to the JSON floor):", "",
             "| reader | " + " | ".join(f"{r['size']:,} systems ({r.get('yaml_bytes', 0) / 1e6:.1f} MB)" for r in rows)
             + " |", "|---" * (len(rows) + 1) + "|"]
    for key, label in PARSERS.items():
        cells = []
        for r in rows:
            value, floor = r["stages"]["parsers"].get(key), seconds(r["stages"].get("floor", {}))
            if isinstance(value, (int, float)) and floor:
                cells.append(f"{value:.2f} s = {value / floor:.1f}x floor")
            else:
                cells.append(str(value or ""))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    taken = ", ".join(f"{r['size']:,}: {'yes' if r['stages']['parsers'].get('fast_path_taken') else 'no'}" for r in rows)
    lines.append(f"| fast path taken | {taken} |" + " |" * (len(rows) - 1))
    return lines


def _fmt(ok: bool | None) -> str:
    return "n/a" if ok is None else ("MET" if ok else "NOT MET")


def targets(results: dict) -> list[str]:
    out = []
    by_size = {r["size"]: r["stages"] for r in results["rows"]}

    def fig(size, stage):
        return seconds(by_size.get(size, {}).get(stage, {}))

    ten = 10000 if 10000 in by_size else max(by_size)
    fl, an, alone = fig(ten, "floor"), fig(ten, "analyze"), fig(ten, "analyses")
    if fl and alone:
        out.append(f"analyses alone <= 1x floor at {ten:,}: {alone / fl:.1f}x — {_fmt(alone <= fl)}")
        written = fig(ten, "render")
        if written is not None:
            out.append(f"(with every finding's text and path written as well: {(alone + written) / fl:.1f}x floor)")
    if fl and an:
        out.append(f"`flowmap analyze` process <= 5x floor at {ten:,}: {an / fl:.1f}x — {_fmt(an <= 5 * fl)}")
    load = by_size.get(ten, {}).get("load", {})
    if "overhead" in load:
        out.append(f"load YAML: validation + construction add <= 25% to the parse at {ten:,}: "
                   f"{100 * load['overhead']:+.0f}% — {_fmt(load['overhead'] <= 0.25)}")
    for stage in ("analyze", "map", "diff"):
        for a, b, e in growth(results["rows"], stage):
            if b == 5 * a:
                ratio = (b / a) ** e
                out.append(f"growth {stage} {a:,}->{b:,}: {ratio:.1f}x time for 5x systems — {_fmt(ratio <= 6)}")
    validate_yaml = fig(ten, "validate_yaml")
    if fl and validate_yaml:
        out.append(f"`flowmap validate --strict` of the YAML model <= 8x floor at {ten:,}: {validate_yaml / fl:.1f}x — "
                   f"{_fmt(validate_yaml <= 8 * fl)}")
    for row in results["rows"]:  # the target is for a model of about 50 MB: the interpreter's own 40-60 MiB
        peak, size = row["stages"].get("validate_yaml", {}).get("peak_mib"), row.get("yaml_bytes")  # weigh on less
        if peak and size:
            per_byte = peak * 2**20 / size
            verdict = _fmt(per_byte <= 20) if size >= 40e6 else "the target is for models of 40 MB and more"
            out.append(f"validating the YAML model at {row['size']:,} ({size / 1e6:.0f} MB) peaks at {peak:.0f} MiB, "
                       f"{per_byte:.1f}x its size (<= 20x) — {verdict}")
    peak = by_size.get(ten, {}).get("analyze", {}).get("peak_mib")
    if peak:
        out.append(f"peak memory of analyze at {ten:,}: {peak:.0f} MiB — {_fmt(peak < 1024)}")
    m5 = fig(5000, "map")
    if m5:
        out.append(f"`flowmap map` at 5,000: {m5:.2f} s — {_fmt(m5 < 2)}")
    d, a = fig(ten, "diff"), fig(ten, "analyze")
    if d and a:
        out.append(f"diff of two {ten:,} snapshots <= 2.5x one analyze: {d / a:.1f}x — {_fmt(d <= 2.5 * a)}")
    for size, st in by_size.items():
        p, a = st.get("pytm", {}), seconds(st.get("analyze", {}))
        if seconds(p) and a:
            out.append(f"pytm at {size:,}: resolve {seconds(p):.1f} s ({p['findings']:,} findings) vs flowmap analyze "
                       f"{a:.1f} s ({st['analyze'].get('findings') or st.get('analyses', {}).get('findings', 0):,} "
                       f"findings): flowmap {seconds(p) / a:.1f}x faster — {_fmt(seconds(p) >= 20 * a)}")
    return out


def update_readme(text: str) -> None:
    readme = HERE / "README.md"
    body = readme.read_text(encoding="utf-8")
    start, end = "<!-- figures:start -->", "<!-- figures:end -->"
    if start in body and end in body:
        head, rest = body.split(start, 1)
        _, tail = rest.split(end, 1)
        readme.write_text(f"{head}{start}\n{text}{end}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,5000,10000,50000", help="comma-separated system counts")
    parser.add_argument("--quick", action="store_true", help="sizes 1000,5000 and pytm at 1000")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", choices=("hub-heavy", "gentle"), default="hub-heavy",
                        help="the synthetic ecosystem (flowmap synth --profile); run twice for both")
    parser.add_argument("--repeat", type=int, default=2,
                        help="runs per figure, the fastest kept (the same for every figure); 1 for a quick look")
    parser.add_argument("--pytm-size", type=int, default=5000, help="size of the pytm comparison")
    parser.add_argument("--no-pytm", action="store_true")
    parser.add_argument("--yaml-max", type=int, default=10000, help="also time YAML up to this size")
    parser.add_argument("--no-parsers", dest="parsers", action="store_false",
                        help="skip timing each YAML reader (libyaml, yaml-rs, flowmap's fast path, rapidyaml, ruamel)")
    parser.add_argument("--readme", action="store_true", help="rewrite the figures in benchmarks/README.md")
    opts = parser.parse_args(argv)
    opts.sizes = [1000, 5000] if opts.quick else sorted(int(s) for s in opts.sizes.split(","))
    if opts.quick:
        opts.pytm_size = 1000
    RESULTS.mkdir(exist_ok=True)
    workdir = RESULTS / "models"
    workdir.mkdir(exist_ok=True)
    command = "python benchmarks/run.py " + " ".join(sys.argv[1:] if argv is None else argv)
    results = {"command": command.strip(), "date": dt.datetime.now().isoformat(timespec="seconds"),
               "machine": machine(), "profile": opts.profile, "rows": []}
    # a 50,000-system model is over the default input cap (64 MiB): raise it for the children
    if max(opts.sizes) >= 30000:
        os.environ.setdefault("FLOWMAP_INPUT_LIMIT_MIB", "512")

    def log(size, what, result):
        t = seconds(result)
        extra = result.get("skipped") or result.get("error") or (f"{t:.2f} s" if t is not None else "")
        mem = f", {result['peak_mib']:.0f} MiB" if result.get("peak_mib") else ""
        print(f"[{size:>6}] {what:<32} {extra}{mem}", flush=True)

    results["startup"] = startup()
    print("startup:", results["startup"], flush=True)
    for size in opts.sizes:
        results["rows"].append(bench_size(size, opts.seed, workdir, opts, log))
        # written after every size, so a long run that is stopped still leaves its figures
        stamp = results["date"].replace(":", "")
        text = report(results)
        for name, body in ((f"run-{stamp}.json", json.dumps(results, indent=1)),
                           ("latest.json", json.dumps(results, indent=1)), ("latest.md", text)):
            (RESULTS / name).write_text(body)
        if opts.readme:
            update_readme(text)
    print()
    print(text)


if __name__ == "__main__":
    main()
