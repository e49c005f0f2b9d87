"""Every isolate of a core, on real cores of Node processes with a running Worker
(dumps/scenarios/leak_worker.js: 1200 `MainLeak` in the main thread, 700 `WorkerLeak` in the
Worker). Each isolate's objects are reported under its own label and never mixed into the
other's; an isolate that is not read is stated in `capabilities` and on the first page."""

from __future__ import annotations

from functools import cache

import pytest

from dumps.crash import run_scenario
from tests.conftest import MAJORS, patch_core, run_triage


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


def test_the_workers_event_loop_is_read_with_its_isolate(major):
    """The idle Worker's loop, under its isolate's label: its setInterval keeps its own
    Environment's timer active and referenced, its parentPort is a MessagePort, nothing is
    pending; the capability names it among the loops read."""
    doc = summary(major)
    (loop,) = doc["event_loop"]["workers"]
    assert loop["isolate"] == "worker 1 leak_worker.js" and loop["problems"] == []
    assert loop["loop"] != doc["event_loop"]["loop"]
    timers = [h for h in loop["handles"] if h["type"] == "timer" and h["referenced"]]
    assert len(timers) == 1 and timers[0]["active"]
    assert "MessagePort" in {h["constructor"] for h in loop["handles"]}
    assert loop["requests"] == [] and loop["active_requests"] == 0
    assert doc["capabilities"]["event_loop"]["status"] == "full"
    assert "worker 1 leak_worker.js" in doc["capabilities"]["event_loop"]["reason"]


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


# --------------------------------------------------------------- object queries per isolate
def test_retainers_look_in_every_isolate_and_label_each_row(major):
    """`--retainers WorkerLeak` finds the Worker's objects (the default searches every
    isolate) and each target says the isolate it is in; `--isolate main` finds none."""
    doc = summary(major, "--retainers", "WorkerLeak", "--referrers", "MainLeak")
    worker = doc["isolates"]["isolates"][1]["label"]
    ret = doc["retainers"]
    assert ret["isolates"] == ["main", worker]
    assert ret["targets"] and {t["isolate"] for t in ret["targets"]} == {worker}
    assert all(t["reachable"] and t["node"]["type"] == "WorkerLeak" for t in ret["targets"])
    ref = doc["referrers"]
    assert ref["targets"] and {t["isolate"] for t in ref["targets"]} == {"main"}
    only_main = summary(major, "--retainers", "WorkerLeak", "--isolate", "main")["retainers"]
    assert only_main["isolates"] == ["main"] and only_main["targets"] == []


def test_answers_merged_from_isolates_follow_the_schema(major):
    """Merged --retainers/--referrers/--instances answers keep every field the section
    schemas require (a referrers answer's `limit`), also when only a Worker is asked."""
    from triage.schema import validate_summary

    for selector in ("all", "worker 1"):
        validate_summary(summary(major, "--retainers", "WorkerLeak", "--referrers", "MainLeak",
                                 "--instances", "WorkerLeak", "--isolate", selector))


def test_instances_and_inspect_of_a_worker_object_name_the_worker(major):
    doc = summary(major, "--instances", "WorkerLeak", "--limit", "3", "--isolate", "worker 1")
    inst = doc["objects"]["instances"]
    worker = doc["isolates"]["isolates"][1]["label"]
    assert [p["isolate"] for p in inst["isolates"]] == [worker]
    assert len(inst["addresses"]) == 3
    address = inst["addresses"][0]
    shown = summary(major, "--inspect", address)["objects"]["inspected"]
    assert shown[0]["isolate"] == worker and shown[0]["type"] == "WorkerLeak"
    main_addr = summary(major, "--instances", "MainLeak", "--limit", "1")["objects"]["instances"]
    shown = summary(major, "--inspect", main_addr["addresses"][0])["objects"]["inspected"]
    assert shown[0]["isolate"] == "main" and shown[0]["type"] == "MainLeak"


def test_single_answer_commands_take_the_isolate_selector(major):
    core = run_scenario("leak_worker", major).core_path
    text = run_triage("instances", core, "WorkerLeak", "--limit", "2")
    assert text.code == 0, text.stderr
    assert "[main] none" in text.stdout and "[worker 1 leak_worker.js] 0x" in text.stdout
    text = run_triage("retainers", core, "WorkerLeak", "--isolate", "main")
    assert text.code == 0, text.stderr
    assert "no object matched" in text.stdout
    text = run_triage("retainers", core, "WorkerLeak", "--isolate", "worker 1")
    assert text.code == 0, text.stderr
    assert "in worker 1 leak_worker.js" in text.stdout
    assert "[worker 1 leak_worker.js] WorkerLeak 0x" in text.stdout
    text = run_triage("referrers", core, "MainLeak", "--limit", "1", "--isolate", "main")
    assert text.code == 0, text.stderr
    assert "What points at it: MainLeak" in text.stdout and "(Array)[" in text.stdout
    bad = run_triage("retainers", core, "WorkerLeak", "--isolate", "worker 2")
    assert bad.code == 2 and "no such isolate" in bad.stderr and "Traceback" not in bad.stderr


