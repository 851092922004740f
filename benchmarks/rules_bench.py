"""CPU seconds of each rule's check on one model, the rules sharing one analysis context.

``python benchmarks/rules_bench.py MODEL [--rule ID]`` loads the model, computes every
category's reach first (reported on its own line), then runs each rule's ``check`` in the
order of the catalogue and prints its CPU seconds and findings, then the process's peak
memory. Rules share their context as in ``flowmap analyze``: what one rule builds (the
evidence helper, a rule's memo) is not built again by the next. With ``--rule`` the named
rule is profiled with cProfile instead (its callees by internal time).

The collector is paused, as the command line pauses it.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import resource
import time

from flowmap.loader import load_model
from flowmap.rules import ALL_RULES, Context


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--rule", help="profile this rule (cProfile, by internal time) instead of timing all")
    args = parser.parse_args()
    model = load_model(args.model)
    gc.collect()
    gc.disable()
    ctx = Context(model)
    start = time.process_time()
    for category in ctx.graph.categories:
        ctx.graph.reach(category)
    print(f"{'reach of every category':26s} {time.process_time() - start:7.2f} s")
    total, count = 0.0, 0
    for rule in ALL_RULES:
        profile = cProfile.Profile() if rule.id == args.rule else None
        start = time.process_time()
        if profile is not None:
            profile.enable()
        found = sum(1 for _ in rule.check(ctx))
        if profile is not None:
            profile.disable()
        seconds = time.process_time() - start
        total += seconds
        count += found
        print(f"{rule.id:26s} {seconds:7.2f} s {found:8d} findings")
        if profile is not None:
            pstats.Stats(profile).sort_stats("tottime").print_stats(25)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{'all rules':26s} {total:7.2f} s {count:8d} findings; peak memory of the process {peak:.0f} MiB")


if __name__ == "__main__":
    main()
