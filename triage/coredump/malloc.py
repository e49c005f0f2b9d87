"""The native memory a process had in use, from glibc malloc's heap in its core.

A core does not record which pages were resident, so the `native` figure of a core was
"unknown", and 50 MB of messages queued on a MessagePort, or the ICU state of 3,000
`Intl.DateTimeFormat`, showed nowhere. glibc's allocator lays its memory out as chains of
chunks, each headed by its size (malloc/malloc.c): walking them gives the bytes in use.
Official Node builds for Linux use glibc's malloc for everything native: C++ objects of
Node and V8, ArrayBuffer backing stores, zlib, OpenSSL, ICU, serialized messages.

Three kinds of region hold chunks:

* the main arena: the brk heap, and the mmapped regions it continues in when brk cannot
  grow (each earlier one ended by 16-byte fenceposts); its last chunk, the top chunk, is
  free space;
* thread arenas: regions aligned to 64 MiB (HEAP_MAX_SIZE) headed by a `heap_info`
  (ar_ptr, prev, size, mprotect_size, pagesize); the first heap of an arena holds the
  arena's `malloc_state` next; the chain runs to `heap_info.size`;
* mmapped chunks: allocations over the mmap threshold, one mapping each, the size field
  marked IS_MMAPPED.

The kernel merges neighbouring mappings, so one dumped region may hold several of these,
or malloc memory followed by something else. A region counts up to the end of its last
whole piece (a top chunk, a run of fenceposts, an mmapped chunk) before a header that is no
chunk's; a thread heap counts only if its chain ends exactly at `heap_info.size`. So
nothing else is read as malloc's, and the figure is a lower bound, never a guess; no
region at all (another allocator, a core without anonymous memory) gives None. A chunk
counts as in use when the next one's PREV_INUSE bit says so, which includes the small
freed chunks glibc keeps in its per-thread caches and fast bins. Top chunks are known from
the arenas' `malloc_state`s: the thread arenas' follow their first heap's `heap_info`, and
`main_arena` (in libc's data, no symbol needed) is the one arena on their circular list
that no thread heap holds; its `system_mem` tells whether the walk covered it all.

Checked against glibc's own accounting read with its debug symbols (lldb, libc6-dbg) on
691 cores of the five majors: `main_arena.system_mem` walked exactly on all, the mmapped
chunks `mp_.mmapped_mem` on 688 (`tests/core/test_core_malloc.py`, docs/heap-analysis.md).
"""

from __future__ import annotations

import bisect
import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from triage.compiled import kernel

if TYPE_CHECKING:
    from triage.coredump.corefile import CoreFile

HEAP_MAX_SIZE = 64 << 20  # a thread arena's heaps are aligned to this (2 * 32 MiB, 64-bit)
_PAGE = 4096


#: glibc's `struct malloc_state` (2.26-2.40, x86-64: 2,200 bytes, measured with sizeof in
#: lldb on Debian 12's 2.36): `top` after mutex, flags, have_fastchunks and 10 fast bins;
#: `next` (the circular list of arenas) and `system_mem` after the 254 bins and the binmap
STATE_TOP, STATE_NEXT, STATE_SYSTEM_MEM = 96, 2160, 2184
STATE_SIZE = 2200
#: sizeof(heap_info): ar_ptr, prev, size, mprotect_size, then (from glibc 2.35) pagesize and
#: padding to 16 bytes: 32 or 48. An arena's first heap tells which (its ar_ptr points right
#: after its heap_info, at the arena's malloc_state).
HEAP_INFO_SIZES = (32, 48)


@dataclass
class MallocHeap:
    """glibc malloc's memory found in a core, in bytes."""

    in_use: int = 0  # chunks in use (main arena, thread arenas, mmapped)
    free: int = 0  # free chunks and top chunks of the arenas
    main_arena: int = 0  # chunk bytes walked outside thread heaps (the main arena's)
    main_arena_system_mem: int | None = None  # glibc's own count, when its arena was found
    thread_heaps: int = 0  # how many thread-arena heaps
    mmapped: int = 0  # bytes of mmapped chunks (glibc's `mp_.mmapped_mem`)
    mmapped_chunks: int = 0
    stores_in_use: int = 0  # of `in_use`, bytes of the external blocks passed in
    unvalidated: int = 0  # regions that began like a chunk (or a heap_info) and did not walk
    messages: int = 0  # of the chunks in use, those holding a serialized message
    message_bytes: int = 0


