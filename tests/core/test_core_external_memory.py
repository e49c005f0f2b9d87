"""External memory in the core heap graph, on real cores of
dumps/scenarios/buffer_slices.js: a Map `uploads` of 600 `UploadRecord`s, each with a 32-byte
`subarray` view of one of 200 Buffers of 256 KiB (three views per Buffer)."""

from __future__ import annotations

from functools import cache

import pytest

from dumps.crash import run_scenario
from tests.conftest import MAJORS, run_triage

BIG = 200 * 256 * 1024


@cache
def summary(major: int) -> dict:
    crash = run_scenario("buffer_slices", major)
    result = run_triage(crash.core_path, "--format", "json", "--no-llnode", "--top", "500")
    assert result.code == 0, result.stderr
    return result.json


@pytest.fixture(params=MAJORS, ids=[f"node{m}" for m in MAJORS])
def major(request: pytest.FixtureRequest) -> int:
    return request.param


def test_holder_of_small_views_is_ranked_by_the_buffers_it_keeps(major):
    doc = summary(major)
    lead = doc["suspects"][0]
    assert lead["type"] == "UploadRecord" and lead["count"] == 600
    point = lead["accumulation_point"]
    assert point["node"]["type"] == "Map" and point["holder"].endswith("uploads")
    assert BIG <= point["retained_bytes"] <= BIG * 1.05
    assert lead["score_bytes"] >= BIG


def test_backing_stores_are_nodes_counted_once(major):
    rows = {r["type"]: r for r in summary(major)["histogram"]}
    data = rows["system / JSArrayBufferData"]
    # 200 shared stores of 256 KiB plus Node's own few small ones, each counted once
    assert 200 <= data["count"] < 260
    assert BIG <= data["shallow_bytes"] <= BIG * 1.03


def test_memory_totals_split_js_heap_and_external_by_source(major):
    totals = summary(major)["memory"]["totals"]
    ext = next(t for t in totals if t["kind"] == "external" and t["source"] == "core")
    assert BIG <= ext["bytes"] <= BIG * 1.03
    js = next(t for t in totals if t["kind"] == "js_heap" and t["source"] == "core")
    assert 1 << 20 < js["bytes"] < 64 << 20 and "main" in js["detail"]
    native = next(t for t in totals if t["kind"] == "native")
    # glibc malloc's chunks in use, less the stores counted as external above
    assert native["source"] == "core" and native["bytes"] < BIG
