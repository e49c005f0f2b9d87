"""Class histogram: instances and bytes per class, DevTools' Summary view in one table."""

from __future__ import annotations

import numpy as np

from triage.analyses.dominators import class_retained, dominators
from triage.heapgraph.model import HeapGraph, NodeType


def histogram(g: HeapGraph, *, retained: bool = True, convention: str = "devtools",
              limit: int | None = None) -> list[dict]:
    """`[{type, count, shallow_bytes, retained_bytes?}]`, biggest first.

    As in DevTools, nodes with self_size 0 (and synthetic nodes) are skipped and classes follow `naming.py`.
    `shallow_bytes` is V8's self size (DevTools' optional move of single-owner backing stores
    onto their owner is not applied). `retained_bytes` counts each class once: an instance
    dominated by another instance of the same class is not added again. Sorted by retained
    bytes when computed, else by shallow bytes.
    """
    cls = g.node_class
    # Synthetic nodes (the root, "(GC roots)") are bookkeeping, not objects: they would top
    # every retained-size table while telling the engineer nothing.
    keep = (g.self_size > 0) & (g.node_type != NodeType.SYNTHETIC)
    ns = len(g.strings)
    count = np.bincount(cls[keep], minlength=ns)
    shallow = np.bincount(cls[keep], weights=g.self_size[keep], minlength=ns)
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
    cls = g.node_class
    keep = g.self_size > 0
    ns = len(g.strings)
    count = np.bincount(cls[keep], minlength=ns)
    shallow = np.bincount(cls[keep], weights=g.self_size[keep], minlength=ns)
    return {g.strings[int(c)]: (int(count[c]), int(shallow[c])) for c in np.nonzero(count)[0]}
