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


def live_class_counts(g: HeapGraph) -> dict[str, tuple[int, int]]:
    """`{class: (count, bytes)}` of reachable nodes with a size, as the histogram counts them."""
    return _per_class(g, (distances(g) != UNREACHABLE) & (g.self_size > 0))


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
    new_counts = {t: c for t, (c, _) in _per_class(after, is_new).items()}
    diff = compare_counts(b, a, new_counts, limit=limit)
    diff["totals"].update(nodes_before=before.node_count, nodes_after=after.node_count)
    return diff


def compare_counts(before: dict[str, tuple[int, int]], after: dict[str, tuple[int, int]],
                   new_counts: dict[str, int] | None = None, *, limit: int | None = 50) -> dict:
    """The diff of two `{type: (count, bytes)}` tables, biggest byte growth first.

    `new_counts` (instances of `after` whose identity did not exist in `before`) is only
    known when both heaps come from one process (snapshot ids); otherwise it is None.
    """
    rows = []
    for t in set(after) | set(before):
        cb, sb = before.get(t, (0, 0))
        ca, sa = after.get(t, (0, 0))
        if cb == ca and sb == sa:
            continue
        rows.append({
            "type": t, "count_before": cb, "count_after": ca, "count_delta": ca - cb,
            "bytes_before": sb, "bytes_after": sa, "bytes_delta": sa - sb,
            "new_count": new_counts.get(t, 0) if new_counts is not None else None,
            "is_new_type": t not in before,
        })
    rows.sort(key=lambda r: (-r["bytes_delta"], -r["count_delta"], r["type"]))
    totals = {"bytes_before": sum(v[1] for v in before.values()),
              "bytes_after": sum(v[1] for v in after.values())}
    totals["bytes_delta"] = totals["bytes_after"] - totals["bytes_before"]
    return {"rows": rows[:limit] if limit else rows,
            "new_types": [r["type"] for r in rows if r["is_new_type"]], "totals": totals}
