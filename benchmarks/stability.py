"""Stability check: do the heap-model tests pass, and do suspect names stay put, on FRESH cores?

    python benchmarks/stability.py --majors 20 26 --rounds 10 [--out stability.json]

A test run reuses the cores cached in ~/.cache/triage/crashes, so a test whose answer depends
on GC timing, address order or hash order passes or fails the same way every run: caching
hides flakiness (issue #10). Each round here points `TRIAGE_CACHE` at a scratch directory
whose `crashes/` is empty (the Node binaries and tools are symlinked from the real cache, which
is never written), so every scenario the tests ask for is run again and a new core (or
snapshot) is made. Per major and round it then

1. runs the heap-model test modules (`TESTS`) restricted to that major, against those cores,
   and records each test's outcome;
2. runs `triage --format json` on every core and snapshot the round made and records each
   suspect's pattern, accumulation point and holder (main isolate and workers).

The scratch directory is the same path every round, so a scenario's cache key (which includes
the Node binary's path) and its label are the same across rounds. At the end it prints, per
test, how many of N rounds passed, and every suspect whose holder, pattern, accumulation point
type or count differed between rounds. Results are appended to `--out` (JSON lines) after each
round, so an interrupted run keeps what it measured; `--report-only` prints from that file.

Not a test: each round makes ~25 cores per major (minutes on a shared machine).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dumps.crash import _cache_key  # noqa: E402
from dumps.nodes import cache_root, node_binary  # noqa: E402

# Test modules whose claims are about the heap model of the scenario cores: suspects, holder
# names, accumulation points, retainer paths, retained sizes (grep tests/ for `holder`).
TESTS = [
    "tests/core/test_core_suspects.py",  # leak_* cores: suspects, holders, paths
    "tests/v8/test_v8_graph_leaks.py",  # leak_* core graphs, leak_singleton x3, vs snapshot
    "tests/heap/test_heap_suspects.py",  # snap_* and leak_* snapshots: suspects, holders
    "tests/heap/test_heap_analyses.py",  # snap_* snapshots: module-level holder on the path
    "tests/core/test_core_isolates.py",  # leak_worker: main and worker suspects
    "tests/core/test_core_external_memory.py",  # buffer_slices: holder ranked by external memory
    "tests/v8/test_v8_external_vs_snapshot.py",  # buffer_slices core vs GC'd snapshot
    "tests/heap/test_heap_worker_snapshot.py",  # snap_worker: a worker's snapshot suspects
    "tests/bundle/test_bundle_oom.py",  # oom bundle: the first suspect and its holder
]

# (scenario, args, env, node_flags) the modules above ask for: only to label cache keys.
VARIANTS = [
    *[(s, (), None, ()) for s in ("leak_map", "leak_listeners", "leak_intervals", "leak_closure",
                                   "leak_singleton", "leak_promise_race", "leak_ssr_cache",
                                   "leak_weakmap_only", "leak_garbage", "leak_reactions",
                                   "leak_worker", "buffer_slices", "snap_cache", "snap_classes",
                                   "snap_growth", "snap_listeners", "snap_timers", "snap_worker")],
    *[(s, ("both",), None, ()) for s in ("leak_promise_race", "leak_ssr_cache")],
    *[(s, ("snapshot",), None, ()) for s in ("leak_promise_race", "leak_ssr_cache",
                                              "leak_weakmap_only")],
    *[("leak_singleton", (f"run-{r}",), None, ()) for r in (1, 2, 3)],
    ("buffer_slices", (), {"WRITE_SNAPSHOT": "1"}, ()),
    ("oom", (), None, ("--max-old-space-size=32", "--report-on-fatalerror",
                       "--heapsnapshot-near-heap-limit=1")),
]

SCRATCH = Path(tempfile.gettempdir()) / "triage-stability" / "cache"


def scratch_cache() -> Path:
    """An empty crash cache at a fixed path; Node binaries and tools linked from the real one."""
    real = cache_root()
    if SCRATCH.exists():
        shutil.rmtree(SCRATCH)
    SCRATCH.mkdir(parents=True)
    for sub in ("node", "tools"):
        if (real / sub).exists():
            (SCRATCH / sub).symlink_to(real / sub)
    return SCRATCH


def labels(major: int) -> dict[str, str]:
    """Cache-key hash -> readable `scenario args` for the known variants."""
    old = os.environ.get("TRIAGE_CACHE")
    os.environ["TRIAGE_CACHE"] = str(SCRATCH)
    try:
        node = node_binary(major)
        out = {}
        for name, args, env, flags in VARIANTS:
            script = REPO / "dumps" / "scenarios" / f"{name}.js"
            for want_core in (True, False):
                key = _cache_key(script, node, args, flags, env, want_core)
                extra = " ".join([*args, *(f"{k}={v}" for k, v in (env or {}).items())])
                out[key] = f"{name} {extra}".strip() + ("" if want_core else " (no core)")
        return out
    finally:
        if old is None:
            os.environ.pop("TRIAGE_CACHE", None)
        else:
            os.environ["TRIAGE_CACHE"] = old


def collect(major: int, files: list[str]) -> list[str]:
    """Node ids of the tests in `files` parametrized by this major."""
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p",
                           "no:cacheprovider", *files], cwd=REPO, capture_output=True, text=True)
    ids = []
    for line in proc.stdout.splitlines():
        m = re.match(r"^(\S+::\S+)\[(.*)\]$", line.strip())
        if m and ({str(major), f"node{major}"} & set(m[2].split("-"))):
            ids.append(line.strip())
    return ids


def run_tests(ids: list[str], env: dict[str, str], xml: Path, timeout: float) -> dict[str, str]:
    """test id -> passed | failed | error | skipped, from pytest's junit XML."""
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-n", "0", "-p", "no:cacheprovider",
                    "--junitxml", str(xml), *ids], cwd=REPO, env=env, capture_output=True,
                   text=True, timeout=timeout)
    out = {}
    for case in ET.parse(xml).getroot().iter("testcase"):
        module = case.get("classname", "").replace(".", "/")
        name = f"{module}.py::{case.get('name')}"
        status = "passed"
        for tag in ("failure", "error", "skipped"):
            child = case.find(tag)
            if child is not None:
                status = {"failure": "failed"}.get(tag, tag)
                out[name + " :: message"] = (child.get("message") or "")[:400]
        out[name] = status
    return out


