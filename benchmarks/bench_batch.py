"""Benchmark: `triage batch` throughput on 20 mixed incidents, with 1 and 2 workers.

    python3 benchmarks/bench_batch.py [--workers 1 2] [--keep DIR] [--baseline cfb4230]

The inbox holds real crashes of Node 18/20/22/24 (made once and cached by dumps.crash):
8 cores (abort, heap OOM, native fault, assertion, external signal), 8 diagnostic reports
(uncaught exception, signal, API) and 4 heap snapshots. Each configuration runs the real
CLI into a fresh results directory and reports wall time, incidents per minute, and the
peak resident memory of each worker (wait4's ru_maxrss, in the index as
`worker_peak_rss_mb`) by artifact kind. With `--baseline COMMIT` (e.g. cfb4230, the
previous release) the same inbox also goes through that commit's CLI (a git worktree in
the temp dir, same venv), one configuration after the other in the same run, and the
throughput ratio is printed. Not a test.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from measure import baseline_tree  # noqa: E402

from dumps.crash import run_scenario  # noqa: E402

REPORT_ENV = {"TRIAGE_SCENARIO_CORE_LIMIT": "0"}
CORES = [
    ("abort", 18, {}), ("abort", 20, {}), ("abort", 22, {}), ("abort", 24, {}),
    ("oom", 18, {"node_flags": ("--max-old-space-size=24",)}),
    ("oom", 22, {"node_flags": ("--max-old-space-size=24",)}),
    ("native_fault", 20, {}), ("external_signal", 20, {}),
]
REPORTS = [
    ("report_exception", m, {"node_flags": ("--report-uncaught-exception",)}) for m in (18, 20, 22, 24)
] + [("report_signal", m, {"node_flags": ("--report-on-signal",)}) for m in (18, 20)] + [
    ("report_api", m, {}) for m in (22, 24)]
SNAPSHOTS = [("snap_cache", m, {}) for m in (18, 20, 22, 24)]


def build_inbox(inbox: Path) -> dict[str, str]:
    """Copy 20 incidents into `inbox`; return upload name -> artifact kind."""
    kinds = {}
    for i, (name, major, kwargs) in enumerate(CORES):
        crash = run_scenario(name, major, **kwargs)
        target = inbox / f"{i:02d}-{name}-node{major}.core"
        shutil.copyfile(crash.core_path, target)
        kinds[target.name] = "core"
    for i, (name, major, kwargs) in enumerate(REPORTS):
        crash = run_scenario(name, major, want_core=False, **kwargs)
        target = inbox / f"r{i:02d}-{name}-node{major}.json"
        shutil.copyfile(crash.reports[0], target)
        kinds[target.name] = "report"
    for name, major, kwargs in SNAPSHOTS:
        crash = run_scenario(name, major, want_core=False, **kwargs)
        target = inbox / f"{name}-node{major}.heapsnapshot"
        shutil.copyfile(crash.snapshots[0], target)
        kinds[target.name] = "snapshot"
    return kinds


def run(inbox: Path, out: Path, workers: int, kinds: dict[str, str], tree: Path = REPO) -> dict:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "triage", "batch", str(inbox), "--out", str(out),
                           "--workers", str(workers), "--progress", "none"],
                          capture_output=True, text=True, cwd=tree)
    wall = time.perf_counter() - start
    entries = [json.loads(line) for line in (out / "index.jsonl").read_text().splitlines()]
    done = [e for e in entries if e["status"] in ("ok", "failed")]
    by_kind: dict[str, list[float]] = {}
    for entry in done:
        by_kind.setdefault(kinds[entry["inputs"][0]], []).append(entry["worker_peak_rss_mb"])
    seconds = {k: [e["wall_seconds"] for e in done if kinds[e["inputs"][0]] == k] for k in by_kind}
    return {
        "tree": "this checkout" if tree == REPO else tree.name, "workers": workers,
        "exit_code": proc.returncode, "incidents": len(done),
        "ok": sum(e["status"] == "ok" for e in done), "wall_seconds": round(wall, 1),
        "incidents_per_minute": round(60 * len(done) / wall, 1),
        "peak_rss_mb": {k: {"max": max(v), "median": statistics.median(v)}
                        for k, v in sorted(by_kind.items())},
        "seconds_per_incident": {k: round(statistics.median(v), 2) for k, v in sorted(seconds.items())},
        "summary": proc.stdout.strip(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--keep", type=Path, help="keep the inbox and results here")
    parser.add_argument("--baseline", help="also run this commit's CLI (e.g. cfb4230) on the same inbox")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-batch-"))
    inbox = base / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    kinds = build_inbox(inbox)
    size = sum(p.stat().st_size for p in inbox.iterdir())
    print(f"inbox: {len(kinds)} incidents, {size / 2**20:.0f} MiB "
          f"({', '.join(f'{list(kinds.values()).count(k)} {k}s' for k in ('core', 'report', 'snapshot'))})")
    trees = [REPO] + ([baseline_tree(args.baseline)] if args.baseline else [])
    for tree in trees:  # both byte-compiled, as `pip install` leaves them
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "triage")], check=True,
                       stdout=subprocess.DEVNULL)
    for workers in args.workers:
        results = []
        for n, tree in enumerate(trees):
            out = base / f"results-{workers}-{n}"
            shutil.rmtree(out, ignore_errors=True)
            results.append(run(inbox, out, workers, kinds, tree))
            print(json.dumps(results[-1], indent=1), flush=True)
        if len(results) == 2 and results[1]["wall_seconds"]:
            print(f"{workers} worker(s): this checkout {results[0]['incidents_per_minute']}/min, "
                  f"{args.baseline} {results[1]['incidents_per_minute']}/min: "
                  f"{results[1]['wall_seconds'] / results[0]['wall_seconds']:.1f}x the throughput")
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
