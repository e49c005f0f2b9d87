"""Write a `HeapGraph` (a core's heap) as a V8 `.heapsnapshot` that DevTools and memlab open.

The layout is Node 24's (docs/research formats: `meta` gives the fields, node 0 is the
synthetic root, `to_node` is a node index times the node field count, `strings` last).
What the file holds is what the summary counted: the nodes reachable from the roots (a
snapshot never holds uncollected garbage, and the summary leaves it out of a core's
histogram too), their edges to each other, names and self sizes.

Streaming: the node and edge arrays are formatted a chunk at a time by a compiled kernel
(never one Python int per value, never the whole JSON in memory); the strings a core graph
names lazily (string contents, `Map` keys) are decoded one at a time and spilled to a temp
file, then copied after the known strings. Peak memory is the graph plus one chunk.

Redaction (on unless the caller passes a disabled `Redactor`): a string node's text is
replaced by a keyed tag `[REDACTED:string:<tag>] (<n> chars)` (the type, size and length
stay, equal strings keep equal tags), except texts used as property or variable names; every
other name (constructors, functions, property names, `Map` keys) passes the detectors and the
sensitive-name rules like every other output.
"""

from __future__ import annotations

import json
import tempfile
from typing import IO

import numpy as np

from triage.analyses.distances import UNREACHABLE, distances
from triage.compiled import kernel
from triage.heapgraph.model import INDEX_EDGE_TYPES, STRING_TYPES, EdgeType, HeapGraph, NodeType
from triage.redaction import Redactor

NODE_FIELDS = ("type", "name", "id", "self_size", "edge_count", "detachedness")
EDGE_FIELDS = ("type", "name_or_index", "to_node")
_NFC, _EFC = len(NODE_FIELDS), len(EDGE_FIELDS)
_CHUNK = 1 << 18  # nodes (or edges) formatted per write
_DEDUP = 1 << 20  # distinct extra strings shared by index (tags, Map keys); then written again
_WIDTH = 22  # bytes a value can take: sign, 19 digits, separators
SOURCE = "heap export"


def _meta() -> dict:
    node_types = [t.name.lower().replace("_", " ") for t in NodeType]
    edge_types = [t.name.lower() for t in EdgeType]
    return {
        "node_fields": list(NODE_FIELDS),
        "node_types": [node_types, "string", "number", "number", "number", "number"],
        "edge_fields": list(EDGE_FIELDS),
        "edge_types": [edge_types, "string_or_number", "node"],
        "trace_function_info_fields": ["function_id", "name", "script_name", "script_id",
                                       "line", "column"],
        "trace_node_fields": ["id", "function_info_index", "count", "size", "children"],
        "sample_fields": ["timestamp_us", "last_assigned_id"],
        "location_fields": ["object_index", "script_id", "line", "column"],
    }


def write_heap_snapshot(g: HeapGraph, out: IO[bytes], redactor: Redactor) -> dict:
    """Write `g` to the binary stream `out`; returns `{nodes, edges, strings, dropped_nodes}`."""
    return _Writer(g, out, redactor).write()