def suspects_of(doc: dict) -> list[dict]:
    """(isolate, type, count, pattern, accumulation point type, holder) of every suspect."""
    rows = []
    parts = [("main", doc.get("suspects") or [])]
    for iso in (doc.get("isolates") or {}).get("isolates") or []:
        if iso.get("role") == "worker":
            parts.append((iso.get("label", "worker"), iso.get("suspects") or []))
    for label, suspects in parts:
        for rank, s in enumerate(suspects):
            point = s.get("accumulation_point") or {}
            rows.append({"isolate": label, "rank": rank, "type": s.get("type"),
                         "count": s.get("count"), "pattern": s.get("pattern"),
                         "point": (point.get("node") or {}).get("type"),
                         "holder": point.get("holder")})
    return rows


def artifacts(cache: Path, names: dict[str, str]) -> list[tuple[str, Path]]:
    out = []
    for manifest in sorted((cache / "crashes").glob("*/crash.json")):
        crash = json.loads(manifest.read_text())
        key = manifest.parent.name.rsplit("-", 1)[-1]
        label = names.get(key, f"{crash['scenario']} #{key[:6]}")
        if crash.get("core"):
            out.append((f"{label} [core]", Path(crash["core"])))
        for snap in crash.get("snapshots") or []:
            out.append((f"{label} [{Path(snap).name.split('.')[0]} snapshot]", Path(snap)))
    return out


def direct(cache: Path, names: dict[str, str], env: dict[str, str]) -> dict[str, list[dict]]:
    out = {}
    for label, path in artifacts(cache, names):
        if label.startswith("oom") and label.endswith("[core]"):
            continue  # the OOM core is read by the bundle test; its snapshot is compared here
        proc = subprocess.run([sys.executable, "-m", "triage", str(path), "--format", "json",
                               "--no-llnode"], cwd=REPO, env=env, capture_output=True, text=True,
                              timeout=600)
        if proc.returncode != 0:
            out[label] = [{"error": proc.stderr.strip()[-300:]}]
            continue
        out[label] = suspects_of(json.loads(proc.stdout))
    return out


def one_round(major: int, rnd: int, files: list[str], timeout: float) -> dict:
    cache = scratch_cache()
    env = {**os.environ, "TRIAGE_CACHE": str(cache)}
    ids = collect(major, files)
    t0 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        tests = run_tests(ids, env, Path(tmp) / "junit.xml", timeout)
    t1 = time.perf_counter()
    found = direct(cache, labels(major), env)
    t2 = time.perf_counter()
    shutil.rmtree(cache)
    return {"major": major, "round": rnd, "tests": tests, "suspects": found,
            "test_seconds": round(t1 - t0, 1), "direct_seconds": round(t2 - t1, 1)}


