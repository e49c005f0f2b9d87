"""`HeapGraph`: V8's snapshot graph as a structure of numpy arrays.

The shape follows docs/architecture.md (a binding contract shared with the core-heap reader):
nodes and edges are parallel columns, edges are grouped by source node so `edge_start` is a CSR
index pointer. Nothing here builds a Python object per node or edge: a 10 M-node heap must fit
in a few hundred MB and every analysis works on whole columns or in numba kernels.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np

from triage.compiled import kernel


class NodeType(IntEnum):
    """V8's `HeapGraphNode::Type` (v8-profiler.h); values are V8's."""

    HIDDEN = 0
    ARRAY = 1
    STRING = 2
    OBJECT = 3
    CODE = 4
    CLOSURE = 5
    REGEXP = 6
    NUMBER = 7
    NATIVE = 8
    SYNTHETIC = 9
    CONCATENATED_STRING = 10
    SLICED_STRING = 11
    SYMBOL = 12
    BIGINT = 13
    OBJECT_SHAPE = 14
    WASM_OBJECT = 15  # emitted by Node 20's V8 only

    @classmethod
    def from_v8_name(cls, name: str) -> NodeType:
        """Map a `meta.node_types[type]` entry ("concatenated string", ...) to the enum."""
        return cls[name.upper().replace(" ", "_")]


#: the node types of a string's representations (flat, a rope, a slice of another)
STRING_TYPES = (NodeType.STRING, NodeType.CONCATENATED_STRING, NodeType.SLICED_STRING)


class EdgeType(IntEnum):
    """V8's `HeapGraphEdge::Type` (v8-profiler.h); values are V8's."""

    CONTEXT = 0  # a variable captured in a closure context
    ELEMENT = 1  # an indexed slot; the name is the index
    PROPERTY = 2  # a named property
    INTERNAL = 3  # not visible from JS (map, elements, table, context, ...)
    HIDDEN = 4  # kept for size computation only; the name is an index
    SHORTCUT = 5  # not followed for sizes (root -> global)
    WEAK = 6  # ignored by the GC: never retains

    @classmethod
    def from_v8_name(cls, name: str) -> EdgeType:
        return cls[name.upper()]


#: edge types whose `edge_name` is an index, not a string
INDEX_EDGE_TYPES = (EdgeType.ELEMENT, EdgeType.HIDDEN)

# An identifier, or a private field `#x`: V8's snapshot names a private key `#x`, and so
# does the core reader, so `registry.#sessions` reads as the code does (not `['#x']`,
# which in JS is another, public key).
_IDENT = re.compile(r"^#?[A-Za-z_$][\w$]*$")


@dataclass(eq=False)
class HeapGraph:
    """A heap as a directed graph of `N` nodes and `E` edges (structure of arrays).

    Node `i` owns edges `edge_start[i]:edge_start[i+1]`. `edge_to` holds node ordinals (never
    V8's field offsets). `node_id` is the snapshot object id, or the address for cores.
    Derived indexes (`node_class`, the retainer CSR) are computed once, on first use.
    """

    node_type: np.ndarray  # uint8 [N], NodeType
    node_name: np.ndarray  # int32 [N], index into strings
    node_id: np.ndarray  # uint64 [N]
    self_size: np.ndarray  # int64 [N]
    edge_start: np.ndarray  # int64 [N+1], CSR over edges
    edge_type: np.ndarray  # uint8 [E], EdgeType
    edge_name: np.ndarray  # int64|int32 [E], string index, or the index for element/hidden edges
    edge_to: np.ndarray  # int32 [E], target node ordinal
    strings: list[str]
    root: int = 0
    source: str = "snapshot"
    #: optional `[node ordinal, script id, line, column]` rows (V8 `locations`), int32 [L, 4]
    locations: np.ndarray | None = None
    #: free-form facts about the input (Node/V8 version hints, snapshot header extras)
    meta: dict = field(default_factory=dict)
    #: resolver of names that are not materialised in `strings` (core graphs: string nodes'
    #: texts). Nodes with `node_name == -1` and named edges with `edge_name < 0` (the name of
    #: node `~edge_name`) are resolved through it by `name()` / `edge_name_str()` only.
    lazy_name: Callable[[int], str] | None = field(default=None, repr=False)
    #: core graphs: the deleted entries a JS Map/Set node's hash table holds (node ordinal ->
    #: count, None when unreadable). A table keeps deleted entries until it is resized, so a
    #: count above 0 shows that something deletes from the collection; a snapshot does not
    #: record them (None there).
    table_deletions: Callable[[int], int | None] | None = field(default=None, repr=False)
    #: core graphs: free slots at the end of a JS Array node's elements (capacity - length;
    #: None when unreadable). V8 grows a store by half again when a push fills it, so free
    #: slots show an array grown by appending; a full store is what a preallocated (ring)
    #: buffer looks like. A snapshot records a store's size but not the array's length:
    #: 0 there when every slot holds an object, None otherwise.
    array_slack: Callable[[int], int | None] | None = field(default=None, repr=False)
    _node_class: np.ndarray | None = field(default=None, repr=False)
    _retainers: tuple[np.ndarray, np.ndarray] | None = field(default=None, repr=False)
    _string_ids: dict[str, int] | None = field(default=None, repr=False)
    _cache: dict = field(default_factory=dict, repr=False)

    # ----------------------------------------------------------------------------- sizes
    @property
    def node_count(self) -> int:
        return int(self.node_type.shape[0])

    @property
    def edge_count(self) -> int:
        return int(self.edge_type.shape[0])

    @property
    def total_size(self) -> int:
        """Sum of self sizes of every node (reachable or not)."""
        return int(self.self_size.sum())

    def cached(self, key: object, compute):
        """Memoise a derived result (distances, dominators...) on the graph it derives from."""
        if key not in self._cache:
            self._cache[key] = compute()
        return self._cache[key]

    # ----------------------------------------------------------------------------- strings
    def string_id(self, text: str) -> int:
        """Index of `text` in `strings`, appending it if absent (existing indexes never move)."""
        if self._string_ids is None:
            self._string_ids = {}
            for i, s in enumerate(self.strings):
                self._string_ids.setdefault(s, i)
        idx = self._string_ids.get(text)
        if idx is None:
            idx = len(self.strings)
            self.strings.append(text)
            self._string_ids[text] = idx
        return idx

    def find_string(self, text: str) -> int:
        """Index of `text` in `strings`, or -1. Does not add it."""
        if self._string_ids is None:
            self.string_id("")
        assert self._string_ids is not None
        return self._string_ids.get(text, -1)

    # ----------------------------------------------------------------------------- classes
    @property
    def node_class(self) -> np.ndarray:
        """int32 [N]: per-node class name (index into `strings`), DevTools' naming rules."""
        if self._node_class is None:
            from triage.heapgraph.naming import compute_node_class

            self._node_class = compute_node_class(self)
        return self._node_class

    def class_name(self, node: int) -> str:
        """The class DevTools' Summary view would list `node` under (`Session`, `Function`...)."""
        return self.strings[int(self.node_class[node])]

    def name(self, node: int) -> str:
        i = int(self.node_name[node])
        if i < 0:  # not materialised (a core's string text): decoded on demand
            return self.lazy_name(int(node)) if self.lazy_name is not None else ""
        return self.strings[i]

    def deleted_entries(self, node: int) -> int | None:
        """Deleted entries waiting in the hash table of the JS Map/Set `node` (None: unknown)."""
        return self.table_deletions(int(node)) if self.table_deletions is not None else None

    def free_slots(self, node: int) -> int | None:
        """Unused slots at the end of the JS Array `node`'s elements (None: unknown)."""
        return self.array_slack(int(node)) if self.array_slack is not None else None

    def type_name(self, node: int) -> str:
        return NODE_TYPE_NAMES[int(self.node_type[node])]

    def node_label(self, node: int) -> str:
        """`Session @12345`, `Function handleRequest @77`, `"some string" @9`: for humans."""
        t = int(self.node_type[node])
        nid = int(self.node_id[node])
        cls = self.class_name(node)
        name = self.name(node)
        if t == NodeType.CLOSURE:
            return f"Function {name or '(anonymous)'} @{nid}"
        if t in STRING_TYPES:
            short = name if len(name) <= 40 else name[:37] + "..."
            return f"{short!r} @{nid}"
        if t in (NodeType.OBJECT, NodeType.NATIVE) or name == "" or name == cls:
            return f"{cls} @{nid}"
        return f"{cls} {name} @{nid}"

    # ----------------------------------------------------------------------------- edges
    def edges_of(self, node: int) -> range:
        """Edge indexes owned by `node`."""
        return range(int(self.edge_start[node]), int(self.edge_start[node + 1]))

    def edge_name_str(self, edge: int) -> str:
        """The edge's name as text (the decimal index for element/hidden edges)."""
        t = int(self.edge_type[edge])
        n = int(self.edge_name[edge])
        if t in INDEX_EDGE_TYPES:
            return str(n)
        if n < 0:  # named by the text of node ~n (a core's Map key), resolved lazily
            return self.name(~n)
        return self.strings[n] if n < len(self.strings) else str(n)

    def edge_label(self, edge: int) -> str:
        """Human-readable edge: `.prop`, `[12]`, `context var x`, `internal table`, ..."""
        return format_edge(int(self.edge_type[edge]), self.edge_name_str(edge))

    def edge_source(self, edge: int) -> int:
        """Owner of `edge` (binary search in the CSR; for one-off lookups)."""
        return int(np.searchsorted(self.edge_start, edge, side="right") - 1)

    # ----------------------------------------------------------------------------- retainers
    def retainers(self) -> tuple[np.ndarray, np.ndarray]:
        """Reverse CSR: `(ret_start int32|int64[N+1], ret_edge int32|int64[E])`.

        Retainers of node `v` are edges `ret_edge[ret_start[v]:ret_start[v+1]]`, in edge
        order; `edge_sources()` gives their owners. Built once by a counting sort (O(N+E))
        and cached: 4 bytes an edge (the owners would double it; they are found by binary
        search on `edge_start`, which a path query can afford for the few nodes it visits).
        """
        if self._retainers is None:
            e = self.edge_count
            idx_type = np.int32 if e < 2**31 - 1 else np.int64
            ret_start = np.zeros(self.node_count + 1, dtype=idx_type)
            ret_edge = np.empty(e, dtype=idx_type)
            _build_retainers(self.edge_start, self.edge_to, ret_start, ret_edge)
            self._retainers = (ret_start, ret_edge)
        return self._retainers

    def edge_sources(self, edges: np.ndarray) -> np.ndarray:
        """int32 owners of `edges` (binary search in the CSR)."""
        src = np.searchsorted(self.edge_start, edges, side="right") - 1
        return src.astype(np.int32)

    def retainers_of(self, node: int) -> list[tuple[int, int]]:
        """`[(edge, from_node), ...]` for one node, in edge order.

        Uses the retainer index if it is built, else scans `edge_to` (tens of ms on a core's
        graph) rather than building a 4-bytes-an-edge index for a one-off question."""
        if self._retainers is None:
            edges = np.flatnonzero(self.edge_to == node)
        else:
            rs, re_ = self._retainers
            edges = re_[int(rs[node]):int(rs[node + 1])]
        return list(zip(edges.tolist(), self.edge_sources(edges).tolist(), strict=True))

    def validate(self) -> None:
        """Check the structural invariants; raise ValueError naming the first one broken."""
        n, e = self.node_count, self.edge_count
        for col in ("node_name", "node_id", "self_size"):
            if getattr(self, col).shape[0] != n:
                raise ValueError(f"{col} has {getattr(self, col).shape[0]} entries, expected {n}")
        if self.edge_start.shape[0] != n + 1 or self.edge_start[0] != 0 or self.edge_start[-1] != e:
            raise ValueError("edge_start is not a CSR index over the edges")
        if np.any(np.diff(self.edge_start) < 0):
            raise ValueError("edge_start is not monotonic")
        if e and (self.edge_to.min() < 0 or self.edge_to.max() >= n):
            raise ValueError("an edge points outside the node range")
        if not 0 <= self.root < n:
            raise ValueError("root is not a node")


NODE_TYPE_NAMES = {
    int(t): t.name.lower().replace("_", " ").replace("concatenated string", "concatenated string")
    for t in NodeType
}
EDGE_TYPE_NAMES = {int(t): t.name.lower() for t in EdgeType}


def edges_of_nodes(nodes: np.ndarray, edge_start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every edge of `nodes`, in order: (position of its node in `nodes`, edge index).
    Gathered without a Python loop, so a crafted input's huge node costs its edges once."""
    nodes = np.asarray(nodes, dtype=np.int64)
    counts = (edge_start[nodes + 1] - edge_start[nodes]).astype(np.int64)
    owner = np.repeat(np.arange(nodes.shape[0]), counts)
    edges = np.repeat(edge_start[nodes].astype(np.int64) - np.cumsum(counts) + counts,
                      counts) + np.arange(int(counts.sum()))
    return owner, edges


def format_edge(edge_type: int, name: str) -> str:
    """Render one edge the way a JS developer reads it."""
    if edge_type == EdgeType.PROPERTY:
        return f".{name}" if _IDENT.match(name) else f"[{name!r}]"
    if edge_type == EdgeType.ELEMENT:
        return f"[{name}]"
    if edge_type == EdgeType.CONTEXT:
        return f"context var {name}"
    if edge_type == EdgeType.HIDDEN:
        return f"hidden [{name}]"
    return f"{EDGE_TYPE_NAMES.get(edge_type, '?')} {name}"


@kernel("int64[:], int32[:], int32[:], int32[:]")
def _build_retainers(edge_start, edge_to, ret_start, ret_edge):  # pragma: no cover
    e = edge_to.shape[0]
    n = ret_start.shape[0] - 1
    for i in range(e):
        ret_start[edge_to[i] + 1] += 1
    for v in range(n):
        ret_start[v + 1] += ret_start[v]
    for i in range(e):  # ret_start[t] is t's fill pointer, ending at t+1's start...
        t = edge_to[i]
        ret_edge[ret_start[t]] = i
        ret_start[t] += 1
    for v in range(n, 0, -1):  # ...so shift it back by one
        ret_start[v] = ret_start[v - 1]
    ret_start[0] = 0
