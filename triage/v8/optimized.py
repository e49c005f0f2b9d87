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
function inlined into this one, which V8 prints as a frame of its own: this frame then gets
the position of the call it makes (DeoptimizationData's InliningPositions, followed to the
outermost call site), and says that the inlined frames are not listed.

Only TurboFan code is read: Maglev's table gives statements where V8 prints calls, and a
pc inside the deoptimization exits (code deoptimized while the call ran: V8 rewrote the
return address) says nothing about the call. Baseline (Sparkplug) code, found by the
BytecodeArray where optimized code keeps its deoptimization data, gives the bytecode the pc
runs (`baseline.py`), whose position comes from the bytecode's own table as for an
interpreted frame. Anything unread leaves the frame at function and script with the
reason, never a guess.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from triage.v8.reader import is_heap_object, is_smi, smi

if TYPE_CHECKING:
    from triage.v8.heap import V8Heap

INLINED_NOTE = "position of the call in this function; the functions inlined into it are not listed"
#: Maglev's position table holds statement positions where V8 prints the call's (from the
#: deoptimization translation, not read): 19:3 where Node printed 19:45 (Node 24, 26)
MAGLEV_NOTE = "Maglev code: its position table does not give the position V8 prints"
#: V8 sends the frames of code it deoptimizes back through the exits at the end of that
#: code by rewriting their return address, so the pc no longer says where the call was
LAZY_DEOPT_NOTE = ("the code was deoptimized while this call ran (the pc is in its "
                   "deoptimization exits)")
_OFFSET_MASK = (1 << 30) - 1
_INLINING_POSITION_SIZE = 16  # struct InliningPosition { SourcePosition (8); int id; pad }
_MAX_INLINING_DEPTH = 64


def decode_source_position(value: int) -> tuple[int, int] | None:
    """(script offset, inlining id or -1) of a SourcePosition; None for an external one."""
    if value & 1:
        return None
    return ((value >> 1) & _OFFSET_MASK) - 1, ((value >> 31) & 0xFFFF) - 1


class CodePosition(NamedTuple):
    """Where a JIT frame is: `offset` the script offset in the frame's own function (None
    when not read, `note` then says why; else `note` is None or INLINED_NOTE), `kind`
    "baseline" when the pc runs Sparkplug code, else "optimized"."""

    offset: int | None
    note: str | None
    kind: str = "optimized"


def code_at(heap: V8Heap, pc: int) -> tuple[int, int] | str:
    """(tagged Code, its instruction start) of the code holding `pc`, or why not."""
    r = heap.reader
    hit = heap.object_at(pc, code=True)
    if hit is None:
        return "pc is in no code object of the walked heap"
    obj, mi = hit
    tname = r.type_name(heap.maps[mi].instance_type)
    start_at = heap.constants.field("InstructionStream" if tname == "INSTRUCTION_STREAM_TYPE"
                                    else "Code", "instruction_start")
    if tname == "INSTRUCTION_STREAM_TYPE":
        code = r.u64(obj - 1 + 8)  # InstructionStream::code
        if code is None or not is_heap_object(code) or r.type_name(r.type_of(code) or 0) != "CODE_TYPE":
            return "the instruction stream's Code is not readable"
        back = heap.constants.field("Code", "instruction_stream", heap.facts.code_instruction_stream)
        if back is None or r.u64(code - 1 + back) != obj:
            return "the Code does not point back at the instruction stream holding the pc"
    elif tname == "CODE_TYPE":
        code = obj
    else:
        return f"pc is in a {tname}, not in code"
    if start_at is None:
        return "instruction start offset not exported"
    start = obj - 1 + start_at
    if not start <= pc:
        return "pc is before the code's instructions"
    return code, start


