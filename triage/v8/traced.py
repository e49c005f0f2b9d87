"""V8's traced handles, and the C++ objects of Node that hold V8 objects through them.

From Node 24 some of Node's C++ objects live on V8's C++ heap (cppgc): a `vm.Script`'s
`ContextifyScript` and a vm context's `ContextifyContext`. Such an object holds the V8
objects it needs through `v8::TracedReference`s, which V8 keeps as *traced handles*: nodes
of 16 bytes in malloc'd blocks of 256 (src/handles/traced-handles.h), the object pointer
first, a u16 index at +10 that counts 0, 1, 2, ... through the block, flags at +12 (bit 0:
in use). They are no roots: V8 marks their targets when cppgc marks their C++ owner.
Without them, the compiled code of 400 vm.Scripts kept in a Map (800 KB on Node 26, the
C++ objects' `script_`) was read as garbage, where a GC'd snapshot weighs it under the
Scripts.

So: the blocks are found by that index signature outside V8's pages, checked against
their header (capacity = the nodes found, used = the nodes in use) and kept when their
`TracedHandles*` lies just after this isolate's `Heap*` (a Worker has its own). Each JS
object that wraps a cppgc object (`cpp_heap_wrappable`, a raw pointer) gets an edge to
the targets of the in-use nodes that its C++ object's words point at; the C++ object's
size is in the cppgc header 8 bytes before it (`encoded_low_`: size / 8 << 1 | mark bit).
Targets no wrapper owns are kept alive as roots, as their C++ owner may be alive. For a
V8 with no table entry, calibration derives the header size from the same runs
(`header_fits`); blocks that no known size fits are said in the roots' capability.
Measured (helper study, December 2026, 997 cores): Node 18-22 make no traced handles
(their ContextifyScript holds a global handle); Node 24 and 26 make them for
ContextifyScript (its wrapper and its SharedFunctionInfo) and ContextifyContext (its
wrapper and its NativeContext) only; 400 of 400 and 150 of 150 resolved, no word of a C++
object that points into a block without being an in-use node.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from triage.v8.roots import heap_pointer, lookup, segments_outside_v8_pages

if TYPE_CHECKING:
    from triage.v8.heap import V8Heap

#: the edge from a wrapper to what its C++ object holds (V8's name for the handle type)
TRACED_EDGE = "traced_reference"
NODE_SIZE = 16  # TracedNode: object_, next_free_index_ (u16), index_ (u16), flags_ (u8), mark
_INDEX_SHIFT = 16  # the index, in the node's second word
_FLAGS_SHIFT = 32
_IN_USE = 1
MIN_RUN = 64  # nodes counted 0..63 in a row start a block (V8 allocates 256 on 64-bit)
_MAX_RUN = 4096  # nodes followed per block (V8 allocates 256: a bounded scan of a crafted core)
#: Isolate::traced_handles_ lies this close after the Isolate's Heap (3,360 bytes on 13.6,
#: 3,352 on 14.6): a block whose TracedHandles* is in the window is this isolate's
_OWNER_WINDOW = 1 << 13
#: TracedNodeBlock's header (V8 13-14, 72 bytes): three list nodes {prev, next} (all blocks,
#: usable blocks, young blocks), TracedHandles* at word 6, u16 used and u16 capacity at word 7
_OWNER_WORD = 6
#: header sizes calibration tries for a V8 with no table entry (the counts word, after the
#: TracedHandles*, must lie before node 0)
_MAX_HEADER = 256
HEADER_SIZES = range(8 * (_OWNER_WORD + 2), _MAX_HEADER + 1, 8)
#: a cppgc object of Node's is tens of bytes (ContextifyScript 56 with its header); a
#: larger "size" is no header of one, and is not read
_MAX_CPP_OBJECT = 4096
#: words of C++ objects read in all: 32 MiB, a million wrapped objects of Node's size
_MAX_WORDS = 4 << 20


@dataclass
class TracedHandles:
    """What the in-use traced handles of one isolate hold, as object indexes of the graph."""

    blocks: int = 0
    targets: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    #: wrapper -> what its C++ object holds (an object's own wrapper left out)
    owners: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    owned: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    #: wrappers whose C++ object was read, and its size (cppgc header included), which a
    #: snapshot counts in the wrapper's self size (it merges the two into one node)
    wrapped: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    wrapped_bytes: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    #: why this isolate's traced handles were not read, when the core has blocks of them
    unread: str | None = None

    def unowned(self) -> np.ndarray:
        """Targets that no wrapper's C++ object was found to hold: kept as roots."""
        return np.setdiff1d(self.targets, np.concatenate([self.owned, self.owners]))


