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
offset; `translation.py`) -> each bytecode's position.
Anything unread leaves the frame at function and script with the reason, never a guess.
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
#: Sparkplug code keeps its bytecode where optimized code keeps its deoptimization data, and
#: a pc -> bytecode offset table where optimized code has source positions (not read)
BASELINE_NOTE = "baseline (Sparkplug) code: its pc -> bytecode offset table is not read"
#: Maglev's position table holds statement positions where V8 prints the call's (19:3 where
#: Node printed 19:45): its frames are placed through the safepoint table and deoptimization
#: data instead (`_maglev_position`); this note and why when that cannot be done
MAGLEV_NOTE = "Maglev code: its position table does not give the position V8 prints"
#: a Maglev frame (or inlined frame) whose callee was inlined: where it made that call is in
#: the deoptimization translation's frames (V8's TranslatedState), not read
MAGLEV_CALLER_NOTE = ("Maglev code: the position of its call into the inlined function is "
                      "in the deoptimization translation (not read)")
#: V8 sends the frames of code it deoptimizes back through the exits at the end of that
#: code by rewriting their return address; the safepoint entry whose trampoline is that exit
#: gives the call's return address back (`_lazy_deopt_return`), else this note and why
LAZY_DEOPT_NOTE = ("the code was deoptimized while this call ran (the pc is in its "
                   "deoptimization exits)")
_OFFSET_MASK = (1 << 30) - 1
_INLINING_POSITION_SIZE = 16  # struct InliningPosition { SourcePosition (8); int id; pad }
_MAX_INLINING_DEPTH = 64
_MAX_INLINED_FUNCTIONS = 1 << 12
_MAX_SAFEPOINTS = 1 << 16


@dataclass
class OptimizedPosition:
    """Where an optimized frame is: `offset` in the frame's own function's script (None when
    unread; `note` then says why, else None or INLINED_NOTE), and the functions inlined into
    it that the pc runs, innermost first: (tagged SharedFunctionInfo, script offset in that
    function's script or None with the reason)."""

    offset: int | None
    note: str | None = None
    inlined: list[tuple[int, int | None, str | None]] = field(default_factory=list)


def decode_source_position(value: int) -> tuple[int, int] | None:
    """(script offset, inlining id or -1) of a SourcePosition; None for an external one."""
    if value & 1:
        return None
    return ((value >> 1) & _OFFSET_MASK) - 1, ((value >> 31) & 0xFFFF) - 1


def optimized_position(heap: V8Heap, pc: int, sfi: int | None = None) -> OptimizedPosition:
    """Position of the optimized frame at `pc` and of the functions inlined into it there
    (`sfi`: the frame's function's SharedFunctionInfo, which Maglev frames need)."""
    facts = heap.facts
    if facts.code_position_table is None or facts.code_kind_turbofan is None:
        return OptimizedPosition(None, "optimized code layout of this V8 not known (versions.py)")
    r = heap.reader
    hit = heap.object_at(pc, code=True)
    if hit is None:
        return OptimizedPosition(None, "pc is in no code object of the walked heap")
    obj, mi = hit
    tname = r.type_name(heap.maps[mi].instance_type)
    start_at = heap.constants.field("InstructionStream" if tname == "INSTRUCTION_STREAM_TYPE"
                                    else "Code", "instruction_start")
    if tname == "INSTRUCTION_STREAM_TYPE":
        code = r.u64(obj - 1 + 8)  # InstructionStream::code
        if code is None or not is_heap_object(code) or r.type_name(r.type_of(code) or 0) != "CODE_TYPE":
            return OptimizedPosition(None, "the instruction stream's Code is not readable")
        back = heap.constants.field("Code", "instruction_stream", facts.code_instruction_stream)
        if back is None or r.u64(code - 1 + back) != obj:
            return OptimizedPosition(None, "the Code does not point back at the instruction stream "
                                           "holding the pc")
    elif tname == "CODE_TYPE":
        code = obj
    else:
        return OptimizedPosition(None, f"pc is in a {tname}, not in code")
    if start_at is None:
        return OptimizedPosition(None, "instruction start offset not exported")
    start = obj - 1 + start_at
    if not start <= pc:
        return OptimizedPosition(None, "pc is before the code's instructions")
    data = r.field(code, facts.code_deopt_data)
    data_type = r.type_name(r.type_of(data) or 0) if data is not None and is_heap_object(data) else ""
    if data_type in ("BYTECODE_ARRAY_TYPE", "INTERPRETER_DATA_TYPE"):
        return OptimizedPosition(None, BASELINE_NOTE)
    if "FIXED_ARRAY" not in data_type:
        return OptimizedPosition(None, "the code has no deoptimization data: not optimized code")
    kind = _code_kind(heap, code)
    if kind is None:
        return OptimizedPosition(None, "the code's kind is not readable")
    maglev = kind == facts.code_kind_turbofan - 1
    if maglev:
        return _maglev_position(heap, code, start, pc - start, data, sfi)
    if kind != facts.code_kind_turbofan:
        return OptimizedPosition(None, f"code of kind {kind}, not TurboFan")
    table = _byte_array(heap, code, facts.code_position_table)
    if table is None:
        return OptimizedPosition(None, "the optimized code's source position table is not readable")
    from triage.v8.stack import decode_position_table

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
    return _through_inlining(heap, data, script_offset, inlining)


