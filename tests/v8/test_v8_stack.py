"""JS stack from the crashing thread's frame-pointer chain, positions checked against
the stack Node itself printed on abort (Node 20+)."""

from __future__ import annotations

from dumps.crash import Crash
from tests.v8.conftest import ABORT_FRAMES, node_printed_stack
from triage.v8 import V8Heap
from triage.v8.stack import crashing_thread, fp_chain


def test_abort_frames(heap: V8Heap) -> None:
    frames = heap.js_stack()
    got = [(f.function, f.line, f.column) for f in frames[:3]]
    assert got == ABORT_FRAMES
    assert all(f.script.endswith("heap_basic.js") for f in frames[:3])
    assert [f.function for f in frames[3:5]] == ["listOnTimeout", "processTimers"]
    assert all(f.script == "node:internal/timers" for f in frames[3:5])
    assert [f.index for f in frames] == list(range(len(frames)))
    assert all(f.kind in ("interpreted", "baseline", "optimized") for f in frames)


def test_matches_node_printed_stack(basic: tuple[Crash, V8Heap]) -> None:
    crash, heap = basic
    printed = node_printed_stack(crash.stderr)
    if crash.major < 20:
        assert not printed  # Node 18 prints no JS stack on abort; positions checked above
        return
    ours = [(f.function, f.line, f.column) for f in heap.js_stack()]
    assert ours[: len(printed)] == [(fn, line, col) for fn, _, line, col in printed]
    assert [f.script for f in heap.js_stack()[3:5]] == [p[1] for p in printed[3:5]]


def test_external_fp_pairs_give_same_stack(heap: V8Heap) -> None:
    thread = crashing_thread(heap)
    pairs = fp_chain(heap, thread.registers)
    assert len(pairs) >= 5
    assert heap.js_stack_from_frames(pairs) == heap.js_stack()


def test_capabilities_full(heap: V8Heap) -> None:
    caps = heap.capabilities()
    assert {k: c.status for k, c in caps.items()} == {
        "histogram": "full", "inspect": "full", "js_stack": "full"}
    assert "not yet collected" in caps["histogram"].reason
