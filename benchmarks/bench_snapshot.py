"""Benchmark: triage's heap-snapshot pipeline vs memlab on the same files, same run.

    python3 benchmarks/bench_snapshot.py            # the ~200 MB snapshot
    python3 benchmarks/bench_snapshot.py --big      # also the ~800 MB one (needs ~6 GB RAM)

Snapshots are generated once by `dumps/scenarios/snap_big.js` (a module-level Map of N
`Session`s) and cached in ~/.cache/triage/crashes. memlab is installed from the npm registry
into ~/.cache/triage/tools/memlab. Each side runs in its own child process; wall time and
peak RSS (`ru_maxrss` of that child only) are printed, plus a cross-check of class counts and
retained sizes (memlab convention) between the two.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dumps.crash import run_scenario  # noqa: E402
from dumps.nodes import cache_root  # noqa: E402

SIZES = {"200MB": (250_000, 20), "800MB": (1_100_000, 24)}

MEMLAB_JS = r"""
const {getFullHeapFromFile} = require('@memlab/heap-analysis');
(async () => {
  const heap = await getFullHeapFromFile(process.argv[2]);
  const classes = {};
  const ids = new Set((process.argv[3] || '').split(',').filter(Boolean).map(Number));
  const retained = {};
  heap.nodes.forEach(node => {
    if (node.type === 'object' && node.self_size > 0) {
      const c = classes[node.name] || (classes[node.name] = [0, 0]);
      c[0] += 1; c[1] += node.self_size;
    }
    if (ids.has(node.id)) retained[node.id] = node.retainedSize;
  });
  require('fs').writeFileSync(process.argv[4], JSON.stringify({classes, retained}));
})();
"""

TRIAGE_PY = r"""
import json, sys, time
t0 = time.perf_counter()
from triage.loaders import load_snapshot
from triage.analyses import histogram, find_suspects, dominators
g = load_snapshot(sys.argv[1]); t1 = time.perf_counter()
h = histogram(g); t2 = time.perf_counter()
s = find_suspects(g, top=5); t3 = time.perf_counter()
top = s[0] if s else {}
print(json.dumps({"load": t1 - t0, "histogram_dominators": t2 - t1, "suspects_paths": t3 - t2,
                  "nodes": g.node_count, "edges": g.edge_count,
                  "first_suspect": [top.get("type"), top.get("count"), top.get("pattern")]}))
