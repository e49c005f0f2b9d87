"""Benchmark: `triage shell` query latency after one load, against reloading per query.

    python3 benchmarks/bench_shell_queries.py [--scenario abort] [--major 20] [--repeat 5]
    python3 benchmarks/bench_shell_queries.py --core PATH      # e.g. bench_core_graph's 1 GB core

Loads one core into a `Session` (as `triage shell` does) and times each query of the
shell (median of --repeat), next to what the same question cost before the session
existed: a whole `triage CORE --inspect ...` run (one, measured in a child process).
Target (issue 13): each query <= 0.5 s median after loading on the 1 GB-heap core.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dumps.crash import run_scenario  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scenario", default="abort")
    ap.add_argument("--major", type=int, default=20)
    ap.add_argument("--core")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-rerun", action="store_true", help="skip the whole-run comparison")
    args = ap.parse_args()
    core = Path(args.core) if args.core else run_scenario(args.scenario, args.major).core_path

    from triage.session import Session

    t0 = time.perf_counter()
    session = Session([core])
    load = time.perf_counter() - t0
    top, first = "Object", []
    for row in session.findings.histogram[:10]:  # the biggest type with a listable instance
        first = session.heap.instances(row["type"], limit=1) if session.heap else []
        if first:
            top = row["type"]
            break
    address = f"0x{first[0]:x}" if first else "0x0"
    queries = ["histogram", "suspects", f"instances {top} 20", f"inspect {address} -d 2",
               f"retainers {top}", "threads", "bt", "find node 20"]
    print(f"{core} loaded in {load:.2f} s")
    print(f"  {'query':<40}{'median s':>10}{'max s':>8}")
    for q in queries:
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            session.ask(q)
            times.append(time.perf_counter() - t)
        print(f"  {q[:40]:<40}{statistics.median(times):>10.3f}{max(times):>8.3f}")
    if args.no_rerun:
        return
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "triage", str(core), "--inspect", address, "--depth", "2",
                    "--format", "json"], cwd=REPO, check=True, capture_output=True)
    print(f"  the same inspect as a whole `triage CORE --inspect` run: {time.perf_counter() - t:.2f} s")


if __name__ == "__main__":
    main()
