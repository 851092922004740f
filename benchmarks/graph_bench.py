"""CPU seconds of the machinery every rule shares (flowmap/graph.py, flowmap/propagation.py), on one model.

``python benchmarks/graph_bench.py MODEL [--repeat N]`` loads the model, then prints the median
over N runs (5 by default) of:

- ``construction``: ``Graph(model)``;
- ``reach of every category``: the full reach of each category on a fresh graph;
- ``filtered reaches``: the reaches from fewer origins or through fewer flows that the rules ask
  for (function_creep, firewall), recorded during one run of the rules and replayed;
- ``witness paths``: the ``nearest_paths`` searches of the rules, recorded and replayed on the
  graph they ran on (its hops per category already built).

Compare two checkouts A/B, interleaved, on the same machine: ``PYTHONPATH=<checkout> python
benchmarks/graph_bench.py MODEL``. The collector is paused, as the command line pauses it.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from unittest import mock

from flowmap.graph import Graph, graph_of
from flowmap.loader import load_model
from flowmap.rules import ALL_RULES, Context


def _median(run, repeat: int) -> float:
    seconds = []
    for _ in range(repeat):
        start = time.process_time()
        run()
        seconds.append(time.process_time() - start)
    return statistics.median(seconds)


def _recorded(model) -> tuple[list, list]:
    """The rules' filtered reaches and witness-path searches, as (args, kwargs) of each call."""
    reaches, searches = [], []
    reach, nearest = Graph.reach, Graph.nearest_paths

    def record_reach(self, category, **kwargs):
        if kwargs.get("origins") is not None or kwargs.get("allowed") is not None:
            reaches.append(((category,), kwargs))
        return reach(self, category, **kwargs)

    def record_search(self, *args, **kwargs):
        searches.append((args, kwargs))
        return nearest(self, *args, **kwargs)

    with mock.patch.object(Graph, "reach", record_reach), mock.patch.object(Graph, "nearest_paths", record_search):
        ctx = Context(model)
        for rule in ALL_RULES:
            for _ in rule.check(ctx):
                pass
    return reaches, searches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    model = load_model(args.model)
    gc.collect()
    gc.disable()
    repeat = args.repeat
    print(f"{'construction':26s} {_median(lambda: Graph(model), repeat):7.3f} s")
    graphs = iter([Graph(model) for _ in range(repeat)])

    def every_reach():
        graph = next(graphs)
        for category in graph.categories:
            graph.reach(category)

    print(f"{'reach of every category':26s} {_median(every_reach, repeat):7.3f} s")
    reaches, searches = _recorded(model)
    graph = graph_of(model)  # the graph the rules read: the recorded calls name its edges

    def replay_reaches():
        for (category,), kwargs in reaches:
            graph.reach(category, **kwargs)

    def replay_searches():
        for call, kwargs in searches:
            graph.nearest_paths(*call, **kwargs)

    print(f"{'filtered reaches':26s} {_median(replay_reaches, repeat):7.3f} s {len(reaches):8d} calls")
    print(f"{'witness paths':26s} {_median(replay_searches, repeat):7.3f} s {len(searches):8d} calls")


if __name__ == "__main__":
    main()
