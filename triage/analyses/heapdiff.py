"""Heap diff: what grew between two snapshots of the same process.

Per class: count and shallow bytes before and after, and how many of the objects alive in
`after` are new (their snapshot id did not exist in `before`; V8 ids are stable within a
process, so this separates growth from churn). Ordered by byte growth, biggest first.
"""

from __future__ import annotations

import numpy as np

from triage.analyses.distances import UNREACHABLE, distances
from triage.heapgraph.model import HeapGraph


def _per_class(g: HeapGraph, mask: np.ndarray) -> dict[str, tuple[int, int]]:
    cls = g.node_class[mask]
    ns = len(g.strings)
    count = np.bincount(cls, minlength=ns)
    size = np.bincount(cls, weights=g.self_size[mask], minlength=ns)
    return {g.strings[int(c)]: (int(count[c]), int(size[c])) for c in np.nonzero(count)[0]}


def heap_diff(before: HeapGraph, after: HeapGraph, *, limit: int | None = 50) -> dict:
    """`{rows: [{type, count_before, count_after, count_delta, bytes_before, bytes_after,
    bytes_delta, new_count, is_new_type}], new_types: [...], totals: {...}}`.

    Only live (reachable) nodes with self_size > 0 count, as in the histogram. `new_count` is
    how many live `after` instances have an id absent from `before`.
    """
    live_b = (distances(before) != UNREACHABLE) & (before.self_size > 0)
    live_a = (distances(after) != UNREACHABLE) & (after.self_size > 0)
    b = _per_class(before, live_b)
    a = _per_class(after, live_a)
    old_ids = np.sort(before.node_id)
    ids_a = after.node_id
    pos = np.searchsorted(old_ids, ids_a)
    pos[pos >= old_ids.shape[0]] = 0
    is_new = (old_ids[pos] != ids_a) & live_a if old_ids.shape[0] else live_a
    new_counts = _per_class(after, is_new)
    rows = []
    for t in set(a) | set(b):
        cb, sb = b.get(t, (0, 0))
        ca, sa = a.get(t, (0, 0))
        if cb == ca and sb == sa:
            continue
        rows.append({
            "type": t, "count_before": cb, "count_after": ca, "count_delta": ca - cb,
            "bytes_before": sb, "bytes_after": sa, "bytes_delta": sa - sb,
            "new_count": new_counts.get(t, (0, 0))[0], "is_new_type": t not in b,
        })
    rows.sort(key=lambda r: (-r["bytes_delta"], -r["count_delta"], r["type"]))
    new_types = [r["type"] for r in rows if r["is_new_type"]]
    totals = {
        "bytes_before": int(before.self_size[live_b].sum()),
        "bytes_after": int(after.self_size[live_a].sum()),
        "nodes_before": before.node_count, "nodes_after": after.node_count,
    }
    totals["bytes_delta"] = totals["bytes_after"] - totals["bytes_before"]
    return {"rows": rows[:limit] if limit else rows, "new_types": new_types, "totals": totals}