def report(rounds: list[dict]) -> None:
    by_major: dict[int, list[dict]] = defaultdict(list)
    for r in rounds:
        by_major[r["major"]].append(r)
    for major, rs in sorted(by_major.items()):
        n = len(rs)
        print(f"\n== Node {major}: {n} fresh round(s), "
              f"{sum(r['test_seconds'] + r['direct_seconds'] for r in rs) / 60:.1f} min")
        passed: dict[str, int] = defaultdict(int)
        seen: dict[str, int] = defaultdict(int)
        messages: dict[str, list[str]] = defaultdict(list)
        for r in rs:
            for test, status in r["tests"].items():
                if test.endswith(" :: message"):
                    messages[test.removesuffix(" :: message")].append(status)
                    continue
                seen[test] += 1
                passed[test] += status == "passed"
        bad = [t for t in sorted(seen) if passed[t] < seen[t]]
        print(f"tests: {len(seen)}; passed in every round: {len(seen) - len(bad)}")
        for t in bad:
            print(f"  {passed[t]}/{seen[t]}  {t}")
            for m in dict.fromkeys(messages[t]):
                print(f"         {m.splitlines()[0][:200] if m else ''}")
        # per module pass counts
        modules: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for t in seen:
            mod = t.split("::")[0]
            modules[mod][0] += passed[t]
            modules[mod][1] += seen[t]
        for mod, (p, s) in sorted(modules.items()):
            print(f"  {mod}: {p}/{s} test runs passed")
        diff_suspects(rs)


def diff_suspects(rs: list[dict]) -> None:
    """Print every (artifact, isolate, suspect type) whose name differs across rounds, or that
    is the first suspect in some rounds only; counts that vary (an OOM's) are listed apart."""
    table: dict[tuple, list] = defaultdict(list)
    present: dict[str, int] = defaultdict(int)
    errors = []
    for r in rs:
        for artifact, rows in r["suspects"].items():
            artifact = re.sub(r"^(\S+) #[0-9a-f]{6} ", r"\1 ", artifact)  # unlabelled variant
            present[artifact] += 1
            for row in rows:
                if "error" in row:
                    errors.append(f"  ERROR round {r['round']} {artifact}: {row['error']}")
                    continue
                sig = (row["pattern"], row["point"], row["holder"])
                table[(artifact, row["isolate"], row["type"])].append(
                    (r["round"], row["rank"], sig, row["count"]))
    print("\n".join(errors))
    differ = varies = 0
    for (artifact, isolate, kind), hits in sorted(table.items()):
        names = {h[2] for h in hits}
        first = len([h for h in hits if h[1] == 0])
        if len(names) > 1 or 0 < first < present[artifact]:
            differ += 1
            print(f"  DIFFERS {artifact} {isolate} {kind}: first suspect in {first}/"
                  f"{present[artifact]} rounds, a suspect in {len({h[0] for h in hits})}")
            for sig in sorted(names, key=str):
                rounds = sorted(h[0] for h in hits if h[2] == sig)
                print(f"      pattern={sig[0]} point={sig[1]} holder={sig[2]!r}  rounds {rounds}")
        elif first and len({h[3] for h in hits}) > 1:
            varies += 1
            print(f"  count varies (name stable) {artifact} {isolate} {kind}: "
                  f"{sorted({h[3] for h in hits})}")
    print(f"suspects compared directly: {len(present)} artifacts x {len(rs)} rounds; "
          f"{differ} (artifact, suspect) whose holder/pattern/point or first place differs; "
          f"{len(errors)} unreadable; {varies} first suspects whose count varies")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--majors", type=int, nargs="+", default=[20, 26])
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--files", nargs="+", default=TESTS)
    ap.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "stability.jsonl")
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per pytest run")
    ap.add_argument("--plan", type=lambda t: [int(m) for m in t.split(",")],
                    help="majors in the order to run one round each, e.g. 20,26,20,26,18,22,24 "
                         "(instead of --rounds x --majors); rounds already in --out count")
    ap.add_argument("--report-only", action="store_true")
    a = ap.parse_args()
    done = [json.loads(line) for line in a.out.read_text().splitlines() if line.strip()] \
        if a.out.exists() else []
    plan = a.plan or [m for _ in range(a.rounds) for m in a.majors]
    if a.plan:
        a.majors = sorted(set(a.majors) | set(a.plan))
    if not a.report_only:
        for major in plan:
            rnd = 1 + sum(1 for r in done if r["major"] == major)
            result = one_round(major, rnd, a.files, a.timeout)
            done.append(result)
            with a.out.open("a") as fh:
                fh.write(json.dumps(result) + "\n")
            tests = {t: s for t, s in result["tests"].items() if not t.endswith(" :: message")}
            failed = [t for t, s in tests.items() if s != "passed"]
            print(f"round {rnd} node {major}: {len(tests)} tests, "
                  f"{len(failed)} not passed, {result['test_seconds']} s tests + "
                  f"{result['direct_seconds']} s direct", flush=True)
    rounds = [json.loads(line) for line in a.out.read_text().splitlines() if line.strip()]
    rounds = [r for r in rounds if r["major"] in a.majors]
    report(rounds)


if __name__ == "__main__":
    main()
