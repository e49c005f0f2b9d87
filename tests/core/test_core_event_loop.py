"""The event loop read from a core (`event_loop` section) against the diagnostic report
that the same process wrote just before it aborted (dumps/scenarios/handles_requests.js).

The report's `libuv` list is uv_walk over the same loop, so the handle addresses, types
and ACTIVE/REF flags must be identical; requests are not in a report, so they are checked
against what the scenario left pending.
"""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
from functools import cache
from pathlib import Path

import pytest

from dumps.crash import run_scenario
from tests.conftest import MAJORS, patch_core, run_triage
from triage import node_internals as ni
from triage.coredump import CoreFile, ElfFile
from triage.loaders.event_loop import read_event_loop


@cache
def crash(major: int):
    return run_scenario("handles_requests", major)


@cache
def summary(major: int) -> dict:
    c = crash(major)
    (report,) = c.reports
    result = run_triage(c.core, report, "--instances", "TCP", "--format", "json")
    assert result.code == 0, result.stderr
    return result.json


def report_handles(major: int) -> list[dict]:
    (report,) = crash(major).reports
    return [h for h in json.loads(Path(report).read_text())["libuv"] if h["type"] != "loop"]


@pytest.mark.parametrize("major", MAJORS)
def test_core_handles_are_the_reports(major):
    """Same handles (address, type, active, referenced) as the report's uv_walk."""
    doc = summary(major)
    ours = {(int(h["address"], 16), h["type"], h["active"], h["referenced"])
            for h in doc["event_loop"]["handles"]}
    theirs = {(int(h["address"], 16), h["type"], h["is_active"], h["is_referenced"])
              for h in report_handles(major)}
    assert ours == theirs
    assert doc["event_loop"]["handles_complete"] is True


@pytest.mark.parametrize("major", MAJORS)
def test_core_handles_name_their_js_objects(major):
    """Each wrap the scenario made has its JS object, whose constructor names it; the TCP
    objects are ones `--instances TCP` finds in the heap (both untagged, as every output)."""
    doc = summary(major)
    wrapped = [h for h in doc["event_loop"]["handles"] if h["object"]]
    assert sorted((h["type"], h["constructor"]) for h in wrapped) == [
        ("fs_event", "FSEvent"), ("pipe", "Pipe"), ("signal", "Signal"),
        ("tcp", "TCP"), ("tcp", "TCP"), ("tcp", "TCP")]  # server, client, accepted socket
    by_type = {h["type"]: h for h in wrapped}
    assert by_type["signal"]["signal"] == 12  # SIGUSR2, as the report says
    assert by_type["fs_event"]["filename"] == "."
    listed = {int(a, 16) for a in doc["objects"]["instances"]["addresses"]}
    assert all(int(h["object"], 16) in listed for h in wrapped if h["type"] == "tcp")
    report_signal = next(h for h in report_handles(major) if h["type"] == "signal")
    assert report_signal["signum"] == 12
    # Node's one uv_timer for every JS timer, its check/idle/async handles: no JS object
    timer = next(h for h in doc["event_loop"]["handles"] if h["type"] == "timer")
    assert timer["object"] is None and timer["active"] and timer["referenced"]


@pytest.mark.parametrize("major", MAJORS)
def test_core_tcp_endpoints_where_the_heap_has_them(major):
    """The server's listen address (what listen() was given: port 0, the chosen port is only
    in the kernel) and the client's cached peer address equal the report's endpoints of the
    same handles, and pass redaction the same way; the accepted socket cached nothing."""
    doc = summary(major)
    report = {int(h["address"], 16): h for h in report_handles(major)}
    tcp = [h for h in doc["event_loop"]["handles"] if h["type"] == "tcp"]
    server = next(h for h in tcp if h["endpoints"] and "listen" in h["endpoints"]["from"])
    client = next(h for h in tcp if h["endpoints"] and h["endpoints"]["remote"])
    accepted = [h for h in tcp if h not in (server, client)]
    assert server["endpoints"]["local"]["port"] == 0
    assert report[int(server["address"], 16)]["remoteEndpoint"] is None
    listening = next(e for e in doc["report"]["handles"]["endpoints"] if e["role"] == "listening")
    if major > 18:  # Node 18's report names hosts, no ips
        assert server["endpoints"]["local"]["ip"] == listening["local_endpoint"]["ip"]
    theirs = report[int(client["address"], 16)]["remoteEndpoint"]
    assert client["endpoints"]["remote"]["port"] == theirs["port"]
    assert client["endpoints"]["remote"]["ip"] == "127.0.0.1"
    assert [h["endpoints"] for h in accepted] == [None]


