"""The native figure of a core is glibc malloc's memory in use, walked chunk by chunk
(`triage/coredump/malloc.py`), so memory no JS object shows is on the first page: 2,000
messages of 10 KB queued on a MessagePort that never receives (dumps/scenarios/
native_port_backlog.js) are 20 MB of native memory behind two small JS objects. The walk is
checked against glibc's own accounting, read through its debug symbols with real lldb."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from dumps.crash import run_scenario
from tests.conftest import MAJORS, run_triage
from tests.core.conftest import core_summary
from triage.coredump import CoreFile
from triage.coredump.malloc import malloc_heap
from triage.lldb_support import import_lldb

MiB = 1 << 20


@pytest.fixture(params=MAJORS, ids=[f"node{m}" for m in MAJORS])
def major(request: pytest.FixtureRequest) -> int:
    return request.param


def _totals(doc: dict) -> dict[str, dict]:
    return {t["kind"]: t for t in doc["memory"]["totals"] if t["source"] == "core"}


@cache
def _control(major: int) -> dict:
    """The same program with no message posted."""
    crash = run_scenario("native_port_backlog", major, args=("0",))
    result = run_triage(crash.core, "--format", "json", "--no-llnode")
    assert result.code == 0, result.stderr
    return result.json


@cache
def _glibc_counts(major: int) -> tuple[int, int]:
    """glibc's `main_arena.system_mem` and `mp_.mmapped_mem` (libc6-dbg's symbols)."""
    lldb = import_lldb()
    crash = run_scenario("native_port_backlog", major)
    debugger = lldb.SBDebugger.Create()
    try:
        target = debugger.CreateTarget(crash.node)
        target.LoadCore(crash.core)
        values = []
        for expr in ("main_arena.system_mem", "mp_.mmapped_mem"):
            value = target.EvaluateExpression(expr)
            assert value.GetError().Success(), f"{expr}: {value.GetError()} (libc6-dbg?)"
            values.append(value.GetValueAsUnsigned())
        return values[0], values[1]
    finally:
        lldb.SBDebugger.Destroy(debugger)


def test_queued_messages_are_in_the_native_figure(major):
    native = _totals(core_summary("native_port_backlog", major))["native"]["bytes"]
    assert native - _totals(_control(major))["native"]["bytes"] >= 18 * MiB


def test_queued_messages_are_not_in_the_js_heap(major):
    js = _totals(core_summary("native_port_backlog", major))["js_heap"]["bytes"]
    assert js - _totals(_control(major))["js_heap"]["bytes"] < 2 * MiB


def test_the_native_figure_says_what_it_counts(major):
    detail = _totals(core_summary("native_port_backlog", major))["native"]["detail"]
    assert detail.startswith("glibc malloc's chunks in use (main arena,")


def test_array_buffer_stores_are_not_counted_again_as_native(major):
    """buffer_slices keeps 50 MiB of Buffers: they are the `external` figure only."""
    totals = _totals(core_summary("buffer_slices", major))
    assert totals["external"]["bytes"] >= 50 * MiB
    assert totals["native"]["bytes"] < 25 * MiB


def test_glibc_main_arena_is_found_without_symbols(major):
    heap = malloc_heap(CoreFile.open(run_scenario("native_port_backlog", major).core))
    assert heap.main_arena_system_mem == _glibc_counts(major)[0]


def test_the_walk_covers_glibc_main_arena(major):
    """Exact on every core seen; a mapping merged in front of a piece of the arena would
    hide that piece, so the claim is most of it, never more."""
    heap = malloc_heap(CoreFile.open(run_scenario("native_port_backlog", major).core))
    system_mem = _glibc_counts(major)[0]
    assert 0.9 * system_mem <= heap.main_arena <= system_mem


def test_mmapped_chunks_found_are_glibc_mmapped_chunks(major):
    heap = malloc_heap(CoreFile.open(run_scenario("native_port_backlog", major).core))
    assert heap.mmapped <= _glibc_counts(major)[1]


def test_a_process_whose_memory_is_mostly_native_is_told_so(major):
    note = core_summary("native_port_backlog", major)["memory"]["note"]
    assert note.startswith("most of this process's memory is native")


def test_every_queued_message_is_found_in_malloc_memory(major):
    """2,000 messages posted to a port that never reads: 2,000 blocks that begin as V8's
    ValueSerializer writes a value, each a copy of the 10,000-character body."""
    heap = malloc_heap(CoreFile.open(run_scenario("native_port_backlog", major).core))
    assert heap.messages == 2000
    assert 2000 * 10_000 <= heap.message_bytes < 2000 * 11_000


def test_no_message_is_found_where_none_was_posted(major):
    heap = malloc_heap(CoreFile.open(run_scenario("native_port_backlog", major,
                                                  args=("0",)).core))
    assert (heap.messages, heap.message_bytes) == (0, 0)


def test_the_note_says_the_native_memory_is_queued_messages(major):
    note = core_summary("native_port_backlog", major)["memory"]["note"]
    assert "; most of it is 2,000 serialized messages (19.3 MiB): postMessage payloads" in note


def test_a_process_whose_memory_is_in_buffers_is_not_told_it_is_native(major):
    assert "note" not in core_summary("buffer_slices", major)["memory"]


def test_the_first_page_says_the_memory_is_mostly_native(major):
    crash = run_scenario("native_port_backlog", major)
    result = run_triage(crash.core, "--no-llnode")
    assert result.code == 0
    assert "most of this process's memory is native" in result.stdout


def test_a_core_whose_malloc_heap_cannot_be_read_says_so(tmp_path):
    """Every region that could start malloc's memory (a chunk header, a thread heap's
    heap_info) overwritten in a copy of a real core: no figure, and the reason."""
    crash = run_scenario("native_port_backlog", 26)
    damaged = tmp_path / "core"
    damaged.write_bytes(Path(crash.core).read_bytes())
    core = CoreFile.open(crash.core)
    with open(damaged, "r+b") as out:
        for start, end, offset in core.segments_array().tolist():
            head = core.try_read(start, 16) if end < 1 << 63 else None
            if head is not None and (head[:8] == bytes(8) or start % (64 << 20) == 0):
                out.seek(offset)
                out.write(b"\xff" * 16)
    result = run_triage(str(damaged), "--node", crash.node, "--format", "json", "--no-llnode")
    assert result.code == 0, result.stderr
    native = _totals(result.json)["native"]
    assert native["bytes"] is None
    assert native["detail"].startswith("no glibc malloc heap was recognised")
