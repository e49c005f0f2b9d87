"""Answer `--retainers TYPE|ADDRESS`: why these objects are still alive.

The query names either one object (a hex address in a core, `@id` or a number for a
snapshot node id) or a type (then the instances retaining the most are explained).
"""

from __future__ import annotations

import numpy as np

from triage.analyses.distances import distances
from triage.analyses.dominators import dominators
from triage.analyses.retainers import holder_expression, named_holder, object_ref, retainer_paths
from triage.heapgraph.model import HeapGraph, NodeType

MAX_TARGETS = 3
_OWNER_HOPS = 200_000  # dominator-tree ancestors walked looking for a named owner
_OWNER_TRIES = 32  # of which objects asked for a name


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
            "holder": _holder(g, int(node), dom.idom, paths),
            "paths": paths,
        })
    return {"query": shown_query(g, query), "matched": len(targets), "targets": out}


def _holder(g: HeapGraph, node: int, idom: np.ndarray, paths: list) -> str | None:
    """The object's own name if it has one; else the name of the nearest dominator that has
    one (`shutdownSignal → … → JobResult`: freeing that frees it), else the path's."""
    name = named_holder(g, node, dominators=idom)
    if name is not None:
        return name
    v = int(idom[node])
    context = g.find_string("system / Context")
    tries = 0
    for _ in range(_OWNER_HOPS):
        if v == g.root or tries >= _OWNER_TRIES:
            break
        if int(g.node_type[v]) in (NodeType.OBJECT, NodeType.CLOSURE) and g.node_name[v] != context:
            tries += 1
            name = named_holder(g, v, dominators=idom)
            if name is not None:
                return f"{name} → … → {g.class_name(node)}"
        v = int(idom[v])
    return holder_expression(paths[0]) if paths else None


def _ref(g: HeapGraph, node: int) -> str:
    return object_ref(g, node)


def shown_query(g: HeapGraph, query: str) -> str:
    """The query as the answer echoes it: a core address in the one format of `object_ref`
    (a tagged pointer, as V8 and llnode print them, is shown as the object's start)."""
    text = query.strip()
    if g.source != "core" or not text.lower().startswith("0x"):
        return query
    try:
        value = int(text, 16)
    except ValueError:
        return query
    return f"0x{value - 1 if value & 1 else value:x}"


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