@pytest.mark.parametrize("major", MAJORS)
def test_core_pending_requests(major):
    """Node's request list: the client's TCPConnectWrap (its callback is running), fs.stat's
    FSReqCallback and, up to Node 24, fs.readFile's; Node 26 runs readFile as a ReadFileJob,
    no ReqWrap. libuv counts the two fs requests on every major (not the finished connect):
    the section says why the counts differ, when they do."""
    doc = summary(major)
    loop = doc["event_loop"]
    assert loop["active_requests"] == 2
    names = [r["constructor"] for r in loop["requests"]]
    fs_reqs = 1 if major >= 26 else 2
    assert sorted(names) == sorted(["TCPConnectWrap"] + ["FSReqCallback"] * fs_reqs)
    assert all(r["object"] for r in loop["requests"])
    if major >= 26:  # 2 and 2: the listed connect and the unlisted ReadFileJob cancel out
        assert loop["requests_note"] is None
    else:
        assert "until its callback returns" in loop["requests_note"]
    assert "counted, not listed" in doc["capabilities"]["event_loop"]["reason"]
    assert doc["capabilities"]["event_loop"]["status"] == "full"


def test_core_handles_on_the_text_page():
    doc_text = run_triage(crash(22).core)
    assert doc_text.code == 0, doc_text.stderr
    page = doc_text.stdout
    assert "Event loop (from the core)" in page
    assert "TCP 0x" in page and "FSReqCallback 0x" in page and "127.0.0.1:0" in page
    assert "Node-internal (no JS object): async 3, check 2, idle 1, prepare 1, timer 1" in page


@pytest.mark.parametrize("major", MAJORS)
def test_a_cut_handle_list_says_what_the_handles_are(major):
    """400 open sockets of 200 keep-alive Agents made per request (many_agent_sockets): the
    page lists 12 handles; the rest was "… 389 more", which did not say they are sockets."""
    result = run_triage(run_scenario("many_agent_sockets", major).core, "--no-llnode")
    assert result.code == 0, result.stderr
    assert "    by type: tcp 401 (201 keeping the loop alive), " in result.stdout


# -- what could not be read --------------------------------------------------------------


def test_core_handles_unavailable_without_symbols(tmp_path):
    """A stripped node binary has no default_loop_struct: unavailable, and said so."""
    c = crash(20)
    stripped = tmp_path / "node"
    subprocess.run(["objcopy", "--strip-all", c.node, str(stripped)], check=True)
    result = run_triage(c.core, "--node", stripped, "--format", "json")
    assert result.code == 0, result.stderr
    assert "event_loop" not in result.json
    cap = result.json["capabilities"]["event_loop"]
    assert cap["status"] == "unavailable" and "default_loop_struct" in cap["reason"]


def test_core_handles_without_heap_have_no_objects():
    """Without the V8 heap no wrap can be proven: handles still listed, requests not."""
    c = crash(24)
    ev = read_event_loop(CoreFile.open(c.core), ElfFile(c.node), heap=None)
    assert len([h for h in ev.handles if not h.internal]) == len(report_handles(24))
    assert all(h.object is None for h in ev.handles)
    assert ev.requests is None and any("V8 heap" in p for p in ev.problems)


def _handle_nodes(core: CoreFile, loop: int) -> list[int]:
    nodes, node = [], core.u64(loop + ni.LOOP_HANDLE_QUEUE)
    while node != loop + ni.LOOP_HANDLE_QUEUE:
        nodes.append(node)
        node = core.u64(node)
    return nodes


