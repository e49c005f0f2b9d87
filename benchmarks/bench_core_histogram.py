"""Benchmark: histogram of a big Node 20 core, triage.v8 vs llnode's `v8 findjsobjects`.

    python3 benchmarks/bench_core_histogram.py [--sessions N] [--orders N] [--llnode PATH]

Builds (once, cached by dumps.crash) a Node 20 core holding exactly N `Session` and
M `Order` objects (default 2,000,000 / 1,000,000), then runs each tool in its own
subprocess and reports wall time, peak RSS (wait4) and the counts each one found.
Targets: exact counts, >= 5x faster than llnode, no more memory than llnode.
Not a test: it takes minutes and needs llnode built under ~/.cache/triage/tools/llnode.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from measure import run_measured  # noqa: E402

from dumps.crash import run_scenario  # noqa: E402
from dumps.nodes import cache_root  # noqa: E402

OURS = """
import json, sys, time
t0 = time.perf_counter()
from triage.coredump import CoreFile, ElfFile
from triage.v8 import V8Heap
heap = V8Heap.open(CoreFile.open(sys.argv[1]), ElfFile(sys.argv[2]))
rows = heap.histogram()
counts = {r["type"]: r["count"] for r in rows}
print(json.dumps({"Session": counts.get("Session"), "Order": counts.get("Order"),
                  "objects": int(len(heap.walk().address)),
                  "inner_seconds": time.perf_counter() - t0}))
"""


def find_llnode(explicit: str | None) -> Path | None:
    if explicit:
        return Path(explicit)
    hits = sorted((cache_root() / "tools" / "llnode").rglob("llnode.so"))
    return hits[0] if hits else None


def llnode_counts(output: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for m in re.finditer(r"^[ \t]*(\d+)[ \t]+(\d+)[ \t]*(.*?)[ \t]*$", output, re.M):
        counts[m[3] or "(unnamed)"] = counts.get(m[3] or "(unnamed)", 0) + int(m[1])
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=2_000_000)
    ap.add_argument("--orders", type=int, default=1_000_000)
    ap.add_argument("--llnode", help="path of llnode.so (default: under the triage cache)")
    ns = ap.parse_args()

    t0 = time.perf_counter()
    crash = run_scenario("heap_bench", 20, args=(str(ns.sessions), str(ns.orders)),
                         node_flags=("--max-old-space-size=4096",), timeout=1800)
    core = str(crash.core_path)
    print(f"core: {core} ({os.path.getsize(core) / 2**20:.0f} MiB, ready in "
          f"{time.perf_counter() - t0:.1f} s)")

    ours_cmd = [sys.executable, "-c", OURS, core, crash.node]
    run_measured(ours_cmd, REPO)  # warm-up: compiles (and caches) the numba walk
    wall, rss, out = run_measured(ours_cmd, REPO)
    ours = json.loads(out.strip().splitlines()[-1])
    result = {"triage": {"wall_s": round(wall, 2), "peak_rss_mib": rss, **ours}}
    ok = ours["Session"] == ns.sessions and ours["Order"] == ns.orders
    print(f"triage.v8 : {wall:7.2f} s  {rss:6d} MiB  Session={ours['Session']} "
          f"Order={ours['Order']}  exact={ok}")

    plugin = find_llnode(ns.llnode)
    if plugin is None or not plugin.exists():
        print("llnode    : skipped (no llnode.so under ~/.cache/triage/tools/llnode)")
    else:
        cmd = ["lldb-19", "--batch", "-o", f"plugin load {plugin}", "-o", "v8 findjsobjects",
               crash.node, "-c", core]
        lwall, lrss, lout = run_measured(cmd, REPO)
        counts = llnode_counts(lout)
        top = sorted(counts.items(), key=lambda kv: -kv[1])[:5]
        result["llnode"] = {"wall_s": round(lwall, 2), "peak_rss_mib": lrss,
                            "Session": counts.get("Session"), "Order": counts.get("Order"),
                            "largest_rows": top}
        print(f"llnode    : {lwall:7.2f} s  {lrss:6d} MiB  Session={counts.get('Session')} "
              f"Order={counts.get('Order')}  largest rows: {top}")
        print(f"speed-up  : {lwall / wall:.1f}x, memory ratio {rss / max(lrss, 1):.2f}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