def _through_inlining(heap: V8Heap, deopt: int, script_offset: int, inlining: int) -> OptimizedPosition:
    """Follow the inlining chain from the pc's position out to the frame's own function."""
    positions = _inlining_positions(heap, deopt)
    if positions is None:
        return OptimizedPosition(None, "runs inlined code whose call site is not readable "
                                       "(deoptimization data)")
    functions, why = _inlined_functions(heap, deopt)
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


def _code_kind(heap: V8Heap, code: int) -> int | None:
    at = heap.constants.field("Code", "flags", heap.facts.code_flags)
    flags = heap.reader.u32(code - 1 + at) if at is not None else None
    return None if flags is None else flags & 0xF


def _byte_array(heap: V8Heap, obj: int, field: int) -> bytes | None:
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


def _inlining_positions(heap: V8Heap, deopt: int) -> list[tuple[int, int]] | None:
    """(call site SourcePosition, inlined function index) of each InliningPositions entry."""
    index = _inlining_index(heap)
    if _deopt_element(heap, deopt, index) is None:
        return None
    raw = _byte_array(heap, deopt, 16 + 8 * index)
    if raw is None or len(raw) % _INLINING_POSITION_SIZE:
        return None
    return [(int.from_bytes(raw[i:i + 8], "little"),
             int.from_bytes(raw[i + 8:i + 12], "little", signed=True))
            for i in range(0, len(raw), _INLINING_POSITION_SIZE)]


def _deopt_element(heap: V8Heap, deopt: int, index: int | None) -> int | None:
    """Element `index` of the DeoptimizationData array, None when out of its bounds."""
    length = heap.reader.field(deopt, 8)
    if index is None or length is None or not is_smi(length) or not 0 <= index < smi(length):
        return None
    return heap.reader.field(deopt, 16 + 8 * index)


