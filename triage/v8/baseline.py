"""Positions of baseline (Sparkplug) JS frames from a core, through the bytecode they run.

Sparkplug compiles a function's bytecode in order, one bytecode after another, and its Code
keeps, where optimized code has its source position table, a table of machine-code lengths
(V8 baseline/bytecode-offset-iterator.h): unsigned VLQs, the first the prologue's, then one
per bytecode. It names no bytecode, so the bytecode a pc runs is found by walking the
function's BytecodeArray alongside the table, which needs each bytecode's size. Those sizes
come from the node binary itself (`Bytecodes::kBytecodeSizes`, one row per operand scale),
read once per binary and checked for shape, never from a list of bytecodes per version.

A pc maps to the bytecode whose code range (start, end] holds it (the return address of
a call is past the call, still inside its bytecode's code), as V8's
`Code::GetBytecodeOffsetForBaselinePC` does. The whole table is checked against the whole
bytecode (one entry per bytecode, the walk ending at the array's end) before any offset is
trusted, so a corrupt table, bytecode or size table gives a reason, never an offset.
The bytecode offset then goes through the BytecodeArray's own position table as an
interpreted frame's does (`positions.bytecode_position`). `optimized.py` sends a frame here
when the Code at its pc holds a BytecodeArray where optimized code has deoptimization data.
"""

from __future__ import annotations

import weakref
from typing import TYPE_CHECKING

from triage.v8 import versions as vf
from triage.v8.code import OptimizedPosition, byte_array, code_kind
from triage.v8.positions import bytecode_position
from triage.v8.reader import is_smi, smi

if TYPE_CHECKING:
    from triage.coredump import ElfFile
    from triage.v8.heap import V8Heap

#: a BytecodeArray or offset table longer than this is not read (V8 caps bytecode far lower)
MAX_BYTES = 1 << 24
#: the pc is in the code before the first bytecode (V8's kFunctionEntryBytecodeOffset)
FUNCTION_ENTRY = -1
_SIZES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
#: how a baseline frame's reason for having no position starts
BASELINE_PREFIX = "baseline (Sparkplug) code: "
#: the pc is in baseline code before its first bytecode (e.g. the prologue's stack check)
BASELINE_ENTRY_NOTE = (BASELINE_PREFIX + "the pc is in the function's prologue, before its "
                       "first bytecode (that position is not read)")


def bytecode_sizes(binary: ElfFile) -> tuple[bytes, bytes, bytes] | str:
    """The three rows (single, double, quadruple operand scale) of the binary's bytecode
    size table, or why it cannot be used. Read once per binary."""
    if binary not in _SIZES:
        _SIZES[binary] = _read_sizes(binary)
    return _SIZES[binary]


def _read_sizes(binary: ElfFile) -> tuple[bytes, bytes, bytes] | str:
    sym = binary.symbol(vf.BYTECODE_SIZES_SYMBOL)
    if sym is None:
        return "the node binary has no bytecode size table (Bytecodes::kBytecodeSizes)"
    count, rest = divmod(sym.size, 3)
    if rest or not vf.BYTECODE_COUNT_RANGE[0] <= count <= vf.BYTECODE_COUNT_RANGE[1]:
        return f"the bytecode size table has an unexpected size ({sym.size} bytes)"
    raw = binary.read_vaddr(sym.value, sym.size)
    if raw is None or len(raw) != sym.size:
        return "the bytecode size table is not readable from the node binary"
    rows = (bytes(raw[:count]), bytes(raw[count:2 * count]), bytes(raw[2 * count:]))
    if any(rows[s][b] != 1 for s in range(3) for b in vf.BYTECODE_PREFIXES):
        return "the bytecode size table does not have the prefix bytecodes first"
    if not all(1 <= rows[0][b] <= rows[1][b] <= rows[2][b] <= vf.BYTECODE_MAX_SIZE
               for b in range(count)):
        return "the bytecode size table's sizes are out of shape"
    return rows


def bytecode_offset(sizes: tuple[bytes, bytes, bytes], table: bytes, bytecodes: bytes,
                    pc_offset: int) -> tuple[int | None, str | None]:
    """(bytecode offset, None) of the bytecode whose baseline code holds `pc_offset`
    (FUNCTION_ENTRY in the prologue), or (None, why)."""
    lengths = _uvlqs(table)
    if lengths is None or not lengths:
        return None, "its pc -> bytecode offset table does not decode"
    starts = _bytecode_starts(sizes, bytecodes)
    if isinstance(starts, str):
        return None, starts
    if len(starts) != len(lengths) - 1:
        return None, (f"its pc -> bytecode offset table has {len(lengths) - 1} entries for "
                      f"{len(starts)} bytecodes")
    end = lengths[0]
    if pc_offset <= end:
        return FUNCTION_ENTRY, None
    for start, length in zip(starts, lengths[1:], strict=True):
        end += length
        if pc_offset <= end:
            return start, None
    return None, "the pc is past the code its pc -> bytecode offset table covers"


