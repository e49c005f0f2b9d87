"""A heap snapshot written by a Worker thread is said to be that worker's heap (Node puts the
thread id in the default file name), never presented as the process's main heap."""

from __future__ import annotations

import pytest

from dumps.crash import run_scenario
from tests.conftest import MAJORS, run_triage


@pytest.mark.parametrize("major", MAJORS, ids=[f"node{m}" for m in MAJORS])
def test_worker_snapshot_is_labelled_as_the_workers(major):
    crash = run_scenario("snap_worker", major, want_core=False)
    [snapshot] = crash.snapshots
    result = run_triage(snapshot, "--format", "json", "--top", "500")
    assert result.code == 0, result.stderr
    doc = result.json
    assert any("written by Worker thread 1" in w for w in doc["warnings"])
    assert {r["type"]: r["count"] for r in doc["histogram"]}.get("WorkerItem") == 500
    assert "Worker thread 1" in doc["capabilities"]["suspects"]["reason"]
