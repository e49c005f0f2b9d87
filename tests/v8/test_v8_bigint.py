"""BigInts in a core, on dumps/scenarios/bigint_ledger.js (a Map of 100,000 BigInts of two
digits, with a GC'd heap snapshot of the same moment). V8 exports no BIGINT_TYPE: until
December 2026 a core showed them as `(system)` and scanned their digits as if they were
pointers. The type is placed between SYMBOL_TYPE and HEAP_NUMBER_TYPE (typenames.py)."""

from __future__ import annotations

from functools import cache

import pytest

from dumps.crash import run_scenario
from tests.conftest import MAJORS, run_triage


@cache
def rows(major: int) -> tuple[dict, dict]:
    """type -> histogram row, of the core and of the snapshot."""
    crash = run_scenario("bigint_ledger", major, env={"WRITE_SNAPSHOT": "1"})
    out = []
    for path in (crash.core_path, crash.snapshots[0]):
        result = run_triage(path, "--format", "json", "--no-llnode", "--top", "500")
        assert result.code == 0, result.stderr
        out.append({r["type"]: r for r in result.json["histogram"]})
    return out[0], out[1]


@pytest.mark.parametrize("major", MAJORS, ids=[f"node{m}" for m in MAJORS])
def test_bigints_are_their_own_type_as_in_a_snapshot(major):
    core, snap = rows(major)
    assert core["(bigint)"]["count"] >= 100_000
    # the ledger's 100,000 in both; Node's own few dozen BigInts are not the same from one
    # moment to the next (Node 24 once had 2 more in the snapshot, written just before)
    assert abs(core["(bigint)"]["count"] - snap["(bigint)"]["count"]) <= 64
    mean = {name: row["(bigint)"]["shallow_bytes"] / row["(bigint)"]["count"]
            for name, row in (("core", core), ("snapshot", snap))}
    assert abs(mean["core"] - mean["snapshot"]) < 0.5, mean


@pytest.mark.parametrize("major", MAJORS, ids=[f"node{m}" for m in MAJORS])
def test_a_bigint_retains_only_itself(major):
    core, snap = rows(major)
    # a BigInt holds nothing: what the type retains is its own bytes, in either input
    assert core["(bigint)"]["retained_bytes"] == core["(bigint)"]["shallow_bytes"]
    assert snap["(bigint)"]["retained_bytes"] == snap["(bigint)"]["shallow_bytes"]
