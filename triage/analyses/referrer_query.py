"""Answer `--referrers TYPE|ADDRESS`: every object that points straight at the target.

Where `--retainers` gives the few shortest paths from the roots, this lists all direct
referrers with the edge each one uses (llnode's `findrefs`), strong and weak alike: the
answer to "what else still points at it?" when the shortest path is not the whole story.

A reference through a V8-internal holder is reported as the user-level reference it
implements, with the same collapse retainer paths use: an Array's backing store slot is
`Array [1]`, a Map's hash-table slot is `Map entry 'key'`, a Context slot is
`context var x`. The holder itself is kept as `via`.
"""

from __future__ import annotations

import numpy as np

from triage.analyses.distances import WEAK, distances, edge_flags
from triage.analyses.retainer_query import MAX_TARGETS, _ref, _resolve, shown_query
from triage.analyses.retainers import node_ref, user_reference
from triage.heapgraph.model import EdgeType, HeapGraph, NodeType

__all__ = ["MAX_TARGETS", "answer"]

DEFAULT_LIMIT = 50
_STORE_TYPES = (NodeType.HIDDEN, NodeType.ARRAY, NodeType.OBJECT_SHAPE)
# user-visible references first, V8's own bookkeeping last
_KIND_ORDER = {"property": 0, "element": 0, "context": 0, "collection": 0, "internal": 1,
               "shortcut": 1, "hidden": 2, "weak": 3}


def answer(g: HeapGraph, query: str, *, limit: int = DEFAULT_LIMIT) -> dict:
    """The summary's `referrers` section (triage/schemas/section-referrers.schema.json)."""
    targets = _resolve(g, query)
    g.retainers()  # one index for every lookup below (also what retainer paths use)
    dist = distances(g)
    flags = edge_flags(g)
    out = []
    for node in (int(t) for t in targets):
        rows = _dedupe([_row(g, e, src, dist, flags) for e, src in g.retainers_of(node)])
        rows.sort(key=lambda r: (r["weak"], not r["reachable"], _KIND_ORDER.get(r["edge"]["type"], 2)))
        out.append({
            "node": {"type": g.class_name(node), "id": int(g.node_id[node]), "ref": _ref(g, node)},
            "reachable": bool(dist[node] >= 0),
            "total": len(rows),
            "strong": sum(1 for r in rows if not r["weak"]),
            # strong references from unreachable objects (an old backing store a rehash left)
            # keep nothing alive: said apart so "10 strong" is not read as 10 holders
            "strong_from_garbage": sum(1 for r in rows if not r["weak"] and not r["reachable"]),
            "referrers": rows[:limit],
            "more": max(0, len(rows) - limit),
        })
    return {"query": shown_query(g, query), "matched": len(out), "limit": limit, "targets": out}


def _row(g: HeapGraph, e: int, src: int, dist: np.ndarray, flags: np.ndarray) -> dict:
    weak = bool(flags[e] & WEAK) or int(g.edge_type[e]) == EdgeType.WEAK
    owner, label, kind, via = src, g.edge_label(e), EdgeType(int(g.edge_type[e])).name.lower(), None
    if int(g.node_type[src]) in _STORE_TYPES or g.name(src) == "system / Context":
        user = user_reference(g, src, e)
        if user is not None:
            owner, label, kind = user
            if owner != src:
                via = _node(g, src)
    referrer = _node(g, owner)
    return {
        "referrer": referrer,
        "edge": {"type": kind, "label": label},
        "expression": _expression(referrer["type"], kind, label),
        "via": via,
        "weak": weak,
        "reachable": bool(dist[owner] >= 0),
        # a direct property edge's name: the core graph's own edge for a Map entry (dropped)
        "_name": g.edge_name_str(e) if via is None and owner == src and kind == "property" else None,
    }


def _dedupe(rows: list[dict]) -> list[dict]:
    """One row per user-level reference. A graph may record a slot twice, as the owner's own
    `[i]` / `.name` edge and in its backing store (V8's snapshots do for arrays, core graphs
    for arrays and Map values): a row through a store is dropped when its owner has a direct
    user-level edge to the target, except a Map entry, which names the reference better
    than the core graph's `.key` edge for the same entry."""
    entries = {(r["referrer"]["id"], r["edge"]["label"]) for r in rows if r["edge"]["type"] == "collection"}
    rows = [r for r in rows if not (r["_name"] is not None and
                                    (r["referrer"]["id"], f"Map entry {_key_text(r['_name'])}") in entries)]
    direct = {r["referrer"]["id"] for r in rows
              if r["via"] is None and r["edge"]["type"] in ("property", "element")}
    seen: set[tuple] = set()
    out = []
    for r in rows:
        key = (r["referrer"]["id"], r["edge"]["label"], r["weak"])
        if key in seen or (r["via"] is not None and r["edge"]["type"] != "collection"
                           and r["referrer"]["id"] in direct):
            continue
        seen.add(key)
        del r["_name"]
        out.append(r)
    return out


def _key_text(name: str) -> str:
    """A string Map key as `Map entry` labels quote it (retainers._map_key)."""
    return repr(name if len(name) <= 40 else name[:37] + "...")


def _node(g: HeapGraph, v: int) -> dict:
    return {**node_ref(g, v), "ref": _ref(g, v)}


def _expression(owner_type: str, kind: str, label: str) -> str:
    """`Holder.owner`, `(Array)[1]`, `Context.captured`: how findrefs names the slot."""
    if kind == "property" and label.startswith((".", "[")):
        return f"{owner_type}{label}"
    if kind == "element":
        return f"({owner_type}){label}"
    if kind == "context":
        return f"Context.{label.removeprefix('context var ')}"
    if kind == "collection":
        return f"({owner_type}) {label}"
    return f"{owner_type} {label}"