# --------------------------------------------------------------- no isolate that is not one
def _plant_lookalike_page(copy, core, heap) -> int:
    """Write a chunk header that V8's page scan accepts into a malloc'ed stretch of the core
    at `copy`, whose Heap* points into its own chunk and whose would-be roots window is a copy
    of the real isolate's (so ~800-2,900 pointers into read-only pages): the shape of the
    one-page "isolates" seen in Node 18/20 cores. Returns the planted chunk's address."""
    import numpy as np

    lay, (w0, w1) = heap.facts.page, heap.facts.isolate_roots
    align, span = lay.chunk_alignment, 0x40000
    real = heap.isolate.heap_pointer
    stacks = [t.registers.get("rsp", 0) for t in core.threads]
    taken = [(p.address, p.area_end) for p in heap.pages + heap.other_isolate_pages]
    taken += [(real + w0, real + w1)]
    chunk = None
    for start, end, _ in core.data_segments_array().tolist():
        a = (start + align - 1) // align * align
        if a + span <= end and not any(a - 0x200000 <= s < end for s in stacks) \
                and not any(lo < a + span and a < hi for lo, hi in taken):
            chunk = a  # the last such stretch: thread arenas, far from the binary's data
    assert chunk is not None, "no malloc'ed stretch to plant a page in"
    fake_heap = chunk + 0x20000  # inside its own chunk: no real Heap lives there
    header, meta = np.zeros(8, "<u8"), np.zeros(12, "<u8")
    fields = header
    if lay.metadata_pointer is not None:  # V8 13: the fields are in separate metadata
        header[lay.metadata_pointer // 8] = chunk + 0x200
        meta[1] = chunk
        fields = meta
    elif lay.self_pointer is not None:
        header[lay.self_pointer // 8] = chunk
    fields[lay.heap // 8] = fake_heap
    fields[lay.area_start // 8] = chunk + 0x1000
    fields[lay.area_end // 8] = chunk + span
    if lay.size is not None:
        fields[lay.size // 8] = span
    patch_core(copy, core, chunk, header.tobytes())
    if lay.metadata_pointer is not None:
        patch_core(copy, core, chunk + 0x200, meta.tobytes())
    patch_core(copy, core, fake_heap + w0, bytes(core.read(real + w0, w1 - w0)))
    return chunk


def test_a_malloc_block_that_looks_like_a_page_is_not_an_isolate(major, tmp_path):
    """A core of a process without Workers has exactly one isolate, even where a malloc'ed
    block looks like a chunk header whose Heap* has a roots table of read-only pointers."""
    import shutil

    from triage.coredump import CoreFile, ElfFile
    from triage.v8 import V8Heap

    crash = run_scenario("heap_basic", major)
    copy = tmp_path / "core"
    shutil.copyfile(crash.core_path, copy)
    heap = V8Heap.open(CoreFile.open(copy), ElfFile(crash.node))
    assert [i.is_main for i in heap.isolates] == [True]
    chunk = _plant_lookalike_page(copy, heap.core, heap)
    planted = V8Heap.open(CoreFile.open(copy), ElfFile(crash.node))
    assert chunk in {p.address for p in planted._scan_pages()}  # the scan does take it
    assert [(i.heap_pointer, i.is_main) for i in planted.isolates] == [
        (heap.isolate.heap_pointer, True)]
    assert planted.problems == heap.problems


def test_a_worker_is_named_by_its_own_script_not_one_every_isolate_loads(major):
    """Both isolates load `shared-lib.js` (as every isolate loads a module preloaded with
    --require); the Workers are `render-worker.js` and eval code. The first script in
    memory named them: "worker 1 _snap.js" for an eval worker of a process run with
    `--require ./_snap.js`, and its `[worker eval]-wrapper` could come first too."""
    crash = run_scenario("worker_named_by_script", major)
    result = run_triage(crash.core_path, "--format", "json", "--no-llnode")
    assert result.code == 0, result.stderr
    names = sorted(e["label"].split(" ", 2)[2] for e in result.json["isolates"]["isolates"]
                   if e["role"] == "worker")
    assert names == ["[worker eval]", "render-worker.js"]
