"""Benchmark: the reference graph of a big Node core, and retainer-path queries on it.

    python3 benchmarks/bench_core_graph.py [--profiles N] [--major 22]

Builds (once, cached by dumps.crash) a core whose module-level Map `userCache` holds N
`UserProfile` objects (default 3,000,000: about 1.2 GB of JS heap; --max-old-space-size=4096),
then measures, each in its own subprocess (peak RSS from wait4):

1. `graph`: open the core, walk, `V8Heap.to_heap_graph()`;
2. `paths`: the same, plus the BFS predecessor tree and 100 shortest retainer paths to
   UserProfile objects, DevTools distances, dominators and `find_suspects`
   (`triage/analyses`): the whole suspect analysis.

Targets: whole analysis under 60 s on 2 cores, peak RSS below 3x the heap size.
Not a test: the first run makes a ~1.5 GB core and takes minutes.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from measure import run_measured  # noqa: E402

from dumps.crash import run_scenario  # noqa: E402

CHILD = """
import json, sys, time
import numpy as np
t0 = time.perf_counter()
from triage.coredump import CoreFile, ElfFile
from triage.v8 import V8Heap
heap = V8Heap.open(CoreFile.open(sys.argv[1]), ElfFile(sys.argv[2]))
w = heap.walk()
heap_bytes = int(w.size.sum())
n_objects = int(len(w.address))
del w  # the heap keeps its walk until release_walk(); the benchmark holds no reference
t_walk = time.perf_counter() - t0
g = heap.to_heap_graph()
heap.release_walk()  # as triage.pipeline does once the graph is built
t_graph = time.perf_counter() - t0
out = {"objects": n_objects, "heap_bytes": heap_bytes, "nodes": g.node_count,
       "edges": g.edge_count, "walk_s": t_walk, "graph_s": t_graph - t_walk,
       "graph_timings": g.meta["timings"],
       "graph_bytes": int(sum(a.nbytes for a in (g.node_type, g.node_name, g.node_id,
                                                  g.self_size, g.edge_start, g.edge_type,
                                                  g.edge_name, g.edge_to)))}
if sys.argv[3] == "paths":
    from triage.v8.graph import retainer_path, shortest_path_tree
    from triage.analyses.distances import distances
    from triage.analyses.dominators import dominators
    t = time.perf_counter()
    shortest_path_tree(g)
    out["bfs_s"] = time.perf_counter() - t
    targets = np.flatnonzero(g.node_class == g.find_string("UserProfile"))
    out["UserProfile"] = int(len(targets))
    pick = targets[np.linspace(0, len(targets) - 1, 100).astype(int)]
    t = time.perf_counter()
    lengths = [len(retainer_path(g, int(v)) or []) for v in pick]
    out["queries_100_s"] = time.perf_counter() - t
    out["path_len"] = [min(lengths), max(lengths)]
    via = {g.edge_name_str(e) for e in retainer_path(g, int(pick[0])) or []}
    out["via_userCache"] = "userCache" in via
    t = time.perf_counter()
    d = distances(g)
    out["distances_s"] = time.perf_counter() - t
    out["reachable"] = int(np.count_nonzero(d >= 0))
    t = time.perf_counter()
    dom = dominators(g)
    out["dominators_s"] = time.perf_counter() - t
    out["retained_by_userCache_map_MiB"] = None
    maps = np.flatnonzero(g.node_class == g.find_string("Map"))
    if len(maps):
        out["retained_by_userCache_map_MiB"] = round(float(dom.retained[maps].max()) / 2**20, 1)
    from triage.analyses import find_suspects
    t = time.perf_counter()
    sus = find_suspects(g)
    out["suspects_s"] = time.perf_counter() - t
    out["top_suspect"] = [sus[0]["type"], sus[0].get("accumulation_point", {}).get("holder")] if sus else None
out["total_s"] = time.perf_counter() - t0
print(json.dumps(out))
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profiles", type=int, default=3_000_000)
    ap.add_argument("--major", type=int, default=22)
    args = ap.parse_args()
    t = time.perf_counter()
    crash = run_scenario("leak_big", args.major, args=(str(args.profiles),),
                         node_flags=("--max-old-space-size=4096",), timeout=1800)
    print(f"core: {crash.core_path} ({crash.core_path.stat().st_size / 2**20:.0f} MiB, "
          f"made or found in {time.perf_counter() - t:.1f} s)")
    for mode in ("graph", "paths"):
        wall, rss, out = run_measured([sys.executable, "-c", CHILD, str(crash.core_path),
                                       crash.node, mode])
        res = json.loads(out.strip().splitlines()[-1])
        heap_mib = res["heap_bytes"] / 2**20
        print(f"{mode}: wall {wall:.1f} s, peak RSS {rss} MiB ({rss / heap_mib:.2f}x the "
              f"{heap_mib:.0f} MiB heap)")
        print("  " + json.dumps(res))


if __name__ == "__main__":
    main()