def optimized_position(heap: V8Heap, pc: int) -> CodePosition:
    """The position of a frame running JIT code at `pc`, from the Code holding the pc."""
    facts = heap.facts
    if facts.code_position_table is None or facts.code_kind_turbofan is None:
        return CodePosition(None, "optimized code layout of this V8 not known (versions.py)")
    found = code_at(heap, pc)
    if isinstance(found, str):
        return CodePosition(None, found)
    code, start = found
    r = heap.reader
    data = r.field(code, facts.code_deopt_data)
    data_type = r.type_name(r.type_of(data) or 0) if data is not None and is_heap_object(data) else ""
    if data_type in ("BYTECODE_ARRAY_TYPE", "INTERPRETER_DATA_TYPE"):
        from triage.v8.baseline import baseline_position

        return baseline_position(heap, code, data, data_type, pc - start)
    if "FIXED_ARRAY" not in data_type:
        return CodePosition(None, "the code has no deoptimization data: not optimized code")
    kind = code_kind(heap, code)
    if kind is None:
        return CodePosition(None, "the code's kind is not readable")
    if kind == facts.code_kind_turbofan - 1:
        return CodePosition(None, MAGLEV_NOTE)
    if kind != facts.code_kind_turbofan:
        return CodePosition(None, f"code of kind {kind}, not TurboFan")
    table = byte_array(heap, code, facts.code_position_table)
    if table is None:
        return CodePosition(None, "the optimized code's source position table is not readable")
    from triage.v8.stack import decode_position_table

    offset = pc - start
    exits = _deopt_exit_start(heap, data)
    if exits is None:
        return CodePosition(None, "the start of the code's deoptimization exits is not readable")
    if offset >= exits:
        return CodePosition(None, LAZY_DEOPT_NOTE)
    value = None
    for code_offset, pos, _ in decode_position_table(table, facts.position_table):
        if code_offset >= offset:
            break
        value = pos
    if value is None:
        return CodePosition(None, "no source position entry before the pc")
    decoded = decode_source_position(value)
    if decoded is None:
        return CodePosition(None, "the position is external (not in a script)")
    script_offset, inlining = decoded
    if inlining < 0:
        return CodePosition(script_offset, None) if script_offset >= 0 else CodePosition(
            None, "the code has no position for this pc")
    positions = _inlining_positions(heap, code)
    if positions is None:
        return CodePosition(None, "runs inlined code whose call site is not readable (deoptimization data)")
    seen = 0
    while inlining >= 0:
        if inlining >= len(positions) or seen > _MAX_INLINING_DEPTH:
            return CodePosition(None, "runs inlined code whose call site is out of range")
        decoded = decode_source_position(positions[inlining])
        if decoded is None:
            return CodePosition(None, "runs inlined code whose call site is external")
        script_offset, inlining = decoded
        seen += 1
    if script_offset < 0:
        return CodePosition(None, "runs inlined code whose call site has no position")
    return CodePosition(script_offset, INLINED_NOTE)


def _inlining_index(heap: V8Heap) -> int | None:
    return heap.constants.get("DeoptimizationDataInliningPositionsIndex",
                              heap.facts.deopt_inlining_positions_index)


def _deopt_exit_start(heap: V8Heap, deopt: int) -> int | None:
    """Code offset of the first deoptimization exit: the Smi after InliningPositions (then
    the eager and lazy exit counts), on every version from 10.2 to 14.6."""
    index = _inlining_index(heap)
    length = heap.reader.field(deopt, 8)
    if index is None or length is None or not is_smi(length) or not index + 1 < smi(length):
        return None
    word = heap.reader.field(deopt, 16 + 8 * (index + 1))
    return smi(word) if word is not None and is_smi(word) and smi(word) > 0 else None


def code_kind(heap: V8Heap, code: int) -> int | None:
    """CodeKind of a Code (Code::flags bits 0-3), None when not readable."""
    at = heap.constants.field("Code", "flags", heap.facts.code_flags)
    flags = heap.reader.u32(code - 1 + at) if at is not None else None
    return None if flags is None else flags & 0xF


def byte_array(heap: V8Heap, obj: int, field: int) -> bytes | None:
    """The bytes of the (Trusted)ByteArray in `obj`'s `field`, None if it is not one."""
    r = heap.reader
    arr = r.field(obj, field)
    if arr is None or not is_heap_object(arr):
        return None
    if "BYTE_ARRAY" not in r.type_name(r.type_of(arr) or 0):
        return None
    n = r.field(arr, 8)
    if n is None or not is_smi(n) or smi(n) < 0 or smi(n) > 1 << 24:
        return None
    return heap.core.try_read(arr - 1 + 16, smi(n))


def _inlining_positions(heap: V8Heap, code: int) -> list[int] | None:
    """The SourcePosition of each inlined function's call site (InliningPositions)."""
    r = heap.reader
    facts = heap.facts
    deopt = r.field(code, facts.code_deopt_data)
    if deopt is None or not is_heap_object(deopt):
        return None
    if "FIXED_ARRAY" not in r.type_name(r.type_of(deopt) or 0):
        return None
    index = _inlining_index(heap)
    length = r.field(deopt, 8)
    if index is None or length is None or not is_smi(length) or not 0 <= index < smi(length):
        return None
    raw = byte_array(heap, deopt, 16 + 8 * index)
    if raw is None or len(raw) % _INLINING_POSITION_SIZE:
        return None
    return [int.from_bytes(raw[i:i + 8], "little") for i in range(0, len(raw), _INLINING_POSITION_SIZE)]
