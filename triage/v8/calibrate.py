"""Per-version facts derived from the binary and the core, each with a check that can fail.

V8 exports most of its layout as `v8dbg_*` constants; the rest (`versions.py`) changes
with every V8 minor. For a V8 with no table entry (or with it ignored through
`TRIAGE_V8_IGNORE_FACTS`) the reader derives those facts here instead of guessing from an
older entry; for a V8 with an entry the same derivations cross-check the table, so a wrong
entry is a problem in `capabilities`, not a silently wrong answer. A derivation that does
not find a clear answer returns None with the reason, and the capability names the fact.

Derived here: the page layout (which known layout finds pages that point at themselves and
share one Heap*), the isolate roots window (the pointers to heap objects below Heap*), the
BytecodeArray field holding the source position table and how its code offsets are encoded
(the one decoding that keeps every table's offsets inside its bytecode). FREE_SPACE and
NATIVE_CONTEXT types are derived by `heap.py` (`_detect_free_space`, `_check_native_context`).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np

from triage.coredump import CoreFile
from triage.v8 import walk as W
from triage.v8.constants import V8Constants
from triage.v8.positions import read_uvlq
from triage.v8.versions import PAGE_LAYOUTS, PageLayout, VersionFacts

if TYPE_CHECKING:
    from triage.v8.heap import V8Heap

#: version-independent defaults for facts that have not changed in V8 10.2-14.6 (each
#: checked on the scenario cores of every major by the test named in the note)
DEFAULT_NOTES = {
    "scope_info_names_after_locals": "6 slots after the context locals in 10.2-14.6 "
                                     "(test_closure_context_variables on every major)",
    "from_page_bit": "MemoryChunk FROM_PAGE bit 3 / TO_PAGE bit 4 in 10.2-14.6 "
                     "(test_from_pages_are_skipped on every major)",
}

#: what a derivation found: the VersionFacts fields it sets, and how it found them
Derived = tuple[dict[str, object], str]

_SAMPLE_BYTECODES = 300
_ROOTS_SCAN = 0x40000  # bytes below Heap* searched for the roots table
_ROOTS_GAP = 0x10000  # a run of this many bytes without heap pointers ends the isolate


def initial_facts(consts: V8Constants, core: CoreFile) -> VersionFacts:
    """Facts for a V8 with no table entry, before the heap is discovered: the page layout
    (None-like fields are completed by `complete` once maps are known)."""
    v = consts.version or (0, 0)
    layout, why = derive_page_layout(core)
    notes = dict(DEFAULT_NOTES)
    notes["page"] = why
    first, last = consts.get("FirstJSFunctionType"), consts.get("LastJSFunctionType")
    return VersionFacts(
        v8=(v[0], v[1]), node_major=0, page=layout or PAGE_LAYOUTS[0], meta_maps=0,
        js_function_types=(first, last) if first is not None and last is not None else None,
        bytecode_source_positions=0, free_space_type=None, free_space_unit=8,
        filler_types=(), scope_info_names_after_locals=6, notes=notes, source="derived",
        # the newest layout (V8 13+) for a V8 newer than the table, the oldest otherwise
        date_value_raw=v[0] >= 13, api_object_header=32 if v[0] >= 13 else 24,
        scope_info_position=32 if v[0] >= 13 else None,  # source.py validates the pair read
        # dispatch.py accepts a table only where >= 95 % of sampled functions' entries carry
        # their own parameter count, so a wrong guess is reported, never used
        dispatch_handle=24 if v[0] >= 13 else None,
        external_string_payload=v[0] >= 13,
        weak_cell_weak_words=(3, 4) if v[0] >= 14 else (2, 3),
        # V8 13+: the API object's header ends with the cppgc pointer (api_object_header - 8);
        # a wrong guess links no wrapper to its handles, whose targets then stay roots
        cpp_heap_wrappable=24 if v[0] >= 13 else None,
    )


def derive_page_layout(core: CoreFile) -> tuple[PageLayout | None, str]:
    """The known layout under which the most 256 KiB chunks check out as V8 pages (header
    or metadata points back at the chunk, area inside it, one Heap* shared by all)."""
    from triage.v8.heap import find_pages

    scores = []
    for lay in PAGE_LAYOUTS:
        pages, _ = find_pages(core, lay)
        heaps = Counter(p.heap for p in pages if p.heap)
        scores.append((len(pages) if heaps else 0, lay))
    scores.sort(key=lambda s: -s[0])
    best, lay = scores[0]
    if best < 2 or (len(scores) > 1 and scores[1][0] == best):
        return None, ("page layout not derived: no known chunk layout finds V8 pages "
                      "sharing one Heap*")
    return lay, (f"derived: {best} chunks check out under the layout with Heap* at "
                 f"+{lay.heap}{' (via metadata)' if lay.metadata_pointer is not None else ''}, "
                 f"other layouts find {[s[0] for s in scores[1:]]}")


def complete(heap: V8Heap) -> None:
    """Derive the facts that need maps; fill them in (derived facts) or cross-check them
    (table facts). Adds problems for mismatches and `heap.underived` for failures."""
    facts = heap.facts
    derived = facts.source == "derived"
    notes = dict(facts.notes)
    changes: dict[str, object] = {}
    heap.underived = []
    if derived:
        if not heap.pages:
            heap.underived.append("page layout")
        if heap.meta_maps and len(heap.meta_maps) <= 2:
            changes["meta_maps"] = len(heap.meta_maps)
            notes["meta_maps"] = f"derived: {len(heap.meta_maps)} self-referential maps"
        else:
            heap.underived.append("meta maps")
        if facts.js_function_types is None and heap.constants.get("FirstJSFunctionType") is None:
            heap.underived.append("JSFunction type range (not exported before V8 12)")
    for what, derive in _DERIVATIONS:
        found = derive(heap)
        if found is None:
            if derived:
                heap.underived.append(what)
            elif derive is derive_position_table:
                heap.position_table_note = "source position table not confirmed from the core"
            continue
        fields, why = found
        if derived:
            changes.update(fields)
            notes.update(dict.fromkeys(fields, why))
            continue
        table = {name: getattr(facts, name) for name in fields}
        if None not in table.values() and table != fields:
            heap.problems.append(f"{what}: the table says {_shown(table)}, "
                                 f"the data says {_shown(fields)}")
    if derived:
        heap.facts = dataclasses.replace(facts, notes=notes, **changes)  # type: ignore[arg-type]
        heap.reader.facts = heap.facts


def _shown(fields: dict[str, object]) -> str:
    """`isolate_roots=(-0xd240, 0x2000)`: facts as a problem line shows them (ints in hex)."""
    def one(v: object) -> str:
        if isinstance(v, tuple):
            return "(" + ", ".join(one(x) for x in v) + ")"
        return f"{v:#x}" if isinstance(v, int) and not isinstance(v, bool) else str(v)
    return ", ".join(f"{name}={one(v)}" for name, v in fields.items())


_SAMPLE_SYMBOLS = 400


def derive_symbol_private_name_bit(heap: V8Heap) -> Derived | None:
    """The Symbol::flags bit of private-field keys, from the core's Symbols.

    Node's own classes have dozens of private fields (`#signal`, `#context`), and V8
    describes each key by its source name; Symbols described `#...` are rarely public. The
    bit is the one set on at least 9 in 10 of the `#...` Symbols and at most 1 in 10 of
    the others (which include private symbols and brands, so `is_private` does not pass)."""
    r = heap.reader
    st = heap.constants.type_id("SYMBOL_TYPE")
    keys = np.array([m.address for m in heap.maps if m.instance_type == st], dtype=np.uint64)
    if st is None or not len(keys):
        return None
    hashed, other = [], []
    for sym in _areas_with(heap, keys, _SAMPLE_SYMBOLS):
        flags = r.symbol_flags(sym)
        if flags is not None:
            (hashed if r.symbol_description(sym).startswith("#") else other).append(flags)
    if len(hashed) < 10 or len(other) < 10:
        return None
    fits = [b for b in range(8)
            if sum(f >> b & 1 for f in hashed) >= 0.9 * len(hashed)
            and sum(f >> b & 1 for f in other) <= 0.1 * len(other)]
    if len(fits) != 1:
        return None
    return {"symbol_private_name_bit": 1 << fits[0]}, (
        f"derived: bit {fits[0]} is set on {len(hashed)} Symbols described `#...` and at most "
        f"a tenth of {len(other)} others")


def _areas_with(heap: V8Heap, keys: np.ndarray, limit: int) -> list[int]:
    """Tagged addresses of up to `limit` objects whose map word is one of `keys`."""
    keys = np.sort(keys)
    out: list[int] = []
    for a, b, _ in heap.areas():
        words = heap._words(a, b)
        if words is None:
            continue
        out.extend(a + 8 * int(i) + 1 for i in W.scan_map_words(words, keys).tolist())
        if len(out) >= limit:
            break
    return out[:limit]


def _vlqs(buf: bytes) -> list[int]:
    out = []
    i = 0
    while i < len(buf):
        v, i = read_uvlq(buf, i)
        out.append(v)
    return out


def code_offsets(codes: list[int], encoding: str) -> list[int]:
    """Cumulative code offsets of a table's code VLQs under one encoding."""
    out = []
    c = 0
    for u in codes:
        if encoding == "kind2":
            c += u >> 2
        else:
            d = (u >> 1) ^ -(u & 1)
            c += d if d >= 0 else -d - 1
        out.append(c)
    return out


