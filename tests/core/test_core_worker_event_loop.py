"""Worker threads' event loops read from a core (`event_loop.workers`), against the
diagnostic report the same process wrote just before it aborted
(dumps/scenarios/worker_handles.js): the report's `workers[0].libuv` is uv_walk over the
Worker's own loop, including the loop's address, so handles, flags and the loop must be
identical. Requests are not in a report: they are checked against what the Worker left
pending (an fs.open of a FIFO no one writes).
"""

from __future__ import annotations

import json
import shutil
import struct
from functools import cache
from pathlib import Path

import pytest

from dumps.crash import run_scenario
from tests.conftest import MAJORS, run_triage
from triage import node_internals as ni
from triage.coredump import CoreFile, ElfFile
from triage.coredump.elf import PT_LOAD
from triage.loaders import event_loop as el

LABEL = "worker 1 worker_handles.js"


@cache
def crash(major: int):
    return run_scenario("worker_handles", major)


@cache
def summary(major: int) -> dict:
    result = run_triage(crash(major).core, "--format", "json")
    assert result.code == 0, result.stderr
    return result.json


def report_worker(major: int) -> dict:
    (report,) = crash(major).reports
    (worker,) = json.loads(Path(report).read_text())["workers"]
    return worker


def worker_loop(major: int) -> dict:
    (loop,) = summary(major)["event_loop"]["workers"]
    return loop


@pytest.mark.parametrize("major", MAJORS)
def test_worker_loop_is_the_reports(major):
    """The Worker's loop (its address is in the report's `loop` row) and its handles
    (address, type, active, referenced) are those of the report's worker sub-report."""
    ours = worker_loop(major)
    theirs = report_worker(major)["libuv"]
    (report_loop,) = [h for h in theirs if h["type"] == "loop"]
    assert int(ours["loop"], 16) == int(report_loop["address"], 16)
    assert {(int(h["address"], 16), h["type"], h["active"], h["referenced"])
            for h in ours["handles"]} == {
        (int(h["address"], 16), h["type"], h["is_active"], h["is_referenced"])
        for h in theirs if h["type"] != "loop"}
    assert ours["handles_complete"] is True and ours["problems"] == []


@pytest.mark.parametrize("major", MAJORS)
def test_worker_loop_names_its_wraps_and_requests(major):
    """The Worker's TCP server and MessagePorts have their JS objects; its pending
    FSReqCallback (the blocked open) is listed, and libuv's count of the Worker's loop is 1;
    the main loop holds neither (no TCP, no request)."""
    doc = summary(major)
    ours = worker_loop(major)
    wrapped = sorted({h["constructor"] for h in ours["handles"] if h["object"]})
    assert wrapped == ["MessagePort", "TCP"]
    tcp = next(h for h in ours["handles"] if h["type"] == "tcp")
    assert tcp["active"] and tcp["referenced"]
    assert tcp["endpoints"]["local"] == {"ip": "127.0.0.1", "port": 0, "path": None}
    assert [r["constructor"] for r in ours["requests"]] == ["FSReqCallback"]
    assert ours["active_requests"] == 1 and ours["requests_note"] is None
    main = doc["event_loop"]
    assert main["isolate"] == "main"
    assert all(h["type"] != "tcp" for h in main["handles"]) and main["requests"] == []
    assert ours["environment"] != main["environment"] and ours["loop"] != main["loop"]


@pytest.mark.parametrize("major", MAJORS)
def test_worker_loop_labelled_like_its_isolate(major):
    """Its label is the `isolates` row's; the capability names the loops read, in full."""
    doc = summary(major)
    rows = [e["label"] for e in doc["isolates"]["isolates"] if e["role"] == "worker"]
    assert rows == [LABEL] and worker_loop(major)["isolate"] == LABEL
    cap = doc["capabilities"]["event_loop"]
    assert cap["status"] == "full"
    assert f"Worker loops read (found through each Worker's Environment): {LABEL}" in cap["reason"]


@pytest.mark.parametrize("major", MAJORS)
def test_worker_event_loop_follows_its_schema(major):
    from triage.schema import validate_summary

    validate_summary(summary(major))


@pytest.mark.parametrize("major", MAJORS)
def test_environment_loop_finds_the_default_loop_for_the_main_thread(major):
    """The way a Worker's loop is found, applied to the main thread's Environment, gives
    libuv's default loop, which the main thread's reading takes from the symbol table."""
    from triage.v8 import V8Heap

    c = crash(major)
    core, binary = CoreFile.open(c.core), ElfFile(c.node)
    heap = V8Heap.open(core, binary)
    mem = el._Mem(core)
    offsets = el._nodedbg(mem, binary.symbols(), 0)
    (env,) = el._environments_from_contexts(mem, offsets, heap)
    assert el.environment_loop(mem, env) == (binary.symbols()[ni.DEFAULT_LOOP_SYMBOL].value, "")


def test_worker_loop_on_the_text_page_and_in_handles():
    """The first page and `triage handles` show the Worker's loop under its label."""
    page = run_triage(crash(24).core)
    assert page.code == 0, page.stderr
    text = page.stdout[page.stdout.index("Event loop (from the core)"):]
    assert text.index("  main:") < text.index(f"  {LABEL}:")
    worker = text[text.index(f"  {LABEL}:"):]
    assert "TCP 0x" in worker and "127.0.0.1:0" in worker
    assert "1 pending Node requests: FSReqCallback 0x" in worker
    handles = run_triage("handles", crash(24).core)
    assert handles.code == 0, handles.stderr
    listed = handles.stdout[handles.stdout.index(f"  {LABEL}:"):]
    assert listed.count("(Node-internal)") == 8 and "FSReqCallback 0x" in listed