class _Writer:
    def __init__(self, g: HeapGraph, out: IO[bytes], redactor: Redactor):
        self.g, self.out, self.r = g, out, redactor
        self.redact = redactor.enabled
        self.spill = tempfile.TemporaryFile()  # noqa: SIM115 - closed in write()
        self.n_extra = 0
        self.extra_ids: dict[str, int] = {}

    # ------------------------------------------------------------------ strings
    def _extra(self, text: str, dedup: bool) -> int:
        """Index of a string appended after the graph's own strings (spilled to disk). Equal
        texts share an entry up to `_DEDUP` distinct ones (memory stays bounded; a repeated
        entry later is only a bigger file)."""
        if dedup:
            hit = self.extra_ids.get(text)
            if hit is not None:
                return hit
        idx = len(self.strings) + self.n_extra
        self.spill.write(b"," + json.dumps(text).encode())
        self.n_extra += 1
        if dedup and len(self.extra_ids) < _DEDUP:
            self.extra_ids[text] = idx
        return idx

    def _string_content(self, text: str) -> int:
        """A string node's name: its text, or its keyed tag when redacting."""
        if not self.redact or not text:
            return self._extra(text, dedup=False)
        tag = f"[REDACTED:string:{self.r.tag(text)}] ({len(text)} chars)"
        self.redacted_contents += 1
        return self._extra(tag, dedup=True)

    # ------------------------------------------------------------------ write
    def write(self) -> dict:
        try:
            return self._write()
        finally:
            self.spill.close()

    def _write(self) -> dict:
        g = self.g
        n = g.node_count
        keep = distances(g) != UNREACHABLE
        keep |= g.node_type == NodeType.SYNTHETIC
        keep[g.root] = True
        order = np.flatnonzero(keep)
        if order[0] != g.root:  # node 0 must be the root
            order = np.concatenate([[g.root], order[order != g.root]])
        new_index = np.full(n, -1, dtype=np.int64)
        new_index[order] = np.arange(order.shape[0], dtype=np.int64)
        del keep
        counts = np.zeros(order.shape[0], dtype=np.int64)
        _kept_edge_counts(g.edge_start, g.edge_to, order, new_index, counts)
        n_nodes, n_edges = int(order.shape[0]), int(counts.sum())

        # strings: the graph's own (names, property names) pass the detectors; string nodes'
        # contents get a fresh entry each (a tag when redacting)
        self.strings = list(g.strings)
        named = ~np.isin(g.edge_type, np.array(INDEX_EDGE_TYPES, dtype=np.uint8))
        as_name = np.zeros(len(self.strings), dtype=bool)
        en = g.edge_name[named]
        as_name[en[en >= 0]] = True
        del named, en
        self.table = (self.r.redact_strings(self.strings, source=SOURCE) if self.redact
                      else self.strings)
        self.redacted_contents = 0
        is_str = np.isin(g.node_type, np.array(STRING_TYPES, dtype=np.uint8))
        nn = g.node_name
        content = is_str & ((nn < 0) | (~as_name[np.maximum(nn, 0)] if self.redact else False))
        del is_str
        if self.redact:  # the graph's own texts of string nodes (literals) leave the table
            used = as_name
            named_nodes = nn[~content & (nn >= 0)]
            used[named_nodes] = True
            used[0] = True
            self.table = [t if u else "" for t, u in zip(self.table, used.tolist(), strict=True)]
            del named_nodes
        del as_name

        header = {"meta": _meta(), "node_count": n_nodes, "edge_count": n_edges,
                  "trace_function_count": 0}
        w = self.out.write
        w(b'{"snapshot":' + json.dumps(header, separators=(",", ":")).encode() + b',\n"nodes":[')
        buf = np.empty(_CHUNK * _NFC * _WIDTH + 16, dtype=np.uint8)
        first = True
        for a in range(0, n_nodes, _CHUNK):
            ids = order[a:a + _CHUNK]
            names = nn[ids].astype(np.int64)
            for k in np.flatnonzero(content[ids]).tolist():
                names[k] = self._string_content(g.name(int(ids[k])))
            rows = np.empty((ids.shape[0], _NFC), dtype=np.int64)
            rows[:, 0] = g.node_type[ids]
            rows[:, 1] = names
            rows[:, 2] = g.node_id[ids].astype(np.int64)
            rows[:, 3] = g.self_size[ids]
            rows[:, 4] = counts[a:a + _CHUNK]
            rows[:, 5] = 0
            first = self._emit(rows, buf, first)
        w(b'],\n"edges":[')
        first = True
        map_keys: dict[int, int] = {}
        ebuf = np.empty(_CHUNK * _EFC * _WIDTH + 16, dtype=np.uint8)
        cum = np.zeros(n_nodes + 1, dtype=np.int64)
        np.cumsum(counts, out=cum[1:])
        a = 0
        while a < n_nodes:  # a run of nodes whose kept edges fill about one chunk
            b = int(np.searchsorted(cum, cum[a] + _CHUNK, side="right")) - 1
            b = min(max(b, a + 1), n_nodes)
            rows = np.empty((int(cum[b] - cum[a]), _EFC), dtype=np.int64)
            _fill_edges(g.edge_start, g.edge_type, g.edge_name, g.edge_to, order[a:b], new_index,
                        rows, _NFC)
            lazy = np.flatnonzero((rows[:, 1] < 0)
                                  & ~np.isin(rows[:, 0], np.array(INDEX_EDGE_TYPES)))
            for k in lazy.tolist():  # a Map's string key names the edge to its value
                key_node = ~int(rows[k, 1])
                idx = map_keys.get(key_node)
                if idx is None:
                    text = g.name(key_node)
                    if self.redact:
                        text = self.r.redact_text(text, source=SOURCE)
                    idx = map_keys[key_node] = self._extra(text, dedup=True)
                rows[k, 1] = idx
            if rows.shape[0] * _EFC * _WIDTH + 16 > ebuf.shape[0]:
                ebuf = np.empty(rows.shape[0] * _EFC * _WIDTH + 16, dtype=np.uint8)
            first = self._emit(rows, ebuf, first)
            a = b
        w(b'],\n"trace_function_infos":[],\n"trace_tree":[],\n"samples":[],\n"locations":[],'
          b'\n"strings":[')
        for i, s in enumerate(self.table):
            w((b"," if i else b"") + json.dumps(s).encode() + b"\n")
        self.spill.seek(0)
        while True:
            block = self.spill.read(8 << 20)
            if not block:
                break
            w(block)
        w(b"]}\n")
        return {"nodes": n_nodes, "edges": n_edges, "strings": len(self.table) + self.n_extra,
                "dropped_nodes": n - n_nodes, "redacted_strings": self.redacted_contents}

    def _emit(self, rows: np.ndarray, buf: np.ndarray, first: bool) -> bool:
        if rows.shape[0] == 0:
            return first
        if not first:
            self.out.write(b",")
        k = _format_rows(rows, buf)
        self.out.write(buf[:k].tobytes())
        return False


