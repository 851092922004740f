"""`flowmap analyze` of this checkout against another checkout of flowmap, run by run in pairs.

    git worktree add /tmp/flowmap-old 22f50ac       # the engine to compare with
    flowmap synth --systems 1000 --seed 1 --profile gentle -o /tmp/g1000.json
    python benchmarks/versus.py --other /tmp/flowmap-old /tmp/g1000.json examples/tutorial/step1.yaml

Each model is analysed by both checkouts in turn (this one, the other, this one, ...) after one
warm-up run of each: `python -m flowmap analyze MODEL --format json -o FILE` in a child process
with `PYTHONPATH` set to the checkout. For each run the operating system's accounting of the
finished child gives its CPU seconds (user + system) and its peak resident memory (`os.wait4`),
as `/usr/bin/time -v` reports them. Printed per model: the median CPU seconds and peak MiB of
each side and the median of the run-by-run CPU ratios (this / other). Pairing keeps the ratio
meaningful on a shared machine whose speed drifts; quote the median ratio.

Bytecode: with `PYTHONDONTWRITEBYTECODE` set, every run compiles every module it imports, which
weighs on small models (a checkout with more source pays more); `--bytecode` gives each side its
own cache directory (`PYTHONPYCACHEPREFIX`), as an installed package has its bytecode.

One core: the old engine (22f50ac) encodes its JSON report in two halves, the second in a
forked child, when it has 2 cores or more and at least 20,000 findings (`flowmap/parallel.py`
there): at 3,000 gentle systems and above, its CPU then includes the fork's overhead and its
wall time the second core's help. `--one-core` runs both sides pinned to one processor
(`os.sched_setaffinity`), where it encodes in one process as today's engine does: the fair
comparison of the two engines' work. Without it, the ratio is that of the commands as they run
here.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_once(checkout: Path, model: str, out: str, env: dict[str, str],
             cores: set[int] | None = None) -> tuple[float, float]:
    """(CPU seconds, peak MiB) of one `flowmap analyze` by ``checkout``, on ``cores`` when given."""
    argv = [sys.executable, "-m", "flowmap", "analyze", model, "--format", "json", "-o", out]
    pin = (lambda: os.sched_setaffinity(0, cores)) if cores else None
    child = subprocess.Popen(argv, env={**env, "PYTHONPATH": str(checkout)}, cwd=checkout,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, preexec_fn=pin)
    _, status, usage = os.wait4(child.pid, 0)
    errors = child.stderr.read().decode("utf-8", "replace") if child.stderr else ""
    if child.stderr:
        child.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(f"{checkout}: flowmap analyze {model} exited {code}: {errors.strip()[:300]}")
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def compare(model: str, other: Path, runs: int, bytecode: bool, cores: set[int] | None = None) -> str:
    """One line per model: both sides' medians and the median paired ratio."""
    with tempfile.TemporaryDirectory() as scratch:
        env = dict(os.environ)
        sides = {"this": ROOT, "other": other}
        envs = {}
        for name in sides:
            envs[name] = dict(env)
            if bytecode:
                envs[name].pop("PYTHONDONTWRITEBYTECODE", None)
                envs[name]["PYTHONPYCACHEPREFIX"] = str(Path(scratch) / f"pyc-{name}")
        model_path = str(Path(model).resolve())
        results: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
        for number in range(runs + 1):  # the first pair warms up (file cache, bytecode) and is not counted
            for name, checkout in sides.items():
                measured = run_once(checkout, model_path, str(Path(scratch) / f"{name}.json"), envs[name], cores)
                if number:
                    results[name].append(measured)
        ratios = [a[0] / b[0] for a, b in zip(results["this"], results["other"])]
        this_cpu = statistics.median(r[0] for r in results["this"])
        other_cpu = statistics.median(r[0] for r in results["other"])
        this_peak = statistics.median(r[1] for r in results["this"])
        other_peak = statistics.median(r[1] for r in results["other"])
        return (f"| {Path(model).name} | {this_cpu:.2f} s, {this_peak:.0f} MiB | {other_cpu:.2f} s, {other_peak:.0f} MiB "
                f"| {statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f}) |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="model files (the other checkout must read them too)")
    parser.add_argument("--other", required=True, type=Path, help="the other flowmap checkout (a git worktree)")
    parser.add_argument("-n", "--runs", type=int, default=5, help="pairs counted per model (default 5)")
    parser.add_argument("--bytecode", action="store_true", help="let each side keep its bytecode between runs")
    parser.add_argument("--one-core", action="store_true",
                        help="pin both sides to one processor (the old engine then writes JSON in one process)")
    args = parser.parse_args()
    cores = {min(os.sched_getaffinity(0))} if args.one_core else None
    if not (args.other / "flowmap" / "__init__.py").exists():
        parser.error(f"{args.other} is not a flowmap checkout (no flowmap/__init__.py)")
    print(f"# flowmap analyze --format json: this checkout against {args.other}, {args.runs} pairs per model, "
          f"{'bytecode kept' if args.bytecode else 'bytecode as the environment has it'}"
          f"{', one core' if cores else ''}, {time.strftime('%Y-%m-%d %H:%M')}")
    print("| model | this: CPU, peak | other: CPU, peak | CPU ratio, median (range) |")
    print("|---|---|---|---|")
    for model in args.models:
        print(compare(model, args.other.resolve(), args.runs, args.bytecode, cores), flush=True)


if __name__ == "__main__":
    main()
