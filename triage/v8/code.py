"""Code objects and their deoptimization data, as the frame readers share them.

Finding the Code that holds a pc (through its InstructionStream from V8 11), its kind, its
byte arrays, and in the DeoptimizationData of optimized code the inlined functions and
the call sites they were inlined at (InliningPositions, SourcePosition bit fields); the
`OptimizedPosition` every JIT frame reader returns. TurboFan (`optimized.py`), Maglev
(`maglev.py`) and Sparkplug (`baseline.py`) frames all read these, so they live below
them: none of those modules imports another for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from triage.v8.reader import is_heap_object, is_smi, smi

if TYPE_CHECKING:
    from triage.v8.heap import V8Heap

INLINED_NOTE = "position of the call in this function; the functions inlined into it are not listed"
#: what an inlined frame says instead of its receiver and arguments
INLINED_VALUES_NOTE = ("inlined into the frame below: no stack frame of its own, this and "
                       "arguments not read")
#: Maglev's position table holds statement positions where V8 prints the call's (19:3 where
#: Node printed 19:45): its frames are placed through the safepoint table and deoptimization
#: data instead (`maglev.py`); this note and why when that cannot be done
MAGLEV_NOTE = "Maglev code: its position table does not give the position V8 prints"
#: a Maglev frame (or inlined frame) whose callee was inlined: where it made that call is in
#: the deoptimization translation's frames (V8's TranslatedState), not read
MAGLEV_CALLER_NOTE = ("Maglev code: the position of its call into the inlined function is "
                      "in the deoptimization translation (not read)")
_OFFSET_MASK = (1 << 30) - 1
_INLINING_POSITION_SIZE = 16  # struct InliningPosition { SourcePosition (8); int id; pad }
_MAX_INLINING_DEPTH = 64
_MAX_INLINED_FUNCTIONS = 1 << 12


@dataclass
class OptimizedPosition:
    """Where an optimized frame is: `offset` in the frame's own function's script (None when
    unread; `note` then says why, else None or INLINED_NOTE), and the functions inlined into
    it that the pc runs, innermost first: (tagged SharedFunctionInfo, script offset in that
    function's script or None with the reason)."""

    offset: int | None
    note: str | None = None
    inlined: list[tuple[int, int | None, str | None]] = field(default_factory=list)
    #: "baseline" when the pc runs Sparkplug code (its frame keeps no bytecode offset slot)
    kind: str = "optimized"


def decode_source_position(value: int) -> tuple[int, int] | None:
    """(script offset, inlining id or -1) of a SourcePosition; None for an external one."""
    if value & 1:
        return None
    return ((value >> 1) & _OFFSET_MASK) - 1, ((value >> 31) & 0xFFFF) - 1


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


def through_inlining(heap: V8Heap, deopt: int, script_offset: int, inlining: int) -> OptimizedPosition:
    """Follow the inlining chain from the pc's position out to the frame's own function."""
    positions = inlining_positions(heap, deopt)
    if positions is None:
        return OptimizedPosition(None, "runs inlined code whose call site is not readable "
                                       "(deoptimization data)")
    functions, why = inlined_functions(heap, deopt)
    inlined: list[tuple[int, int | None, str | None]] = []
    seen = 0
    while inlining >= 0:
        if inlining >= len(positions) or seen > _MAX_INLINING_DEPTH:
            return OptimizedPosition(None, "runs inlined code whose call site is out of range")
        call, function_id = positions[inlining]
        if functions is not None and not 0 <= function_id < len(functions):
            functions, why = None, f"inlined function {function_id} is not in the literal array"
        if functions is not None:
            inlined.append((functions[function_id], script_offset if script_offset >= 0 else None,
                            None if script_offset >= 0 else "the code has no position for this pc"))
        decoded = decode_source_position(call)
        if decoded is None:
            return OptimizedPosition(None, "runs inlined code whose call site is external")
        script_offset, inlining = decoded
        seen += 1
    if script_offset < 0:
        return OptimizedPosition(None, "runs inlined code whose call site has no position")
    if functions is None:
        return OptimizedPosition(script_offset, f"{INLINED_NOTE} ({why})")
    return OptimizedPosition(script_offset, None, inlined)


def inlining_index(heap: V8Heap) -> int | None:
    return heap.constants.get("DeoptimizationDataInliningPositionsIndex",
                              heap.facts.deopt_inlining_positions_index)


def code_kind(heap: V8Heap, code: int) -> int | None:
    at = heap.constants.field("Code", "flags", heap.facts.code_flags)
    flags = heap.reader.u32(code - 1 + at) if at is not None else None
    return None if flags is None else flags & 0xF


def byte_array(heap: V8Heap, obj: int, field: int) -> bytes | None:
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


def inlining_positions(heap: V8Heap, deopt: int) -> list[tuple[int, int]] | None:
    """(call site SourcePosition, inlined function index) of each InliningPositions entry."""
    index = inlining_index(heap)
    if deopt_element(heap, deopt, index) is None:
        return None
    raw = byte_array(heap, deopt, 16 + 8 * index)
    if raw is None or len(raw) % _INLINING_POSITION_SIZE:
        return None
    return [(int.from_bytes(raw[i:i + 8], "little"),
             int.from_bytes(raw[i + 8:i + 12], "little", signed=True))
            for i in range(0, len(raw), _INLINING_POSITION_SIZE)]


def deopt_element(heap: V8Heap, deopt: int, index: int | None) -> int | None:
    """Element `index` of the DeoptimizationData array, None when out of its bounds."""
    length = heap.reader.field(deopt, 8)
    if index is None or length is None or not is_smi(length) or not 0 <= index < smi(length):
        return None
    return heap.reader.field(deopt, 16 + 8 * index)


def inlined_functions(heap: V8Heap, deopt: int) -> tuple[list[int] | None, str]:
    """The inlined functions' SharedFunctionInfos (the literal array's first InlinedFunctionCount
    entries, each checked to be one), or None and why not."""
    r = heap.reader
    c = heap.constants
    count = deopt_element(heap, deopt, c.get("DeoptimizationDataInlinedFunctionCountIndex",
                                              heap.facts.deopt_inlined_count_index))
    literals = deopt_element(heap, deopt, c.get("DeoptimizationDataLiteralArrayIndex",
                                                 heap.facts.deopt_literal_array_index))
    if count is None or not is_smi(count) or not 0 <= smi(count) <= _MAX_INLINED_FUNCTIONS:
        return None, "the inlined function count is not readable"
    if literals is None or not is_heap_object(literals) or not r.type_name(
            r.type_of(literals) or 0).endswith("FIXED_ARRAY_TYPE"):
        return None, "the deoptimization literal array is not readable"
    length = r.field(literals, 8)
    if length is None or not is_smi(length) or smi(length) < smi(count):
        return None, "the deoptimization literal array is shorter than its inlined functions"
    sfi_type = c.type_id("SHARED_FUNCTION_INFO_TYPE")
    out = []
    for i in range(smi(count)):
        word = r.field(literals, 16 + 8 * i)
        if word is not None and word & 3 == 3:
            word &= ~2  # a weak reference (the literal array is a weak one from V8 10)
        if word is None or not is_heap_object(word) or r.type_of(word) != sfi_type:
            return None, f"inlined function {i} is not a SharedFunctionInfo"
        out.append(word)
    return out, ""
