"""The native memory of compression streams in a core, measured: the state and buffers that
zlib and Brotli keep behind each handle (`Zlib`, `BrotliEncoder`, `BrotliDecoder`: the
`_handle` of a Deflate, Gunzip, BrotliCompress, ...), so that a Map of 400 unclosed streams
retains the 85 MiB that a heap snapshot shows as `Node / zlib_memory`, and not the few KiB
of their JS objects.

Node gives both libraries its own allocator (src/node_zlib.cc, `CompressionStream::
AllocForZlib` / `AllocForBrotli`, Node 18-26): each block is malloc'd with a header word in
front holding the block's size, header included, and the sum of those sizes is the
`zlib_memory` a snapshot reports. The allocator's `opaque` argument points into the stream's
C++ object, and the library keeps it with its state:

* zlib: the `z_stream` inside the C++ object holds `state`, `zalloc`, `zfree`, `opaque` (at
  56, 64, 72, 80: zlib.h, LP64), and zlib's state begins with a pointer back to the
  `z_stream`;
* Brotli: the C++ object points at the library's state (a block of Node's allocator), which
  holds the allocator functions and `opaque` (its memory manager).

The state holds a pointer to each other block (zlib's window, hash chains and pending buffer;
Brotli's ring buffer, hash tables, Huffman tables). No offset of Node's C++ classes is
assumed: where `opaque` points (the object's start up to Node 22, 224 bytes in from Node 24)
and the header's size (8 bytes on Node 18, 16 from Node 20) are derived from the core by a
vote of its first streams, and every block is checked against the size glibc gave its chunk.
A stream whose state does not prove out is counted as unread and stays in the "not
measured" text.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from triage.v8.native_memory import instances_of, native_key

if TYPE_CHECKING:
    from triage.v8.heap import V8Heap

#: the classes of the JS objects that wrap Node's C++ compression streams, by library
ZLIB_HANDLE = "Zlib"
BROTLI_HANDLES = frozenset({"BrotliEncoder", "BrotliDecoder"})
HANDLE_CLASSES = BROTLI_HANDLES | {ZLIB_HANDLE}
NODE_NAME = "Node / zlib_memory"  # as V8's heap snapshot names it (Node's MemoryInfo)
EDGE_NAME = "zlib_memory"
STREAM_LIMIT = 200_000  # handles read per isolate
#: bytes of the C++ object searched (Node 18-26: the z_stream ends within the first 500; the
#: pointer to Brotli's state is within the first 400), the most that can be read first
_OBJECT_SCANS = (1024, 768, 512)
#: z_stream (zlib.h, LP64): where `state`, `zalloc`, `zfree` sit before `opaque`, and
#: `opaque`'s own offset
_STATE_BEFORE, _OPAQUE_AT = 24, 80
_HEADERS = (16, 8)  # Node 20 on: max(sizeof(size_t), alignof(max_align_t)); Node 18: 8
_MAX_OPAQUE = 1024  # `opaque` points this far into the object at most
_MAX_BLOCK = 1 << 32
_STATE_SCAN = 16 << 10  # bytes of a state read for block pointers (Brotli's: 7 KiB)
_LEARN = 64  # streams that vote on the header size and where `opaque` points
_PREV_INUSE, _IS_MMAPPED, _PAGE = 1, 2, 4096  # glibc: a chunk's size-field flags; the page


def zlib_data(heap: V8Heap, addrs: np.ndarray, omap: np.ndarray,
              map_names: list[str]) -> dict[str, Any]:
    """Compression handles among the objects `addrs` (their map indexes `omap`): `owners`
    (indexes into `addrs`), `sizes` (bytes of the library's state, > 0) and `states` (where
    that state is) of the measured ones, and `meta` for the memory totals (`streams`,
    `bytes`, `unread` per handle class, `header`)."""
    cand, cls_of = instances_of(heap, omap, map_names, HANDLE_CLASSES)
    streams: list[tuple[int, str, int]] = []
    for k in cand[:STREAM_LIMIT].tolist():
        addr = int(addrs[k]) + 1
        if heap.reader.own_properties(addr, limit=1):  # else V8's untouched API instance
            streams.append((k, cls_of[int(omap[k])], native_key(heap, addr)))
    reader = _Reader(heap)
    reader.learn([(cls, key) for _, cls, key in streams[:_LEARN]])
    owners: list[int] = []
    sizes: list[int] = []
    states: list[int] = []
    native: dict[int, int] = {}  # C++ object -> its bytes, each once
    unread: dict[int, str] = {}
    found: dict[int, int] = {}  # C++ object -> its state (0: none yet)
    # twice: a zlib stream with no state is known to hold nothing only once another has
    # proved which allocator functions zlib's streams use
    for retry in (False, True):
        for _, cls, key in streams if not retry else [s for s in streams if s[2] in unread]:
            state = reader.stream_state(cls, key)
            if state is None:
                unread[key] = cls
            else:
                unread.pop(key, None)
                found[key] = state
    # then their blocks: a block is one stream's, and no stream's state is another's block
    # (a state can hold a stale pointer to a block since freed and given to another stream)
    claimed = {state for state in found.values() if state}
    for key, state in found.items():
        if state and (size := reader.blocks(state, claimed)):
            native[key] = size
    # a core can hold a stale copy of a handle that the last GC moved (`native_key`): each
    # copy gets a node, which an unreachable one keeps from counting; the bytes count once
    for k, _, key in streams:
        if key in native:
            owners.append(k)
            sizes.append(native[key])
            states.append(found[key])
    meta = {"bytes": int(sum(native.values())), "streams": len(native),
            "unread": dict(Counter(cls for key, cls in unread.items() if key not in native)),
            "over_limit": max(len(cand) - STREAM_LIMIT, 0), "header": reader.header,
            "source": "core: zlib's and Brotli's blocks behind each stream, by the size "
                      "Node's allocator writes before each block"}
    return {"owners": np.array(owners, dtype=np.int64), "sizes": np.array(sizes, dtype=np.int64),
            "states": states, "meta": meta}


class _Reader:
    """Reads the library state behind one stream's C++ object. What is the same for every
    stream of a process (the allocator's header size, where `opaque` points) is voted on by
    the first streams; zlib's (zalloc, zfree) pair is learned from a proved stream, so that
    one with no state yet (made, never written: zlib is set up lazily) holds nothing."""

    def __init__(self, heap: V8Heap) -> None:
        self.core = heap.core
        self.u64 = heap.reader.u64  # a word anywhere in the core, None where it has none
        self.header: int | None = None
        self.opaque: int | None = None  # `opaque` - the C++ object's address
        self.functions: tuple[int, int] | None = None

    def learn(self, streams: list[tuple[str, int]]) -> None:
        """The header size and `opaque`'s place most of `streams` prove out with."""
        votes: Counter[tuple[int, int]] = Counter()
        for cls, obj in streams:
            words = self._object(obj)
            for h in _HEADERS if words is not None else ():
                for state, opaque, _ in self._candidates(cls, obj, words, h, None):
                    if state and self._block(state, h):
                        votes[(h, opaque - obj)] += 1
                        break
        if votes:
            (self.header, self.opaque), _ = votes.most_common(1)[0]

    def stream_state(self, cls: str, obj: int) -> int | None:
        """Where the library's state is behind the C++ stream `obj` (a block of Node's
        allocator): 0 when zlib holds no state (not yet written, or closed), None when the
        stream cannot be read."""
        words = self._object(obj)
        if words is None or self.header is None:
            return None
        for state, _, functions in self._candidates(cls, obj, words, self.header,
                                                    obj + self.opaque):
            if state == 0:
                if functions == self.functions:
                    return 0
                continue
            if self._block(state, self.header):
                if cls == ZLIB_HANDLE:
                    self.functions = functions
                return state
        return None

    def _object(self, obj: int) -> np.ndarray | None:
        """The first words of the C++ object, as many as its mapping holds (the object may
        be a thread arena's last chunk)."""
        raw = next((r for n in _OBJECT_SCANS if (r := self.core.try_read(obj, n))), None) \
            if obj else None
        return None if raw is None else _words(raw).astype(np.int64)

    def _candidates(self, cls: str, obj: int, words: np.ndarray, h: int,
                    opaque: int | None) -> Iterator[tuple[int, int, tuple[int, int]]]:
        """(state, opaque, allocator functions) that `obj` may hold, each proved but for
        its blocks; `opaque` given: only where `opaque` has that value."""
        if cls == ZLIB_HANDLE:
            yield from self._zlib_candidates(obj, words, opaque)
        else:
            yield from self._brotli_candidates(obj, words, h, opaque)

    def _zlib_candidates(self, obj: int, words: np.ndarray,
                         opaque: int | None) -> Iterator[tuple[int, int, tuple[int, int]]]:
        """The z_stream in the object: `opaque` inside the object, before the z_stream;
        a state whose first word points back at the z_stream (or none yet)."""
        at = np.arange(len(words), dtype=np.int64) * 8
        if opaque is not None:
            hits = np.flatnonzero(words == opaque)
        else:
            hits = np.flatnonzero((words >= obj) & (words < obj + at - _OPAQUE_AT))
        for i in hits.tolist():
            if i * 8 < _OPAQUE_AT:
                continue
            state = int(words[i - _STATE_BEFORE // 8])
            functions = (int(words[i - 2]), int(words[i - 1]))
            if not all(functions):
                continue
            if state and self.u64(state) != obj + i * 8 - _OPAQUE_AT:
                continue  # not zlib's state: its first word points back at its z_stream
            yield state, int(words[i]), functions

    def _brotli_candidates(self, obj: int, words: np.ndarray, h: int,
                           opaque: int | None) -> Iterator[tuple[int, int, tuple[int, int]]]:
        """A block the object points at that holds the allocator (two non-null functions)
        and an `opaque` pointing into the object: Brotli's state."""
        for p in _pointers(words.view(np.uint64), h, obj, 0):
            size = self._block(p, h)
            raw = self.core.try_read(p, min(size - h, _STATE_SCAN)) if size else None
            if raw is None:
                continue
            state = _words(raw).astype(np.int64)
            if opaque is not None:
                hits = np.flatnonzero(state == opaque)
            else:
                hits = np.flatnonzero((state >= obj) & (state < obj + _MAX_OPAQUE))
            for q in hits.tolist():
                if q >= 2 and state[q - 1] and state[q - 2]:
                    yield p, int(state[q]), (int(state[q - 2]), int(state[q - 1]))
                    break

    def blocks(self, state: int, claimed: set[int]) -> int:
        """Bytes of the state's block and of every block it points at that no other
        stream has `claimed` (each block it counts is claimed), by their headers' sizes."""
        h = self.header
        own = self._block(state, h) if h is not None else None
        raw = self.core.try_read(state, min(own - h, _STATE_SCAN)) if own else None
        if raw is None:
            return 0
        total = own
        for p in _pointers(_words(raw), h, state, own):
            if p not in claimed and (size := self._block(p, h)):
                claimed.add(p)
                total += size
        return total

    def _block(self, p: int, h: int) -> int | None:
        """The size a block at `p` was allocated with (header included), when the word
        before it holds one that glibc's chunk around it matches exactly (the chunk's size
        field, one word before the header, is malloc's rounding of that size:
        malloc/malloc.c `request2size`, whole pages for an mmapped chunk) and the chunk is
        in use."""
        size, field = self.u64(p - h), self.u64(p - h - 8)
        if size is None or field is None or not h < size < _MAX_BLOCK:
            return None
        chunk = max(32, (size + 8 + 15) & ~15)
        if field & _IS_MMAPPED:  # a freed one is unmapped, and not in the core
            chunk = (chunk + 8 + _PAGE - 1) & ~(_PAGE - 1)
            return size if field & ~7 == chunk else None
        if field & ~7 != chunk:
            return None
        # in use, as the next chunk's PREV_INUSE bit says: a state may keep a stale pointer
        # to a block it freed, whose header is still there (a freed 44 MiB hash table of a
        # Brotli encoder was counted twice)
        after = self.u64(p - h - 8 + chunk)
        return size if after is not None and after & _PREV_INUSE else None


def _words(raw: bytes) -> np.ndarray:
    """The whole little-endian words of `raw`."""
    return np.frombuffer(raw[:len(raw) // 8 * 8], dtype="<u8")


def _pointers(words: np.ndarray, h: int, inside: int, size: int) -> list[int]:
    """The `words` (uint64) that may point at a block of Node's allocator (aligned as its
    blocks are, in user space, not into [inside, inside + size)), each once, in order: most
    words of a state are counters and flags, and each block checked costs two reads."""
    keep = ((words % np.uint64(16)) == np.uint64(h % 16)) & (words > np.uint64(_PAGE)) \
        & (words < np.uint64(1 << 47))
    keep &= (words < np.uint64(inside)) | (words >= np.uint64(inside + size))
    return list(dict.fromkeys(words[keep].tolist()))