def test_worker_loop_in_the_shell_and_markdown():
    shell = run_triage("shell", crash(26).core, "-c", "handles")
    assert shell.code == 0, shell.stderr
    assert f"  {LABEL}:" in shell.stdout and "TCP 0x" in shell.stdout
    md = run_triage(crash(26).core, "--format", "markdown")
    assert md.code == 0, md.stderr
    assert "#### worker 1 worker\\_handles.js" in md.stdout
    assert "- request `FSReqCallback` `0x" in md.stdout


# -- what could not be read --------------------------------------------------------------


def test_worker_over_the_isolate_limit_has_its_loop_unread():
    """`--max-isolates 1`: the Worker is not walked, so neither is its loop; its entry says
    why and the capability is degraded, naming it."""
    result = run_triage(crash(22).core, "--max-isolates", "1", "--no-heap-graph", "--format", "json")
    assert result.code == 0, result.stderr
    (row,) = result.json["event_loop"]["workers"]
    assert row["isolate"] == "worker 1" and row["loop"] is None and row["handles"] == []
    assert row["requests"] is None and "--max-isolates" in row["problems"][0]
    cap = result.json["capabilities"]["event_loop"]
    assert cap["status"] == "degraded" and "worker 1: loop not read" in cap["reason"]


def _patch(path: Path, core: CoreFile, addr: int, value: int) -> None:
    seg = next(s for s in core.elf.segments
               if s.type == PT_LOAD and s.vaddr <= addr < s.vaddr + s.filesz)
    with open(path, "r+b") as f:
        f.seek(seg.offset + addr - seg.vaddr)
        f.write(struct.pack("<Q", value))


def test_worker_loop_with_a_damaged_handle_list_is_not_believed(tmp_path):
    """The Worker's loop whose handle list leaves the core is no well-formed loop: not read,
    the Worker's entry and the capability say so, and the main loop is still read."""
    c = crash(20)
    copy = tmp_path / "core"
    shutil.copy(c.core, copy)
    loop = int(worker_loop(20)["loop"], 16)
    _patch(copy, CoreFile.open(c.core), loop + ni.LOOP_HANDLE_QUEUE + ni.QUEUE_NEXT, 0xDEAD0000)
    result = run_triage(copy, "--no-heap-graph", "--format", "json")
    assert result.code == 0, result.stderr
    (row,) = result.json["event_loop"]["workers"]
    assert row["loop"] is None and "gave no event loop" in row["problems"][0]
    assert result.json["event_loop"]["handles"]  # the main loop is unharmed
    cap = result.json["capabilities"]["event_loop"]
    assert cap["status"] == "degraded" and f"{LABEL}: loop not read" in cap["reason"]


def test_without_a_worker_the_capability_says_so():
    """A process without Workers: full, and the capability says no Worker isolate was found."""
    result = run_triage(run_scenario("abort", 22).core, "--no-heap-graph", "--format", "json")
    assert result.code == 0, result.stderr
    assert result.json["event_loop"]["workers"] == []
    cap = result.json["capabilities"]["event_loop"]
    assert cap["status"] == "full" and "the core holds no Worker isolate" in cap["reason"]


def test_workers_not_looked_for_is_degraded():
    """When Workers cannot be looked for (no V8 heap, no isolate recognised) the capability
    is never full, and says why."""
    from triage.analyses.event_loop import loops_capability
    from triage.crashmodel import Capability

    main = Capability("full", "handles from libuv's loop", engine="triage.node")
    cap = loops_capability(main, None, "each is found through its Worker's V8 heap, which was not read")
    assert cap.status == "degraded"
    assert "Worker threads' loops were not read (each is found through" in cap.reason


def test_worker_loop_strings_pass_redaction():
    """A Worker's fs.watch path and socket addresses are redacted like the main loop's."""
    from triage.analyses.event_loop import event_loop_section
    from triage.loaders.event_loop import EventLoop, LoopHandle
    from triage.redaction import Redactor

    ev = EventLoop(loop=0x1000, active_handles=2, active_requests=0, handles_complete=True, requests=[],
                   handles=[LoopHandle(0x10, "fs_event", True, True, False, False, 0x20, 0x31, "FSEvent",
                                       path="/srv/keys/AKIAIOSFODNN7EXAMPLE"),
                            LoopHandle(0x40, "tcp", True, True, False, False, 0x50, 0x61, "TCP")])
    ends = {0x61: {"local": {"ip": "10.1.2.3", "port": 8443, "path": None}, "remote": None,
                   "from": "test"}}
    main, _ = event_loop_section(EventLoop(loop=0x2000, handles_complete=True, requests=[]))
    worker, _ = event_loop_section(ev, ends, isolate=LABEL)
    redacted, counts = Redactor().redact_document({"event_loop": {**main, "workers": [worker]}})
    text = json.dumps(redacted)
    assert "AKIAIOSFODNN7EXAMPLE" not in text and "10.1.2.3" not in text
    assert counts["counts_by_source"] == {"network": 1, "path": 1}
    assert redacted["event_loop"]["workers"][0]["isolate"] == LABEL