def _inlined_functions(heap: V8Heap, deopt: int) -> tuple[list[int] | None, str]:
    """The inlined functions' SharedFunctionInfos (the literal array's first InlinedFunctionCount
    entries, each checked to be one), or None and why not."""
    r = heap.reader
    c = heap.constants
    count = _deopt_element(heap, deopt, c.get("DeoptimizationDataInlinedFunctionCountIndex",
                                              heap.facts.deopt_inlined_count_index))
    literals = _deopt_element(heap, deopt, c.get("DeoptimizationDataLiteralArrayIndex",
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


def _safepoints(heap: V8Heap, code: int, start: int, maglev: bool) -> tuple[list[tuple[int, int, int]], str]:
    """(pc, deopt index, trampoline pc) of each entry of the code's safepoint table, or []
    and why not.

    The table opens the code's metadata, right after its instructions. Its header
    (`safepoint_header`; Maglev's `maglev_safepoint_header` adds slot counts, versions.py)
    holds the entry count and configuration (bit 0 has deopt data, bits 1-3 register-index
    bytes, 4-6 pc bytes, 7-9 deopt-index bytes) at the end of the TurboFan header's size
    (after the stack slot count from 13.6); each entry is pc, deopt index + 1,
    trampoline pc + 1 (V8 stores -1 as 0), Maglev's then a pushed-register count byte, then
    the register indexes (10.2-14.6)."""
    r = heap.reader
    facts = heap.facts
    at = heap.constants.field("Code", "instruction_size", facts.code_instruction_size)
    header = facts.maglev_safepoint_header if maglev else facts.safepoint_header
    if header is None or facts.safepoint_header is None or at is None:
        return [], "the safepoint table layout of this V8 is not known (versions.py)"
    size, meta_size = r.u32(code - 1 + at), r.u32(code - 1 + at + 4)  # metadata_size follows
    if size is None or meta_size is None or not header <= meta_size <= 1 << 24:
        return [], "the code's instruction and metadata sizes are not readable"
    raw = heap.core.try_read(start + size, meta_size)
    if raw is None:
        return [], "the code's safepoint table is not in the core"
    count_at = facts.safepoint_header - 8  # Maglev's header only adds slot counts after these
    length = int.from_bytes(raw[count_at:count_at + 4], "little", signed=True)
    config = int.from_bytes(raw[count_at + 4:count_at + 8], "little")
    registers, pc_bytes, index_bytes = (config >> 1) & 7, (config >> 4) & 7, (config >> 7) & 7
    entry = pc_bytes + index_bytes + pc_bytes + (1 if maglev else 0) + registers
    bitmaps = 0 if maglev else length * (config >> 10)  # Maglev keeps no per-entry slot bitmap
    if (not config & 1 or not 0 < length <= _MAX_SAFEPOINTS or max(pc_bytes, index_bytes) > 4
            or header + length * entry + bitmaps > meta_size):
        return [], "the code's safepoint table is not readable"
    out = []
    for i in range(length):
        p = header + i * entry
        pc = int.from_bytes(raw[p:p + pc_bytes], "little")
        index = int.from_bytes(raw[p + pc_bytes:p + pc_bytes + index_bytes], "little") - 1
        trampoline = int.from_bytes(raw[p + pc_bytes + index_bytes:p + entry - registers
                                        - (1 if maglev else 0)], "little") - 1
        out.append((pc, index, trampoline))
    return out, ""


def _lazy_deopt_return(heap: V8Heap, code: int, start: int, exit_offset: int) -> tuple[int | None, str]:
    """Code offset of the return address V8 replaced with the deoptimization exit at
    `exit_offset` (or None and why): the pc of the safepoint entry whose trampoline is that
    exit, as V8's deoptimizer chose it (`SafepointEntry::trampoline_pc`)."""
    entries, why = _safepoints(heap, code, start, maglev=False)
    if not entries:
        return None, why
    for pc, _, trampoline in entries:
        if trampoline == exit_offset:
            if not 0 < pc < exit_offset:
                return None, "the safepoint entry of this exit has no call before it"
            return pc, ""
    return None, "no safepoint entry has this deoptimization exit as its trampoline"


def _maglev_position(heap: V8Heap, code: int, start: int, offset: int, deopt: int,
                     sfi: int | None) -> OptimizedPosition:
    """Position of a Maglev frame the way V8 finds it (`OptimizedFrame::Summarize`): the
    safepoint entry of the pc (its return address, or the exit V8 rewrote it to) names a
    deoptimization entry, whose translation lists the frames V8 rebuilds there (function
    and bytecode offset each, mapped by its BytecodeArray's position table). Without the
    translation, the entry's own bytecode offset places the innermost frame (its function
    named by the inlining id of Maglev's position at the pc) and its callers say why not."""
    entries, why = _safepoints(heap, code, start, maglev=True)
    if not entries:
        return OptimizedPosition(None, f"{MAGLEV_NOTE}: {why}")
    hit = next(((index, trampoline) for pc, index, trampoline in entries
                if offset in (pc, trampoline) and index >= 0), None)
    if hit is None:
        return OptimizedPosition(None, f"{MAGLEV_NOTE}: no safepoint entry with a deoptimization "
                                       "point at the pc")
    index, trampoline = hit
    # entries of (bytecode offset, translation index, pc) follow DeoptExitStart and the eager
    # and lazy deopt counts, three Smis after InliningPositions (10.2-14.6, release builds);
    # the offset is the innermost frame's, the one making the call
    inlining = _inlining_index(heap)
    first = None if inlining is None else inlining + 4
    bytecode_offset = None if first is None else _deopt_element(heap, deopt, first + 3 * index)
    exit_pc = None if first is None else _deopt_element(heap, deopt, first + 3 * index + 2)
    if (bytecode_offset is None or exit_pc is None or not is_smi(bytecode_offset) or not is_smi(exit_pc)
            or smi(exit_pc) != trampoline or smi(bytecode_offset) < 0):
        return OptimizedPosition(None, f"{MAGLEV_NOTE}: its deoptimization entry does not match "
                                       "the safepoint table")
    translation = _deopt_element(heap, deopt, first + 3 * index + 1)
    placed = _translated_position(heap, deopt, smi(translation) if translation is not None
                                  and is_smi(translation) else -1, smi(bytecode_offset), sfi)
    if placed is not None:
        return placed
    # without the translation: which function the innermost frame runs is the inlining id
    # of Maglev's own position at the pc (its script offset is a statement's)
    innermost = _table_position(heap, code, offset)
    if innermost is None:
        return OptimizedPosition(None, f"{MAGLEV_NOTE}: its position table has no entry for the pc")
    inlining_id = innermost[1]
    if inlining_id >= 0:
        positions = _inlining_positions(heap, deopt)
        functions, why = _inlined_functions(heap, deopt)
        if positions is None or functions is None or not inlining_id < len(positions) \
                or not 0 <= positions[inlining_id][1] < len(functions):
            return OptimizedPosition(None, f"{MAGLEV_NOTE}: the inlined function the call is in is "
                                           f"not readable ({why or 'inlining positions'})")
        sfi = functions[positions[inlining_id][1]]
    bytecode = _sfi_bytecode(heap, sfi)
    if bytecode is None:
        return OptimizedPosition(None, f"{MAGLEV_NOTE}: the function's bytecode is not readable")
    from triage.v8.stack import bytecode_source_position

    # the table's offsets are one past V8's bytecode offsets, as for interpreted frames
    # (stack.py): 37 + 1 -> 19:45 as Node printed on 13.6 (38 + 1 on 14.6)
    position = bytecode_source_position(heap, bytecode, smi(bytecode_offset) + 1)
    if position is None or position < 0:
        return OptimizedPosition(None, f"{MAGLEV_NOTE}: the bytecode has no position for the call")
    if inlining_id < 0:
        return OptimizedPosition(position)
    # the callers' call sites in InliningPositions are statements too (17:3 where Node printed
    # 17:40): their positions are in the translation's outer frames, not read
    found = _through_inlining(heap, deopt, position, inlining_id)
    if not found.inlined:
        return OptimizedPosition(None, f"{MAGLEV_NOTE}: {found.note}")
    inlined = [found.inlined[0]] + [(f, None, MAGLEV_CALLER_NOTE) for f, _, _ in found.inlined[1:]]
    return OptimizedPosition(None, MAGLEV_CALLER_NOTE, inlined)


def _translated_position(heap: V8Heap, deopt: int, translation_index: int, bytecode_offset: int,
                         sfi: int | None) -> OptimizedPosition | None:
    """The frame and its inlined functions as V8 rebuilds them from the deoptimization
    entry's translation (`translation.py`): each interpreted frame's function (a literal)
    and bytecode offset, mapped by its BytecodeArray. None when the translation is not
    read or does not check out: its innermost offset must be the entry's and its outermost
    function the frame's own."""
    from triage.v8.translation import OpcodeTable, interpreted_frames

    opcodes = heap.facts.translation_opcodes
    translations = _byte_array(heap, deopt, 16)  # FrameTranslation, DeoptimizationData's first
    if opcodes is None or translations is None or sfi is None or translation_index < 0:
        return None
    frames = interpreted_frames(translations, translation_index, OpcodeTable.from_names(opcodes))
    if not frames or frames[-1][0] != bytecode_offset:
        return None
    from triage.v8.stack import bytecode_source_position

    placed = []
    for offset, literal in frames:
        function = _literal(heap, deopt, literal)
        bytecode = _sfi_bytecode(heap, function)
        if function is None or bytecode is None or offset < 0:
            return None
        position = bytecode_source_position(heap, bytecode, offset + 1)  # +1: see above
        placed.append((function, position if position is not None and position >= 0 else None))
    if placed[0][0] != sfi:
        return None
    note = "the bytecode has no position for the call"
    inlined = [(f, p, None if p is not None else note) for f, p in reversed(placed[1:])]
    outer = placed[0][1]
    return OptimizedPosition(outer, None if outer is not None else f"{MAGLEV_NOTE}: {note}", inlined)


def _literal(heap: V8Heap, deopt: int, index: int) -> int | None:
    """Deoptimization literal `index` if it is a SharedFunctionInfo (weak references
    followed), else None."""
    r = heap.reader
    literals = _deopt_element(heap, deopt, heap.constants.get(
        "DeoptimizationDataLiteralArrayIndex", heap.facts.deopt_literal_array_index))
    if literals is None or not is_heap_object(literals):
        return None
    length = r.field(literals, 8)
    if length is None or not is_smi(length) or not 0 <= index < smi(length):
        return None
    word = r.field(literals, 16 + 8 * index)
    if word is not None and word & 3 == 3:
        word &= ~2
    if word is None or not is_heap_object(word) or r.type_of(word) != heap.constants.type_id(
            "SHARED_FUNCTION_INFO_TYPE"):
        return None
    return word


def _table_position(heap: V8Heap, code: int, offset: int) -> tuple[int, int] | None:
    """(script offset, inlining id) of the Code's position table entry for the pc at
    `offset` (the last one before it), None when unreadable or external."""
    from triage.v8.stack import decode_position_table

    table = _byte_array(heap, code, heap.facts.code_position_table)
    if table is None:
        return None
    value = None
    for code_offset, pos, _ in decode_position_table(table, heap.facts.position_table):
        if code_offset >= offset:
            break
        value = pos
    return None if value is None else decode_source_position(value)


def _sfi_bytecode(heap: V8Heap, sfi: int | None) -> int | None:
    """The BytecodeArray a SharedFunctionInfo holds (`sfi_function_data`, versions.py)."""
    at = heap.facts.sfi_function_data
    if sfi is None or at is None:
        return None
    r = heap.reader
    word = r.field(sfi, at)
    if word is None or not is_heap_object(word) or r.type_of(word) != heap.constants.type_id(
            "BYTECODE_ARRAY_TYPE"):
        return None
    return word
