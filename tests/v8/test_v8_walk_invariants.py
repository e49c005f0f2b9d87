"""Invariants of the exact walk on every scenario core of every Node major.

The walk resyncs on map words when a size is wrong, so a wrong size for one type does not
stop it: it shows up as objects that cannot be (a fixed-size object of another size, a
"context" whose size does not match its length, an object bigger than its page). These
checks catch that class of bug on real cores. The Node 20 `leak_intervals` core once read
the map pointers stored in the NativeContext's slots as 8-byte objects, then one slot as a
127 KB context that swallowed `internal/timers`' module context (the NativeContext is one
word longer than `16 + 8*length`: its MicrotaskQueue* follows the slots).
"""

from __future__ import annotations

import numpy as np
import pytest

from dumps.crash import run_scenario
from dumps.nodes import SUPPORTED_MAJORS
from triage.coredump import CoreFile, ElfFile
from triage.v8 import V8Heap
from triage.v8 import walk as W

SCENARIOS = ("heap_basic", "leak_map", "leak_listeners", "leak_intervals", "leak_closure",
             "leak_singleton", "leak_garbage")
_SMI_KINDS = (W.KIND_FIXED_ARRAY, W.KIND_BYTE_ARRAY, W.KIND_FREE_SPACE, W.KIND_PROPERTY_ARRAY,
              W.KIND_WEAK_ARRAY_LIST, W.KIND_BYTECODE)


@pytest.fixture(scope="module", params=[(s, m) for s in SCENARIOS for m in SUPPORTED_MAJORS],
                ids=[f"{s}-node{m}" for s in SCENARIOS for m in SUPPORTED_MAJORS])
def walked(request: pytest.FixtureRequest) -> tuple[V8Heap, dict[str, np.ndarray]]:
    scenario, major = request.param
    crash = run_scenario(scenario, major)
    heap = V8Heap.open(CoreFile.open(crash.core_path), ElfFile(crash.node))
    w = heap.walk()
    # the map word and the word after it (length / Smi field) of every walked object, read
    # from the dumped page areas
    map_word = np.zeros(len(w.address), dtype=np.uint64)
    second = np.zeros(len(w.address), dtype=np.uint64)
    area_end = np.zeros(len(w.address), dtype=np.uint64)
    page_area = np.zeros(len(w.address), dtype=np.int64)
    for a, b, page in heap.areas():
        words = heap._words(a, b)
        lo, hi = np.searchsorted(w.address, [np.uint64(a), np.uint64(b)])
        idx = ((w.address[lo:hi] - np.uint64(a)) // np.uint64(8)).astype(np.int64)
        map_word[lo:hi] = words[idx]
        nxt = np.minimum(idx + 1, len(words) - 1)
        second[lo:hi] = np.where(idx + 1 < len(words), words[nxt], 0)
        area_end[lo:hi] = page.area_end
        page_area[lo:hi] = page.area_end - page.area_start
    return heap, {"map_word": map_word, "second": second, "area_end": area_end,
                  "page_area": page_area}


def test_opens_without_problems(walked):
    heap, _ = walked
    assert heap.problems == []
    assert heap.native_context_type is not None


def test_pages_share_one_heap(walked):
    heap, _ = walked
    heaps = {p.heap for p in heap.pages} - {0}
    assert len(heaps) == 1
    for p in heap.pages:
        # code pages of V8 10.2 have a guard page after the header: objects from +0x3000
        assert p.address < p.area_start <= p.address + 0x4000 and p.area_start < p.area_end


def test_every_object_has_a_known_map_and_stays_in_its_page(walked):
    heap, x = walked
    w = heap.walk()
    assert np.array_equal(x["map_word"], heap.map_keys[w.map_index])
    assert np.all(w.size <= x["page_area"])
    assert np.all(w.address + w.size.astype(np.uint64) <= x["area_end"])
    ends = w.address[:-1] + w.size[:-1].astype(np.uint64)
    assert np.all(ends <= w.address[1:])  # no overlap


def test_fixed_size_objects_have_their_maps_size(walked):
    heap, _ = walked
    w = heap.walk()
    inst = np.array([m.instance_size for m in heap.maps], dtype=np.int64)[w.map_index]
    bad = np.flatnonzero((inst > 0) & (w.size != inst))
    r = heap.reader
    desc = [(hex(int(w.address[i])), r.type_name(heap.maps[w.map_index[i]].instance_type),
             int(w.size[i])) for i in bad[:10]]
    # a map pointer inside another object's body read as an object start is cut at the next
    # map word, so it is smaller than its map says
    assert len(bad) <= 1, desc  # at most the last object before a linear allocation area's
    #                             stale tail, when the next stale word happens to be a map


def test_smi_length_fields_are_smis(walked):
    heap, x = walked
    w = heap.walk()
    kinds = heap.map_kinds[w.map_index]
    sel = np.isin(kinds, _SMI_KINDS)
    assert np.all(x["second"][sel] & np.uint64(0xFFFFFFFF) == 0)


def test_context_sizes_match_their_length(walked):
    heap, x = walked
    w = heap.walk()
    r = heap.reader
    types = np.array([m.instance_type for m in heap.maps])[w.map_index]
    ctx = np.flatnonzero((types >= r.context_range[0]) & (types <= r.context_range[1]))
    assert len(ctx) > 50
    length = (x["second"][ctx] >> np.uint64(32)).astype(np.int64)
    extra = np.where(types[ctx] == heap.native_context_type, 8, 0)
    assert np.array_equal(w.size[ctx], 16 + 8 * length + extra)
    native = int(np.count_nonzero(types[ctx] == heap.native_context_type))
    assert 1 <= native <= 4  # the main context (plus Node's vm / ShadowRealm ones, if any)


def test_descriptor_arrays_sized_from_their_count(walked):
    """Node 26 (V8 14.6) grew the DescriptorArray header from 24 to 32 bytes (exported as
    `class_DescriptorArray__header_size`); sized with 24 every one was cut and resynced."""
    heap, x = walked
    w = heap.walk()
    sel = np.flatnonzero(heap.map_kinds[w.map_index] == W.KIND_DESCRIPTORS)
    assert len(sel) > 100
    header = heap.constants.get("class_DescriptorArray__header_size__uintptr_t")
    count = (x["second"][sel] & np.uint64(0xFFFF)).astype(np.int64)
    assert np.array_equal(w.size[sel], header + 24 * count)
    # computed from the header, not found by resyncing on the next map word (which a map
    # pointer in a descriptor's value slot would cut short)
    assert np.all(heap.map_params[heap.map_kinds == W.KIND_DESCRIPTORS] == header)
