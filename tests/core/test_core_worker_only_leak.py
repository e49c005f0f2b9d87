"""A leak that lives only in a Worker, on real cores of every major
(dumps/scenarios/leak_only_in_worker.js: 400 Buffers of 64 KiB in the Worker's `chunks`, the
main thread clean). The Worker's suspect is its own, weighed with the memory outside the JS
heap, and the first page says it exists before anything else: until December 2026 the page
showed no leak suspect above the histogram, the Worker's being in a later section."""

from __future__ import annotations

import pytest

from dumps.crash import run_scenario
from tests.conftest import MAJORS, run_triage
from tests.core.conftest import core_summary

WORKER = "worker 1 leak_only_in_worker.js"


@pytest.mark.parametrize("major", MAJORS)
def test_the_workers_buffers_are_its_suspect_weighed_with_their_memory(major):
    doc = core_summary("leak_only_in_worker", major)
    (worker,) = [e for e in doc["isolates"]["isolates"] if not e["in_top_level"]]
    suspect = worker["suspects"][0]
    assert (worker["label"], suspect["type"]) == (WORKER, "Buffer")
    assert suspect["accumulation_point"]["holder"] == "chunks"
    assert suspect["accumulation_point"]["retained_bytes"] >= 400 * 65536
    assert all(s["type"] != "Buffer" for s in doc["suspects"])


@pytest.mark.parametrize("major", MAJORS)
def test_the_first_lines_of_the_page_name_the_workers_suspect(major):
    result = run_triage(run_scenario("leak_only_in_worker", major).core_path, "--no-llnode")
    assert result.code == 0, result.stderr
    page = result.stdout
    head = page.split("JavaScript stack", 1)[0]
    assert f"{WORKER} (1 leak suspect, first: Buffer" in head
    suspects = page.split("Leak suspects (most suspect first)", 1)[1].split("\n\n", 1)[0]
    assert f"none in the main isolate; {WORKER}: 1 (under Other isolates below)" in suspects
