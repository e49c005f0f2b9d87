"""Source positions of Maglev frames (Node 24 on), found the way V8 finds them.

Maglev's source position table holds statement positions where V8 prints the call's (19:3
where Node printed 19:45), so V8 (`OptimizedFrame::Summarize`) goes through the
deoptimization data instead, and so does this module: the Maglev safepoint entry of the pc
names a deoptimization entry, whose translation lists the frames V8 would rebuild there
(`translation.py`), each a function and a bytecode offset its BytecodeArray maps to a
position. Anything that does not check out gives no position with the reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from triage.v8.code import (
    MAGLEV_CALLER_NOTE,
    MAGLEV_NOTE,
    OptimizedPosition,
    byte_array,
    decode_source_position,
    deopt_element,
    inlined_functions,
    inlining_index,
    inlining_positions,
    through_inlining,
)
from triage.v8.positions import bytecode_source_position, decode_position_table
from triage.v8.reader import is_heap_object, is_smi, smi
from triage.v8.safepoints import safepoints

if TYPE_CHECKING:
    from triage.v8.heap import V8Heap


def maglev_position(heap: V8Heap, code: int, start: int, offset: int, deopt: int,
                     sfi: int | None) -> OptimizedPosition:
    """Position of a Maglev frame the way V8 finds it (`OptimizedFrame::Summarize`): the
    safepoint entry of the pc (its return address, or the exit V8 rewrote it to) names a
    deoptimization entry, whose translation lists the frames V8 rebuilds there (function
    and bytecode offset each, mapped by its BytecodeArray's position table). Without the
    translation, the entry's own bytecode offset places the innermost frame (its function
    named by the inlining id of Maglev's position at the pc) and its callers say why not."""
    entries, why = safepoints(heap, code, start, maglev=True)
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
    inlining = inlining_index(heap)
    first = None if inlining is None else inlining + 4
    bytecode_offset = None if first is None else deopt_element(heap, deopt, first + 3 * index)
    exit_pc = None if first is None else deopt_element(heap, deopt, first + 3 * index + 2)
    if (bytecode_offset is None or exit_pc is None or not is_smi(bytecode_offset) or not is_smi(exit_pc)
            or smi(exit_pc) != trampoline or smi(bytecode_offset) < 0):
        return OptimizedPosition(None, f"{MAGLEV_NOTE}: its deoptimization entry does not match "
                                       "the safepoint table")
    translation = deopt_element(heap, deopt, first + 3 * index + 1)
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
        positions = inlining_positions(heap, deopt)
        functions, why = inlined_functions(heap, deopt)
        if positions is None or functions is None or not inlining_id < len(positions) \
                or not 0 <= positions[inlining_id][1] < len(functions):
            return OptimizedPosition(None, f"{MAGLEV_NOTE}: the inlined function the call is in is "
                                           f"not readable ({why or 'inlining positions'})")
        sfi = functions[positions[inlining_id][1]]
    bytecode = _sfi_bytecode(heap, sfi)
    if bytecode is None:
        return OptimizedPosition(None, f"{MAGLEV_NOTE}: the function's bytecode is not readable")
    # the table's offsets are one past V8's bytecode offsets, as for interpreted frames
    # (stack.py): 37 + 1 -> 19:45 as Node printed on 13.6 (38 + 1 on 14.6)
    position = bytecode_source_position(heap, bytecode, smi(bytecode_offset) + 1)
    if position is None or position < 0:
        return OptimizedPosition(None, f"{MAGLEV_NOTE}: the bytecode has no position for the call")
    if inlining_id < 0:
        return OptimizedPosition(position)
    # the callers' call sites in InliningPositions are statements too (17:3 where Node printed
    # 17:40): their positions are in the translation's outer frames, not read
    found = through_inlining(heap, deopt, position, inlining_id)
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
    translations = byte_array(heap, deopt, 16)  # FrameTranslation, DeoptimizationData's first
    if opcodes is None or translations is None or sfi is None or translation_index < 0:
        return None
    frames = interpreted_frames(translations, translation_index, OpcodeTable.from_names(opcodes))
    if not frames or frames[-1][0] != bytecode_offset:
        return None
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
    literals = deopt_element(heap, deopt, heap.constants.get(
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
    table = byte_array(heap, code, heap.facts.code_position_table)
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