@kernel("int64[:], int32[:], int64[:], int64[:], int64[:]")
def _kept_edge_counts(edge_start, edge_to, order, new_index, counts):  # pragma: no cover
    for i in range(order.shape[0]):
        v = order[i]
        c = 0
        for e in range(edge_start[v], edge_start[v + 1]):
            if new_index[edge_to[e]] >= 0:
                c += 1
        counts[i] = c


@kernel("int64[:], uint8[:], int32[:], int32[:], int64[:], int64[:], int64[:, :], int64")
def _fill_edges(edge_start, edge_type, edge_name, edge_to, nodes, new_index, rows,
                nfc):  # pragma: no cover
    k = 0
    for i in range(nodes.shape[0]):
        v = nodes[i]
        for e in range(edge_start[v], edge_start[v + 1]):
            t = new_index[edge_to[e]]
            if t >= 0:
                rows[k, 0] = edge_type[e]
                rows[k, 1] = edge_name[e]
                rows[k, 2] = t * nfc
                k += 1


@kernel("int64[:, :], uint8[:]")
def _format_rows(rows, buf):  # pragma: no cover
    """Decimal text of `rows`, comma-separated, one row a line; returns the bytes written."""
    k = 0
    digits = np.empty(24, dtype=np.uint8)
    for i in range(rows.shape[0]):
        if i:
            buf[k] = 44
            buf[k + 1] = 10
            k += 2
        for j in range(rows.shape[1]):
            if j:
                buf[k] = 44
                k += 1
            v = rows[i, j]
            if v < 0:
                buf[k] = 45
                k += 1
                v = -v
            d = 0
            while True:
                digits[d] = 48 + v % 10
                d += 1
                v //= 10
                if v == 0:
                    break
            while d:
                d -= 1
                buf[k] = digits[d]
                k += 1
    return k
