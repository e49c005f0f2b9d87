"""Every isolate of a core, on real cores of Node processes with a running Worker
(dumps/scenarios/leak_worker.js: 1200 `MainLeak` in the main thread, 700 `WorkerLeak` in the
Worker). Each isolate's objects are reported under its own label and never mixed into the
other's; an isolate that is not read is stated in `capabilities` and on the first page."""

from __future__ import annotations

from functools import cache

import pytest

from dumps.crash import run_scenario
from tests.conftest import MAJORS, run_triage


@cache
def summary(major: int, *extra: str) -> dict:
    crash = run_scenario("leak_worker", major)
    result = run_triage(crash.core_path, "--format", "json", "--no-llnode", "--top", "500", *extra)
    assert result.code == 0, result.stderr
    return result.json


def counts(rows: list[dict]) -> dict[str, int]:
    return {r["type"]: r["count"] for r in rows}


@pytest.fixture(params=MAJORS, ids=[f"node{m}" for m in MAJORS])
def major(request: pytest.FixtureRequest) -> int:
    return request.param


def test_main_and_worker_isolates_each_hold_their_own_leak(major):
    doc = summary(major)
    entries = doc["isolates"]["isolates"]
    assert [e["role"] for e in entries] == ["main", "worker"]
    main, worker = entries
    assert main["label"] == "main" and main["in_top_level"]
    assert main["tid"] == doc["process"]["pid"]
    assert worker["label"] == "worker 1 leak_worker.js"
    assert worker["tid"] != main["tid"] and worker["thread_name"] == "Worker thread"
    top = counts(doc["histogram"])
    assert top.get("MainLeak") == 1200 and "WorkerLeak" not in top
    own = counts(worker["histogram"])
    assert own.get("WorkerLeak") == 700 and "MainLeak" not in own
    assert [s["type"] for s in doc["suspects"]][:1] == ["MainLeak"]
    assert [s["type"] for s in worker["suspects"]][:1] == ["WorkerLeak"]
    assert all("WorkerLeak" not in s["type"] for s in doc["suspects"])
    assert doc["capabilities"]["isolates"]["status"] == "full"
    assert "main isolate only" in doc["capabilities"]["histogram"]["reason"]


def test_an_isolate_not_walked_is_not_full_and_on_the_first_page(major):
    doc = summary(major, "--max-isolates", "1")
    cap = doc["capabilities"]["isolates"]
    assert cap["status"] == "degraded" and "worker 1" in cap["reason"]
    worker = doc["isolates"]["isolates"][1]
    assert worker["status"] == "unavailable" and "--max-isolates" in worker["reason"]
    assert "WorkerLeak" not in counts(doc["histogram"])
    text = run_triage(run_scenario("leak_worker", major).core_path, "--no-llnode",
                      "--max-isolates", "1", "--no-heap-graph")
    assert text.code == 0, text.stderr
    first_page = text.stdout.split("JavaScript stack")[0]
    assert "NOT FULLY READ: worker 1 unavailable" in first_page
