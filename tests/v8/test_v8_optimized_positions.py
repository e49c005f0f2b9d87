"""Positions of optimized (TurboFan) frames, read from their Code's source position table,
against the stack Node itself printed on abort (Node 20+; Node 18 prints none, so there the
same position is checked against the script text).

Each scenario forces one situation with natives syntax: a plain optimized call
(port_optimized), an optimized frame running an inlined function (port_optimized_inlined,
and two levels deep: port_optimized_inlined_deep), listed as frames of their own as V8
prints them (kind "inlined", with no values of their own), a call
from an optimized loop into a builtin (port_optimized_builtin: the OOM scenario's shape),
and Maglev code (port_optimized_maglev), whose table gives the statement where V8 prints the
call: such a frame is placed through its deoptimization data. Sparkplug (baseline) frames:
test_v8_baseline_positions.py. A frame whose code was
deoptimized under it (port_optimized_deopt, port_optimized_deopt_inlined: V8 rewrote its
return address into a deoptimization exit) gets the call back from its safepoint table.
"""

from __future__ import annotations

import dataclasses

import pytest

from dumps.crash import Crash, run_scenario
from tests.conftest import MAJORS
from tests.v8.conftest import node_printed_stack, printed_position, source_has
from triage.coredump import CoreFile, ElfFile
from triage.v8 import V8Heap
from triage.v8 import versions as vf
from triage.v8.code import INLINED_NOTE, INLINED_VALUES_NOTE, MAGLEV_CALLER_NOTE, MAGLEV_NOTE
from triage.v8.optimized import LAZY_DEOPT_NOTE

majors = pytest.mark.parametrize("major", MAJORS, ids=[f"node{m}" for m in MAJORS])


def _stack(scenario: str, major: int) -> tuple[Crash, list]:
    crash = run_scenario(scenario, major, node_flags=("--allow-natives-syntax",))
    heap = V8Heap.open(CoreFile.open(crash.core_path), ElfFile(crash.node))
    return crash, heap.js_stack()


def _frame(frames: list, name: str):  # noqa: ANN202
    return next(f for f in frames if f.function == name)


@majors
def test_optimized_call_position_is_what_node_printed(major: int) -> None:
    crash, frames = _stack("port_optimized", major)
    hot = _frame(frames, "hotPath")
    assert hot.kind == "optimized"
    assert (hot.line, hot.column) == (14, 10) and hot.position_note is None
    assert source_has(crash, 14, 10, "stopAt(count)")
    if major >= 20:
        assert printed_position(crash, "hotPath") == (14, 10)


@majors
def test_inlined_function_is_a_frame_of_its_own(major: int) -> None:
    crash, frames = _stack("port_optimized_inlined", major)
    names = [f.function for f in frames]
    assert names[:3] == ["stopAt", "inner", "hotLoop"]
    inner, hot = frames[1], frames[2]
    assert inner.kind == "inlined" and (inner.line, inner.column) == (14, 10)
    assert inner.script == hot.script and inner.position_note is None
    assert hot.kind == "optimized" and (hot.line, hot.column) == (19, 40) and hot.position_note is None
    assert source_has(crash, 14, 10, "stopAt(n)") and source_has(crash, 19, 40, "inner(first + i)")
    if major >= 20:
        assert printed_position(crash, "inner") == (14, 10) and printed_position(crash, "hotLoop") == (19, 40)


@majors
def test_inlined_frame_has_no_values_and_says_why(major: int) -> None:
    _, frames = _stack("port_optimized_inlined", major)
    inner = _frame(frames, "inner")
    assert (inner.function_address, inner.context_address, inner.args, inner.argc) == (None,) * 4
    assert inner.receiver == {"error": INLINED_VALUES_NOTE}


@majors
def test_functions_inlined_two_deep_are_listed_innermost_first(major: int) -> None:
    crash, frames = _stack("port_optimized_inlined_deep", major)
    got = [(f.function, f.kind, f.line, f.column) for f in frames[:4]]
    assert got == [("stopAt", "interpreted", 9, 24), ("inner", "inlined", 14, 10),
                   ("middle", "inlined", 19, 17), ("hotLoop", "optimized", 24, 40)]
    assert source_has(crash, 19, 17, "inner(n)") and source_has(crash, 24, 40, "middle(first + i)")
    if major >= 20:
        assert [(fn, line, col) for fn, _, line, col in node_printed_stack(crash.stderr)][:4] == [
            (name, line, col) for name, _, line, col in got]