#: what `walk_region` counts (MallocHeap's fields in order, `main_arena` in third place)
ACCUMULATORS = 8
#: ValueSerializer tags a posted value begins with (v8/src/objects/value-serializer.cc:
#: SerializationTag): o A a " c S I N U Z T F 0 _ ; ' D R r \ V B
_MESSAGE_TAGS = (0x6F, 0x41, 0x61, 0x22, 0x63, 0x53, 0x49, 0x4E, 0x55, 0x5A, 0x54, 0x46,
                 0x30, 0x5F, 0x3B, 0x27, 0x44, 0x52, 0x72, 0x5C, 0x56, 0x42)


@kernel("uint64[:], int64, int64, int64[:], int64[:], int64[:], int64[:]")
def walk_region(words, first, base, tops, store_ptrs, store_sizes, out):  # noqa: ANN001, ANN201
    """Walk the chunks of one dumped region (`words`, at address `base`) from byte offset
    `first`: arena chains (a region may hold several: the kernel merges neighbouring
    mappings), each ending in its top chunk (`tops`: sorted addresses read from the arenas,
    or the region's last chunk) or in two fencepost headers, and mmapped chunks. Adds to
    out[0..7]: in use, free, arena chunk bytes, mmapped bytes, mmapped chunks, bytes of the
    stores `store_ptrs` (sorted) inside chunks in use, chunks in use that hold a serialized
    message (a value V8's ValueSerializer wrote: `_MESSAGE_TAGS`) and their bytes.

    Returns the byte offset up to which the walk was exact: the region's end, or the end of
    the last whole piece (a top chunk, a fencepost pair, an mmapped chunk) before a header
    that is no chunk's (a mapping of something else merged after them); `first` when
    nothing counts. Only whole pieces are added to `out`."""
    n = words.shape[0]
    end = n * 8
    mask = np.uint64(0xFFFFFFFFFFFFFFF8)
    acc = np.zeros(ACCUMULATORS, dtype=np.int64)
    done = np.zeros(ACCUMULATORS, dtype=np.int64)  # `acc` at the end of the last whole piece
    clean = first
    p = first
    j = 0
    m = store_ptrs.shape[0]
    if first < 0 or first % 16:
        return first
    fence = False  # the chunk before was a fencepost
    while p + 16 <= end:
        head = words[p // 8 + 1]
        size = np.int64(head & mask)
        if size == 0 and fence:  # a thread heap's second fencepost: a bare header
            acc[2] += 16
            p += 16
            clean = p
            for k in range(ACCUMULATORS):
                done[k] = acc[k]
            fence = False
            continue
        if size < 16 or size % 16 or size > end - p:
            break
        nxt = p + size
        used = False
        whole = False
        fence = False
        if head & np.uint64(2):  # IS_MMAPPED: a chunk that is its own mapping
            if words[p // 8] != 0 or size % 4096 or p != clean:
                break
            acc[3] += size
            acc[4] += 1
            used = True
            whole = True
        elif size == 16:  # a fencepost (no chunk is smaller than 32 bytes): it ends a heap
            # that could not grow in place, two in a row (malloc.c, sysmalloc; a thread
            # heap's second is a bare header of size 0, and the old top may be a third)
            acc[2] += 16
            whole = True
            fence = True
        else:
            acc[2] += size
            t = np.searchsorted(tops, base + p)
            if nxt == end or (t < tops.shape[0] and tops[t] == base + p):
                acc[1] += size  # a top chunk
                whole = True
            elif nxt + 16 > end or words[nxt // 8 + 1] & np.uint64(2):
                break  # an arena chain never runs into an mmapped chunk
            elif words[nxt // 8 + 1] & np.uint64(1):  # the next chunk says this is in use
                used = True
            else:
                acc[1] += size
        if used:
            acc[0] += size
            lo = base + p + 16
            hi = base + p + size
            while j < m and store_ptrs[j] < lo:
                j += 1
            while j < m and store_ptrs[j] < hi:
                acc[5] += min(store_sizes[j], hi - store_ptrs[j])
                j += 1
            # a block V8's ValueSerializer wrote: the version tag 0xFF, a format version
            # (13-15: every V8 of Node 18-26 writes 15) and the tag of a value a program
            # posts (`_MESSAGE_TAGS`). That is a message postMessage sent that the receiving
            # MessagePort has not read yet: Node keeps it serialized in C++ until then (a
            # freed block begins with the allocator's pointers instead)
            first_word = words[p // 8 + 2] if size >= 32 else np.uint64(0)
            version = (first_word >> np.uint64(8)) & np.uint64(0xFF)
            if ((first_word & np.uint64(0xFF)) == np.uint64(0xFF)
                    and version >= np.uint64(13) and version <= np.uint64(15)):
                tag = (first_word >> np.uint64(16)) & np.uint64(0xFF)
                for t in _MESSAGE_TAGS:
                    if tag == np.uint64(t):
                        acc[6] += 1
                        acc[7] += size
                        break
        p = nxt
        if whole:
            clean = p
            for k in range(ACCUMULATORS):
                done[k] = acc[k]
    for k in range(ACCUMULATORS):
        out[k] += done[k]
    return clean


def malloc_heap(core: CoreFile, store_ptrs: np.ndarray | None = None,
                store_sizes: np.ndarray | None = None) -> MallocHeap | None:
    """glibc malloc's chunks in the anonymous memory of `core`; None if none is found.
    `store_ptrs`/`store_sizes`: external blocks (ArrayBuffer backing stores, external
    strings' characters), counted apart (`stores_in_use`) so that the native figure does
    not count them a second time."""
    ptrs = np.zeros(0, dtype=np.int64) if store_ptrs is None else np.asarray(store_ptrs, np.int64)
    sizes = np.zeros(0, dtype=np.int64) if store_sizes is None else np.asarray(store_sizes, np.int64)
    order = np.argsort(ptrs, kind="stable")
    ptrs, sizes = np.ascontiguousarray(ptrs[order]), np.ascontiguousarray(sizes[order])
    files = sorted((m.start, m.end) for m in core.mappings)
    regions = [(s, e, o) for s, e, o in core.segments_array().tolist()
               # (the vsyscall page, above 2**63, is no heap and no int64 address)
               if e - s >= 32 and not s % _PAGE and e < 1 << 63 and not _file_backed(files, s)]
    # 64 MiB-aligned regions that read as a thread heap -> heap_info.size
    thread = {r: size for r in regions
              if r[0] % HEAP_MAX_SIZE == 0 and (size := _heap_info_size(core, r))}
    own = _own_states(core, thread)
    main_state = _main_arena(core, set(own.values()))
    tops = sorted({_u64(core, st + STATE_TOP) or 0
                   for st in [*own.values(), *([main_state] if main_state else [])]})
    header = max(HEAP_INFO_SIZES, key=lambda n: sum(st - h == n for h, st in own.items()))
    tops_arr = np.array(tops, dtype=np.int64)
    out = MallocHeap()
    acc = np.zeros(ACCUMULATORS, dtype=np.int64)
    found = False
    for region in regions:
        start, end, offset = region
        if region not in thread and not _may_start_a_chunk(core, start, end, offset):
            continue  # a V8 page, a stack...: left unread (each read would map its pages)
        words = _words(core, start, end, offset)
        if words is None:
            continue
        before = int(acc[2])
        if region in thread:  # only an exact walk to heap_info.size counts
            # after heap_info, and in an arena's first heap after its malloc_state too
            first = _align16(own[start] + STATE_SIZE - start if start in own else header)
            ok = _exact(words[:thread[region] // 8], first, start, tops_arr, ptrs, sizes, acc)
            out.thread_heaps += ok
            before = int(acc[2])  # a thread heap's chunks are not the main arena's
        else:  # (a chunk's prev_size 0 is no heap_info's ar_ptr: never both)
            ok = walk_region(words, 0, start, tops_arr, ptrs, sizes, acc) > 0
        found |= ok
        out.main_arena += int(acc[2]) - before
        out.unvalidated += not ok
        core.drop_pages(offset, end - start)
    if not found:
        return None
    (out.in_use, out.free, _, out.mmapped, out.mmapped_chunks, out.stores_in_use,
     out.messages, out.message_bytes) = (int(x) for x in acc)
    if main_state is not None:
        out.main_arena_system_mem = _u64(core, main_state + STATE_SYSTEM_MEM)
    return out


def _exact(words: np.ndarray, first: int, start: int, tops: np.ndarray, ptrs: np.ndarray,
           sizes: np.ndarray, acc: np.ndarray) -> bool:
    """Walk a thread heap from `first`; add to `acc` only if it ends at the heap's end."""
    trial = np.zeros(ACCUMULATORS, dtype=np.int64)
    if walk_region(words, first, start, tops, ptrs, sizes, trial) != words.shape[0] * 8:
        return False
    acc += trial
    return True


def _align16(n: int) -> int:
    return -(-n // 16) * 16


def _u64(core: CoreFile, addr: int) -> int | None:
    raw = core.try_read(addr, 8)
    return None if raw is None else int.from_bytes(raw, "little")


def _heap_info_size(core: CoreFile, region: tuple[int, int, int]) -> int | None:
    """heap_info.size of a 64 MiB-aligned region, if it reads as one: a page multiple
    within the region, and a non-null ar_ptr (its arena's malloc_state)."""
    start, end, _ = region
    size, ar_ptr = _u64(core, start + 16), _u64(core, start)
    if size is None or not ar_ptr or not 0 < size <= end - start or size % _PAGE:
        return None
    return size


def _own_states(core: CoreFile, thread: dict) -> dict[int, int]:
    """Heap address -> its arena's malloc_state, for the thread heaps that are an arena's
    first (ar_ptr right after their heap_info). Only these and the others' heap_info.size
    are read, so a crafted region costs one walk."""
    out = {}
    for start, _, _ in thread:
        state = _u64(core, start)
        if state is not None and state - start in HEAP_INFO_SIZES:
            out[start] = state
    return out


def _main_arena(core: CoreFile, own: set[int]) -> int | None:
    """`main_arena` (in libc's data, no symbol needed): the one arena on the circular list
    of arenas that no thread heap holds, found from a thread arena's `next` link."""
    for state in own:
        seen: set[int] = set()
        link = _u64(core, state + STATE_NEXT)
        while link is not None and link not in seen and len(seen) < 4096:
            if link not in own:
                return link
            seen.add(link)
            link = _u64(core, link + STATE_NEXT)
    return None


def _may_start_a_chunk(core: CoreFile, start: int, end: int, offset: int) -> bool:
    """Does a region begin like a chunk (prev_size 0, a size that fits)? Read with pread,
    not through the core's mapping: a 1 GB heap has thousands of V8 pages, and touching the
    first word of each mapped ~200 KiB of it (the kernel maps pages around a fault), 640 MiB
    in all."""
    try:
        head = os.pread(core.elf._file.fileno(), 16, offset)
    except (OSError, ValueError):
        return False
    if len(head) < 16:
        return False
    prev_size, size = int.from_bytes(head[:8], "little"), int.from_bytes(head[8:], "little") & ~7
    return prev_size == 0 and 16 <= size <= end - start and size % 16 == 0


def _words(core: CoreFile, start: int, end: int, offset: int) -> np.ndarray | None:
    data = core.elf.data
    count = (end - start) // 8
    if offset % 8 or offset + count * 8 > len(data):
        return None
    return np.frombuffer(data, dtype="<u8", count=count, offset=offset)


def _file_backed(files: list[tuple[int, int]], addr: int) -> bool:
    i = bisect.bisect_right(files, (addr, 1 << 64)) - 1
    return i >= 0 and files[i][0] <= addr < files[i][1]
