"""A Code's safepoint table: for each call in optimized code, its return address, the
deoptimization entry V8 uses there and the deoptimization exit (trampoline) V8 rewrites the
return address to when the code is deoptimized while the call runs. TurboFan and Maglev
keep one each, in slightly different forms (`safepoints`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from triage.v8.heap import V8Heap

_MAX_SAFEPOINTS = 1 << 16


def safepoints(heap: V8Heap, code: int, start: int, maglev: bool) -> tuple[list[tuple[int, int, int]], str]:
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
