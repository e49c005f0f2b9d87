"""Distances from the roots (BFS), with DevTools' rules, and the per-edge flags they share.

DevTools first walks from the *user* roots (the root's non-synthetic children, `global` in
Node) and only then from the root itself, so an object reachable from `global` gets its
distance from there even if a GC root is closer. We do the same: user-reachable nodes get
1, 2, ...; nodes only reachable through system roots (handles, stack, Node's C++ roots) get
`SYSTEM_BASE + hops`. Weak edges are never followed; DevTools' JS filters are applied
(`sloppy_function_map` of a NativeContext, `(map descriptors)` value slots) and a WeakMap
value is reached only once both halves of its ephemeron edge pair are.

Edges out of compiled code, deoptimization literals and edges from transient roots (handle
scopes, the stack) are postponed until both phases are done (memlab postpones similar
edges): an object that optimized code embeds, or a running call holds, is then reached
through the variable that really keeps it whenever one exists.
"""

from __future__ import annotations

import re

import numpy as np

from triage.compiled import kernel
from triage.heapgraph.model import EdgeType, HeapGraph, NodeType

UNREACHABLE = -1
SYSTEM_BASE = 100_000_000

# edge flag bits (uint8 per edge), computed once per graph
WEAK = 1  # weak edge: never retains
NO_DISTANCE = 2  # DevTools does not follow it for distances/paths
EPHEMERON = 4  # one half of a WeakMap key/table -> value pair
EPHEMERON_TABLE = 8  # the table -> value half
SHORTCUT_NONROOT = 16  # a shortcut edge not from the root
SELF_LOOP = 32
POSTPONED = 64  # leaves compiled code, is a deoptimization literal, or comes from a transient
#                 root (handle scopes, the stack): followed only when
#                 nothing else reaches the target, so paths name the user's holder (as memlab)

TRANSIENT_ROOTS = ("(Handle scope)", "(Stack roots)")

# V8's snapshot: "12 / part of key (Object @5) -> value (Foo @7) pair in WeakMap (table @3)";
# a core's graph (v8/graph.py): "part of key -> value pair in WeakMap (table @<address>)"
EPHEMERON_LABEL = re.compile(r"^(?:\d+ / )?part of key .*pair in WeakMap \(table @(\d+)\)$")


def edge_flags(g: HeapGraph) -> np.ndarray:
    """uint8 [E]: the WEAK/NO_DISTANCE/EPHEMERON... bits of every edge (cached on `g`)."""
    return g.cached("edge_flags", lambda: _compute_edge_flags(g))


def _compute_edge_flags(g: HeapGraph) -> np.ndarray:
    eph_table = np.full(len(g.strings), -1, dtype=np.int64)
    deopt_literal = np.zeros(len(g.strings), dtype=np.uint8)
    for i, s in enumerate(g.strings):
        if "deoptimization literal" in s:
            deopt_literal[i] = 1
        if "pair in WeakMap" in s:
            m = EPHEMERON_LABEL.match(s)
            if m:
                eph_table[i] = int(m.group(1))
    flags = np.zeros(g.edge_count, dtype=np.uint8)
    # Handles and stack slots hold objects only while a call runs: a path through them says
    # "something was executing", not who keeps the object, so they come last.
    transient = [g.find_string(name) for name in TRANSIENT_ROOTS]
    transient_root = (np.isin(g.node_name, [t for t in transient if t >= 0])
                      & (g.node_type == NodeType.SYNTHETIC)).astype(np.uint8)
    _flags_kernel(
        g.edge_start, g.node_name, g.node_type, transient_root, g.node_id, g.edge_type, g.edge_name,
        g.edge_to, g.root, eph_table, deopt_literal, g.find_string("sloppy_function_map"),
        g.find_string("system / NativeContext"),
        g.find_string("(map descriptors)"), flags,
    )
    return flags


@kernel(
    "int64[:], int32[:], uint8[:], uint8[:], uint64[:], uint8[:], int32[:], int32[:], int64, "
    "int64[:], uint8[:], int64, int64, int64, uint8[:]",
    "int64[:], int32[:], uint8[:], uint8[:], uint64[:], uint8[:], int64[:], int32[:], int64, "
    "int64[:], uint8[:], int64, int64, int64, uint8[:]")
def _flags_kernel(edge_start, node_name, node_type, transient_root, node_id, edge_type, edge_name,
                  edge_to, root,
                  eph_table, deopt_literal, sloppy, native_ctx, descriptors, flags):  # pragma: no cover
    n = node_name.shape[0]
    for v in range(n):
        name = node_name[v]
        from_code = node_type[v] == 4 or transient_root[v]  # NodeType.CODE, handles, stack
        for i in range(edge_start[v], edge_start[v + 1]):
            t = edge_type[i]
            f = 64 if from_code else 0
            if t == 6:
                f |= 1
            if t == 5 and v != root:
                f |= 16
            if edge_to[i] == v:
                f |= 32
            if t != 1 and t != 4:  # named edge
                nm = edge_name[i]
                if nm < 0:  # a lazily resolved name (a core's Map key): no flag
                    nm = 0
                if deopt_literal[nm]:  # an optimized frame's constant, even from (Stack roots)
                    f |= 64
                if name == native_ctx and nm == sloppy:
                    f |= 2
                if t == 3 and eph_table[nm] >= 0:
                    f |= 4
                    if node_id[v] == eph_table[nm]:
                        f |= 8
            elif name == descriptors:
                idx = edge_name[i]
                if idx >= 2 and idx % 3 == 1:
                    f |= 2
            flags[i] = f