@majors
def test_unreadable_inlined_functions_leave_the_call_site_and_say_so(major: int) -> None:
    """A literal array that is no array (here: the index of InliningPositions, a byte
    array): the frame keeps the call it makes, says the inlined frames are not listed and
    why, and the capability is degraded."""
    crash = run_scenario("port_optimized_inlined", major, node_flags=("--allow-natives-syntax",))
    heap = V8Heap.open(CoreFile.open(crash.core_path), ElfFile(crash.node))
    c = heap.constants
    c.values["DeoptimizationDataLiteralArrayIndex"] = c.get(
        "DeoptimizationDataInliningPositionsIndex", heap.facts.deopt_inlining_positions_index)
    frames = heap.js_stack()
    assert [f.function for f in frames[:2]] == ["stopAt", "hotLoop"]
    hot = frames[1]
    why = "the deoptimization literal array is not readable"
    assert (hot.line, hot.column) == (19, 40) and hot.position_note == f"{INLINED_NOTE} ({why})"
    cap = heap.capabilities()["js_stack"]
    assert cap.status == "degraded" and f"inlined functions are not listed ({why})" in cap.reason


@majors
def test_corrupt_inlined_function_count_gives_no_exception(major: int) -> None:
    crash = run_scenario("port_optimized_inlined", major, node_flags=("--allow-natives-syntax",))
    heap = V8Heap.open(CoreFile.open(crash.core_path), ElfFile(crash.node))
    for index in (0, 10_000, -1):  # a byte array, past the end, before the start
        heap.constants.values["DeoptimizationDataInlinedFunctionCountIndex"] = index
        hot = _frame(heap.js_stack(), "hotLoop")
        assert hot.position_note == f"{INLINED_NOTE} (the inlined function count is not readable)"


@majors
def test_optimized_loop_calling_a_builtin(major: int) -> None:
    crash, frames = _stack("port_optimized_builtin", major)
    hot = _frame(frames, "hotLoop")
    assert hot.kind == "optimized"
    assert (hot.line, hot.column) == (19, 45) and source_has(crash, 19, 45, "stringify(")
    if major >= 20:
        assert printed_position(crash, "hotLoop") == (19, 45)


def _maglev_or_interpreted(frame, major: int) -> None:  # noqa: ANN001
    """Maglev code from Node 24 (V8 13.6); earlier Node runs these functions interpreted."""
    assert frame.kind == ("optimized" if major >= 24 else "interpreted"), (major, frame)


@majors
def test_maglev_frame_position_is_the_call_v8_prints(major: int) -> None:
    """Maglev's own position table has the loop statement (19:3); the safepoint entry of the
    pc -> deoptimization entry -> bytecode offset gives the call, as V8 finds it."""
    crash, frames = _stack("port_optimized_maglev", major)
    hot = _frame(frames, "hotLoop")
    _maglev_or_interpreted(hot, major)
    assert (hot.line, hot.column) == (19, 45) and hot.position_note is None
    if major >= 20:
        assert printed_position(crash, "hotLoop") == (19, 45)


@majors
def test_maglev_frame_calling_a_js_function(major: int) -> None:
    crash, frames = _stack("port_optimized_maglev_call", major)
    hot = _frame(frames, "hotLoop")
    _maglev_or_interpreted(hot, major)
    assert (hot.line, hot.column) == (15, 36) and source_has(crash, 15, 36, "stopAt(value)")
    if major >= 20:
        assert printed_position(crash, "hotLoop") == (15, 36)


@majors
def test_deoptimized_maglev_frame(major: int) -> None:
    """V8 rewrote the Maglev frame's return address to a deoptimization exit: the safepoint
    entry with that trampoline is the call's."""
    crash, frames = _stack("port_optimized_maglev_deopt", major)
    hot = _frame(frames, "hotLoop")
    _maglev_or_interpreted(hot, major)
    assert (hot.line, hot.column) == (14, 40) and source_has(crash, 14, 40, "stopAt(first + i)")
    if major >= 20:
        assert printed_position(crash, "hotLoop") == (14, 40)