def _uvlqs(buf: bytes) -> list[int] | None:
    """Unsigned VLQs (7 bits a byte, low first, bit 7 = more), None if one is cut off."""
    out: list[int] = []
    value = shift = 0
    for b in buf:
        value |= (b & 0x7F) << shift
        shift += 7
        if b & 0x80:
            if shift > 63:
                return None
            continue
        out.append(value)
        value = shift = 0
    return None if shift else out


def _bytecode_starts(sizes: tuple[bytes, bytes, bytes], code: bytes) -> list[int] | str:
    """Offset of each bytecode (of its prefix, if scaled), as V8's BytecodeArrayIterator
    counts them; why not when the bytecode does not walk to its exact end."""
    count = len(sizes[0])
    starts: list[int] = []
    i = 0
    while i < len(code):
        starts.append(i)
        scale = vf.BYTECODE_PREFIXES.get(code[i], 0)
        if scale:
            i += 1
            if i >= len(code):
                return "its bytecode ends with an operand-scale prefix"
        op = code[i]
        if op >= count or op in vf.BYTECODE_PREFIXES:
            return f"its bytecode has an unknown bytecode {op} at offset {i}"
        i += sizes[scale][op]
    if i != len(code):
        return "its bytecode's last bytecode runs past the array's end"
    return starts


def baseline_bytecode_offset(heap: V8Heap, code: int, bytecode: int,
                             pc_offset: int) -> tuple[int | None, str | None]:
    """(bytecode offset of the pc `pc_offset` bytes into baseline `code`, None) or (None,
    why); `bytecode` is the Code's BytecodeArray."""
    sizes = bytecode_sizes(heap.binary)
    if isinstance(sizes, str):
        return None, sizes
    field = heap.facts.code_position_table
    table = byte_array(heap, code, field) if field is not None else None
    if table is None:
        return None, "its pc -> bytecode offset table is not readable"
    data = heap.constants.field("BytecodeArray", "data")
    length = heap.reader.field(bytecode, heap.constants.field("BytecodeArray", "length", 8))
    if data is None:
        return None, "the BytecodeArray layout of this V8 is not exported"
    if length is None or not is_smi(length) or not 0 < smi(length) <= MAX_BYTES:
        return None, "its BytecodeArray's length is not readable"
    raw = heap.core.try_read(bytecode - 1 + data, smi(length))
    if raw is None:
        return None, "its bytecode is not in the core"
    return bytecode_offset(sizes, table, raw, pc_offset)


def baseline_position(heap: V8Heap, code: int, data: int, data_type: str,
                       pc_offset: int) -> OptimizedPosition:
    """The position of a frame `pc_offset` bytes into baseline `code` whose bytecode field
    holds `data`: its bytecode offset, then the BytecodeArray's source position table, as
    V8's BaselineFrame does."""
    turbofan = heap.facts.code_kind_turbofan
    if turbofan is None:
        return OptimizedPosition(None, BASELINE_PREFIX + "the code kinds of this V8 are not known",
                                 kind="baseline")
    kind = code_kind(heap, code)
    want = turbofan - vf.BASELINE_KIND_BELOW_TURBOFAN
    if kind != want:
        return OptimizedPosition(None, BASELINE_PREFIX + f"code of kind {kind} holding bytecode, "
                                 f"not baseline ({want})", kind="baseline")
    if data_type != "BYTECODE_ARRAY_TYPE":  # not seen, even with --interpreted-frames-native-stack
        return OptimizedPosition(None, BASELINE_PREFIX + "its bytecode is behind an InterpreterData "
                                 "(not read)", kind="baseline")
    offset, why = baseline_bytecode_offset(heap, code, data, pc_offset)
    if offset is None:
        return OptimizedPosition(None, BASELINE_PREFIX + (why or "no bytecode offset"), kind="baseline")
    if offset == FUNCTION_ENTRY:
        return OptimizedPosition(None, BASELINE_ENTRY_NOTE, kind="baseline")
    position = bytecode_position(heap, data, offset)
    if position is None or position < 0:
        return OptimizedPosition(None, BASELINE_PREFIX + f"no source position for bytecode offset "
                                 f"{offset}", kind="baseline")
    return OptimizedPosition(position, None, kind="baseline")
