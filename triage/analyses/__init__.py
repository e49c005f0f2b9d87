"""Analyses: pure functions over a `HeapGraph` (or a `CrashModel`); never format-aware.

Heap analyses: `histogram`, `distances`, `dominators` (+ retained sizes), `retainer_paths`,
`find_suspects`, `heap_diff`, and `heap_section` which runs them all for the summary.
"""

from __future__ import annotations

from triage.analyses.distances import distances
from triage.analyses.dominators import dominators
from triage.analyses.heapdiff import heap_diff
from triage.analyses.histogram import histogram
from triage.analyses.retainers import retainer_paths
from triage.analyses.suspects import find_suspects
from triage.heapgraph.model import HeapGraph

__all__ = [
    "distances", "dominators", "find_suspects", "heap_diff", "heap_section", "histogram",
    "retainer_paths",
]


def heap_section(g: HeapGraph, *, convention: str = "devtools") -> dict:
    """The summary's `heap` section: facts about the graph itself
    (triage/schemas/section-heap.schema.json). The histogram and suspects computed
    from the same graph go to the summary's top-level `histogram` and `suspects`."""
    dist = distances(g)
    dom = dominators(g, convention)
    live = dist >= 0
    return {
        "source": g.source,
        "nodes": g.node_count,
        "edges": g.edge_count,
        "total_bytes": g.total_size,
        "live_bytes": int(g.self_size[live].sum()),
        "unreachable_nodes": int((~live).sum()),
        "dominator_convention": dom.convention,
    }