@majors
def test_maglev_inlined_function_and_its_caller_from_the_translation(major: int) -> None:
    """Maglev inlined `inner`: the deoptimization entry's translation gives both frames'
    functions and bytecode offsets, as V8 rebuilds them (InliningPositions' call site is the
    loop statement, 17:3, where Node printed 17:40)."""
    crash, frames = _stack("port_optimized_maglev_inlined", major)
    got = [(f.function, f.kind, f.line, f.column, f.position_note) for f in frames[:3]]
    kinds = ("inlined", "optimized") if major >= 24 else ("interpreted", "interpreted")
    assert got == [("stopAt", "interpreted", 7, 24, None), ("inner", kinds[0], 12, 10, None),
                   ("hotLoop", kinds[1], 17, 40, None)]
    if major >= 20:
        assert printed_position(crash, "inner") == (12, 10) and printed_position(crash, "hotLoop") == (17, 40)


@majors
def test_maglev_functions_inlined_two_deep(major: int) -> None:
    crash, frames = _stack("port_optimized_maglev_inlined_deep", major)
    got = [(f.function, f.line, f.column) for f in frames[:4]]
    assert got == [("stopAt", 8, 24), ("inner", 13, 10), ("middle", 18, 17), ("hotLoop", 23, 40)]
    if major >= 24:
        assert [f.kind for f in frames[1:4]] == ["inlined", "inlined", "optimized"]
    if major >= 20:
        assert [(fn, line, col) for fn, _, line, col in node_printed_stack(crash.stderr)][:4] == got


@pytest.mark.parametrize("major", [m for m in MAJORS if m >= 24], ids=lambda m: f"node{m}")
def test_maglev_inlined_without_the_translation_places_the_innermost_only(major: int) -> None:
    """Translation not read (opcodes unknown, or a wrong opcode list that fails its checks):
    the innermost inlined function is still placed (Maglev's position at the pc names it);
    the caller says why it has no position, never the statement InliningPositions holds."""
    wrong = vf.TRANSLATION_OPCODES_13[:19] + vf.TRANSLATION_OPCODES_13[20:]  # one opcode missing
    for opcodes in (None, wrong):
        frames = _deopt_heap("port_optimized_maglev_inlined", major, translation_opcodes=opcodes).js_stack()
        inner, hot = frames[1], frames[2]
        assert (inner.function, inner.line, inner.column) == ("inner", 12, 10)
        assert (hot.function, hot.line, hot.column) == ("hotLoop", None, None)
        assert hot.position_note == f"no position: {MAGLEV_CALLER_NOTE}"


