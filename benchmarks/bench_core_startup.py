"""Benchmark: `triage core` on an abort core, against the previous release and `lldb bt all`.

    python3 benchmarks/bench_core_startup.py [--majors 20 22 24 26] [--runs 3] [--peer-runs 3]
                                             [--baseline cfb4230]

For each Node major, the `abort` scenario's core (made once, cached by dumps.crash) is
given to three tools, each in its own process, side by side in one run:
  * this checkout: `python -m triage CORE --format json`
  * the baseline release (a git worktree of --baseline, default cfb4230, same venv),
    with its defaults (lldb unwinding, llnode cross-check)
  * `lldb-19 --batch -c CORE -o 'bt all'` with the same node binary
Figures: median wall seconds, median CPU seconds (user+sys, which a busy shared machine
does not inflate the way it inflates wall time), peak RSS (wait4), and the JS heap size
triage read (for the memory bound 300 MB + 3x heap). One untimed run of each tool warms
the page cache, numba's kernel cache and triage's symbol cache; a separate run with an
empty symbol cache shows the cost of the first run on a new node build (its RSS is the peak
sum over triage and the lldb child it starts for symbols, sampled from /proc). It prints
whether this checkout's kernels are built ahead of time (`python -m triage.compiled
build`, which setup.sh runs; stale after any source edit). Both trees are
byte-compiled first (`compileall`, as `pip install` does): with PYTHONDONTWRITEBYTECODE set,
as on the project machine, every run would otherwise compile ~80 modules from source.
Targets (issue 13): median wall <= 2 s, >= 5x faster than the baseline, >= 10x faster
than lldb bt all; peak RSS <= 300 MB + 3x the JS heap.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from measure import TreeRss, baseline_tree  # noqa: E402

from dumps.crash import run_scenario  # noqa: E402
from dumps.nodes import node_binary  # noqa: E402


def measured(cmd: list[str], cwd: Path, env: dict | None = None,
             tree: bool = False) -> tuple[float, float, int, str]:
    """(wall s, cpu s, peak RSS MiB, stdout) of one child process; raises if it fails. The
    peak is wait4's (the larger of the process and its children), or with `tree` the peak
    sum over the process tree."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, env={**os.environ, **(env or {})})
    sampler = TreeRss(proc.pid) if tree else None
    out = proc.stdout.read() if proc.stdout else ""
    summed = sampler.stop() if sampler else 0
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} failed ({code})")
    return wall, usage.ru_utime + usage.ru_stime, max(summed, usage.ru_maxrss // 1024), out


def series(cmd: list[str], cwd: Path, runs: int, env: dict | None = None) -> dict:
    measured(cmd, cwd, env)  # warm-up, untimed
    rows = [measured(cmd, cwd, env) for _ in range(runs)]
    return {"wall": statistics.median(r[0] for r in rows), "cpu": statistics.median(r[1] for r in rows),
            "rss": max(r[2] for r in rows), "out": rows[-1][3], "runs": runs}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--majors", type=int, nargs="+", default=[20, 22, 24, 26])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--peer-runs", type=int, default=3)
    ap.add_argument("--baseline", default="cfb4230")
    args = ap.parse_args()
    python = sys.executable
    old = baseline_tree(args.baseline)
    for tree in (REPO, old):
        subprocess.run([python, "-m", "compileall", "-q", str(tree / "triage")], check=True,
                       stdout=subprocess.DEVNULL)
    print(f"machine load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    kernels = subprocess.run([python, "-m", "triage.compiled", "check"], cwd=REPO,
                             capture_output=True, text=True).stdout.strip()
    print(f"this checkout's {kernels} (missing or stale: numba's JIT, ~0.6 s more per run)")
    for major in args.majors:
        crash = run_scenario("abort", major)
        core = str(crash.core_path)
        size = Path(core).stat().st_size >> 20
        ours = series([python, "-m", "triage", core, "--format", "json"], REPO, args.runs)
        heap_mib = json.loads(ours["out"]).get("heap", {}).get("total_bytes", 0) / (1 << 20)
        with tempfile.TemporaryDirectory() as empty:
            cold = measured([python, "-m", "triage", core, "--format", "json"], REPO,
                            {"TRIAGE_SYMBOL_CACHE": empty}, tree=True)
        before = series([python, "-m", "triage", core, "--format", "json"], old, args.peer_runs)
        lldb = series(["lldb-19", "--batch", "-o", "bt all", str(node_binary(major)), "-c", core],
                      REPO, args.peer_runs)
        bound = 300 + 3 * heap_mib
        print(f"\nNode {major} abort core, {size} MiB, JS heap {heap_mib:.1f} MiB")
        print(f"  {'tool':<34}{'wall s':>8}{'cpu s':>8}{'RSS MiB':>9}")
        first = {"wall": cold[0], "cpu": cold[1], "rss": cold[2]}
        for name, r in ((f"triage (this checkout, x{ours['runs']})", ours),
                        ("triage, empty symbol cache (x1)*", first),
                        (f"triage {args.baseline} (x{before['runs']})", before),
                        (f"lldb-19 bt all (x{lldb['runs']})", lldb)):
            print(f"  {name:<34}{r['wall']:>8.2f}{r['cpu']:>8.2f}{r['rss']:>9}")
        print("  * its RSS: the peak sum over triage and the lldb child it runs for symbols")
        print(f"  speed-up vs {args.baseline}: wall {before['wall'] / ours['wall']:.1f}x, "
              f"cpu {before['cpu'] / ours['cpu']:.1f}x; vs lldb bt all: wall "
              f"{lldb['wall'] / ours['wall']:.1f}x, cpu {lldb['cpu'] / ours['cpu']:.1f}x")
        print(f"  targets: wall <= 2 s: {'met' if ours['wall'] <= 2 else 'NOT met'}; "
              f"RSS {ours['rss']} <= {bound:.0f} MiB: {'met' if ours['rss'] <= bound else 'NOT met'}")


if __name__ == "__main__":
    main()
