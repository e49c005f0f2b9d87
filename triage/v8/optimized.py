"""Source positions of optimized (TurboFan / Maglev) JS frames from a core.

An optimized frame keeps no bytecode offset; its position is in the Code object it runs.
The frame's pc lies in a code-space object (the Code itself up to V8 10, its
InstructionStream from V8 11, whose first field points back to the Code), found by walking
only the page area that holds the pc. The Code's source position table maps code offsets
to SourcePositions; the entry for a frame is the last one with a code offset below the
pc's (the return address is one past the call, as in V8's `Code::SourcePosition`).

For optimized code each entry's value is a SourcePosition bit field (source-position.h):
bit 0 "external", bits 1-30 the script offset + 1, bits 31-46 the inlining id + 1. With
no inlining id the position is in the frame's own function. Otherwise the pc runs a
function inlined into this one, which V8 prints as a frame of its own, innermost first.
DeoptimizationData's InliningPositions entry for the id holds the call site (a
SourcePosition in the caller, itself maybe inlined) and the inlined function's index in
the literal array, whose first InlinedFunctionCount entries are those functions'
SharedFunctionInfos (V8's `DeoptimizationData::GetInlinedFunction`). Following the chain
gives each inlined function with its position and, at its end, the call this frame makes.
When the inlined functions cannot be read, the frame keeps the outer call site and says
that the inlined frames are not listed.

A pc inside the deoptimization exits (code deoptimized while the call ran: V8 rewrote the
return address) is mapped back to the call through the safepoint table. Maglev's position
table gives statements where V8 prints calls, so a Maglev frame is placed as V8 does it:
safepoint entry -> deoptimization entry -> its translation's frames (function, bytecode
offset; `translation.py`) -> each bytecode's position. Baseline (Sparkplug) code, found by
the BytecodeArray where optimized code keeps its deoptimization data, gives the bytecode
the pc runs (`baseline.py`), whose position comes from the bytecode's own table as for an
interpreted frame.
Anything unread leaves the frame at function and script with the reason, never a guess.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from triage.v8.code import (
    OptimizedPosition,
    byte_array,
    code_at,
    code_kind,
    decode_source_position,
    inlining_index,
    through_inlining,
)
from triage.v8.positions import decode_position_table
from triage.v8.reader import is_heap_object, is_smi, smi

if TYPE_CHECKING:
    from triage.v8.heap import V8Heap

#: V8 sends the frames of code it deoptimizes back through the exits at the end of that
#: code by rewriting their return address; the safepoint entry whose trampoline is that exit
#: gives the call's return address back (`_lazy_deopt_return`), else this note and why
LAZY_DEOPT_NOTE = ("the code was deoptimized while this call ran (the pc is in its "
                   "deoptimization exits)")


def optimized_position(heap: V8Heap, pc: int, sfi: int | None = None) -> OptimizedPosition:
    """Position of the optimized frame at `pc` and of the functions inlined into it there
    (`sfi`: the frame's function's SharedFunctionInfo, which Maglev frames need)."""
    facts = heap.facts
    if facts.code_position_table is None or facts.code_kind_turbofan is None:
        return OptimizedPosition(None, "optimized code layout of this V8 not known (versions.py)")
    found = code_at(heap, pc)
    if isinstance(found, str):
        return OptimizedPosition(None, found)
    code, start = found
    r = heap.reader
    data = r.field(code, facts.code_deopt_data)
    data_type = r.type_name(r.type_of(data) or 0) if data is not None and is_heap_object(data) else ""
    if data_type in ("BYTECODE_ARRAY_TYPE", "INTERPRETER_DATA_TYPE"):
        from triage.v8.baseline import baseline_position

        return baseline_position(heap, code, data, data_type, pc - start)
    if "FIXED_ARRAY" not in data_type:
        return OptimizedPosition(None, "the code has no deoptimization data: not optimized code")
    kind = code_kind(heap, code)
    if kind is None:
        return OptimizedPosition(None, "the code's kind is not readable")
    maglev = kind == facts.code_kind_turbofan - 1
    if maglev:
        from triage.v8.maglev import maglev_position

        return maglev_position(heap, code, start, pc - start, data, sfi)
    if kind != facts.code_kind_turbofan:
        return OptimizedPosition(None, f"code of kind {kind}, not TurboFan")
    table = byte_array(heap, code, facts.code_position_table)
    if table is None:
        return OptimizedPosition(None, "the optimized code's source position table is not readable")
    offset = pc - start
    exits = _deopt_exit_start(heap, data)
    if exits is None:
        return OptimizedPosition(None, "the start of the code's deoptimization exits is not readable")
    if offset >= exits:  # lazily deoptimized: the call's own return address is in the table
        offset, why = _lazy_deopt_return(heap, code, start, offset)
        if offset is None:
            return OptimizedPosition(None, f"{LAZY_DEOPT_NOTE}: {why}")
    value = None
    for code_offset, pos, _ in decode_position_table(table, facts.position_table):
        if code_offset >= offset:
            break
        value = pos
    if value is None:
        return OptimizedPosition(None, "no source position entry before the pc")
    decoded = decode_source_position(value)
    if decoded is None:
        return OptimizedPosition(None, "the position is external (not in a script)")
    script_offset, inlining = decoded
    if inlining < 0:
        return OptimizedPosition(script_offset) if script_offset >= 0 else OptimizedPosition(
            None, "the code has no position for this pc")
    return through_inlining(heap, data, script_offset, inlining)


def _deopt_exit_start(heap: V8Heap, deopt: int) -> int | None:
    """Code offset of the first deoptimization exit: the Smi after InliningPositions (then
    the eager and lazy exit counts), on every version from 10.2 to 14.6."""
    index = inlining_index(heap)
    length = heap.reader.field(deopt, 8)
    if index is None or length is None or not is_smi(length) or not index + 1 < smi(length):
        return None
    word = heap.reader.field(deopt, 16 + 8 * (index + 1))
    return smi(word) if word is not None and is_smi(word) and smi(word) > 0 else None


def _lazy_deopt_return(heap: V8Heap, code: int, start: int, exit_offset: int) -> tuple[int | None, str]:
    """Code offset of the return address V8 replaced with the deoptimization exit at
    `exit_offset` (or None and why): the pc of the safepoint entry whose trampoline is that
    exit, as V8's deoptimizer chose it (`SafepointEntry::trampoline_pc`)."""
    from triage.v8.safepoints import safepoints

    entries, why = safepoints(heap, code, start, maglev=False)
    if not entries:
        return None, why
    for pc, _, trampoline in entries:
        if trampoline == exit_offset:
            if not 0 < pc < exit_offset:
                return None, "the safepoint entry of this exit has no call before it"
            return pc, ""
    return None, "no safepoint entry has this deoptimization exit as its trampoline"
