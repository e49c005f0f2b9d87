"""GC roots of a core's V8 heap, exact where we can find them, conservative otherwise.

A heap graph without the right roots calls garbage a leak (or a leak garbage), so each root
kind is found from the data and named in its sub-root:

* `(Isolate)`: the isolate's roots table, builtins table and Heap fields. They sit around
  the `Heap*` that every page header points to; the window per V8 version is a verified fact
  in `versions.py` (`isolate_roots`).
* `(Global handles)`: V8's global-handle node blocks (Node's persistent handles: the
  Environment, BaseObjects, module wraps). A block is 256 nodes of 32 bytes whose `index`
  byte (+10) counts 0..255, which no other structure does; the node state (+11, low bits) says
  strong (1) or weak.
* `(Traced handles)`: targets of V8's traced handles that no JS wrapper's C++ object was
  found to hold (`traced.py`; Node 24+, whose cppgc objects hold V8 objects this way).
* `(Stack roots)`: words of the stack of the thread that runs the isolate (the main thread,
  or a Worker's thread: `isolates.py`) between rsp and the stack's end that point at object
  starts (V8 frames hold tagged pointers; other threads run no JS of this isolate).
* the global objects (`JSGlobalObject`), which the graph's root links with `shortcut` edges
  as heap snapshots do (the "user roots"); not those of `vm` contexts, which their sandboxes
  keep (`vm_contexts.py`).

When the isolate window or the handle blocks are not found, every word outside V8 pages that
points at an object start becomes a root instead (`(Conservative roots)`); that keeps live
objects reachable but can also keep garbage, and the capability says so.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from triage.crashmodel import Capability

if TYPE_CHECKING:
    from triage.v8.heap import V8Heap

ENGINE = "triage.v8 (core heap graph)"
_NODE_SIZE = 32  # GlobalHandles::Node, the same in V8 10.2-13.6 (checked on every test core)
_NODE_INDEX = 10
_BLOCK = 256
_CHUNK = 16 << 20  # words scanned per step: its temporaries stay small next to the heap


@dataclass
class RootSet:
    """One sub-root: object indexes (into the graph's object table) it holds."""

    name: str
    targets: np.ndarray  # int64 object indexes
    weak: np.ndarray  # bool, per target
    exact: bool = True


@dataclass
class Roots:
    sets: list[RootSet] = field(default_factory=list)
    globals: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    kinds: list[str] = field(default_factory=list)
    capability: Capability = field(default_factory=lambda: Capability("full", "", ENGINE))


def lookup(addrs: np.ndarray, words: np.ndarray) -> np.ndarray:
    """Object index of each tagged word (tag 01 or 11) that points at an object start, else -1."""
    w = np.asarray(words, dtype=np.uint64)
    tag = w & np.uint64(3)
    untagged = w & ~np.uint64(3)
    k = np.searchsorted(addrs, untagged)
    k = np.minimum(k, max(len(addrs) - 1, 0))
    ok = ((tag == 1) | (tag == 3)) & (addrs[k] == untagged) if len(addrs) else tag < 0
    return np.where(ok, k, -1)


def find_roots(heap: V8Heap, addrs: np.ndarray, global_objects: np.ndarray,
               traced: np.ndarray | None = None, traced_unread: str | None = None) -> Roots:
    """All root kinds we can find in `heap`'s core; `addrs` is the graph's sorted object table.
    `traced`: object indexes held by traced handles that no wrapper was found to own
    (`traced.py`), kept alive as their C++ owner may be; `traced_unread`: why the isolate's
    traced handles were not read (conservative roots then keep their targets)."""
    roots = Roots(globals=global_objects)
    problems: list[str] = []
    iso = _isolate_roots(heap, addrs)
    if iso is None:
        problems.append("isolate roots table not located (no isolate_roots fact for V8 "
                        f"{heap.version})")
    else:
        roots.sets.append(iso)
    gh = _global_handles(heap, addrs)
    if gh is None:
        problems.append("global handle blocks not found")
    else:
        roots.sets.append(gh)
    if traced_unread:
        problems.append(traced_unread)
    if traced is not None and len(traced):
        roots.sets.append(RootSet("(Traced handles)", np.asarray(traced, np.int64),
                                  np.zeros(len(traced), bool)))
    st = _stack_roots(heap, addrs)
    if st is None:
        problems.append("the stack of the isolate's thread is not in the core")
    else:
        roots.sets.append(st)
    if problems:
        roots.sets.append(_conservative_roots(heap, addrs))
    roots.kinds = [s.name for s in roots.sets] + ["(global objects)"]
    base = ("exact roots: isolate roots table and Heap fields, global handles, traced "
            "handles no wrapper owns, the stack of the isolate's thread, global objects; not "
            "read: handle scopes, eternal handles, microtask queue")
    if problems:
        roots.capability = Capability(
            "degraded", "; ".join(problems) + "; fell back to conservative roots (every word "
            "outside V8 pages that points at an object), so some garbage may look reachable",
            ENGINE)
    else:
        roots.capability = Capability("full", base, ENGINE)
    return roots


def heap_pointer(heap: V8Heap) -> int | None:
    """The isolate's `Heap*`: the value shared by the page headers."""
    counts = Counter(p.heap for p in heap.pages if p.heap)
    return counts.most_common(1)[0][0] if counts else None


def _words(heap: V8Heap, start: int, end: int) -> tuple[np.ndarray, np.ndarray]:
    """(addresses, words) of the dumped parts of [start, end)."""
    segs = heap.core.segments_array()
    outa, outw = [], []
    for s0, s1, _ in segs.tolist():
        a, b = max(s0, start), min(s1, end)
        if a >= b:
            continue
        a = (a + 7) & ~7
        b &= ~7
        v = heap.core.view(a, b)
        if v is None:
            continue
        outw.append(v.view("<u8"))
        outa.append(np.uint64(a) + np.arange(len(outw[-1]), dtype=np.uint64) * np.uint64(8))
    if not outw:
        return np.zeros(0, np.uint64), np.zeros(0, np.uint64)
    return np.concatenate(outa), np.concatenate(outw)


def _rootset(name: str, addrs: np.ndarray, words: np.ndarray, weak: np.ndarray | None = None,
             exact: bool = True) -> RootSet:
    idx = lookup(addrs, words)
    tag_weak = (np.asarray(words, dtype=np.uint64) & np.uint64(3)) == 3
    weak = tag_weak if weak is None else (weak | tag_weak)
    keep = idx >= 0
    return RootSet(name, idx[keep].astype(np.int64), weak[keep], exact)


def _isolate_roots(heap: V8Heap, addrs: np.ndarray) -> RootSet | None:
    window = heap.facts.isolate_roots if heap.exact_version else None
    hp = heap_pointer(heap)
    if window is None or hp is None:
        return None
    _, words = _words(heap, hp + window[0], hp + window[1])
    rs = _rootset("(Isolate)", addrs, words)
    return rs if len(rs.targets) else None


def _v8_page_mask(heap: V8Heap, segs: np.ndarray) -> np.ndarray:
    """Per segment: True when it lies wholly inside V8 pages (never holds roots)."""
    align = heap.facts.page.chunk_alignment
    pages = np.array(sorted(p.address for p in heap.pages), dtype=np.uint64)
    out = np.zeros(len(segs), dtype=bool)
    for i, (s0, s1, _) in enumerate(segs.tolist()):
        first = s0 // align * align
        need = np.arange(first, s1, align, dtype=np.uint64)
        k = np.searchsorted(pages, need)
        k = np.minimum(k, max(len(pages) - 1, 0))
        out[i] = len(pages) > 0 and bool(np.all(pages[k] == need))
    return out


def segments_outside_v8_pages(heap: V8Heap, overlap: int = 0):  # noqa: ANN202
    """(address, words) pieces of every dumped segment that is not wholly V8 pages.

    Holes of a sparse core are left out (zeros: no handle block, no tagged pointer)."""
    segs = heap.core.segments_array()
    v8 = _v8_page_mask(heap, segs)
    data = heap.core.elf.data
    pieces = heap.core.data_segments_array()
    parent = np.searchsorted(segs[:, 0], pieces[:, 0], side="right") - 1
    for (s0, s1, off), i in zip(pieces.tolist(), parent.tolist(), strict=True):
        if v8[i]:
            continue
        for c0 in range(0, s1 - s0, _CHUNK):
            n = (min(s1 - s0, c0 + _CHUNK + overlap) - c0) // 8
            yield s0 + c0, np.frombuffer(data, dtype="<u8", count=n, offset=off + c0)
            heap.core.drop_pages(off + c0, n * 8)  # a dense copy's zeros: hundreds of MiB


def _global_handles(heap: V8Heap, addrs: np.ndarray) -> RootSet | None:
    step = _NODE_SIZE // 8
    span = step * (_BLOCK - 1)
    blocks: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for base, words in segments_outside_v8_pages(heap, overlap=_NODE_SIZE * _BLOCK):
        if len(words) <= span + 2:
            continue
        ib = ((words >> np.uint64(16)) & np.uint64(0xFF)).astype(np.uint8)  # index byte, +10
        m = len(ib) - span
        cand = np.flatnonzero((ib[:m] == 0) & (ib[step:step + m] == 1)
                              & (ib[span:span + m] == _BLOCK - 1))
        for k in cand.tolist():
            if k < 1 or base + 8 * k in blocks:
                continue
            if not np.array_equal(ib[k:k + span + 1:step], np.arange(_BLOCK, dtype=np.uint8)):
                continue
            obj = words[k - 1:k - 1 + step * _BLOCK:step]  # the node's first word: the object
            state = ((words[k:k + span + 1:step] >> np.uint64(24)) & np.uint64(7)).astype(np.uint8)
            live = state != 0
            blocks[base + 8 * k] = (obj[live], state[live] != 1)
    if not blocks:
        return None
    objs = np.concatenate([b[0] for b in blocks.values()])
    weak = np.concatenate([b[1] for b in blocks.values()])
    return _rootset("(Global handles)", addrs, objs, weak)


def _main_thread(heap: V8Heap):  # noqa: ANN202
    """The thread that runs `heap`'s isolate (`isolates.py`); the pid's thread by default."""
    threads = heap.core.threads
    if not threads:
        return None
    iso = getattr(heap, "isolate", None)
    if iso is not None and not iso.is_main:
        return next((t for t in threads if t.tid == iso.tid), None)
    pid = heap.core.pid
    return next((t for t in threads if t.tid == pid), threads[0])


def _stack_roots(heap: V8Heap, addrs: np.ndarray) -> RootSet | None:
    thread = _main_thread(heap)
    if thread is None:
        return None
    rsp = thread.registers.get("rsp", 0)
    segs = heap.core.segments_array()
    i = int(np.searchsorted(segs[:, 0], np.uint64(rsp), side="right")) - 1
    if i < 0 or rsp >= int(segs[i, 1]):
        return None
    _, words = _words(heap, rsp & ~7, int(segs[i, 1]))
    regs = np.array([v for v in thread.registers.values() if v], dtype=np.uint64)
    words = np.concatenate([regs, words])
    words = words[(words & np.uint64(3)) == 1]  # stacks hold strong tagged pointers only
    return _rootset("(Stack roots)", addrs, words)


def _conservative_roots(heap: V8Heap, addrs: np.ndarray) -> RootSet:
    align = heap.facts.page.chunk_alignment
    pages = np.array(sorted(p.address for p in heap.pages), dtype=np.uint64)
    found = []
    for base, words in segments_outside_v8_pages(heap):
        sel = np.flatnonzero((words & np.uint64(3)) == 1)
        if pages.size:  # words inside V8 pages are edges of objects, not roots
            at = (np.uint64(base) + sel.astype(np.uint64) * np.uint64(8)) // np.uint64(
                align) * np.uint64(align)
            k = np.minimum(np.searchsorted(pages, at), len(pages) - 1)
            sel = sel[pages[k] != at]
        idx = lookup(addrs, words[sel])
        found.append(idx[idx >= 0])
    idx = np.unique(np.concatenate(found)) if found else np.zeros(0, np.int64)
    return RootSet("(Conservative roots)", idx.astype(np.int64), np.zeros(len(idx), bool),
                   exact=False)
