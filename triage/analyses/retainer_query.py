"""Answer `--retainers TYPE|ADDRESS`: why these objects are still alive.

The query names either one object (a hex address in a core, `@id` or a number for a
snapshot node id) or a type (then the instances retaining the most are explained).
"""

from __future__ import annotations

import numpy as np

from triage.analyses.distances import distances
from triage.analyses.dominators import dominators
from triage.analyses.retainers import holder_expression, named_holder, retainer_paths
from triage.heapgraph.model import HeapGraph

MAX_TARGETS = 3


def answer(g: HeapGraph, query: str, *, max_paths: int = 3) -> dict:
    targets = _resolve(g, query)
    dist = distances(g)
    dom = dominators(g)
    retained = dom.retained
    out = []
    for node in targets:
        paths = retainer_paths(g, int(node), max_paths=max_paths)
        out.append({
            "node": {"type": g.class_name(int(node)), "id": int(g.node_id[node]),
                     "ref": _ref(g, int(node))},
            "reachable": bool(dist[node] >= 0),
            "retained_bytes": int(retained[node]),
            "holder": named_holder(g, int(node), dominators=dom.idom)
            or (holder_expression(paths[0]) if paths else None),
            "paths": paths,
        })
    return {"query": query, "matched": len(targets), "targets": out}


def _ref(g: HeapGraph, node: int) -> str:
    """How the engineer names this object again: an address in a core, @id in a snapshot."""
    nid = int(g.node_id[node])
    return f"0x{nid:x}" if g.source == "core" else f"@{nid}"


def _resolve(g: HeapGraph, query: str) -> np.ndarray:
    text = query.strip()
    ident = text[1:] if text.startswith("@") else text
    as_number = None
    try:
        as_number = int(ident, 16) if ident.lower().startswith("0x") else int(ident)
    except ValueError:
        pass
    if as_number is not None:
        hits = np.flatnonzero(g.node_id == np.uint64(as_number & ~1 if g.source == "core" else as_number))
        if not len(hits) and g.source == "core":
            hits = np.flatnonzero(g.node_id == np.uint64(as_number))
        return hits[:1]
    cls = g.find_string(text)
    if cls < 0:
        return np.empty(0, dtype=np.int64)
    nodes = np.flatnonzero(g.node_class == cls)
    if not len(nodes):
        return nodes
    retained = dominators(g).retained[nodes]
    return nodes[np.argsort(-retained, kind="stable")[:MAX_TARGETS]]
