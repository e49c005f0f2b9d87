"""Every V8 isolate in a core, and the thread that runs each one.

A Node process with running `Worker`s has one isolate per thread that runs JS, each with its
own `Heap`, pages and roots; read-only pages (Heap* 0) are shared. Every page header (or, from
V8 13, its metadata) names its `Heap*`, so grouping the chunk headers found in the core by that
pointer gives the isolates. A group is only an isolate when its `Heap*` is itself readable and
the isolate's roots table next to it (`versions.py`: `isolate_roots`) points at objects on the
group's pages and on read-only pages. A malloc'ed block that happens to look like a chunk header
fails that test: seen in Node 18/20 cores with Heap* 1, and in a Node 20 core as a one-page
"isolate" whose Heap* lay inside its own block, with 68 roots-window hits (26 on its own page)
where every real isolate of Node 18-26 has over 2,800 (over 1,000 on its own pages).

Threads are matched to isolates by their stacks: a thread that runs an isolate (its JS frames,
handle scopes, `Worker::Run`'s locals) holds pointers into that isolate's pages and to its
`Heap`/`Isolate` object, and no other isolate's. The main thread is the one whose tid is the
pid; the main isolate is the one it holds most.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from triage.coredump import CoreFile
    from triage.v8.heap import Page
    from triage.v8.versions import VersionFacts

STACK_SCAN_BYTES = 8 << 20
_ISOLATE_SPAN = 0x20000  # bytes around Heap* that belong to the Isolate object (>= roots window)
_MIN_ROOT_HITS = 512  # roots-table words that must point into the group's or read-only pages
_MIN_OWN_HITS = 128  # ... of them into the group's own pages (its mutable roots)


@dataclass(frozen=True)
class IsolateRef:
    """One isolate found in a core: its `Heap*`, page count and the thread that runs it."""

    heap_pointer: int
    pages: int
    area_bytes: int
    tid: int | None = None
    thread_score: int = 0  # stack words of that thread pointing into this isolate
    is_main: bool = False


def group_pages(pages: list[Page]) -> dict[int, list[Page]]:
    """Pages by `Heap*` (read-only pages, Heap* 0, under key 0)."""
    out: dict[int, list[Page]] = {}
    for p in pages:
        out.setdefault(p.heap, []).append(p)
    return out


def real_heaps(core: CoreFile, facts: VersionFacts, groups: dict[int, list[Page]]) -> list[int]:
    """The `Heap*` keys of `groups` that are isolates (see the module docstring)."""
    ro = groups.get(0, [])
    align = facts.page.chunk_alignment
    out = []
    for hp, pages in groups.items():
        if not hp or hp % 8 or core.try_read(hp, 8) is None:
            continue
        window = facts.isolate_roots
        if window is None:  # unknown layout: fall back to the page count alone
            if len(pages) >= 2:
                out.append(hp)
            continue
        if any(p.address <= hp < p.area_end for p in pages):
            continue  # a Heap object never lives on one of its own heap's pages
        words = _dumped_words(core, hp + window[0], hp + window[1])
        own, shared = _root_hits(words, pages, align), _root_hits(words, ro, align)
        if own >= _MIN_OWN_HITS and own + shared >= _MIN_ROOT_HITS:
            out.append(hp)
    return out


def _root_hits(words: np.ndarray, pages: list[Page], align: int) -> int:
    """How many tagged pointers among `words` point into one of `pages`' chunks."""
    if not len(words) or not pages:
        return 0
    chunks = np.array(sorted(p.address for p in pages), dtype=np.uint64)
    at = words // np.uint64(align) * np.uint64(align)
    k = np.minimum(np.searchsorted(chunks, at), len(chunks) - 1)
    return int(np.count_nonzero((chunks[k] == at) & ((words & np.uint64(3)) == 1)))


