"""Class histogram: instances and bytes per class, DevTools' Summary view in one table."""

from __future__ import annotations

import numpy as np

from triage.analyses.distances import UNREACHABLE, distances
from triage.analyses.dominators import class_retained, dominators
from triage.compiled import kernel
from triage.heapgraph.model import HeapGraph, NodeType


def histogram(g: HeapGraph, *, retained: bool = True, convention: str = "devtools",
              limit: int | None = None) -> list[dict]:
    """`[{type, count, shallow_bytes, retained_bytes?}]`, biggest first.

    As in DevTools, nodes with self_size 0 (and synthetic nodes) are skipped and classes follow
    `naming.py`; for a core's graph, unreachable (uncollected garbage) nodes are skipped too.
    `shallow_bytes` is V8's self size (DevTools' optional move of single-owner backing stores
    onto their owner is not applied). `retained_bytes` counts each class once: an instance
    dominated by another instance of the same class is not added again. Sorted by retained
    bytes when computed, else by shallow bytes.
    """
    # Synthetic nodes (the root, "(GC roots)") are bookkeeping, not objects: they would top
    # every retained-size table while telling the engineer nothing.
    keep = (g.self_size > 0) & (g.node_type != NodeType.SYNTHETIC)
    if g.source == "core":
        # A core still holds garbage the GC has not collected yet (a snapshot does not):
        # only objects reachable from the roots count as live. `heap.unreachable_nodes` says
        # how many were left out.
        keep &= distances(g) != UNREACHABLE
    count, shallow = class_totals(g, keep)
    del keep
    rows = np.nonzero(count)[0]
    cret = class_retained(g, dominators(g, convention)) if retained else None
    key = cret[rows] if cret is not None else shallow[rows]
    rows = rows[np.lexsort((-shallow[rows], -key))]
    if limit is not None:
        rows = rows[:limit]
    out = []
    for c in rows:
        row = {"type": g.strings[int(c)], "count": int(count[c]),
               "shallow_bytes": int(shallow[c])}
        if cret is not None:
            row["retained_bytes"] = int(cret[c])
        out.append(row)
    return out


def class_counts(g: HeapGraph) -> dict[str, tuple[int, int]]:
    """`{class: (count, shallow_bytes)}` over every node with self_size > 0 (for diffs)."""
    count, shallow = class_totals(g, g.self_size > 0)
    return {g.strings[int(c)]: (int(count[c]), int(shallow[c])) for c in np.nonzero(count)[0]}


def class_totals(g: HeapGraph, keep: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`(count int64[S], shallow_bytes int64[S])` per class (index into `strings`) over the
    nodes where `keep` is true, in one pass: no per-node temporaries (`np.bincount` on a
    masked column would copy the classes, widen them to intp and the sizes to float64)."""
    cls = g.node_class  # first: computing it may add class names to `strings`
    count = np.zeros(len(g.strings), dtype=np.int64)
    shallow = np.zeros(len(g.strings), dtype=np.int64)
    _class_totals(cls, keep, g.self_size, count, shallow)
    return count, shallow


@kernel("int32[:], bool[:], int64[:], int64[:], int64[:]")
def _class_totals(cls, keep, self_size, count, shallow):  # pragma: no cover
    for v in range(cls.shape[0]):
        if keep[v]:
            c = cls[v]
            count[c] += 1
            shallow[c] += self_size[v]