def distances(g: HeapGraph) -> np.ndarray:
    """int32 [N] BFS distance from the roots (`UNREACHABLE` = -1 for garbage); cached on `g`."""
    return g.cached("distances", lambda: _compute_distances(g))


def distances_avoiding(g: HeapGraph, avoid: int) -> np.ndarray:
    """`distances()` as if node `avoid` were not there (same roots, weak and ephemeron
    rules; UNREACHABLE for what only it keeps), not cached: where the holder a suspect names
    does not keep the objects alone, the path that shows what else does."""
    return _compute_distances(g, avoid)


def _compute_distances(g: HeapGraph, avoid: int = -1) -> np.ndarray:
    flags = edge_flags(g)
    user = np.zeros(g.node_count, dtype=np.uint8)
    for e in g.edges_of(g.root):
        t = int(g.edge_to[e])
        if g.edge_type[e] != EdgeType.WEAK and g.node_type[t] != NodeType.SYNTHETIC:
            user[t] = 1
    pending = np.zeros(g.node_count, dtype=np.int32)
    _count_ephemerons(g.edge_to, flags, pending)
    dist = np.full(g.node_count, UNREACHABLE, dtype=np.int32)
    if avoid >= 0:  # as if already reached: the search never enters it
        user[avoid] = 0
        dist[avoid] = UNREACHABLE - 1
    _bfs(g.edge_start, g.edge_to, flags, g.root, user, pending, dist, SYSTEM_BASE)
    if avoid >= 0:
        dist[avoid] = UNREACHABLE
    return dist


@kernel("int32[:], uint8[:], int32[:]")
def _count_ephemerons(edge_to, flags, pending):  # pragma: no cover
    for i in range(edge_to.shape[0]):
        if flags[i] & 4:
            pending[edge_to[i]] += 1


@kernel("int64[:], int32[:], uint8[:], int64, uint8[:], int32[:], int32[:], int64")
def _bfs(edge_start, edge_to, flags, root, user, pending, dist, system_base):  # pragma: no cover
    n = dist.shape[0]
    queue = np.empty(n, dtype=np.int32)
    later = np.empty(n, dtype=np.int32)  # targets first seen over a postponed edge
    later_d = np.empty(n, dtype=np.int32)
    seen_later = np.zeros(n, dtype=np.uint8)
    n_later = 0
    head = 0
    tail = 0
    dist[root] = 0
    for v in range(n):
        if user[v] and v != root:
            dist[v] = 1
            queue[tail] = v
            tail += 1
    for phase in range(3):
        if phase == 1:  # then everything the system roots hold
            for i in range(edge_start[root], edge_start[root + 1]):
                t = edge_to[i]
                if flags[i] & 3 or dist[t] != -1:
                    continue
                dist[t] = system_base + 1
                queue[tail] = t
                tail += 1
        while True:
            while head < tail:
                v = queue[head]
                head += 1
                d = dist[v] + 1
                for i in range(edge_start[v], edge_start[v + 1]):
                    f = flags[i]
                    if f & 3:
                        continue
                    t = edge_to[i]
                    if dist[t] != -1:
                        continue
                    if f & 64:
                        if not seen_later[t]:
                            seen_later[t] = 1
                            later[n_later] = t
                            later_d[n_later] = d
                            n_later += 1
                        continue
                    if f & 4:
                        pending[t] -= 1
                        if pending[t] > 0:
                            continue
                    dist[t] = d
                    queue[tail] = t
                    tail += 1
            if phase < 2:
                break  # postponed edges wait until both kinds of root have been walked
            resumed = 0
            for k in range(n_later):  # nothing else reached these: use the postponed edges
                t = later[k]
                seen_later[t] = 0
                if dist[t] == -1:
                    dist[t] = later_d[k]
                    queue[tail] = t
                    tail += 1
                    resumed += 1
            n_later = 0
            if resumed == 0:
                break


def path_tree(g: HeapGraph) -> tuple[np.ndarray, np.ndarray]:
    """(parent, order), int32 [N]: a tree of shortest paths from the roots, cached on `g`.

    Each live node's parent is a retainer one hop closer to the roots over an edge that
    distances follow; garbage and nodes with no such retainer hang off the root. `order`
    lists the root first, then every node after its parent (by distance). Where two paths
    keep an object (300 copies of a plugin, each held by its listener on a bus and by its
    module), no object but the root dominates it, and the dominator tree shows no holder;
    this tree still shows the one that the shortest paths of most of them share."""
    def compute() -> tuple[np.ndarray, np.ndarray]:
        dist = distances(g)
        parent = np.full(g.node_count, -1, dtype=np.int32)
        _shortest_parents(g.edge_start, g.edge_to, edge_flags(g), dist, g.root, parent)
        parent[parent < 0] = g.root
        key = np.where(dist == UNREACHABLE, np.iinfo(np.int32).max, dist)
        order = np.argsort(key, kind="stable").astype(np.int32)
        return parent, order
    return g.cached("path_tree", compute)


@kernel("int64[:], int32[:], uint8[:], int32[:], int64, int32[:]")
def _shortest_parents(edge_start, edge_to, flags, dist, root, parent):  # pragma: no cover
    n = dist.shape[0]
    for u in range(n):
        du = dist[u]
        if du < 0:
            continue
        for e in range(edge_start[u], edge_start[u + 1]):
            if flags[e] & 3:  # WEAK | NO_DISTANCE
                continue
            v = edge_to[e]
            if parent[v] < 0 and v != root and dist[v] == du + 1:
                parent[v] = u
