"""Positions of optimized (TurboFan) frames, read from their Code's source position table,
against the stack Node itself printed on abort (Node 20+; Node 18 prints none, so there the
same position is checked against the script text).

Each scenario forces one situation with natives syntax: a plain optimized call
(port_optimized), an optimized frame running an inlined function (port_optimized_inlined:
the frame gives the call it contains and says that the inlined frame is not listed), a call
from an optimized loop into a builtin (port_optimized_builtin: the OOM scenario's shape),
and Maglev code (port_optimized_maglev), whose table gives the statement where V8 prints the
call: that frame shows function and script only, with the reason, as does a frame whose code
was deoptimized under it (port_optimized_deopt: V8 rewrote its return address). Sparkplug
(baseline) frames: test_v8_baseline_positions.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from dumps.crash import Crash, run_scenario
from tests.conftest import MAJORS
from tests.v8.conftest import node_printed_stack
from triage.coredump import CoreFile, ElfFile
from triage.v8 import V8Heap
from triage.v8.optimized import INLINED_NOTE, LAZY_DEOPT_NOTE, MAGLEV_NOTE

majors = pytest.mark.parametrize("major", MAJORS, ids=[f"node{m}" for m in MAJORS])


def _stack(scenario: str, major: int) -> tuple[Crash, list]:
    crash = run_scenario(scenario, major, node_flags=("--allow-natives-syntax",))
    heap = V8Heap.open(CoreFile.open(crash.core_path), ElfFile(crash.node))
    return crash, heap.js_stack()


def _frame(frames: list, name: str):  # noqa: ANN202
    return next(f for f in frames if f.function == name)


def _printed(crash: Crash, name: str) -> tuple[int, int] | None:
    rows = [(line, col) for fn, _, line, col in node_printed_stack(crash.stderr) if fn == name]
    return rows[0] if rows else None


def _at(crash: Crash, line: int, col: int, text: str) -> bool:
    """Whether the script has `text` at line:col (1-based), i.e. the position of a call."""
    source = Path(crash.workdir, f"{crash.scenario}.js").read_text().splitlines()
    return source[line - 1][col - 1:].startswith(text)


@majors
def test_optimized_call_position_is_what_node_printed(major: int) -> None:
    crash, frames = _stack("port_optimized", major)
    hot = _frame(frames, "hotPath")
    assert hot.kind == "optimized"
    assert (hot.line, hot.column) == (14, 10) and hot.position_note is None
    assert _at(crash, 14, 10, "stopAt(count)")
    if major >= 20:
        assert _printed(crash, "hotPath") == (14, 10)


@majors
def test_inlined_code_gives_the_outer_call_and_says_so(major: int) -> None:
    crash, frames = _stack("port_optimized_inlined", major)
    hot = _frame(frames, "hotLoop")
    assert hot.kind == "optimized"
    assert (hot.line, hot.column) == (19, 40) and _at(crash, 19, 40, "inner(first + i)")
    assert hot.position_note == INLINED_NOTE
    assert "inner" not in [f.function for f in frames]  # inlined: no frame in the core
    if major >= 20:
        assert _printed(crash, "hotLoop") == (19, 40)
        assert _printed(crash, "inner") == (14, 10)  # what the note says is not listed


@majors
def test_optimized_loop_calling_a_builtin(major: int) -> None:
    crash, frames = _stack("port_optimized_builtin", major)
    hot = _frame(frames, "hotLoop")
    assert hot.kind == "optimized"
    assert (hot.line, hot.column) == (19, 45) and _at(crash, 19, 45, "stringify(")
    if major >= 20:
        assert _printed(crash, "hotLoop") == (19, 45)


@majors
def test_maglev_frame_gives_no_position_rather_than_a_wrong_one(major: int) -> None:
    crash, frames = _stack("port_optimized_maglev", major)
    hot = _frame(frames, "hotLoop")
    if hot.kind == "optimized":
        assert (hot.line, hot.column) == (None, None)
        assert hot.position_note == f"no position: {MAGLEV_NOTE}"
    else:  # no Maglev before Node 24: V8 runs the function in the interpreter
        assert major < 24 and hot.kind == "interpreted"
        assert (hot.line, hot.column) == (19, 45)
    if major >= 24:
        assert hot.kind == "optimized"  # the claim above is not empty
    if major >= 20:
        assert _printed(crash, "hotLoop") == (19, 45)


def test_capabilities_name_what_is_not_read() -> None:
    crash = run_scenario("port_optimized_maglev", MAJORS[-1], node_flags=("--allow-natives-syntax",))
    heap = V8Heap.open(CoreFile.open(crash.core_path), ElfFile(crash.node))
    reason = heap.capabilities()["js_stack"].reason
    assert f"give function and script only ({MAGLEV_NOTE})" in reason


@majors
def test_deoptimized_code_gives_no_position_rather_than_a_wrong_one(major: int) -> None:
    crash, frames = _stack("port_optimized_deopt", major)
    hot = _frame(frames, "hotPath")
    assert hot.kind == "optimized" and (hot.line, hot.column) == (None, None)
    assert hot.position_note == f"no position: {LAZY_DEOPT_NOTE}"
    if major >= 20:
        assert _printed(crash, "hotPath") == (14, 10)  # from V8's translation, not read here


@majors
def test_osr_frame_position_is_the_call_not_the_loop_it_entered_by(major: int) -> None:
    """An OSR frame keeps the interpreter's frame layout with a stale bytecode offset (the
    loop, 14:3); its position comes from its TurboFan code, as for any optimized frame."""
    crash, frames = _stack("port_optimized_osr", major)
    loop = _frame(frames, "longLoop")
    assert loop.kind == "optimized" and (loop.line, loop.column) == (17, 14)
    assert _at(crash, 17, 14, "stopAt(i)")
    if major >= 20:
        assert _printed(crash, "longLoop") == (17, 14)