def derive_position_table(heap: V8Heap) -> Derived | None:
    """The BytecodeArray field of the source position table and its code-offset encoding,
    from the core's BytecodeArrays.

    The field: the tagged field (+16..+48) that holds a non-empty byte array in most
    BytecodeArrays (the handler table, the other byte array, is empty unless the function
    has try/catch). The encoding: the one under which every sampled table keeps its code
    offsets ascending and inside its bytecode; the other must fail on most tables, and
    "kind2" tables never use kind 0."""
    r = heap.reader
    bt = heap.constants.type_id("BYTECODE_ARRAY_TYPE")
    keys = np.array([m.address for m in heap.maps if m.instance_type == bt], dtype=np.uint64)
    if bt is None or not len(keys):
        return None
    arrays = _areas_with(heap, keys, _SAMPLE_BYTECODES)
    tables: dict[int, list[tuple[int, list[int]]]] = {f: [] for f in range(16, 56, 8)}
    for bc in arrays:
        n = r.field(bc, 8)
        if n is None or n & 0xFFFFFFFF or not 0 < n >> 32 < 1 << 20:
            continue
        length = n >> 32
        for f in tables:
            t = r.field(bc, f)
            if t is None or t & 3 != 1:
                continue
            name = r.type_name(r.type_of(t) or 0)
            if "BYTE_ARRAY" not in name:
                continue
            tn = r.field(t, 8)
            if tn is None or tn & 0xFFFFFFFF or not 0 < tn >> 32 < 1 << 20:
                continue
            raw = heap.core.try_read(t - 1 + 16, tn >> 32)
            if raw:
                tables[f].append((length, _vlqs(raw)[0::2]))
    field = max(tables, key=lambda f: len(tables[f]))
    sample = tables[field]
    if len(sample) < 10 or len(sample) < 0.5 * len(arrays):
        return None
    valid = {}
    for enc in ("zigzag", "kind2"):
        ok = 0
        for length, codes in sample:
            offs = code_offsets(codes, enc)
            ok += all(0 <= o <= length for o in offs) and offs == sorted(offs)
        valid[enc] = ok / len(sample)
    kinds = Counter(u & 3 for _, codes in sample for u in codes)
    kind0 = kinds[0] / max(1, sum(kinds.values()))
    if valid["kind2"] >= 0.99 and valid["zigzag"] < 0.5 and kind0 < 0.01:
        enc = "kind2"
    elif valid["zigzag"] >= 0.99 and kind0 > 0.05:
        enc = "zigzag"
    else:
        return None
    why = (f"derived: +{field} holds a non-empty byte array in {len(sample)} of "
           f"{len(arrays)} BytecodeArrays; code offsets as {enc}: {valid[enc]:.0%} of tables "
           f"decode inside their bytecode (other encoding "
           f"{valid['zigzag' if enc == 'kind2' else 'kind2']:.0%}, kind-0 share {kind0:.0%})")
    return {"bytecode_source_positions": field, "position_table": enc}, why


