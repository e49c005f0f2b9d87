"""Worker threads' event loops read from a core (`event_loop.workers`), against the
diagnostic report the same process wrote just before it aborted
(dumps/scenarios/worker_handles.js: two Workers, one with a TCP server and a pending fs
request, one with an fs.watch). The report's `workers[i].libuv` is uv_walk over that
Worker's own loop, including the loop's address, so each of our Worker loops is matched to
the report's by that address and its handles and flags must be identical. Requests are not
in a report: they are checked against what the Worker left pending (an fs.open of a FIFO no
one writes).
"""

from __future__ import annotations

import json
import shutil
import struct
from functools import cache
from pathlib import Path

import pytest

from dumps.crash import run_scenario
from tests.conftest import MAJORS, patch_core, run_triage
from triage import node_internals as ni
from triage.coredump import CoreFile, ElfFile
from triage.loaders import event_loop as el

LABELS = ["worker 1 worker_handles.js", "worker 2 worker_handles.js"]


@cache
def crash(major: int):
    return run_scenario("worker_handles", major)


@cache
def summary(major: int) -> dict:
    result = run_triage(crash(major).core, "--format", "json")
    assert result.code == 0, result.stderr
    return result.json


def report_workers(major: int) -> dict[int, list[dict]]:
    """Each worker sub-report's libuv list, by its loop's address."""
    (report,) = crash(major).reports
    out = {}
    for worker in json.loads(Path(report).read_text())["workers"]:
        (loop,) = [h for h in worker["libuv"] if h["type"] == "loop"]
        out[int(loop["address"], 16)] = [h for h in worker["libuv"] if h["type"] != "loop"]
    return out


def worker_loop(major: int, kind: str) -> dict:
    """The Worker loop holding a handle of type `kind` (tcp: the server, fs_event: the watcher)."""
    (loop,) = [w for w in summary(major)["event_loop"]["workers"]
               if any(h["type"] == kind for h in w["handles"])]
    return loop


@pytest.mark.parametrize("major", MAJORS)
def test_the_isolates_are_the_main_thread_and_the_two_workers(major):
    """Three isolates, no more: a Node 18 core of this program once listed a fourth, a
    malloc'ed block that looked like a page of its own "worker 3"."""
    doc = summary(major)
    assert [e["label"] for e in doc["isolates"]["isolates"]] == ["main", *LABELS]
    assert doc["capabilities"]["isolates"]["status"] == "full"


@pytest.mark.parametrize("major", MAJORS)
def test_worker_loops_are_the_reports(major):
    """Each Worker's loop is one of the report's worker loops (by address), and its handles
    (address, type, active, referenced) are that sub-report's: both Workers, one each."""
    ours = summary(major)["event_loop"]["workers"]
    theirs = report_workers(major)
    assert sorted(int(w["loop"], 16) for w in ours) == sorted(theirs)
    for loop in ours:
        assert {(int(h["address"], 16), h["type"], h["active"], h["referenced"])
                for h in loop["handles"]} == {
            (int(h["address"], 16), h["type"], h["is_active"], h["is_referenced"])
            for h in theirs[int(loop["loop"], 16)]}
        assert loop["handles_complete"] is True and loop["problems"] == []


@pytest.mark.parametrize("major", MAJORS)
def test_worker_loops_name_their_wraps_and_requests(major):
    """The server Worker's TCP server and MessagePorts have their JS objects and its pending
    FSReqCallback (the blocked open) is listed, counted 1 by its loop; the watcher Worker
    has its FSEvent and no request; the main loop holds none of these."""
    doc = summary(major)
    server, watcher = worker_loop(major, "tcp"), worker_loop(major, "fs_event")
    assert sorted({h["constructor"] for h in server["handles"] if h["object"]}) == ["MessagePort", "TCP"]
    tcp = next(h for h in server["handles"] if h["type"] == "tcp")
    assert tcp["active"] and tcp["referenced"]
    assert tcp["endpoints"]["local"] == {"ip": "127.0.0.1", "port": 0, "path": None}
    assert [r["constructor"] for r in server["requests"]] == ["FSReqCallback"]
    assert server["active_requests"] == 1 and server["requests_note"] is None
    (event,) = [h for h in watcher["handles"] if h["type"] == "fs_event"]
    assert event["constructor"] == "FSEvent" and event["filename"] == "."
    assert watcher["requests"] == [] and watcher["active_requests"] == 0
    main = doc["event_loop"]
    assert main["isolate"] == "main" and main["requests"] == []
    assert not {h["type"] for h in main["handles"]} & {"tcp", "fs_event"}
    assert len({main["environment"], server["environment"], watcher["environment"]}) == 3