@pytest.mark.parametrize("damage", ["unmapped", "cycle"])
def test_core_handles_damaged_list_is_bounded_and_said(tmp_path, damage):
    """A handle list whose link leaves the core, or turns back into the list (every node's
    back link is checked, so a cycle cannot go round), stops there: the handles before it
    are kept and the problem is stated."""
    c = crash(20)
    copy = tmp_path / "core"
    shutil.copy(c.core, copy)
    binary = ElfFile(c.node)
    original = CoreFile.open(c.core)
    loop = binary.symbols()[ni.DEFAULT_LOOP_SYMBOL].value
    nodes = _handle_nodes(original, loop)
    if damage == "unmapped":
        patch_core(copy, original, nodes[4] + ni.QUEUE_NEXT, struct.pack("<Q", 0xDEAD0000))
        expected = "not in the core"
    else:  # nodes[4] -> nodes[1]: a cycle, caught by nodes[1]'s back link (to nodes[0])
        patch_core(copy, original, nodes[4] + ni.QUEUE_NEXT, struct.pack("<Q", nodes[1]))
        expected = "does not link back"
    ev = read_event_loop(CoreFile.open(copy), binary, heap=None)
    assert not ev.handles_complete
    assert len(ev.handles) == 5, ev.problems
    assert any(expected in p for p in ev.problems)


@pytest.mark.parametrize("major", MAJORS)
def test_core_event_loop_follows_its_schema(major):
    from triage.schema import validate_summary

    validate_summary(summary(major))


def test_handles_query_without_a_core_says_why():
    """`triage handles REPORT`: no event loop from a core, and the report's own section named."""
    report = Path(__file__).resolve().parents[1] / "fixtures" / "reports" / "exception-node20.json"
    result = run_triage("handles", report)
    assert result.code == 0, result.stderr
    assert "no event loop read from a core" in result.stdout
    assert "a report lists handles in its own section" in result.stdout


def test_handles_query_lists_every_handle():
    """`triage handles CORE` lists Node's internal handles too, the first page only counts them."""
    result = run_triage("handles", crash(22).core)
    assert result.code == 0, result.stderr
    assert len(re.findall(r"\(Node-internal\)", result.stdout)) == 8
    assert "FSReqCallback 0x" in result.stdout


@pytest.mark.parametrize("major", MAJORS)
def test_core_requests_read_without_any_node_wrap(major):
    """The abort scenario has no Node wrap in its loop (a timer only): Node's Environment is
    found through the native contexts instead, and its empty request list is read."""
    c = run_scenario("abort", major)
    result = run_triage(c.core, "--format", "json")
    assert result.code == 0, result.stderr
    loop = result.json["event_loop"]
    assert loop["requests"] == [] and loop["environment"] is not None
    assert all(h["object"] is None for h in loop["handles"])
    assert result.json["capabilities"]["event_loop"]["status"] == "full"


def test_event_loop_strings_pass_redaction():
    """An fs.watch path and socket addresses are redacted like a report's: paths and network
    values by their source, whatever the section nests them in."""
    from triage.analyses.event_loop import event_loop_section
    from triage.loaders.event_loop import EventLoop, LoopHandle
    from triage.redaction import Redactor

    ev = EventLoop(loop=0x1000, active_handles=2, active_requests=0, handles_complete=True, requests=[],
                   handles=[LoopHandle(0x10, "fs_event", True, True, False, False, 0x20, 0x31, "FSEvent",
                                       path="/srv/keys/AKIAIOSFODNN7EXAMPLE"),
                            LoopHandle(0x40, "tcp", True, True, False, False, 0x50, 0x61, "TCP")])
    ends = {0x61: {"local": {"ip": "10.1.2.3", "port": 8443, "path": None},
                   "remote": {"ip": "203.0.113.7", "port": 5432, "path": None}, "from": "test"}}
    section, _ = event_loop_section(ev, ends)
    redacted, counts = Redactor().redact_document({"event_loop": section})
    text = json.dumps(redacted)
    assert "AKIAIOSFODNN7EXAMPLE" not in text and "10.1.2.3" not in text and "203.0.113.7" not in text
    assert counts["counts_by_source"] == {"network": 2, "path": 1}
    assert redacted["event_loop"]["handles"][1]["endpoints"]["local"]["port"] == 8443


def test_core_handles_in_markdown():
    result = run_triage(crash(26).core, "--format", "markdown")
    assert result.code == 0, result.stderr
    assert "### Event loop (from the core)" in result.stdout
    assert re.search(r"- `tcp` `TCP` `0x[0-9a-f]+` \(active, ref\)", result.stdout)
    assert re.search(r"- request `TCPConnectWrap` `0x[0-9a-f]+`", result.stdout)
