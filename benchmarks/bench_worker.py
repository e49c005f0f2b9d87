"""Benchmark: `triage worker` (Celery + Redis) against `triage batch`, 1 and 2 workers, one inbox.

    python3 benchmarks/bench_worker.py [--set small|full] [--workers 1 2] [--keep DIR]

The inbox is bench_batch.py's (real crashes of Node 18-24, cached by dumps.crash): `full`
is all 20 incidents (8 cores, 8 reports, 4 snapshots), `small` 10 of them (4 cores, 4
reports, 2 snapshots). For each worker count it runs `triage batch --workers N` into a
fresh results directory, then starts a redis-server on 127.0.0.1 and N `triage worker`
processes (`--concurrency 1` each, as N machines would run), submits the inbox with
`triage submit` and waits for N index lines. Worker wall time runs from the submit to the
last index line (workers are started and connected before); batch wall time is the whole
command. Prints the load average around each run: on a shared machine the figures move
with it. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.bench_batch import build_inbox  # noqa: E402

SMALL = {"core": 4, "report": 4, "snapshot": 2}


def _trim(inbox: Path, kinds: dict[str, str]) -> dict[str, str]:
    """Keep the first few of each kind (the `small` set)."""
    kept: dict[str, str] = {}
    for name, kind in sorted(kinds.items()):
        if sum(k == kind for k in kept.values()) < SMALL[kind]:
            kept[name] = kind
        else:
            (inbox / name).unlink()
    return kept


def _entries(out: Path) -> list[dict]:
    path = out / "index.jsonl"
    if not path.exists():
        return []
    return [e for e in map(json.loads, path.read_text().splitlines()) if e["status"] in ("ok", "failed")]


def _figures(mode: str, workers: int, wall: float, done: list[dict], kinds: dict[str, str],
             load: tuple[float, float]) -> dict:
    seconds: dict[str, list[float]] = {}
    for entry in done:
        kind = kinds[entry["inputs"][0]]
        seconds.setdefault(kind, []).append(entry.get("wall_seconds") or entry["seconds"])
    return {"mode": mode, "workers": workers, "incidents": len(done),
            "ok": sum(e["status"] == "ok" for e in done),
            "wall_seconds": round(wall, 1), "incidents_per_minute": round(60 * len(done) / wall, 1),
            "median_seconds": {k: round(statistics.median(v), 2) for k, v in sorted(seconds.items())},
            "load_average_before_after": [round(x, 2) for x in load]}


def run_batch(inbox: Path, out: Path, workers: int, kinds: dict[str, str]) -> dict:
    before = os.getloadavg()[0]
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "triage", "batch", str(inbox), "--out", str(out), "--workers",
                    str(workers), "--progress", "none"], capture_output=True, text=True, cwd=REPO)
    wall = time.perf_counter() - start
    return _figures("batch", workers, wall, _entries(out), kinds, (before, os.getloadavg()[0]))


def run_workers(inbox: Path, out: Path, workers: int, kinds: dict[str, str], base: Path) -> dict:
    port = _free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", str(base)], stdout=subprocess.DEVNULL)
    broker = f"redis://127.0.0.1:{port}/0"
    procs = []
    try:
        time.sleep(0.5)
        for i in range(workers):
            log = base / f"worker-{workers}-{i}.log"
            with open(log, "wb") as f:
                procs.append(subprocess.Popen(
                    [sys.executable, "-m", "triage", "worker", "--broker", broker, "--out", str(out),
                     "--hostname", f"bench{i}@%h", "--concurrency", "1"], cwd=REPO, stdout=f,
                    stderr=subprocess.STDOUT))
            while b" ready." not in log.read_bytes():
                if procs[-1].poll() is not None:
                    raise SystemExit(log.read_text())
                time.sleep(0.1)
        before = os.getloadavg()[0]
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "triage", "submit", str(inbox), "--broker", broker],
                       capture_output=True, check=True, cwd=REPO)
        while len(_entries(out)) < len(kinds):
            time.sleep(0.1)
        wall = time.perf_counter() - start
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            proc.wait()
        redis.kill()
        redis.wait()
    return _figures("worker", workers, wall, _entries(out), kinds, (before, os.getloadavg()[0]))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["small", "full"], default="small")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--keep", type=Path, help="keep the inbox, results and logs here")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="bench-worker-"))
    inbox = base / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    kinds = build_inbox(inbox)
    if args.set == "small":
        kinds = _trim(inbox, kinds)
    size = sum(p.stat().st_size for p in inbox.iterdir())
    print(f"inbox: {len(kinds)} incidents, {size / 2**20:.0f} MiB "
          f"({', '.join(f'{list(kinds.values()).count(k)} {k}s' for k in ('core', 'report', 'snapshot'))}); "
          f"{os.cpu_count()} CPUs")
    rows = []
    for workers in args.workers:
        for mode in ("batch", "worker"):
            out = base / f"results-{mode}-{workers}"
            shutil.rmtree(out, ignore_errors=True)
            row = (run_batch(inbox, out, workers, kinds) if mode == "batch"
                   else run_workers(inbox, out, workers, kinds, base))
            print(json.dumps(row), flush=True)
            rows.append(row)
    print(f"\n{'mode':<8}{'workers':>8}{'wall s':>9}{'inc/min':>9}  median s per core / report / snapshot"
          f"   load before/after")
    for r in rows:
        med = r["median_seconds"]
        print(f"{r['mode']:<8}{r['workers']:>8}{r['wall_seconds']:>9}{r['incidents_per_minute']:>9}  "
              f"{med.get('core', '-')} / {med.get('report', '-')} / {med.get('snapshot', '-')}"
              f"{'':>20}{r['load_average_before_after']}")
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
