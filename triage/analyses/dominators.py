"""Dominator tree and retained sizes (Lengauer-Tarjan in numba, over essential edges).

Object B's retained size is what the GC would free if B went away: the sum of self sizes of
the nodes B dominates. Which edges count as *retaining* ("essential") is a convention, and
tools differ (docs/heap-analysis.md):

* ``"devtools"`` (default; the numbers a user sees in Chrome DevTools): drop weak edges,
  self-loops, shortcuts not from the root, the WeakMap table->value half of each ephemeron
  pair, and edges from a node not reachable from `global` into one that is ("page-owned"
  rule). The effect in Node: `global` dominates everything the program reaches from it, and
  debugger/handle/stack references do not steal dominance.
* ``"memlab"``: memlab's rule. Its page-owned flag starts from every element child of the
  root, which in Node includes `(GC roots)`, so it almost never fires; WeakMap table->value
  edges are kept. Objects shared between `global` and a GC root hang off the root instead.

Unreachable nodes (only weakly held) are attached under the root, as DevTools does.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from triage.analyses.distances import (
    EPHEMERON_TABLE,
    SELF_LOOP,
    SHORTCUT_NONROOT,
    WEAK,
    edge_flags,
)
from triage.heapgraph.model import EdgeType, HeapGraph

CONVENTIONS = ("devtools", "memlab")


@dataclass(eq=False)
class Dominators:
    """Result of `dominators()`: per-node immediate dominator and retained size."""

    idom: np.ndarray  # int32 [N], node ordinal; idom[root] == root
    retained: np.ndarray  # int64 [N]
    order: np.ndarray  # int32 [N], DFS preorder: a dominator comes before what it dominates
    convention: str
    _children: tuple[np.ndarray, np.ndarray] | None = None

    def children(self) -> tuple[np.ndarray, np.ndarray]:
        """Dominator tree as CSR `(child_start int64[N+1], child int32[N-1])`."""
        if self._children is None:
            n = self.idom.shape[0]
            start = np.zeros(n + 1, dtype=np.int64)
            kids = np.empty(n, dtype=np.int32)
            m = _tree_csr(self.idom, self.order, start, kids)
            self._children = (start, kids[:m])
        return self._children


def dominators(g: HeapGraph, convention: str = "devtools") -> Dominators:
    """Immediate dominators and retained sizes of every node (cached on `g` per convention)."""
    if convention not in CONVENTIONS:
        raise ValueError(f"convention must be one of {CONVENTIONS}, not {convention!r}")
    return g.cached(("dominators", convention), lambda: _compute(g, convention))


def essential_edges(g: HeapGraph, convention: str = "devtools") -> np.ndarray:
    """uint8 [E]: 1 where the edge retains its target under `convention`."""
    flags = edge_flags(g)
    drop = WEAK | SELF_LOOP | SHORTCUT_NONROOT
    if convention == "devtools":
        drop |= EPHEMERON_TABLE
    ess = ((flags & drop) == 0).astype(np.uint8)
    owned = np.zeros(g.node_count, dtype=np.uint8)
    seeds = []
    for e in g.edges_of(g.root):
        t = int(g.edge_type[e])
        if convention == "devtools" and t == EdgeType.SHORTCUT:
            seeds.append(int(g.edge_to[e]))
        elif convention == "memlab" and t == EdgeType.ELEMENT:
            if g.name(int(g.edge_to[e])) != "(Document DOM trees)":
                seeds.append(int(g.edge_to[e]))
    _mark_owned(g.edge_start, g.edge_to, g.edge_type, np.array(seeds, dtype=np.int32), owned)
    owned[g.root] = 1  # edges from the root always retain
    _apply_owned(g.edge_start, g.edge_to, owned, ess)
    return ess


def _compute(g: HeapGraph, convention: str) -> Dominators:
    ess = essential_edges(g, convention)
    ret_start, ret_edge, ret_from = g.retainers()
    n = g.node_count
    idom = np.empty(n, dtype=np.int32)
    order = np.empty(n, dtype=np.int32)
    _lengauer_tarjan(g.edge_start, g.edge_to, ess, ret_start, ret_edge, ret_from, g.root,
                     idom, order)
    retained = g.self_size.astype(np.int64, copy=True)
    _accumulate(idom, order, retained)
    return Dominators(idom=idom, retained=retained, order=order, convention=convention)


@numba.njit(cache=True, nogil=True)
def _mark_owned(edge_start, edge_to, edge_type, seeds, owned):  # pragma: no cover
    n = owned.shape[0]
    stack = np.empty(n, dtype=np.int32)
    top = 0
    for s in seeds:
        if not owned[s]:
            owned[s] = 1
            stack[top] = s
            top += 1
    while top:
        top -= 1
        v = stack[top]
        for i in range(edge_start[v], edge_start[v + 1]):
            t = edge_type[i]
            if t == 6 or t == 5:
                continue
            w = edge_to[i]
            if not owned[w]:
                owned[w] = 1
                stack[top] = w
                top += 1


@numba.njit(cache=True, nogil=True)
def _apply_owned(edge_start, edge_to, owned, ess):  # pragma: no cover
    n = owned.shape[0]
    for v in range(n):
        if owned[v]:
            continue
        for i in range(edge_start[v], edge_start[v + 1]):
            if owned[edge_to[i]]:
                ess[i] = 0


@numba.njit(cache=True, nogil=True, inline="always")
def _eval(v, ancestor, label, semi, path):  # pragma: no cover
    """LT's EVAL with path compression (iterative): the vertex of minimal semidominator
    on the forest path above `v`. `path` is scratch space."""
    if ancestor[v] < 0:
        return v
    plen = 0
    x = v
    while ancestor[ancestor[x]] >= 0:
        path[plen] = x
        plen += 1
        x = ancestor[x]
    for k in range(plen - 1, -1, -1):
        y = path[k]
        a = ancestor[y]
        if semi[label[a]] < semi[label[y]]:
            label[y] = label[a]
        ancestor[y] = ancestor[a]
    return label[v]


@numba.njit(cache=True, nogil=True)
def _lengauer_tarjan(edge_start, edge_to, ess, ret_start, ret_edge, ret_from, root,
                     idom_out, order_out):  # pragma: no cover
    """Simple Lengauer-Tarjan (path compression, no balancing), all iterative.

    Works in DFS-number space. Nodes the DFS from the root cannot reach are DFS'd afterwards
    as if the root had an edge to them (`virtual`), so every node gets a dominator.
    """
    n = edge_start.shape[0] - 1
    num = np.full(n, -1, dtype=np.int32)
    vertex = np.empty(n, dtype=np.int32)
    parent = np.zeros(n, dtype=np.int32)
    virtual = np.zeros(n, dtype=np.uint8)
    stack_v = np.empty(n, dtype=np.int32)
    stack_e = np.empty(n, dtype=np.int64)
    count = 0
    for start in range(-1, n):
        s = root if start < 0 else start
        if num[s] >= 0:
            continue
        num[s] = count
        vertex[count] = s
        parent[count] = 0
        if start >= 0:
            virtual[count] = 1
        count += 1
        top = 0
        stack_v[0] = s
        stack_e[0] = edge_start[s]
        top = 1
        while top:
            v = stack_v[top - 1]
            i = stack_e[top - 1]
            end = edge_start[v + 1]
            while i < end and (ess[i] == 0 or num[edge_to[i]] >= 0):
                i += 1
            if i >= end:
                top -= 1
                continue
            stack_e[top - 1] = i + 1
            w = edge_to[i]
            num[w] = count
            vertex[count] = w
            parent[count] = num[v]
            count += 1
            stack_v[top] = w
            stack_e[top] = edge_start[w]
            top += 1
    semi = np.arange(n, dtype=np.int32)
    label = np.arange(n, dtype=np.int32)
    ancestor = np.full(n, -1, dtype=np.int32)
    dom = np.zeros(n, dtype=np.int32)
    bucket_head = np.full(n, -1, dtype=np.int32)
    bucket_next = np.full(n, -1, dtype=np.int32)
    path = stack_v  # reused: the DFS is over
    for wi in range(n - 1, 0, -1):
        w = vertex[wi]
        if virtual[wi]:
            semi[wi] = 0
        for r in range(ret_start[w], ret_start[w + 1]):
            if ess[ret_edge[r]] == 0:
                continue
            u = _eval(num[ret_from[r]], ancestor, label, semi, path)
            if semi[u] < semi[wi]:
                semi[wi] = semi[u]
        s = semi[wi]
        bucket_next[wi] = bucket_head[s]
        bucket_head[s] = wi
        p = parent[wi]
        ancestor[wi] = p
        b = bucket_head[p]
        while b >= 0:
            u = _eval(b, ancestor, label, semi, path)
            dom[b] = u if semi[u] < semi[b] else p
            b = bucket_next[b]
        bucket_head[p] = -1
    for wi in range(1, n):
        if dom[wi] != semi[wi]:
            dom[wi] = dom[dom[wi]]
    dom[0] = 0
    for i in range(n):
        idom_out[vertex[i]] = vertex[dom[i]]
        order_out[i] = vertex[i]


@numba.njit(cache=True, nogil=True)
def _accumulate(idom, order, retained):  # pragma: no cover
    for k in range(order.shape[0] - 1, 0, -1):
        v = order[k]
        retained[idom[v]] += retained[v]


@numba.njit(cache=True, nogil=True)
def _tree_csr(idom, order, start, kids):  # pragma: no cover
    n = idom.shape[0]
    root = order[0]
    for v in range(n):
        if v != root:
            start[idom[v] + 1] += 1
    for v in range(n):
        start[v + 1] += start[v]
    fill = start[:-1].copy()
    for k in range(1, n):  # children in DFS order
        v = order[k]
        p = idom[v]
        kids[fill[p]] = v
        fill[p] += 1
    return n - 1


def class_retained(g: HeapGraph, dom: Dominators) -> np.ndarray:
    """int64 [len(strings)]: per class, retained size not double-counting nested instances.

    DevTools' rule: an instance counts only if no dominator ancestor has the same class.
    """
    cls = g.node_class
    out = np.zeros(len(g.strings), dtype=np.int64)
    start, kids = dom.children()
    _class_retained(start, kids, cls, dom.retained, int(dom.order[0]), out)
    return out


@numba.njit(cache=True, nogil=True)
def _class_retained(start, kids, cls, retained, root, out):  # pragma: no cover
    n = cls.shape[0]
    active = np.zeros(out.shape[0], dtype=np.int32)
    stack = np.empty(n + 1, dtype=np.int64)  # node, or ~node when leaving it
    top = 0
    stack[0] = root
    top = 1
    while top:
        top -= 1
        x = stack[top]
        if x < 0:
            active[cls[~x]] -= 1
            continue
        c = cls[x]
        if active[c] == 0:
            out[c] += retained[x]
        active[c] += 1
        stack[top] = ~x
        top += 1
        for k in range(start[x], start[x + 1]):
            stack[top] = kids[k]
            top += 1
