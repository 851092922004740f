"""Benchmark: `flowmap diff` of two 10,000-system snapshots versus one `flowmap analyze`.

The target (issue 5): the diff takes at most 2.5x a single analyze of one snapshot, measured
in the same run. Both commands run as subprocesses (wall time, best of --repeat interleaved runs), on
snapshots made by `flowmap synth` (the second with --vary, so 1% of the flows change).

    python benchmarks/diff_bench.py --systems 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def wall(args: list[str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, capture_output=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        sys.exit(f"{' '.join(args)} failed: {done.stderr.decode()[:500]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--systems", type=int, default=10_000)
    parser.add_argument("--vary", type=float, default=0.01)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old, new = Path(tmp) / "old.json", Path(tmp) / "new.json"
        n = str(options.systems)
        subprocess.run(["flowmap", "synth", "--systems", n, "--seed", "1", "-o", str(old)], check=True)
        subprocess.run(["flowmap", "synth", "--systems", n, "--seed", "1", "--vary", str(options.vary), "-o", str(new)],
                       check=True)
        sink = str(Path(tmp) / "out.json")
        analyze = diff = float("inf")
        for _ in range(options.repeat):  # interleaved, so a change in machine load hits both
            analyze = min(analyze, wall(["flowmap", "analyze", str(old), "--format", "json", "-o", sink]))
            diff = min(diff, wall(["flowmap", "diff", str(old), str(new), "--format", "json", "-o", sink]))
    ratio = diff / analyze
    print(f"systems={options.systems} vary={options.vary} analyze={analyze:.2f}s diff={diff:.2f}s ratio={ratio:.2f} "
          f"({'ok' if ratio <= 2.5 else 'OVER'} the 2.5x target)")


if __name__ == "__main__":
    main()