def assign_threads(core: CoreFile, facts: VersionFacts,
                   groups: dict[int, list[Page]], heaps: list[int]) -> list[IsolateRef]:
    """One `IsolateRef` per heap in `heaps`, main isolate first, then by thread id."""
    align = facts.page.chunk_alignment
    chunk_owner: dict[int, int] = {}
    for hp in heaps:
        for p in groups[hp]:
            chunk_owner[p.address] = hp
    chunks = np.array(sorted(chunk_owner), dtype=np.uint64)
    owners = np.array([chunk_owner[int(c)] for c in chunks], dtype=np.uint64)
    scores: dict[int, Counter[int]] = {}
    for t in core.threads:
        words = _stack_words(core, t.registers)
        c: Counter[int] = Counter()
        if len(words) and len(chunks):
            at = words // np.uint64(align) * np.uint64(align)
            k = np.minimum(np.searchsorted(chunks, at), len(chunks) - 1)
            hit = chunks[k] == at
            for hp, n in zip(*np.unique(owners[k[hit]], return_counts=True), strict=True):
                c[int(hp)] += int(n)
        for hp in heaps:  # pointers to the Heap / Isolate object itself
            lo, hi = np.uint64(max(hp - _ISOLATE_SPAN, 0)), np.uint64(hp + _ISOLATE_SPAN)
            n = int(np.count_nonzero((words >= lo) & (words < hi)))
            if n:
                c[hp] += n
        scores[t.tid] = c
    pid = core.pid
    main_tid = pid if any(t.tid == pid for t in core.threads) else None
    taken: dict[int, tuple[int, int]] = {}  # heap -> (tid, score)
    if main_tid is not None and scores.get(main_tid):
        hp, n = scores[main_tid].most_common(1)[0]
        taken[hp] = (main_tid, n)
    for hp in heaps:
        if hp in taken:
            continue
        best = max(((s.get(hp, 0), tid) for tid, s in scores.items()
                    if tid != main_tid and tid not in {v[0] for v in taken.values()}),
                   default=(0, None))
        if best[0] > 0:
            taken[hp] = (best[1], best[0])
    main_hp = next((hp for hp, (tid, _) in taken.items() if tid == main_tid), None)
    if main_hp is None and heaps:  # no main thread in the core: the biggest heap
        main_hp = max(heaps, key=lambda h: len(groups[h]))
    refs = []
    for hp in heaps:
        tid, score = taken.get(hp, (None, 0))
        pages = groups[hp]
        refs.append(IsolateRef(hp, len(pages), sum(p.area_end - p.area_start for p in pages),
                               tid, score, hp == main_hp))
    refs.sort(key=lambda r: (not r.is_main, r.tid is None, r.tid or 0, r.heap_pointer))
    return refs


def _dumped_words(core: CoreFile, start: int, end: int) -> np.ndarray:
    segs = core.segments_array()
    out = []
    for s0, s1, _ in segs.tolist():
        a, b = max(s0, start), min(s1, end)
        if a >= b:
            continue
        a, b = (a + 7) & ~7, b & ~7
        v = core.view(a, b) if b > a else None
        if v is not None:
            out.append(v.view("<u8"))
    return np.concatenate(out) if out else np.zeros(0, np.uint64)


def _stack_words(core: CoreFile, registers: dict[str, int]) -> np.ndarray:
    """The thread's registers and the words of its stack from rsp to its segment's end."""
    rsp = registers.get("rsp", 0)
    regs = np.array([v for v in registers.values() if v], dtype=np.uint64)
    segs = core.segments_array()
    i = int(np.searchsorted(segs[:, 0], np.uint64(rsp), side="right")) - 1
    if i < 0 or rsp >= int(segs[i, 1]):
        return regs
    end = min(int(segs[i, 1]), rsp + STACK_SCAN_BYTES)
    v = core.view(rsp & ~7, end & ~7)
    return regs if v is None else np.concatenate([regs, v.view("<u8")])
