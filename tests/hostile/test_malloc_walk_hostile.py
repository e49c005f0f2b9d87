"""The malloc walk (`triage/coredump/malloc.py`) reads whatever a core's anonymous memory
holds: a region counts only up to the end of its last whole piece of malloc memory, and no
content makes it read outside the region or fail."""

from __future__ import annotations

import struct

import numpy as np

from tests.hostile import craft
from triage.coredump import CoreFile
from triage.coredump.malloc import HEAP_MAX_SIZE, malloc_heap, walk_region

NO_STORES = np.zeros(0, dtype=np.int64)
NO_TOPS = np.zeros(0, dtype=np.int64)


def _walk(words: list[int], tops=NO_TOPS) -> tuple[int, np.ndarray]:
    out = np.zeros(6, dtype=np.int64)
    end = walk_region(np.array(words, dtype=np.uint64), 0, 0x10000, tops, NO_STORES,
                      NO_STORES, out)
    return end, out


def _chunk(size: int, flags: int) -> list[int]:
    """A chunk header (prev_size 0) and zeroed payload words."""
    return [0, size | flags] + [0] * (size // 8 - 2)


def test_a_chain_ending_in_its_top_chunk_counts_whole():
    # 48 in use (the 32-byte chunk after it says PREV_INUSE), 32 free, then a 64-byte top
    words = _chunk(48, 1) + _chunk(32, 1) + _chunk(64, 0)
    end, out = _walk(words)
    assert end == len(words) * 8
    assert (out[0], out[1]) == (48, 32 + 64)


def test_garbage_after_a_top_chunk_counts_the_chain_before_it():
    top = 0x10000 + 48
    words = _chunk(48, 1) + _chunk(64, 1) + [0, 0x7F00DEADBEEF, 1, 2]
    end, out = _walk(words, tops=np.array([top], dtype=np.int64))
    assert end == 48 + 64 and (out[0], out[1]) == (48, 64)


def test_a_chain_broken_before_any_whole_piece_counts_nothing():
    words = _chunk(48, 1) + _chunk(32, 1) + [0, 0x7F00DEADBEEF, 1, 2]
    end, out = _walk(words)
    assert end == 0 and not out.any()


def test_a_size_past_the_region_counts_nothing():
    end, out = _walk([0, 1 << 40, 0, 0])
    assert end == 0 and not out.any()


def test_random_memory_never_reads_past_the_region():
    rng = np.random.default_rng(7)
    for _ in range(200):
        n = int(rng.integers(2, 400))
        words = rng.integers(0, 1 << 63, size=n, dtype=np.int64).astype(np.uint64)
        words[1::2] &= np.uint64(0xFFF7)  # small sizes, so that some chains go on a while
        out = np.zeros(6, dtype=np.int64)
        end = walk_region(words, 0, 0x10000, NO_TOPS, NO_STORES, NO_STORES, out)
        assert 0 <= end <= n * 8 and (out >= 0).all()


def test_fenceposts_end_a_heap_and_the_next_region_walks_on():
    # a main-arena region that could not grow (a freed old top, two 16-byte fenceposts),
    # then the region glibc continued in, merged into the same mapping, up to its top
    words = _chunk(48, 1) + _chunk(64, 1) + [0, 16, 0, 16 | 1] + _chunk(32, 1) + _chunk(64, 1)
    end, out = _walk(words)
    assert end == len(words) * 8
    assert (out[0], out[2]) == (48 + 32, 48 + 64 + 32 + 32 + 64)


def test_a_thread_heap_ends_in_a_fencepost_and_a_bare_header():
    words = _chunk(48, 1) + _chunk(32, 1) + [0, 16, 0, 0 | 1]  # the 32 bytes were freed
    end, out = _walk(words)
    assert end == len(words) * 8 and out[0] == 48


def test_a_main_arena_heap_at_a_thread_heap_address_is_walked(tmp_path):
    """The brk heap lands on a 64 MiB boundary once in 16,384 starts, and its first chunk's
    first payload word may read as a page-multiple heap_info.size: its prev_size 0 is no
    heap_info's ar_ptr, so it is walked as the main arena's."""
    tcache = _chunk(0x290, 1)
    tcache[2] = 0x1000
    region = tcache + _chunk(48, 1)
    region += _chunk(8192 - len(region) * 8, 1)  # the top chunk, to the region's end
    load = struct.pack(f"<{len(region)}Q", *region)
    head = craft.EHDR.size + 3 * craft.PHDR.size + 64
    path = tmp_path / "core"
    path.write_bytes(craft.core_bytes(b"", extra_phdrs=[
        (craft.PT_LOAD, 6, head, HEAP_MAX_SIZE, 0, len(load), len(load), 4096)]) + load)
    heap = malloc_heap(CoreFile.open(path))
    assert heap is not None
    assert (heap.in_use, heap.main_arena, heap.thread_heaps) == (0x290 + 48, 8192, 0)
