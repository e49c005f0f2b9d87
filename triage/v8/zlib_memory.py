"""The native memory of zlib streams in a core, measured: zlib's state and buffers behind
each `Zlib` handle (the `_handle` of a Deflate, Inflate, Gzip, ...), so that a Map of 400
unclosed streams retains the 85 MiB that a heap snapshot shows as `Node / zlib_memory`, and
not the few KiB of their JS objects.

Node gives zlib its own allocator (src/node_zlib.cc, `CompressionStream::AllocForZlib`,
Node 18-26): each block is malloc'd with a header word in front holding the block's size,
header included, and the sum of those sizes is the `zlib_memory` a snapshot reports. The
`z_stream` inside the C++ object has `opaque` = that object (zlib.h: `state`, `zalloc`,
`zfree`, `opaque` at 56, 64, 72, 80), and zlib's state begins with a pointer back to the
`z_stream`; the state holds a pointer to each other block (the window, hash chains and
pending buffer of a compressor, the window of a decompressor). No offset of Node's C++
classes is assumed: the `z_stream` is found by its `opaque` and proved by the state's back
pointer, and the header's size (8 or 16 bytes across Node versions) is derived from the
first state, checked against glibc's size of the chunk holding it. A stream whose state
does not prove out is counted as unread and stays in the "not measured" text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from triage.v8.native_memory import instances_of, native_key

if TYPE_CHECKING:
    from triage.v8.heap import V8Heap

#: the class name of the JS object that wraps Node's C++ zlib stream
HANDLE_CLASS = "Zlib"
NODE_NAME = "Node / zlib_memory"  # as V8's heap snapshot names it (Node's MemoryInfo)
EDGE_NAME = "zlib_memory"
STREAM_LIMIT = 200_000  # handles read per isolate
#: bytes of the C++ object searched for the z_stream (Node 18-26: it ends within the first
#: 500), the most that can be read first
_OBJECT_SCANS = (1024, 768, 512)
#: z_stream (zlib.h, LP64): where `state`, `zalloc`, `zfree` sit before `opaque`, and
#: `opaque`'s own offset
_STATE_BEFORE, _OPAQUE_AT = 24, 80
_HEADERS = (16, 8)  # Node 20.? on: max(sizeof(size_t), alignof(max_align_t)); before: 8
_MAX_BLOCK = 1 << 32
_STATE_SCAN = 16 << 10  # bytes of zlib's state read for block pointers


def zlib_data(heap: V8Heap, addrs: np.ndarray, omap: np.ndarray,
              map_names: list[str]) -> dict[str, Any]:
    """Zlib handles among the objects `addrs` (their map indexes `omap`): `owners` (indexes
    into `addrs`), `sizes` (bytes of zlib state, > 0) and `states` (where zlib's state is)
    of the measured ones, and `meta` for the memory totals (`streams`, `bytes`, `unread`,
    `header`)."""
    cand, _ = instances_of(heap, omap, map_names, {HANDLE_CLASS})
    reader = _Reader(heap)
    owners: list[int] = []
    sizes: list[int] = []
    states: list[int] = []
    native: dict[int, int] = {}  # C++ object -> its zlib bytes, each once
    unread: set[int] = set()
    streams = []
    for k in cand[:STREAM_LIMIT].tolist():
        addr = int(addrs[k]) + 1
        if heap.reader.own_properties(addr, limit=1):  # else V8's untouched API instance
            streams.append((k, native_key(heap, addr)))
    # twice: a stream with no state is known to hold nothing only once another has proved
    # which allocator functions zlib's streams use
    for retry in (False, True):
        for k, key in streams if not retry else [s for s in streams if s[1] in unread]:
            found = reader.stream_state(key)
            if found is None:
                unread.add(key)
                continue
            unread.discard(key)
            state, size = found
            if size:
                owners.append(k)
                sizes.append(size)
                states.append(state)
                native[key] = size
    meta = {"bytes": int(sum(native.values())), "streams": len(native),
            "unread": len(unread - native.keys()),
            "over_limit": max(len(cand) - STREAM_LIMIT, 0), "header": reader.header,
            "source": "core: zlib's blocks behind each stream, by the size Node's allocator "
                      "writes before each block"}
    return {"owners": np.array(owners, dtype=np.int64), "sizes": np.array(sizes, dtype=np.int64),
            "states": states, "meta": meta}


class _Reader:
    """Reads one stream's blocks; learns the allocator's header size from the first state
    that proves out, and the (zalloc, zfree) pair, so that a stream with no state yet (made,
    never written: zlib is set up lazily) is known to hold nothing."""

    def __init__(self, heap: V8Heap) -> None:
        self.core = heap.core
        self.header: int | None = None
        self.functions: tuple[int, int] | None = None
        #: where `opaque` points in the stream's C++ object: its start up to Node 22, its
        #: zlib context (224 bytes in) from Node 24
        self.opaque: int | None = None

    def u64(self, addr: int) -> int | None:
        raw = self.core.try_read(addr, 8)
        return None if raw is None else int.from_bytes(raw, "little")

    def stream_state(self, obj: int) -> tuple[int, int] | None:
        """(where zlib's state is, its bytes) behind the C++ stream `obj`: (0, 0) when zlib
        holds no state (not yet written, or closed), None when the stream cannot be read."""
        # the object may end its mapping (a thread arena's last chunk): read what there is
        raw = next((r for n in _OBJECT_SCANS if (r := self.core.try_read(obj, n))), None) \
            if obj else None
        if raw is None:
            return None
        words = np.frombuffer(raw, dtype="<u8").astype(np.int64)
        at = np.arange(len(words), dtype=np.int64) * 8
        if self.opaque is not None:
            hits = np.flatnonzero(words == obj + self.opaque)
        else:  # `opaque` is the stream or a part of it, before its z_stream
            hits = np.flatnonzero((words >= obj) & (words < obj + at - _OPAQUE_AT))
        for i in hits.tolist():
            if i * 8 < _OPAQUE_AT:
                continue
            state = int(words[i - _STATE_BEFORE // 8])
            functions = (int(words[i - 2]), int(words[i - 1]))
            if not all(functions):
                continue
            if state == 0:
                if functions == self.functions:
                    return 0, 0
                continue
            if self.u64(state) != obj + i * 8 - _OPAQUE_AT:
                continue  # not zlib's state: its first word points back at its z_stream
            size = self._blocks(state)
            if size is not None:
                self.functions = functions
                self.opaque = int(words[i]) - obj
                return state, size
        return None

    def _blocks(self, state: int) -> int | None:
        """The state's block and every block it points at, by their headers' sizes."""
        if self.header is None:
            self.header = next((h for h in _HEADERS if self._block(state, h)), None)
            if self.header is None:
                return None
        h = self.header
        own = self._block(state, h)
        if own is None:
            return None
        raw = self.core.try_read(state, min(own - h, _STATE_SCAN))
        if raw is None:
            return None
        total = own
        seen = {state}
        for p in np.frombuffer(raw[:len(raw) // 8 * 8], dtype="<u8").tolist():
            if p in seen or p % 16 != h % 16 or state <= p < state + own:
                continue
            seen.add(p)
            total += self._block(p, h) or 0
        return total

    def _block(self, p: int, h: int) -> int | None:
        """The size a block at `p` was allocated with (header included), when the word
        before it holds one that fits glibc's chunk around it: the chunk's size field, one
        word before the header, is at least the block plus its own word, and less than a
        page more (an mmapped chunk is rounded up to pages)."""
        size, field = self.u64(p - h), self.u64(p - h - 8)
        if size is None or field is None or not h < size < _MAX_BLOCK:
            return None
        chunk = field & ~7
        return size if size + 8 <= chunk < size + 8 + 4096 + 32 else None