@pytest.mark.parametrize("major", [m for m in MAJORS if m >= 24], ids=lambda m: f"node{m}")
def test_truncated_or_shifted_translation_gives_none_not_an_exception(major: int) -> None:
    """Every prefix of a real translation array, and the array read from a wrong start,
    decodes to None or to frames, never an exception (bounded, index-checked)."""
    from triage.v8 import optimized
    from triage.v8.stack import crashing_thread, decode_frame, fp_chain
    from triage.v8.translation import OpcodeTable, interpreted_frames

    heap = _deopt_heap("port_optimized_maglev_inlined", major)
    r = heap.reader
    pc = next(pc for fp, pc in fp_chain(heap, crashing_thread(heap).registers)
              if (f := decode_frame(heap, fp, pc, 0)) is not None and f.function == "hotLoop")
    stream, _ = heap.object_at(pc, code=True)
    code = r.u64(stream - 1 + 8)  # InstructionStream::code (13.6, 14.6)
    raw = optimized.byte_array(heap, r.field(code, heap.facts.code_deopt_data), 16)
    assert raw, "the frame's translation array is readable"
    table = OpcodeTable.from_names(vf.TRANSLATION_OPCODES_13)
    for end in range(len(raw)):
        for start in range(0, end, max(1, end // 8)):
            interpreted_frames(raw[:end], start, table)


@pytest.mark.parametrize("major", [m for m in MAJORS if m >= 24], ids=lambda m: f"node{m}")
def test_maglev_without_its_layout_gives_no_position_rather_than_a_wrong_one(major: int) -> None:
    for facts, why in (
            ({"maglev_safepoint_header": None}, "the safepoint table layout of this V8 is not known"),
            ({"maglev_safepoint_header": 12}, "no safepoint entry with a deoptimization point"),
            ({"sfi_function_data": 16}, "the function's bytecode is not readable")):
        hot = _frame(_deopt_heap("port_optimized_maglev", major, **facts).js_stack(), "hotLoop")
        assert (hot.line, hot.column) == (None, None), facts
        assert hot.position_note.startswith(f"no position: {MAGLEV_NOTE}: {why}"), (facts, hot.position_note)


def test_capabilities_name_what_is_not_read() -> None:
    heap = _deopt_heap("port_optimized_maglev_inlined", MAJORS[-1], translation_opcodes=None)
    reason = heap.capabilities()["js_stack"].reason
    assert f"give function and script only ({MAGLEV_CALLER_NOTE})" in reason


@majors
def test_deoptimized_frame_gets_the_call_from_its_safepoint_table(major: int) -> None:
    """V8 rewrote hotPath's return address into its code's deoptimization exits; the
    safepoint entry whose trampoline is that exit gives the call's return address back."""
    crash, frames = _stack("port_optimized_deopt", major)
    hot = _frame(frames, "hotPath")
    assert hot.kind == "optimized" and (hot.line, hot.column) == (14, 10) and hot.position_note is None
    assert source_has(crash, 14, 10, "stopAt(count)")
    if major >= 20:
        assert printed_position(crash, "hotPath") == (14, 10)


def _deopt_heap(scenario: str, major: int, **facts: int | None) -> V8Heap:
    crash = run_scenario(scenario, major, node_flags=("--allow-natives-syntax",))
    heap = V8Heap.open(CoreFile.open(crash.core_path), ElfFile(crash.node))
    heap.facts = dataclasses.replace(heap.facts, **facts)
    return heap


@majors
def test_deoptimized_frame_without_the_table_layout_says_so(major: int) -> None:
    """The same frame with the safepoint layout unknown: its pc is in the exits (so the
    test above is about a deoptimized frame) and it gives no position, with the reason."""
    hot = _frame(_deopt_heap("port_optimized_deopt", major, safepoint_header=None).js_stack(), "hotPath")
    assert (hot.line, hot.column) == (None, None)
    assert hot.position_note == (f"no position: {LAZY_DEOPT_NOTE}: the safepoint table layout of "
                                 "this V8 is not known (versions.py)")


@majors
def test_wrong_safepoint_layout_gives_no_position_rather_than_a_wrong_one(major: int) -> None:
    heap = _deopt_heap("port_optimized_deopt", major)
    size_at = heap.constants.field("Code", "instruction_size", heap.facts.code_instruction_size)
    heap.constants._fields[("Code", "instruction_size")] = None  # the facts' place is read
    right = dataclasses.replace(heap.facts, code_instruction_size=size_at)
    heap.facts = right
    assert _frame(heap.js_stack(), "hotPath").line == 14  # the facts' place is the right one
    # a header of the other size (8 <-> 12), then Code::instruction_size read at a wrong place
    for facts in ({"safepoint_header": 20 - right.safepoint_header}, {"code_instruction_size": 4},
                  {"code_instruction_size": size_at + 8}):
        heap.facts = dataclasses.replace(right, **facts)
        hot = _frame(heap.js_stack(), "hotPath")
        assert (hot.line, hot.column) == (None, None), facts
        assert hot.position_note.startswith(f"no position: {LAZY_DEOPT_NOTE}: "), facts


@majors
def test_deoptimized_frame_running_inlined_code(major: int) -> None:
    crash, frames = _stack("port_optimized_deopt_inlined", major)
    got = [(f.function, f.kind, f.line, f.column) for f in frames[:3]]
    assert got == [("stopAt", "interpreted", 9, 56), ("inner", "inlined", 14, 10),
                   ("hotLoop", "optimized", 19, 40)]
    if major >= 20:
        assert [(fn, line, col) for fn, _, line, col in node_printed_stack(crash.stderr)][:3] == [
            (name, line, col) for name, _, line, col in got]


@majors
def test_osr_frame_position_is_the_call_not_the_loop_it_entered_by(major: int) -> None:
    """An OSR frame keeps the interpreter's frame layout with a stale bytecode offset (the
    loop, 14:3); its position comes from its TurboFan code, as for any optimized frame."""
    crash, frames = _stack("port_optimized_osr", major)
    loop = _frame(frames, "longLoop")
    assert loop.kind == "optimized" and (loop.line, loop.column) == (17, 14)
    assert source_has(crash, 17, 14, "stopAt(i)")
    if major >= 20:
        assert printed_position(crash, "longLoop") == (17, 14)
