"""Source positions: V8's position tables, a bytecode's script offset, and line:column.

Interpreted, baseline, Maglev and TurboFan frames, and an Error's captured stack, all end in
the same two steps: a source position table (code offset -> script offset, VLQ-encoded as
V8's `SourcePositionTableIterator` reads it) and the script's text for line:column. They
live here, below every frame reader, so none of those readers imports another for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from triage.v8.reader import is_heap_object, is_smi, smi

if TYPE_CHECKING:
    from triage.v8.heap import V8Heap


def read_uvlq(buf: bytes, i: int) -> tuple[int, int]:
    """(value, next index) of the unsigned VLQ at `buf[i]` (7 bits a byte, low first)."""
    value = 0
    shift = 0
    while i < len(buf):
        b = buf[i]
        i += 1
        value |= (b & 0x7F) << shift
        shift += 7
        if not b & 0x80:
            break
    return value, i


def _read_vlq(buf: bytes, i: int) -> tuple[int, int]:
    """A zigzag-encoded signed VLQ (V8's source positions)."""
    value, i = read_uvlq(buf, i)
    return (value >> 1) ^ -(value & 1), i


def decode_position_table(buf: bytes, encoding: str = "zigzag") -> list[tuple[int, int, bool]]:
    """(code offset, source position, is_statement) entries of a source position table.

    `encoding` (`VersionFacts.position_table`) is how code offsets are stored: "zigzag"
    (V8 <= 13.6, negative = expression) or "kind2" (V8 14.6: `delta << 2 | kind`).
    """
    out = []
    i = 0
    code = 0
    pos = 0
    while i < len(buf):
        if encoding == "kind2":
            u, i = read_uvlq(buf, i)
            stmt = bool(u & 1)
            code += u >> 2
        else:
            d, i = _read_vlq(buf, i)
            stmt = d >= 0
            code += d if stmt else -d - 1
        if i >= len(buf):
            break
        dp, i = _read_vlq(buf, i)
        pos += dp
        out.append((code, pos, stmt))
    return out


def bytecode_source_position(heap: V8Heap, bytecode: int, offset: int) -> int | None:
    """Script offset of bytecode `offset` via the BytecodeArray's source position table."""
    r = heap.reader
    if not heap.facts.bytecode_source_positions:
        return None  # neither in versions.py nor derived from the core
    table = r.field(bytecode, heap.facts.bytecode_source_positions)
    if table is None or not is_heap_object(table):
        return None
    tname = r.type_name(r.type_of(table) or 0)
    if "BYTE_ARRAY" not in tname:
        return None
    n = r.field(table, 8)
    if n is None or not is_smi(n) or smi(n) <= 0:
        return None
    raw = heap.core.try_read(table - 1 + 16, smi(n))
    if raw is None:
        return None
    best = None
    for code, pos, _ in decode_position_table(raw, heap.facts.position_table):
        if code > offset:
            break
        best = pos
    if best is None:
        return None
    return (best >> 1) - 1


def bytecode_position(heap: V8Heap, bytecode: int, offset: int) -> int | None:
    """Script offset of the bytecode at V8 bytecode `offset` (interpreted and baseline frames).

    A bytecode's position table counts code offsets from V8's function-entry offset -1 (its
    first entry is the function's entry position, at -1), while `decode_position_table`
    counts from 0: every key comes out one more than the bytecode it belongs to (Node 22's
    port_baseline `warm`: --print-bytecode puts 532 S> at @0 and 539 E> at @3, decoded at 1
    and 4). So the lookup is at offset + 1. Checked against the trace Node prints on abort:
    every frame of the ledger and heap_basic cores (interpreted) and the port_baseline
    frame (baseline), V8 10.2-14.6; at `offset` itself it gives the statement's position
    instead of the call's (21:3 for 21:21; 14:3 for 14:10) and for a module's top-level
    frame the previous statement (24:22 for 25:1).
    """
    return bytecode_source_position(heap, bytecode, offset + 1)


def line_column(heap: V8Heap, script: int, offset: int) -> tuple[int, int] | None:
    """1-based (line, column) of a script offset, counted in Script.source."""
    r = heap.reader
    src = r.field(script, r.off_script_source)
    if src is None:
        return None
    text = r.string(src, offset + 1)
    if text is None or len(text) < offset:
        return None
    head = text[:offset]
    line = head.count("\n") + 1
    column = offset - (head.rfind("\n") + 1) + 1
    return line, column