"""


def memlab_dir() -> Path | None:
    """memlab's install dir, installing it from the npm registry on first use."""
    d = cache_root() / "tools" / "memlab"
    if (d / "node_modules" / "@memlab" / "heap-analysis").exists():
        return d
    if not shutil.which("npm"):
        return None
    d.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PUPPETEER_SKIP_DOWNLOAD="1")
    subprocess.run(["npm", "install", "--silent", "memlab"], cwd=d, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    return d


def measured(cmd: list[str], cwd: Path | None = None) -> tuple[float, int, str]:
    """(wall seconds, peak RSS bytes of the child, stdout): one child per measurement."""
    probe = (
        "import resource, subprocess, sys, time, json\n"
        "t = time.perf_counter()\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "w = time.perf_counter() - t\n"
        "r = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024\n"
        "print(json.dumps([w, r, p.returncode, p.stdout, p.stderr[-2000:]]))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True,
                         cwd=cwd, check=True).stdout
    wall, rss, rc, stdout, stderr = json.loads(out)
    if rc != 0:
        raise RuntimeError(f"{cmd[0]} failed ({rc}): {stderr}")
    return wall, rss, stdout


def memlab_classes(snapshot: str, ids: list[int], node: str = "node") -> tuple[dict, dict]:
    """memlab's per-class (count, self bytes) for `object` nodes and retained sizes of `ids`."""
    d = memlab_dir()
    if d is None:
        raise RuntimeError("npm is not available")
    script = d / "triage_classes.js"
    script.write_text(MEMLAB_JS)
    out = d / "triage_classes.out.json"
    subprocess.run([node, "--max-old-space-size=8000", str(script), snapshot,
                    ",".join(map(str, ids)), str(out)], cwd=d, check=True,
                   capture_output=True)
    doc = json.loads(out.read_text())
    return doc["classes"], {int(k): v for k, v in doc["retained"].items()}


def snapshot_for(size: str) -> str:
    n, major = SIZES[size]
    crash = run_scenario("snap_big", major, args=(str(n),),
                         node_flags=("--max-old-space-size=7000",), want_core=False,
                         timeout=1800)
    if not crash.snapshots:
        raise RuntimeError(f"snapshot generation failed: {crash.stderr[-1000:]}")
    return crash.snapshots[0]


def cross_check(snapshot: str) -> None:
    from triage.analyses import dominators, histogram
    from triage.loaders import load_snapshot

    g = load_snapshot(snapshot)
    dom = dominators(g, "memlab")
    maps = [int(v) for v in (g.node_class == g.find_string("Map")).nonzero()[0]]
    maps.sort(key=lambda v: -int(dom.retained[v]))
    ids = [int(g.node_id[v]) for v in maps[:3]]
    classes, retained = memlab_classes(snapshot, ids)
    ours = {r["type"]: r for r in histogram(g, retained=False)}
    for name in ("Session", "Map", "Object", "Array"):
        m = classes.get(name, [0, 0])
        o = ours.get(name, {"count": 0, "shallow_bytes": 0})
        print(f"  {name:10} count ours {o['count']:>9,} memlab {m[0]:>9,}   "
              f"self bytes ours {o['shallow_bytes']:>12,} memlab {m[1]:>12,}")
    for v, nid in zip(maps[:3], ids, strict=True):
        print(f"  Map @{nid}: retained ours(memlab convention) {int(dom.retained[v]):,}  "
              f"memlab {retained.get(nid, 'n/a')}  ours(devtools) "
              f"{int(dominators(g, 'devtools').retained[v]):,}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--big", action="store_true", help="also the ~800 MB snapshot")
    ap.add_argument("--no-memlab", action="store_true")
    args = ap.parse_args()
    sizes = ["200MB", "800MB"] if args.big else ["200MB"]
    env_py = str(ROOT)
    for size in sizes:
        snap = snapshot_for(size)
        mb = os.path.getsize(snap) / 1e6
        print(f"== {size}: {snap} ({mb:,.0f} MB)")
        os.environ["PYTHONPATH"] = env_py
        measured([sys.executable, "-c", "import triage.loaders, triage.analyses"])  # JIT cache
        wall, rss, out = measured([sys.executable, "-c", TRIAGE_PY, snap])
        steps = json.loads(out)
        print(f"  triage : {wall:6.1f} s wall, peak RSS {rss / 2**30:5.2f} GiB  "
              f"(load {steps['load']:.1f} s, histogram+dominators "
              f"{steps['histogram_dominators']:.1f} s, suspects+paths "
              f"{steps['suspects_paths']:.1f} s; {steps['nodes']:,} nodes, "
              f"{steps['edges']:,} edges; first suspect {steps['first_suspect']})")
        if args.no_memlab:
            continue
        d = memlab_dir()
        if d is None:
            print("  memlab : skipped (npm not available)")
            continue
        script = d / "triage_bench.js"
        script.write_text(
            "const {getFullHeapFromFile} = require('@memlab/heap-analysis');\n"
            "getFullHeapFromFile(process.argv[2]).then(h => console.log(h.nodes.length));\n"
        )
        mwall, mrss, _ = measured(["node", "--max-old-space-size=12000", str(script), snap], d)
        print(f"  memlab : {mwall:6.1f} s wall, peak RSS {mrss / 2**30:5.2f} GiB  "
              "(getFullHeapFromFile: parse, shortest paths, dominators, retained sizes)")
        print(f"  ratio  : {mwall / wall:4.1f}x faster, {mrss / rss:4.2f}x less peak memory")
        if size == "200MB":
            cross_check(snap)


if __name__ == "__main__":
    main()
