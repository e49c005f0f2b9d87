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

Unreachable nodes (only weakly held, or a core's garbage) are attached under the root, as
DevTools does, and never dominate a reachable node: a core still holds the old backing store
of a grown Array and the `{promise, reason}` record of a handled rejection, both pointing
at live objects, and a GC'd snapshot has neither. Until December 2026 they made the root the
dominator of 4,000 live Errors in one Array, which then had no accumulation point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from triage.analyses.distances import (
    EPHEMERON_TABLE,
    SELF_LOOP,
    SHORTCUT_NONROOT,
    WEAK,
    distances,
    edge_flags,
)
from triage.compiled import kernel
from triage.heapgraph.model import EdgeType, HeapGraph

CONVENTIONS = ("devtools", "memlab")


@dataclass(eq=False)
class Dominators:
    """Result of `dominators()`: per-node immediate dominator and retained size."""

    idom: np.ndarray  # int32 [N], node ordinal; idom[root] == root
    retained: np.ndarray  # int64 [N]
    order: np.ndarray  # int32 [N], DFS preorder: a dominator comes before what it dominates
    convention: str

    def children(self) -> tuple[np.ndarray, np.ndarray]:
        """Dominator tree as CSR `(child_start int32[N+1], child int32[N-1])`.

        Built on each call (O(N), 8 bytes a node) and not kept: callers drop it when done."""
        n = self.idom.shape[0]
        start = np.zeros(n + 1, dtype=np.int32 if n < 2**31 - 1 else np.int64)
        kids = np.empty(max(n - 1, 0), dtype=np.int32)
        m = _tree_csr(self.idom, self.order, start, kids)
        return start, kids[:m]


def dominated_by(idom: np.ndarray, root: int, u: int, by: int) -> bool:
    """Is every path from `root` to `u` through `by` (`by == u` included)? Walks `u`'s
    dominator chain: as long as the tree is deep, which only a long linked list makes."""
    v = u
    for _ in range(idom.shape[0]):
        if v == by:
            return True
        if v == root:
            return False
        v = int(idom[v])
    return False


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
    _drop_from_unreachable(g.edge_start, g.edge_to, distances(g), ess)
    return ess


def _compute(g: HeapGraph, convention: str) -> Dominators:
    """Lengauer-Tarjan's semidominators, then Semi-NCA's idom pass, in steps whose scratch
    arrays are freed between them (a core graph has tens of millions of nodes: every int32
    [N] column is ~100 MB). Only the sources of essential edges are indexed, by DFS number;
    the graph's own retainer index (`HeapGraph.retainers()`) is neither needed nor built."""
    ess = essential_edges(g, convention)
    n = g.node_count
    order = np.empty(n, dtype=np.int32)  # DFS number -> node (the preorder returned)
    parent = np.empty(n, dtype=np.int32)  # DFS number -> DFS number of the DFS parent
    virtual = np.zeros(n, dtype=np.uint8)  # 1: not reachable, DFS'd as a child of the root
    num = np.empty(n, dtype=np.int32)  # node -> DFS number
    _dfs(g.edge_start, g.edge_to, ess, g.root, num, order, parent, virtual)
    idx = np.int32 if g.edge_count < 2**31 - 1 else np.int64
    rstart = np.zeros(n + 1, dtype=idx)
    rfrom = np.empty(int(np.count_nonzero(ess)), dtype=np.int32)
    _essential_sources(g.edge_start, g.edge_to, ess, num, rstart, rfrom)
    del ess, num
    semi = np.empty(n, dtype=np.int32)
    _semidominators(rstart, rfrom, parent, virtual, semi)
    del rstart, rfrom, virtual
    _semi_nca(parent, semi)  # parent[] becomes the immediate dominator, in DFS numbers
    del semi
    idom = np.empty(n, dtype=np.int32)
    _to_nodes(order, parent, idom)
    del parent
    retained = g.self_size.astype(np.int64, copy=True)
    _accumulate(idom, order, retained)
    return Dominators(idom=idom, retained=retained, order=order, convention=convention)


@kernel("int64[:], int32[:], uint8[:], int32[:], uint8[:]")
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


@kernel("int64[:], int32[:], uint8[:], uint8[:]")
def _apply_owned(edge_start, edge_to, owned, ess):  # pragma: no cover
    n = owned.shape[0]
    for v in range(n):
        if owned[v]:
            continue
        for i in range(edge_start[v], edge_start[v + 1]):
            if owned[edge_to[i]]:
                ess[i] = 0


@kernel("int64[:], int32[:], int32[:], uint8[:]")
def _drop_from_unreachable(edge_start, edge_to, dist, ess):  # pragma: no cover
    """Edges from an unreachable node (dist < 0) into a reachable one retain nothing."""
    n = dist.shape[0]
    for v in range(n):
        if dist[v] >= 0:
            continue
        for i in range(edge_start[v], edge_start[v + 1]):
            if dist[edge_to[i]] >= 0:
                ess[i] = 0


@kernel(inline="always")
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


@kernel("int64[:], int32[:], uint8[:], int64, int32[:], int32[:], int32[:], uint8[:]")
def _dfs(edge_start, edge_to, ess, root, num, vertex, parent, virtual):  # pragma: no cover
    """Iterative DFS over essential edges from the root. Nodes it cannot reach are DFS'd
    afterwards as if the root had an edge to them (`virtual`), so every node is numbered."""
    n = edge_start.shape[0] - 1
    num[:] = -1
    stack_v = np.empty(n, dtype=np.int32)
    stack_e = np.empty(n, dtype=edge_start.dtype)
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


@kernel("int64[:], int32[:], uint8[:], int32[:], int32[:], int32[:]")
def _essential_sources(edge_start, edge_to, ess, num, rstart, rfrom):  # pragma: no cover
    """Reverse CSR of the essential edges in DFS-number space: the DFS numbers of the
    sources of the essential edges into DFS number k are `rfrom[rstart[k]:rstart[k+1]]`."""
    n = num.shape[0]
    for v in range(n):
        for i in range(edge_start[v], edge_start[v + 1]):
            if ess[i]:
                rstart[num[edge_to[i]] + 1] += 1
    for k in range(n):
        rstart[k + 1] += rstart[k]
    for v in range(n):  # rstart[k] is k's fill pointer, ending at k+1's start...
        nv = num[v]
        for i in range(edge_start[v], edge_start[v + 1]):
            if ess[i]:
                k = num[edge_to[i]]
                rfrom[rstart[k]] = nv
                rstart[k] += 1
    for k in range(n, 0, -1):  # ...so shift it back by one
        rstart[k] = rstart[k - 1]
    rstart[0] = 0


@kernel("int32[:], int32[:], int32[:], uint8[:], int32[:]")
def _semidominators(rstart, rfrom, parent, virtual, semi):  # pragma: no cover
    """Lengauer-Tarjan's semidominators (simple version: path compression, no balancing)."""
    n = parent.shape[0]
    for k in range(n):
        semi[k] = k
    label = np.arange(n, dtype=np.int32)
    ancestor = np.full(n, -1, dtype=np.int32)
    path = np.empty(n, dtype=np.int32)
    for wi in range(n - 1, 0, -1):
        if virtual[wi]:
            semi[wi] = 0
        for r in range(rstart[wi], rstart[wi + 1]):
            u = _eval(rfrom[r], ancestor, label, semi, path)
            if semi[u] < semi[wi]:
                semi[wi] = semi[u]
        ancestor[wi] = parent[wi]


@kernel("int32[:], int32[:]")
def _semi_nca(parent, semi):  # pragma: no cover
    """Semi-NCA: idom(w) is the nearest common ancestor, in the dominator tree built so far,
    of w's DFS parent and semidominator, i.e. the first dominator-tree ancestor of the
    parent whose number is at most semi(w). In place: parent[w] becomes idom(w)."""
    n = parent.shape[0]
    parent[0] = 0
    for wi in range(1, n):
        d = parent[wi]
        s = semi[wi]
        while d > s:
            d = parent[d]
        parent[wi] = d


@kernel("int32[:], int32[:], int32[:]")
def _to_nodes(vertex, dom, idom_out):  # pragma: no cover
    for i in range(vertex.shape[0]):
        idom_out[vertex[i]] = vertex[dom[i]]


@kernel("int32[:], int32[:], int64[:]")
def _accumulate(idom, order, retained):  # pragma: no cover
    for k in range(order.shape[0] - 1, 0, -1):
        v = order[k]
        retained[idom[v]] += retained[v]


@kernel("int32[:], int32[:], int32[:], int32[:]")
def _tree_csr(idom, order, start, kids):  # pragma: no cover
    n = idom.shape[0]
    root = order[0]
    for v in range(n):
        if v != root:
            start[idom[v] + 1] += 1
    for v in range(n):
        start[v + 1] += start[v]
    for k in range(1, n):  # children in DFS order; start[p] is p's fill pointer...
        v = order[k]
        p = idom[v]
        kids[start[p]] = v
        start[p] += 1
    for v in range(n, 0, -1):  # ...so shift it back by one
        start[v] = start[v - 1]
    start[0] = 0
    return n - 1


def class_retained(g: HeapGraph, dom: Dominators) -> np.ndarray:
    """int64 [len(strings)]: per class, retained size not double-counting nested instances.

    DevTools' rule: an instance counts only if no dominator ancestor has the same class.
    A core's garbage counts nowhere: a log string rebuilt with += left 90 MiB of dead
    pieces, which made `(concatenated string)` retain 93 MiB of a 19 MiB live heap.
    """
    cls = g.node_class
    out = np.zeros(len(g.strings), dtype=np.int64)
    start, kids = dom.children()
    _class_retained(start, kids, cls, dom.retained, int(dom.order[0]), distances(g), out)
    return out


@kernel("int32[:], int32[:], int32[:], int64[:], int64, int32[:], int64[:]")
def _class_retained(start, kids, cls, retained, root, dist, out):  # pragma: no cover
    """Unreachable nodes hang under the root and dominate only unreachable nodes: their
    subtrees are skipped whole."""
    n = cls.shape[0]
    active = np.zeros(out.shape[0], dtype=np.int32)
    stack = np.empty(n + 1, dtype=np.int32)  # node, or ~node when leaving it
    top = 0
    stack[0] = root
    top = 1
    while top:
        top -= 1
        x = stack[top]
        if x < 0:
            active[cls[~x]] -= 1
            continue
        if dist[x] < 0 and x != root:
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