def derive_isolate_roots(heap: V8Heap) -> Derived | None:
    """The isolate's roots window (0x2000 bytes from a start relative to Heap*). The start:
    the lowest word below Heap* that starts a dense run of pointers to heap objects (>= 32,
    at most 8 words apart), among the runs that reach Heap* with no gap of `_ROOTS_GAP` bytes (the external
    reference table between the roots and builtins tables is a 30-33 KB gap in 12.4-14.6);
    below it the scan must find no dense run for a full gap."""
    from triage.v8.roots import heap_pointer

    hp = heap_pointer(heap)
    if hp is None or not len(heap.map_keys):
        return None
    start = hp - _ROOTS_SCAN
    raw = heap.core.try_read(start, _ROOTS_SCAN)
    if raw is None:
        return None
    words = np.frombuffer(raw, dtype="<u8")
    cand = np.flatnonzero((words & np.uint64(3)) == 1)
    hits = []
    for i in cand[::-1].tolist():
        m = heap.reader.u64(int(words[i]) - 1)
        if m is not None and heap._is_map_word(m):
            hits.append(i)
    if len(hits) < 100:
        return None
    # dense runs: hits at most 8 words apart; a run of >= 32 is part of a table, a lone
    # pointer is not (Node 26 has one in the malloc chunk just below the isolate)
    runs: list[tuple[int, int]] = []  # (lowest index, count), highest run first
    for i in hits:
        if runs and runs[-1][0] - i <= 8:
            runs[-1] = (i, runs[-1][1] + 1)
        else:
            runs.append((i, 1))
    dense = [lo_i for lo_i, n in runs if n >= 32]
    if not dense:
        return None
    lowest = dense[0]
    for i in dense[1:]:
        if (lowest - i) * 8 > _ROOTS_GAP:
            break
        lowest = i
    if lowest * 8 <= _ROOTS_GAP:
        return None  # the run may continue below the scanned window
    # a few IsolateData fields before the roots table also hold heap pointers (Node 24:
    # seven Code pointers 0x1e8 bytes below it): extend down to the isolate's malloc
    # chunk header (size | PREV_INUSE, the chunk reaching past Heap*), when there is one
    header = None
    for j in range(lowest - 1, max(0, lowest - 0x400 // 8) - 1, -1):
        w = int(words[j])
        size = w & ~7
        if w & 1 and not w & 2 and 0x1000 <= size < 1 << 24 and size % 16 == 0 \
                and start + 8 * j + size >= hp + 0x2000:
            header = j
            break
    if header is not None:
        lowest = min([i for i in hits if header < i <= lowest], default=lowest)
    lo = start + 8 * lowest - hp
    n = sum(1 for i in hits if i >= lowest)
    return {"isolate_roots": (lo, 0x2000)}, (
        f"derived: {n} pointers to heap objects from Heap*{lo:#x} up to Heap*, "
        f"from a dense run{' and the isolate allocation' if header is not None else ''}; "
        f"no dense run in the {_ROOTS_GAP:#x} bytes below")


def derive_traced_block_header(heap: V8Heap) -> Derived | None:
    """The size of a TracedNodeBlock's header: the one under which this isolate's runs of
    traced nodes check out as blocks (capacity, used count, TracedHandles* after Heap*).
    A core with no run has nothing to derive it from, and nothing that needs it."""
    from triage.v8.traced import header_fits

    fits, runs = header_fits(heap)
    if not runs:
        return {}, "no traced-handle block in this core"
    if not fits:
        return None
    best = max(fits, key=lambda h: (fits[h], -h))
    return {"traced_block_header": best}, (
        f"derived: {fits[best]} of the core's {runs} runs of traced nodes check out as "
        f"its isolates' blocks with a {best}-byte header")


#: the facts `complete` derives once maps are known: what the capability names when a
#: derivation fails, and the derivation (its fields fill a derived table or check the table)
_DERIVATIONS: tuple[tuple[str, Callable[[V8Heap], Derived | None]], ...] = (
    ("source position table field of BytecodeArray", derive_position_table),
    ("isolate roots window", derive_isolate_roots),
    ("private-field keys (Symbol flags)", derive_symbol_private_name_bit),
    ("traced-handle block header", derive_traced_block_header),
)