def find_traced_handles(heap: V8Heap, addrs: np.ndarray, wrappers: np.ndarray,
                        read_words) -> TracedHandles:  # noqa: ANN001
    """The traced handles of `heap`'s isolate. `addrs`: the graph's sorted object addresses;
    `wrappers`: indexes of the JS objects that may wrap a C++ object (API objects);
    `read_words(addresses)` reads one u64 per address (0 where not dumped)."""
    header = heap.facts.traced_block_header if heap.exact_version else None
    hp = heap_pointer(heap)
    runs = block_runs(heap) if hp is not None else []
    mine = [r for r in runs if checks_out(r, header, hp)] if header is not None else []
    if not mine:
        # no block of this isolate's: none made (Node 18-22), a Worker's blocks only, data
        # that looks like nodes, or blocks that cannot be read, which is said: runs of
        # nodes holding V8 objects and no header, or a header another size would fit
        if header is None:
            unread = any(_holds_heap_objects(heap, r) for r in runs)
        else:
            unread = any(checks_out(r, h, hp) for r in runs for h in HEADER_SIZES)
        if unread:
            return TracedHandles(unread=(
                f"{len(runs)} blocks of V8 traced handles are not read (no verified "
                f"TracedNodeBlock header for V8 {heap.version}): what Node's C++ objects "
                "hold through them (a vm.Script's code, a vm context) is not counted as "
                "theirs"))
        return TracedHandles()
    starts = np.array([r.node0 for r in mine], dtype=np.uint64)
    objects = np.concatenate([r.objects for r in mine])
    in_use = np.concatenate([r.in_use for r in mine])
    targets = lookup(addrs, objects)
    targets[~in_use] = -1
    out = TracedHandles(blocks=len(mine), targets=np.unique(targets[targets >= 0]))
    first = np.concatenate([[0], np.cumsum([len(r.objects) for r in mine])]).astype(np.int64)
    ends = starts + np.array([NODE_SIZE * len(r.objects) for r in mine], dtype=np.uint64)
    offset = heap.facts.cpp_heap_wrappable
    if offset is None or not len(wrappers):
        return out
    cpp = read_words(addrs[wrappers] + np.uint64(offset))
    has = np.flatnonzero(cpp != 0)
    wrappers, cpp = wrappers[has], cpp[has]
    units = ((read_words(cpp - np.uint64(8)) >> np.uint64(49)) & np.uint64(0x7FFF)).astype(
        np.int64)
    words_each = units - 1  # the payload's words, after the 8-byte header
    ok = (words_each > 0) & (words_each <= _MAX_CPP_OBJECT // 8)
    ok &= np.cumsum(np.where(ok, words_each, 0)) <= _MAX_WORDS  # a bounded read in all
    wrappers, cpp, words_each = wrappers[ok], cpp[ok], words_each[ok]
    out.wrapped, out.wrapped_bytes = wrappers, 8 * (words_each + 1)
    # every payload word of every C++ object at once: (its wrapper, the word)
    owner = np.repeat(wrappers, words_each)
    start = np.repeat(np.cumsum(words_each) - words_each, words_each)
    at = np.repeat(cpp, words_each) + 8 * (np.arange(len(owner)) - start).astype(np.uint64)
    words = read_words(at)
    k = np.searchsorted(starts, words, side="right") - 1
    inside = k >= 0
    k = np.maximum(k, 0)
    inside &= (words < ends[k]) & ((words - starts[k]) % np.uint64(NODE_SIZE) == 0)
    node = first[k[inside]] + ((words[inside] - starts[k[inside]]) // np.uint64(NODE_SIZE)
                               ).astype(np.int64)
    held, owner = targets[node], owner[inside]
    keep = (held >= 0) & (held != owner)  # (a C++ object also holds its own wrapper)
    out.owners, out.owned = owner[keep], held[keep]
    return out


@dataclass
class _Run:
    """Nodes counted 0, 1, 2, ... in a row outside V8's pages: a traced-node block, unless
    the header before it does not check out."""

    node0: int  # node 0's address
    objects: np.ndarray  # each node's object word
    in_use: np.ndarray
    before: np.ndarray  # the words before node 0 (the block's header ends there)


def block_runs(heap: V8Heap) -> list[_Run]:
    """Every run of traced nodes in the core (all isolates'), found once per core."""
    cached = heap.core.__dict__.get("_traced_runs")
    if cached is not None:
        return cached
    found: dict[int, _Run] = {}
    span = 2 * (MIN_RUN - 1)
    for base, words in segments_outside_v8_pages(heap, overlap=NODE_SIZE * 300):
        if len(words) <= span + 2:
            continue
        index = ((words >> np.uint64(_INDEX_SHIFT)) & np.uint64(0xFFFF)).astype(np.int32)
        m = len(index) - span
        cand = np.flatnonzero((index[:m] == 0) & (index[2:2 + m] == 1)
                              & (index[span:span + m] == MIN_RUN - 1))
        for k in cand.tolist():  # k: node 0's second word
            node0 = base + 8 * (k - 1)
            if k < 1 or node0 in found:
                continue
            seq = index[k:k + 2 * _MAX_RUN:2]
            wrong = np.flatnonzero(seq != np.arange(len(seq)))
            n = int(wrong[0]) if len(wrong) else len(seq)
            pairs = words[k - 1:k - 1 + 2 * n]
            if n < MIN_RUN or len(pairs) < 2 * n:  # three words that happen to read 0, 1, 63
                continue
            pairs = pairs.reshape(n, 2)
            in_use = ((pairs[:, 1] >> np.uint64(_FLAGS_SHIFT)) & np.uint64(_IN_USE)) != 0
            found[node0] = _Run(node0, pairs[:, 0].copy(), in_use,
                                words[max(0, k - 1 - _MAX_HEADER // 8):k - 1].copy())
    runs = [found[a] for a in sorted(found)]
    heap.core.__dict__["_traced_runs"] = runs
    return runs


def checks_out(run: _Run, header: int, hp: int) -> bool:
    """Whether `run` is a block of the isolate whose `Heap*` is `hp`, if blocks have a
    `header`-byte header: its last words say capacity = the run, used = the nodes in use,
    and hold a `TracedHandles*` just after the Heap*."""
    at = len(run.before) - header // 8 + _OWNER_WORD
    if at < 0 or at + 1 >= len(run.before):
        return False
    owner, counts = int(run.before[at]), int(run.before[at + 1])
    used, capacity = counts & 0xFFFF, (counts >> 16) & 0xFFFF
    return (capacity == len(run.objects) and used == int(run.in_use.sum())
            and 0 < owner - hp < _OWNER_WINDOW)


def header_fits(heap: V8Heap) -> tuple[dict[int, int], int]:
    """({header size: blocks of the core's isolates that check out with it}, runs whose
    in-use nodes hold V8 objects): what calibration derives `traced_block_header` from,
    for a V8 with no table entry. Runs of other data (a Buffer of records) are left out."""
    runs = [r for r in block_runs(heap) if _holds_heap_objects(heap, r)]
    hps = {i.heap_pointer for i in heap.isolates} or {heap_pointer(heap)}
    fits = {h: sum(checks_out(r, h, hp) for r in runs for hp in hps if hp)
            for h in HEADER_SIZES}
    return {h: n for h, n in fits.items() if n}, len(runs)


def _holds_heap_objects(heap: V8Heap, run: _Run) -> bool:
    """Whether nine in ten of the run's in-use nodes hold a tagged pointer into a V8 page
    (of any isolate), as traced handles do."""
    held = run.objects[run.in_use]
    if not len(held):
        return False
    areas = sorted((p.area_start, p.area_end) for p in heap._scan_pages())
    starts = np.array([a for a, _ in areas], dtype=np.uint64)
    ends = np.array([b for _, b in areas], dtype=np.uint64)
    k = np.maximum(np.searchsorted(starts, held, side="right") - 1, 0)
    inside = (held & np.uint64(3)) == 1
    if len(starts):
        inside &= (held >= starts[k]) & (held < ends[k])
    return bool(inside.mean() >= 0.9)
