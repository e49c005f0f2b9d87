"""The top of the dominator tree, for the HTML report's retained-size treemap.

The root's own dominator children are synthetic bookkeeping (`(GC roots)`, sub-roots); what
an engineer wants to see are the biggest real objects those hold alone. So the treemap's
first level is every live, non-synthetic node whose immediate dominator is synthetic, the
biggest `limit` by retained size, each with its biggest `children` dominator children.
"""

from __future__ import annotations

import numpy as np

from triage.analyses.distances import distances
from triage.analyses.dominators import dominators
from triage.analyses.retainers import node_ref
from triage.heapgraph.model import HeapGraph, NodeType


def top_dominators(g: HeapGraph, *, convention: str = "devtools", limit: int = 12,
                   children: int = 8) -> dict:
    """The summary's `dominators` section (section-dominators.schema.json)."""
    dom = dominators(g, convention)
    live = distances(g) >= 0
    synthetic = g.node_type == NodeType.SYNTHETIC
    tops = np.flatnonzero(live & ~synthetic & synthetic[dom.idom])
    tops = tops[np.argsort(-dom.retained[tops], kind="stable")][:limit]
    start, kids = dom.children()
    items = []
    for v in tops.tolist():
        ks = kids[int(start[v]):int(start[v + 1])]
        ks = ks[np.argsort(-dom.retained[ks], kind="stable")][:children]
        items.append({**node_ref(g, v), "retained_bytes": int(dom.retained[v]),
                      "self_bytes": int(g.self_size[v]),
                      "children": [{**node_ref(g, k), "retained_bytes": int(dom.retained[k])}
                                   for k in ks.tolist()]})
    return {"convention": dom.convention, "live_bytes": int(g.self_size[live].sum()),
            "items": items}