@pytest.mark.parametrize("major", MAJORS)
def test_worker_loops_labelled_like_their_isolates(major):
    """Labels are the `isolates` rows', in their order; the capability names both loops read."""
    doc = summary(major)
    rows = [e["label"] for e in doc["isolates"]["isolates"] if e["role"] == "worker"]
    assert rows == LABELS == [w["isolate"] for w in doc["event_loop"]["workers"]]
    cap = doc["capabilities"]["event_loop"]
    assert cap["status"] == "full"
    assert ("Worker loops read (found through each Worker's Environment): " + ", ".join(LABELS)
            in cap["reason"])


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
    """The first page and `triage handles` show each Worker's loop under its label."""
    server = worker_loop(24, "tcp")
    page = run_triage(crash(24).core)
    assert page.code == 0, page.stderr
    text = page.stdout[page.stdout.index("Event loop (from the core)"):]
    assert text.index("  main:") < text.index(f"  {LABELS[0]}:") < text.index(f"  {LABELS[1]}:")
    block = text[text.index(f"  {server['isolate']}:"):]
    assert "TCP 0x" in block and "127.0.0.1:0" in block
    assert "1 pending Node requests: FSReqCallback 0x" in block
    handles = run_triage("handles", crash(24).core)
    assert handles.code == 0, handles.stderr
    listed = handles.stdout[handles.stdout.index(f"  {server['isolate']}:"):]
    internal = sum(1 for h in server["handles"] if not h["object"])
    assert listed.split("pending Node requests")[0].count("(Node-internal)") == internal


def test_worker_loop_in_the_shell_and_markdown():
    shell = run_triage("shell", crash(26).core, "-c", "handles")
    assert shell.code == 0, shell.stderr
    assert all(f"  {label}:" in shell.stdout for label in LABELS)
    assert "TCP 0x" in shell.stdout and "FSEvent 0x" in shell.stdout
    md = run_triage(crash(26).core, "--format", "markdown")
    assert md.code == 0, md.stderr
    assert "#### worker 1 worker\\_handles.js" in md.stdout
    assert "- request `FSReqCallback` `0x" in md.stdout


def test_handles_for_one_isolate():
    """`handles --isolate worker N` shows that Worker's loop alone, under its label;
    `--isolate main` the main loop alone; a Worker the core does not have is exit 2."""
    server = worker_loop(22, "tcp")
    number = LABELS.index(server["isolate"]) + 1
    one = run_triage("handles", crash(22).core, "--isolate", f"worker {number}")
    assert one.code == 0, one.stderr
    other = LABELS[2 - number]
    assert f"  {server['isolate']}:" in one.stdout and "TCP 0x" in one.stdout
    assert other not in one.stdout and "  main:" not in one.stdout
    shell = run_triage("shell", crash(22).core, "-c", "handles --isolate main", "-c", "handles --isolate 3")
    assert shell.code == 2
    assert "worker_handles.js" not in shell.stdout and "Event loop (from the core)" in shell.stdout
    assert "--isolate worker 3: no such isolate here (this core has: main, worker 1, worker 2)" \
        in shell.stderr


# -- what could not be read --------------------------------------------------------------


def test_workers_over_the_isolate_limit_have_their_loops_unread():
    """`--max-isolates 1`: no Worker is walked, so neither is its loop; each entry says why
    and the capability is degraded, naming them."""
    result = run_triage(crash(22).core, "--max-isolates", "1", "--no-heap-graph", "--format", "json")
    assert result.code == 0, result.stderr
    rows = result.json["event_loop"]["workers"]
    assert [r["isolate"] for r in rows] == ["worker 1", "worker 2"]
    for row in rows:
        assert row["loop"] is None and row["handles"] == [] and row["requests"] is None
        assert "--max-isolates" in row["problems"][0]
    cap = result.json["capabilities"]["event_loop"]
    assert cap["status"] == "degraded"
    assert "worker 1: loop not read" in cap["reason"] and "worker 2: loop not read" in cap["reason"]


def test_worker_loop_with_a_damaged_handle_list_is_not_believed(tmp_path):
    """A Worker loop whose handle list leaves the core is no well-formed loop: not read, its
    entry and the capability say so; the other Worker's loop and the main loop still are."""
    c = crash(20)
    copy = tmp_path / "core"
    shutil.copy(c.core, copy)
    server, watcher = worker_loop(20, "tcp"), worker_loop(20, "fs_event")
    loop = int(server["loop"], 16)
    patch_core(copy, CoreFile.open(c.core), loop + ni.LOOP_HANDLE_QUEUE + ni.QUEUE_NEXT,
               struct.pack("<Q", 0xDEAD0000))
    result = run_triage(copy, "--no-heap-graph", "--format", "json")
    assert result.code == 0, result.stderr
    rows = {r["isolate"]: r for r in result.json["event_loop"]["workers"]}
    assert rows[server["isolate"]]["loop"] is None
    assert "gave no event loop" in rows[server["isolate"]]["problems"][0]
    assert rows[watcher["isolate"]]["loop"] == watcher["loop"]
    assert result.json["event_loop"]["handles"]  # the main loop is unharmed
    cap = result.json["capabilities"]["event_loop"]
    assert cap["status"] == "degraded" and f"{server['isolate']}: loop not read" in cap["reason"]
    assert f"Worker loops read (found through each Worker's Environment): {watcher['isolate']}" \
        in cap["reason"]


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
    worker, _ = event_loop_section(ev, ends, isolate=LABELS[0])
    redacted, counts = Redactor().redact_document({"event_loop": {**main, "workers": [worker]}})
    text = json.dumps(redacted)
    assert "AKIAIOSFODNN7EXAMPLE" not in text and "10.1.2.3" not in text
    assert counts["counts_by_source"] == {"network": 1, "path": 1}
    assert redacted["event_loop"]["workers"][0]["isolate"] == LABELS[0]
