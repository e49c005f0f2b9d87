"""Native memory that JS objects of a core hold outside the V8 heap, beyond ArrayBuffers:
what can be counted (Blob data; the state of zlib and Brotli streams in `zlib_memory.py`)
and what a core cannot measure (TLS and ICU state, and a compression stream whose state
does not prove out).

A `Blob`'s bytes live in Node's native `DataQueue` (C++ objects, no V8 object and no
exported layout), so a walk of the V8 heap sees a few dozen bytes per Blob while the
process holds its whole content: a core said "no suspect" for 50 MiB of uploads kept as
Blobs, where a heap snapshot (Node's embedder graph) shows them. The JS side records each
Blob's size in its own `Symbol(kLength)` property (lib/internal/blob.js, Node 18-26), next
to `Symbol(kHandle)`, the native handle; that length is what this module counts.

What the length does not tell, stated wherever the figure is shown:
* a file-backed Blob (`fs.openAsBlob`, marked `Symbol(kNotCloneable)`) holds no bytes in
  memory: it is counted apart and not as memory;
* a `slice()` and a Blob built from other Blobs share their parents' bytes, which the
  native side keeps once: such data is counted at each Blob's own size, so shared bytes may
  be counted more than once and a small slice of a big Blob less than it keeps.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np

from triage.heapgraph.native_state import ICU_OBJECTS
from triage.node_internals import BASE_OBJECT_SLOT
from triage.v8.reader import is_heap_object, is_smi, smi

if TYPE_CHECKING:
    from triage.v8.heap import V8Heap

#: class names of Node's Blob objects: `Blob`, `File` (Node 20+), and `TransferableBlob`,
#: which Node 26 makes for slices, file-backed and transferred Blobs
BLOB_CLASSES = frozenset({"Blob", "File", "TransferableBlob"})
#: wrapper classes (the `_handle` of a stream or socket) of Node's native objects whose own
#: state, outside the JS heap and every ArrayBuffer, is big, and how big (zlib's as measured
#: at Node's defaults, windowBits 15 and memLevel 8: `zlib_memory.py` reads it, and this
#: text is for the streams it could not read)
UNMEASURED_STATE = {
    "Zlib": "zlib streams: about 280 KiB per compressor, 41 KiB per decompressor",
    "BrotliEncoder": "Brotli compressors: up to MiBs each, by quality and window",
    "BrotliDecoder": "Brotli decompressors: up to MiBs each, by window",
    "TLSWrap": "TLS connections: OpenSSL state, tens of KiB each",
}
#: V8's `Intl` objects, by instance type (exported by every binary): each owns ICU objects
#: outside the JS heap (`heapgraph/native_state.py` has the sizes and where they come from)
ICU_STATE = {instance_type: (f"Intl.{name}", f"{what}: about {size >> 10} KiB each")
             for name, (instance_type, size, what) in ICU_OBJECTS.items()}
#: what each name `native_state` counts holds, for the text that says it was not measured
STATE_TEXT = UNMEASURED_STATE | dict(ICU_STATE.values())
BLOB_LIMIT = 200_000  # Blobs read per isolate (each is a Python-level property lookup)
_MAX_LENGTH = 1 << 53  # a length above this is not a Blob size but a misread word
NODE_NAME = "Node / Blob data"
EDGE_NAME = "data"


def blob_data(heap: V8Heap, addrs: np.ndarray, omap: np.ndarray,
              map_names: list[str]) -> dict[str, Any]:
    """Blobs among the objects `addrs` (their map indexes `omap`): `owners` (indexes into
    `addrs`) and `sizes` (bytes) of the in-memory ones, and `meta` for the memory totals."""
    r = heap.reader
    owners: list[int] = []
    sizes: list[int] = []
    native: dict[int, int] = {}  # the handle's C++ object -> its Blob's size
    file_backed: set[int] = set()
    unread = 0
    cand, _ = instances_of(heap, omap, map_names, BLOB_CLASSES)
    for k in cand[:BLOB_LIMIT].tolist():
        props = r.own_properties(int(addrs[k]) + 1, limit=16)
        if not props:
            continue  # the native handle objects share the class name and have no properties
        by_name = {name: value for name, value, _ in props}
        handle, length = by_name.get("Symbol(kHandle)"), _length(heap, by_name.get("Symbol(kLength)"))
        if handle is None or not is_heap_object(handle):
            continue
        key = native_key(heap, handle)
        if length is None:
            unread += 1
        elif "Symbol(kNotCloneable)" in by_name:
            file_backed.add(key)
        elif length > 0:
            owners.append(k)
            sizes.append(length)
            native[key] = length
    meta = {"bytes": int(sum(native.values())), "blobs": len(native),
            "file_backed": len(file_backed),
            "unread": unread, "over_limit": max(len(cand) - BLOB_LIMIT, 0),
            "source": "core: each Blob's own size (Symbol(kLength)); its bytes are native, "
                      "not read"}
    return {"owners": np.array(owners, dtype=np.int64), "sizes": np.array(sizes, dtype=np.int64),
            "meta": meta}


def native_state(heap: V8Heap, addrs: np.ndarray, omap: np.ndarray,
                 map_names: list[str], measured: Iterable[str] = ()) -> dict[str, int]:
    """Objects that hold big native state a core does not measure: wrappers of Node's native
    objects (`UNMEASURED_STATE` but the `measured` classes, whose state another reader
    counts; a stale GC copy counted once) and V8's Intl objects (`ICU_STATE`).
    Name -> how many."""
    r = heap.reader
    counts = _intl_objects(heap, omap)
    keys: dict[str, set[int]] = {}
    classes = [c for c in UNMEASURED_STATE if c not in set(measured)]
    objs, cls_of = instances_of(heap, omap, map_names, classes)
    for k in objs[:BLOB_LIMIT].tolist():  # one pass over the heap for every class
        addr = int(addrs[k]) + 1
        # Node's JS sets properties on every handle it uses (`[owner_symbol]`); V8 keeps one
        # untouched instance per API class in the native context, which holds no state
        if r.own_properties(addr, limit=1):
            keys.setdefault(cls_of[int(omap[k])], set()).add(native_key(heap, addr))
    counts.update((cls, len(keys[cls])) for cls in classes if cls in keys)
    return counts


def _intl_objects(heap: V8Heap, omap: np.ndarray) -> dict[str, int]:
    """How many objects of each `ICU_STATE` instance type (the maps' types, one pass)."""
    types = heap.reader.t
    wanted = {types[t]: name for t, (name, _) in ICU_STATE.items() if t in types}
    maps = [i for i, m in enumerate(heap.maps) if m.instance_type in wanted]
    if not maps:
        return {}
    per_map = np.bincount(omap[np.isin(omap, maps)], minlength=len(heap.maps))
    counts: dict[str, int] = {}
    for i in maps:
        if per_map[i]:
            name = wanted[heap.maps[i].instance_type]
            counts[name] = counts.get(name, 0) + int(per_map[i])
    return counts


def instances_of(heap: V8Heap, omap: np.ndarray, map_names: list[str],
                 classes: Iterable[str]) -> tuple[np.ndarray, dict[int, str]]:
    """Indexes of the objects (map indexes `omap`) that are instances of `classes`, in one
    pass over the heap, and the class of each map they use. A class's `.prototype` object
    shares its name and is left out."""
    r = heap.reader
    cls_of = {i: n for i, n in enumerate(map_names) if n in classes and i < len(heap.maps)
              and r.is_js_receiver_type(heap.maps[i].instance_type)
              and not heap.maps[i].is_prototype_map}
    if not cls_of:
        return np.zeros(0, dtype=np.int64), cls_of
    return np.flatnonzero(np.isin(omap, np.array(list(cls_of), dtype=np.int32))), cls_of


def native_state_text(counts: dict[str, int], short: bool = False,
                      in_total: bool = False) -> str:
    """What a core did not measure, for the `native_memory` capability (`short`: for the
    native figure, which says the rest). `in_total`: the figure counts malloc's chunks, which
    hold this state, but no object's retained size does."""
    held = ", ".join(f"{n:,} {cls} ({STATE_TEXT[cls]})" for cls, n in counts.items())
    if short:
        if in_total:
            return f"in this figure, yet in no retained size: the native state of {held}"
        return f"not measured in a core: the native state of {held}"
    if in_total:
        return f"native state behind {held} is not attributed to objects in a core: " \
               "retained sizes count the JS heap, ArrayBuffers and Blobs only; the native " \
               "(malloc) figure of the memory totals includes it"
    return f"native state behind {held} is not measured from a core: retained sizes and " \
           "memory totals count the JS heap, ArrayBuffers and Blobs only (a heap snapshot " \
           "or a diagnostic report of the process has it)"


def native_key(heap: V8Heap, handle: int) -> int:
    """What identifies a handle's native data: the C++ object it wraps, in BaseObject's field
    kSlot (`node_internals.BASE_OBJECT_SLOT`, after `VersionFacts.api_object_header`), as
    the event loop reader pairs wraps with their JS objects. A core can hold a stale copy of
    a Blob whose handle the last GC moved (its first word is then the forwarding address;
    seen on Node 18 after a snapshot): both lead to the same C++ object, so the bytes count
    once; each copy still gets its own data node, and an unreachable one retains nothing.
    The handle's own address when the field cannot be read."""
    r = heap.reader
    first = r.u64(handle - 1)
    if r.map_of(handle) is None and first is not None and not first & 1:
        handle = first + 1  # a forwarding address: the copy the GC made
    wrapped = r.u64(handle - 1 + r.facts.api_object_header + 8 * BASE_OBJECT_SLOT)
    return wrapped or handle


def _length(heap: V8Heap, value: int | None) -> int | None:
    """A Blob length: a Smi, or a HeapNumber above 2**31 on builds with 31-bit Smis."""
    if value is None:
        return None
    if is_smi(value):
        n = smi(value)
        return n if 0 <= n < _MAX_LENGTH else None
    r = heap.reader
    if not is_heap_object(value) or r.type_of(value) != r.heap_number_type:
        return None
    number = r.number(value)
    if number is None or not 0 <= number < _MAX_LENGTH or number != int(number):
        return None
    return int(number)


def blob_text(meta: dict[str, Any]) -> str:
    """What the Blob figure counts, for the memory totals."""
    text = f"the sizes of {meta['blobs']:,} Blob(s) made in memory; their bytes are outside " \
           "the JS heap and were not read (slices and Blobs built from Blobs share bytes, " \
           "counted at each Blob's size)"
    if meta.get("file_backed"):
        text += f"; {meta['file_backed']:,} file-backed Blob(s) hold no memory, not counted"
    if meta.get("unread"):
        text += f"; {meta['unread']:,} Blob(s) whose size could not be read, not counted"
    if meta.get("over_limit"):
        text += f"; {meta['over_limit']:,} objects of a Blob class past the first " \
                f"{BLOB_LIMIT:,} not read, not counted"
    return text
