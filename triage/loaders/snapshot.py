"""Load a V8 `.heapsnapshot` (or `.heapsnapshot.gz`) into a `HeapGraph`.

A snapshot is one JSON object, but ~90% of it is the flat integer arrays `nodes` and `edges`.
Boxing those as Python ints costs ~36 B each (a 800 MB snapshot would need 5-8 GB through
`json`), so we never do: the file is streamed in 8 MB chunks, the integer arrays are scanned by
a numba digit scanner straight into preallocated numpy columns (their sizes are in the header),
and only `meta` and the `strings` table go through `json`. Peak memory is the columns plus the
strings, plus one chunk. Field offsets and type enums always come from `meta` (Node 24 dropped
`trace_node_id`; Node 20 has an extra node type).

The file is untrusted (docs/exit-codes.md: any input ends in a graph or exit 4/5). The parsing
kernels only walk their buffers by their own lengths and write at most the rows the header
announced; every value that is later used as an index (node and edge types, names, edge
counts, `to_node`, `root_index`) is checked by `_validate`, vectorized, before any kernel that
indexes with it runs (see its docstring). Header counts are checked against the bytes the
input can hold before anything is allocated, and gzip input is bounded (`safeio`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import numpy as np

from triage.compiled import kernel
from triage.errors import InputDamaged, InputUnreadable, InputUnrecognized, LimitExceeded
from triage.heapgraph.model import EdgeType, HeapGraph, NodeType, edges_of_nodes
from triage.loaders.safeio import BoundedReader, decompress_limit, open_input

CHUNK = 8 << 20
_KEY = re.compile(rb'\s*(,|\})\s*(?:"([A-Za-z_]+)"\s*:\s*)?')
_START = re.compile(rb'^\s*\{\s*"snapshot"\s*:\s*\{')
_INT_ARRAYS = ("nodes", "edges", "locations")
_NODE_COLUMNS = ("type", "name", "id", "self_size", "edge_count")
_EDGE_COLUMNS = ("type", "name_or_index", "to_node")
#: 18 decimal digits at most: every value fits int64 with room (no silent wrap-around)
MAX_VALUE = 10**18 - 1
#: one object of more than 1 TiB is not a real heap (and keeps size sums far from int64's end)
MAX_SELF_SIZE = 1 << 40
#: edge indexes stay below 2^32 (a ~60 GB snapshot); with < 2^31 nodes no sum can overflow
MAX_EDGES = (1 << 32) - 1
#: columns are checked in slices of this many values to bound temporaries
_CHECK_SLICE = 1 << 20


def load_snapshot(path: str | Path) -> HeapGraph:
    """Read a V8 heap snapshot file (plain or gzip) into a `HeapGraph`.

    Raises `InputUnreadable` (cannot open), `InputUnrecognized` (not a heap snapshot) or
    `InputDamaged` (a snapshot, but truncated or malformed), each with a one-line message.
    """
    path = Path(path)
    raw, stream, size = open_input(path)
    # A plain file holds at most `size` bytes of arrays; a gzip stream at most its limit.
    capacity = decompress_limit(size) if isinstance(stream, BoundedReader) else size
    with raw:
        try:
            return _Parser(stream, str(path), capacity).parse()
        except OSError as exc:
            raise InputUnreadable(f"{path}: read failed: {exc.strerror or exc}") from None
        except MemoryError:
            raise LimitExceeded(f"{path}: not enough memory to load this heap snapshot") from None


@kernel("uint8[:], int64, int64[:], int64[:]")
def _scan_ints(buf, pos, out, state):  # pragma: no cover - compiled
    """Parse comma/whitespace-separated decimal ints from `buf[pos:]` into `out`.

    Stops at `]` (status 1), at the end of `buf` (status 0; a number cut by the chunk boundary
    is carried in `state`), when `out` is full (status 2: call again from the position
    returned), at any other byte (status -1: not an int array), or at a number of more than
    18 digits (status -2: it would wrap around int64).
    Returns `(position reached, values written, status)`.
    """
    n = buf.shape[0]
    cap = out.shape[0]
    val = state[0]
    innum = state[1]
    k = 0
    while pos < n:
        c = buf[pos]
        if 48 <= c <= 57:
            if val >= 100000000000000000:  # 10**17: one more digit makes 19
                return pos, k, -2
            val = val * 10 + (c - 48)
            innum = 1
        else:
            if innum:
                if k == cap:
                    state[0] = val
                    state[1] = innum
                    return pos, k, 2
                out[k] = val
                k += 1
                val = 0
                innum = 0
            if c == 93:
                state[0] = 0
                state[1] = 0
                return pos, k, 1
            if not (c == 44 or c == 32 or c == 10 or c == 13 or c == 9):
                return pos, k, -1
        pos += 1
    state[0] = val
    state[1] = innum
    return pos, k, 0


@kernel("uint8[:], int64, int64[:]")
def _skip_brackets(buf, pos, state):  # pragma: no cover - compiled
    """Skip a nested JSON value we do not use (`trace_tree`, `samples`...), strings included.

    `state` is (nesting depth, inside a string, after a backslash), carried across chunks.
    Returns (position after the value, 1) or (end of buffer, 0) when it continues.
    """
    n = buf.shape[0]
    depth, in_str, esc = state[0], state[1], state[2]
    while pos < n:
        c = buf[pos]
        if in_str:
            if esc:
                esc = 0
            elif c == 92:  # backslash
                esc = 1
            elif c == 34:
                in_str = 0
        elif c == 34:
            in_str = 1
        elif c == 91 or c == 123:  # [ {
            depth += 1
        elif c == 93 or c == 125:  # ] }
            depth -= 1
            if depth == 0:
                state[0], state[1], state[2] = 0, 0, 0
                return pos + 1, 1
        pos += 1
    state[0], state[1], state[2] = depth, in_str, esc
    return pos, 0


class _Column:
    """Where the values of one field of a flat int array go, and the largest value allowed."""

    def __init__(self, dest: np.ndarray, field: int, limit: int = MAX_VALUE):
        self.dest, self.field, self.limit = dest, field, limit


class _Parser:
    def __init__(self, stream: BinaryIO | BoundedReader, name: str, capacity: int):
        self.f = stream
        self.name = name
        self.capacity = capacity  # most bytes the input can hold
        self.buf = b""
        self.pos = 0
        self.eof = False
        self.out = np.empty(CHUNK // 2 + 8, dtype=np.int64)

    # ------------------------------------------------------------------ buffer
    def _more(self) -> bool:
        if self.eof:
            return False
        chunk = self.f.read(CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.buf = self.buf[self.pos :] + chunk
        self.pos = 0
        return True

    def _damaged(self, what: str) -> InputDamaged:
        return InputDamaged(f"{self.name}: damaged heap snapshot: {what}")

    # ------------------------------------------------------------------ top level
    def parse(self) -> HeapGraph:
        self._more()
        if not self.buf:
            raise InputUnrecognized(f"{self.name}: empty file, not a V8 heap snapshot")
        if not _START.match(self.buf[:4096]):
            raise InputUnrecognized(
                f"{self.name}: not a V8 heap snapshot (expected JSON starting with "
                '{"snapshot":{...})'
            )
        header = self._read_header()
        meta = header.get("meta")
        try:
            self._setup(header, meta)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise self._damaged(f"unusable snapshot header ({_short(exc)})") from None
        seen: set[str] = set()
        strings: list[str] | None = None
        locations = None
        key = "nodes"
        while True:
            if key in seen:
                raise self._damaged(f"key {key!r} appears twice")
            seen.add(key)
            if key == "nodes":
                self._expect_open(key)
                self._scan_array(key, self.node_columns, self.n_nodes * self.nfc, self.nfc)
            elif key == "edges":
                self._expect_open(key)
                self._scan_array(key, self.edge_columns, self.n_edges * self.efc, self.efc)
            elif key == "locations":
                self._expect_open(key)
                locations = self._scan_locations()
            elif key == "strings":
                strings = self._read_strings()
            else:
                self._skip_value(key)
            key = self._next_key()
            if key is None:
                break
        for required in ("nodes", "edges", "strings"):
            if required not in seen:
                raise self._damaged(f"no {required!r} array")
        assert strings is not None
        return self._finish(strings, locations, header)

    def _read_header(self) -> dict:
        while True:
            i = self.buf.find(b'"nodes"')
            if i >= 0:
                break
            if len(self.buf) > (64 << 20) or not self._more():
                raise self._damaged("no 'nodes' array after the snapshot header (truncated?)")
        head = self.buf[:i].rstrip()
        if not head.endswith(b","):
            raise self._damaged("unexpected text before 'nodes'")
        try:
            doc = json.loads(head[:-1] + b"}")
            header = doc["snapshot"]
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            raise self._damaged(f"unreadable snapshot header ({_short(exc)})") from None
        if not isinstance(header, dict):
            raise self._damaged("'snapshot' is not an object")
        self.pos = i + len(b'"nodes"')
        return header

    def _setup(self, header: dict, meta: dict) -> None:
        """Check `meta` and the header counts, then allocate the columns.

        Counts are checked against what the input can hold (every value takes at least two
        bytes, a digit and a separator) before anything is allocated, so a 1 KB file claiming
        10^12 edges is damaged, not a MemoryError.
        """
        if not isinstance(meta, dict):
            raise ValueError("no meta object")
        nf, ef = _field_list(meta, "node_fields"), _field_list(meta, "edge_fields")
        self.nfc, self.efc = len(nf), len(ef)
        self.n_nodes = _count(header, "node_count")
        self.n_edges = _count(header, "edge_count")
        if self.n_nodes < 1:
            raise ValueError("node_count is below 1")
        if self.n_nodes >= 2**31 - 1:
            raise ValueError("more than 2^31 nodes")
        if self.n_edges > MAX_EDGES:
            raise ValueError("more than 2^32 edges")
        values = self.n_nodes * self.nfc + self.n_edges * self.efc
        if 2 * values - 2 > self.capacity:
            raise ValueError(f"the header announces {values:,} array values, more than "
                             f"the {self.capacity:,} bytes of input can hold")
        missing = [c for c in _NODE_COLUMNS if c not in nf] + [c for c in _EDGE_COLUMNS if c not in ef]
        if missing:
            raise ValueError(f"missing fields {missing}")
        node_type_names = _name_list(meta, "node_types", nf.index("type"))
        edge_type_names = _name_list(meta, "edge_types", ef.index("type"))
        self.node_type_lut = np.array(
            [_enum_or(NodeType, s, NodeType.HIDDEN) for s in node_type_names], dtype=np.uint8
        )
        self.edge_type_lut = np.array(
            [_enum_or(EdgeType, s, EdgeType.INTERNAL) for s in edge_type_names], dtype=np.uint8
        )
        self.unknown_types = [s for s in node_type_names if _enum_or(NodeType, s, None) is None]
        n, e = self.n_nodes, self.n_edges
        self.raw_node_type = np.empty(n, dtype=np.uint8)
        self.node_name = np.empty(n, dtype=np.int32)
        self.node_id = np.empty(n, dtype=np.uint64)
        self.self_size = np.empty(n, dtype=np.int64)
        self.edge_start = np.zeros(n + 1, dtype=np.int64)
        self.raw_edge_type = np.empty(e, dtype=np.uint8)
        self.edge_name = np.empty(e, dtype=np.int64)
        self.edge_to_raw = np.empty(e, dtype=np.int64 if n * self.nfc >= 2**31 else np.int32)
        # The largest value each column accepts: what fits its dtype, or can be a valid value
        # at all. Checked as the values are scattered, so nothing is truncated silently.
        self.node_columns = [
            _Column(self.raw_node_type, nf.index("type"), 255),
            _Column(self.node_name, nf.index("name"), 2**31 - 1),
            _Column(self.node_id, nf.index("id"), MAX_VALUE),
            _Column(self.self_size, nf.index("self_size"), MAX_SELF_SIZE),
            _Column(self.edge_start[1:], nf.index("edge_count"), e),
        ]
        self.edge_columns = [
            _Column(self.raw_edge_type, ef.index("type"), 255),
            _Column(self.edge_name, ef.index("name_or_index"), MAX_VALUE),
            _Column(self.edge_to_raw, ef.index("to_node"), n * self.nfc - 1),
        ]
        loc = meta.get("location_fields") or []
        self.location_fields = list(loc) if isinstance(loc, list) else []

    # ------------------------------------------------------------------ tokens
    def _expect_open(self, key: str) -> None:
        while True:
            rest = self.buf[self.pos :].lstrip(b" \t\r\n:")
            if rest:
                break
            self.pos = len(self.buf)  # drop the blanks: a GB of them never piles up
            if not self._more():
                raise self._damaged(f"file ends before the {key!r} array (truncated)")
        self.pos = len(self.buf) - len(rest)
        if rest[:1] != b"[":
            raise self._damaged(f"{key!r} is not an array")
        self.pos += 1

    def _next_key(self) -> str | None:
        while True:
            window = self.buf[self.pos : self.pos + 256]
            m = _KEY.match(window)
            if m and (m.group(1) == b"}" or m.group(2) is not None) and m.end() < len(window):
                break
            if m and m.group(1) == b"}":
                break
            if len(window) == 256:  # a key follows within a few bytes, or this is not V8's
                raise self._damaged(f"unexpected {_short(window[:40])} between arrays")
            if not self._more():
                raise self._damaged("file ends between arrays (truncated)")
        self.pos += m.end()
        if m.group(1) == b"}":
            return None
        return m.group(2).decode()

    def _scan_array(self, key: str, columns: list[_Column], expected: int, stride: int) -> None:
        """Stream one flat int array into its columns, `stride` values per row."""
        state = np.zeros(2, dtype=np.int64)
        got = 0
        names = [c for c in (_NODE_COLUMNS if key == "nodes" else _EDGE_COLUMNS)]
        while True:
            arr = np.frombuffer(self.buf, dtype=np.uint8)
            pos, k, status = _scan_ints(arr, self.pos, self.out, state)
            self._check_status(key, status, pos)
            if got + k > expected:
                raise self._damaged(f"{key!r} has more values than the header's count")
            bad = _distribute(self.out[:k], got, stride, columns)
            if bad >= 0:
                flat = got + bad
                col = next(i for i, c in enumerate(columns) if c.field == flat % stride)
                raise self._damaged(
                    f"{key!r} row {flat // stride:,}: {names[col]} {int(self.out[bad]):,} is out "
                    f"of range (at most {columns[col].limit:,})"
                )
            got += k
            self.pos = pos
            if status == 1:
                self.pos += 1
                break
            if status == 2:
                continue
            if not self._more():
                raise self._damaged(
                    f"file ends inside the {key!r} array after {got:,} of {expected:,} values "
                    "(truncated)"
                )
        if got != expected:
            raise self._damaged(f"{key!r} has {got:,} values, the header says {expected:,}")

    def _check_status(self, key: str, status: int, pos: int) -> None:
        if status == -1:
            bad = self.buf[pos : pos + 1]
            raise self._damaged(f"unexpected {bad!r} inside the {key!r} array")
        if status == -2:
            raise self._damaged(f"a number of more than 18 digits inside the {key!r} array")

    def _scan_locations(self) -> np.ndarray | None:
        fields = self.location_fields
        if not fields or "object_index" not in fields:
            self._skip_value("locations", opened=True)
            return None
        chunks: list[np.ndarray] = []
        state = np.zeros(2, dtype=np.int64)
        while True:
            arr = np.frombuffer(self.buf, dtype=np.uint8)
            pos, k, status = _scan_ints(arr, self.pos, self.out, state)
            self._check_status("locations", status, pos)
            chunks.append(self.out[:k].copy())
            self.pos = pos
            if status == 1:
                self.pos += 1
                break
            if status == 2:
                continue
            if not self._more():
                raise self._damaged("file ends inside the 'locations' array (truncated)")
        flat = np.concatenate(chunks) if chunks else np.empty(0, dtype=np.int64)
        width = len(fields)
        if flat.shape[0] % width:
            raise self._damaged("'locations' length is not a multiple of its field count")
        rows = flat.reshape(-1, width)
        cols = [fields.index(c) for c in ("object_index", "script_id", "line", "column") if c in fields]
        loc = rows[:, cols].astype(np.int64)
        loc[:, 0] //= self.nfc
        # Locations only annotate nodes: rows that cannot be right drop them all (never a guess).
        if loc.shape[0] and (loc[:, 0].max() >= self.n_nodes or loc.max() >= 2**31):
            return None
        return loc.astype(np.int32)

    def _skip_value(self, key: str, opened: bool = False) -> None:
        """Skip a value we do not use (trace tree, samples...), streaming."""
        if not opened:
            self._expect_open(key)
        state = np.array([1, 0, 0], dtype=np.int64)
        while True:
            arr = np.frombuffer(self.buf, dtype=np.uint8)
            pos, done = _skip_brackets(arr, self.pos, state)
            self.pos = pos
            if done:
                return
            if not self._more():
                raise self._damaged(f"file ends inside {key!r} (truncated)")

    def _rest_text(self) -> str:
        while self._more():
            pass
        return self.buf[self.pos :].decode("utf-8", "replace")

    def _read_strings(self) -> list[str]:
        text = self._rest_text()
        self.buf = b""
        self.pos = 0
        stripped = text.lstrip(" \t\r\n:")
        try:
            strings, end = json.JSONDecoder().raw_decode(stripped)
        except ValueError as exc:
            raise self._damaged(
                f"'strings' is not a complete JSON array (truncated?): {_short(exc)}") from None
        except RecursionError:
            raise self._damaged("'strings' is nested too deeply") from None
        if not isinstance(strings, list) or not all(type(s) is str for s in strings):
            raise self._damaged("'strings' is not an array of strings")
        self.buf = stripped[end:].encode()
        return strings

    # ------------------------------------------------------------------ assembly
    def _finish(self, strings: list[str], locations, header: dict) -> HeapGraph:
        root, edge_to = self._validate(strings, header)
        del self.edge_to_raw
        node_type = self.node_type_lut[self.raw_node_type]
        del self.raw_node_type
        edge_type = self.edge_type_lut[self.raw_edge_type]
        del self.raw_edge_type
        _name_proxy_fields(node_type, self.node_name, self.edge_start, edge_type, self.edge_name,
                           strings)
        _unmerge_wrapper_names(node_type, self.node_name, self.edge_start, edge_type,
                               self.edge_name, edge_to, strings)
        _name_prototypes(node_type, self.node_name, self.edge_start, edge_type, self.edge_name,
                         edge_to, strings)
        _name_class_variables(node_type, self.node_name, self.edge_start, edge_type,
                              self.edge_name, edge_to, strings)
        _name_block_variables(node_type, self.node_name, self.edge_start, edge_type,
                              self.edge_name, edge_to, strings)
        extra = {k: v for k, v in header.items() if k not in ("meta",)}
        if self.unknown_types:
            extra["unknown_node_types"] = self.unknown_types
        graph = HeapGraph(
            node_type=node_type,
            node_name=self.node_name,
            node_id=self.node_id,
            self_size=self.self_size,
            edge_start=self.edge_start,
            edge_type=edge_type,
            edge_name=self.edge_name,
            edge_to=edge_to,
            strings=strings,
            root=root,
            source="snapshot",
            locations=locations,
            meta=extra,
        )
        graph.array_slack = _FullArrayStore(graph)
        return graph

    def _validate(self, strings: list[str], header: dict) -> tuple[int, np.ndarray]:
        """Every check that makes the columns safe to index with.

        Returns the root's node ordinal and `edge_to` (node ordinals, int32), computed here
        because dividing `to_node` by the node field count is also how it is checked.

        THE place where untrusted values become trusted: numba kernels do not check bounds
        (an index out of range reads or writes memory: glibc aborts, SIGBUS), so nothing
        after this function may index with a value it did not check. The scatter already
        refused values too large for their column; here, vectorized over the whole columns:
        node and edge types inside `meta`'s enums, node names and property/context/internal
        edge names inside `strings`, edge counts that add up to `edge_count` without wrapping
        (`edge_start` monotonic from 0 to E), every `to_node` a multiple of the node field
        count inside the nodes array, and `root_index` a node. No compiled kernel runs on
        the columns before this returns.
        """
        n, e, nfc, ns = self.n_nodes, self.n_edges, self.nfc, len(strings)
        if _any(self.raw_node_type, lambda c: c >= len(self.node_type_lut)):
            raise self._damaged("a node type is outside meta.node_types")
        if _any(self.raw_edge_type, lambda c: c >= len(self.edge_type_lut)):
            raise self._damaged("an edge type is outside meta.edge_types")
        if _any(self.node_name, lambda c: (c < 0) | (c >= ns)):
            raise self._damaged("a node name is outside the strings table")
        np.cumsum(self.edge_start, out=self.edge_start)
        if self.edge_start[-1] != e or not _monotonic(self.edge_start):
            raise self._damaged(
                f"node edge counts add up to {int(self.edge_start[-1]):,}, "
                f"the header says {e:,} edges"
            )
        edge_to = np.empty(e, dtype=np.int32)
        for i in range(0, e, _CHECK_SLICE):  # slices: bounded temporaries
            raw = self.edge_to_raw[i : i + _CHECK_SLICE]
            q = raw // nfc
            bad = (q * nfc != raw) | (raw < 0) | (raw >= n * nfc)
            if bad.any():
                k = i + int(np.flatnonzero(bad)[0])
                raise self._damaged(f"edge {k:,} points outside the nodes array "
                                    f"(to_node {int(self.edge_to_raw[k]):,})")
            edge_to[i : i + _CHECK_SLICE] = q
        index_types = [i for i, t in enumerate(self.edge_type_lut) if t in
                       (EdgeType.ELEMENT, EdgeType.HIDDEN)]
        for i in range(0, e, _CHECK_SLICE):  # names past the table: fine for index edges only
            past = np.flatnonzero(self.edge_name[i : i + _CHECK_SLICE] >= ns)
            if past.shape[0] and not np.isin(self.raw_edge_type[i + past], index_types).all():
                raise self._damaged("an edge name is outside the strings table")
        if float(self.self_size.sum(dtype=np.float64)) >= 2.0**62:
            raise self._damaged("node self sizes add up to more than 2^62 bytes")
        raw_root = header.get("root_index", 0)
        if raw_root is None:
            raw_root = 0
        if type(raw_root) is not int or not 0 <= raw_root < n * nfc or raw_root % nfc:
            raise self._damaged(f"root_index {_short(repr(raw_root))} is not a node's offset "
                                f"(0..{n * nfc - nfc:,}, a multiple of {nfc})")
        return raw_root // nfc, edge_to


class _FullArrayStore:
    """`HeapGraph.array_slack` for a snapshot, where it can be known: 0 when every slot of
    a JS Array's store holds an object. A snapshot records the store (`elements`, an
    `(object elements)` array) by its size only, and Smis and holes are no edges, so fewer
    element edges than slots is not free space (None, unknown). A 100-slot ring buffer
    overwritten 100,000 times was "accumulate in one Array" from a snapshot, with none of
    the hedge a core of it has."""

    def __init__(self, graph: HeapGraph):
        self.g = graph

    def __call__(self, node: int) -> int | None:
        g = self.g
        if int(g.node_type[node]) != NodeType.OBJECT or g.name(node) != "Array":
            return None
        a, b = int(g.edge_start[node]), int(g.edge_start[node + 1])
        types, names = g.edge_type[a:b], g.edge_name[a:b]
        elements = int(np.count_nonzero(types == EdgeType.ELEMENT))
        for k in np.flatnonzero(types == EdgeType.INTERNAL).tolist():
            if g.strings[int(names[k])] == "elements":
                store = int(g.edge_to[a + k])
                if g.name(store) != "(object elements)":
                    return None
                size = int(g.self_size[store])
                # a FixedArray: map and length, then 8-byte slots (4 with pointer compression)
                full = elements > 0 and size in (16 + 8 * elements, 8 + 4 * elements)
                return 0 if full else None
        return None


#: V8's snapshot shows a Proxy as a hidden `system / JSProxy` whose target and handler are
#: unnamed hidden edges 1 and 2 (its fields after the properties, on Node 18-26). A core's
#: graph names them (`versions.UNEXPORTED_EDGES`); unnamed, the holder of rows behind a
#: Proxy was `(Object).rows` in a snapshot and `(global).db.[[Target]].rows` in a core.
_PROXY_NODE = "system / JSProxy"
_PROXY_FIELDS = {1: "target", 2: "handler"}


def _name_proxy_fields(node_type: np.ndarray, node_name: np.ndarray, edge_start: np.ndarray,
                       edge_type: np.ndarray, edge_name: np.ndarray, strings: list[str]) -> None:
    """Make each Proxy an object `Proxy` with internal edges `target` and `handler`, as a
    core's graph has it (in place; `strings` may grow by three)."""
    wanted = {_PROXY_NODE, "Proxy", *_PROXY_FIELDS.values()}
    ids = {text: i for i, text in enumerate(strings) if text in wanted}
    if _PROXY_NODE not in ids:
        return
    proxies = np.flatnonzero((node_name == ids[_PROXY_NODE]) & (node_type == NodeType.HIDDEN))
    for text in wanted - ids.keys():
        ids[text] = len(strings)
        strings.append(text)
    for v in proxies.tolist():
        a, b = int(edge_start[v]), int(edge_start[v + 1])
        for e in range(a, b):
            field = _PROXY_FIELDS.get(int(edge_name[e]))
            if field is not None and edge_type[e] == EdgeType.HIDDEN:
                edge_type[e] = EdgeType.INTERNAL
                edge_name[e] = ids[field]
        node_type[v] = NodeType.OBJECT
        node_name[v] = ids["Proxy"]


def _unmerge_wrapper_names(node_type: np.ndarray, node_name: np.ndarray, edge_start: np.ndarray,
                           edge_type: np.ndarray, edge_name: np.ndarray, edge_to: np.ndarray,
                           strings: list[str]) -> None:
    """Make a C++ object merged with its JS wrapper (`Node / ContextifyScript`, Node 24+: one
    native node with the wrapper's `map` and `__proto__`) an object of the wrapper's class
    (`Script`, its prototype's `constructor`), as a core's graph has the wrapper (in place).
    400 vm.Scripts cached in a Map were a Node-internal native class in a snapshot, no
    suspect, where the core of the same process named them."""
    try:
        proto, ctor = strings.index("__proto__"), strings.index("constructor")
    except ValueError:
        return
    native = np.flatnonzero(node_type == NodeType.NATIVE)
    owner, edges = edges_of_nodes(native, edge_start)
    to_proto = (edge_type[edges] == EdgeType.PROPERTY) & (edge_name[edges] == proto)
    for v, p in zip(native[owner[to_proto]].tolist(), edge_to[edges[to_proto]].tolist(),
                    strict=True):
        if not strings[int(node_name[v])].startswith("Node / "):
            continue
        name = _constructor_name(p, ctor, node_type, node_name, edge_start, edge_type,
                                 edge_name, edge_to, strings)
        if name >= 0:
            node_type[v] = NodeType.OBJECT
            node_name[v] = name


def _name_prototypes(node_type: np.ndarray, node_name: np.ndarray, edge_start: np.ndarray,
                     edge_type: np.ndarray, edge_name: np.ndarray, edge_to: np.ndarray,
                     strings: list[str]) -> None:
    """Name a function's `prototype` object `<its constructor>.prototype`, as a core's graph
    names prototype objects (`triage/v8/naming.py`), in place (`strings` may grow). V8's
    snapshot names it after the class it inherits from: http-errors' 41
    `ClientError.prototype` were "41 HttpError objects" in a snapshot, a suspect the core of
    the same express app did not have."""
    try:
        prototype, constructor = strings.index("prototype"), strings.index("constructor")
    except ValueError:
        return
    edges = np.flatnonzero(edge_name == prototype)  # (one pass; few of them)
    edges = edges[edge_type[edges] == EdgeType.PROPERTY]
    owners = np.searchsorted(edge_start, edges, side="right") - 1
    protos = np.unique(edge_to[edges[node_type[owners] == NodeType.CLOSURE]])
    names: dict[int, str] = {}  # prototype -> its new name
    for v in protos[node_type[protos] == NodeType.OBJECT].tolist():
        name = _constructor_name(v, constructor, node_type, node_name, edge_start, edge_type,
                                 edge_name, edge_to, strings)
        names[v] = f"{strings[name]}.prototype" if name >= 0 else "(prototype object)"
    wanted = set(names.values())
    ids = {text: i for i, text in enumerate(strings) if text in wanted}
    for v, text in names.items():
        if text not in ids:
            ids[text] = len(strings)
            strings.append(text)
        node_name[v] = ids[text]


def _constructor_name(v: int, constructor: int, node_type: np.ndarray, node_name: np.ndarray,
                      edge_start: np.ndarray, edge_type: np.ndarray, edge_name: np.ndarray,
                      edge_to: np.ndarray, strings: list[str]) -> int:
    """The name (string id) of the named function that object `v` holds as its own
    `constructor` property (`constructor`: that key's string id), or -1."""
    for e in range(int(edge_start[v]), int(edge_start[v + 1])):
        u = int(edge_to[e])
        if (edge_type[e] == EdgeType.PROPERTY and edge_name[e] == constructor
                and node_type[u] == NodeType.CLOSURE and strings[int(node_name[u])]):
            return int(node_name[u])
    return -1


def _texts_where(ids: np.ndarray, strings: list[str], test: Callable[[str], bool]) -> np.ndarray:
    """Which of the string ids `ids` name a text that passes `test` (a mask), each distinct
    text tested once: a snapshot names millions of edges with a few thousand texts."""
    distinct = np.unique(ids)
    passed = np.array([test(strings[i]) for i in distinct.tolist()], dtype=bool)
    return np.isin(ids, distinct[passed])


def _name_class_variables(node_type: np.ndarray, node_name: np.ndarray, edge_start: np.ndarray,
                          edge_type: np.ndarray, edge_name: np.ndarray, edge_to: np.ndarray,
                          strings: list[str]) -> None:
    """Name a class's own binding in its class scope (`class Registry { static items }`:
    `Registry` inside the class body) as the context variable it is, as a core's graph
    does. V8 keeps it apart from the scope's locals (a "saved class variable"), and its
    snapshot writes it as an unnamed hidden edge from the context to the class, so a
    class static was `Registry.items` in a core and `(global).keep.items` in a snapshot.
    Such an edge is a context's hidden edge to a closure whose own context is that context,
    not a private method (`#name`, kept the same way)."""
    try:  # (a C-level scan: a snapshot has millions of strings)
        context, own_context = strings.index("system / Context"), strings.index("context")
    except ValueError:
        return
    contexts = np.flatnonzero(node_name == context)
    owner, edges = edges_of_nodes(contexts, edge_start)
    to_closure = (edge_type[edges] == EdgeType.HIDDEN) & \
        (node_type[edge_to[edges]] == NodeType.CLOSURE)
    edges, ctx = edges[to_closure], contexts[owner[to_closure]]
    fns, which = np.unique(edge_to[edges], return_inverse=True)
    fn_owner, fn_edges = edges_of_nodes(fns, edge_start)  # each closure's own `context`
    is_context = (edge_type[fn_edges] == EdgeType.INTERNAL) & (edge_name[fn_edges] == own_context)
    closure_context = np.full(fns.shape[0], -1, dtype=np.int64)
    closure_context[fn_owner[is_context]] = edge_to[fn_edges[is_context]]
    names = node_name[edge_to[edges]]
    public = _texts_where(names, strings, lambda text: bool(text) and not text.startswith("#"))
    mine = (closure_context[which] == ctx) & public
    edge_type[edges[mine]] = EdgeType.CONTEXT
    edge_name[edges[mine]] = names[mine]


def _leading_names(scopes: np.ndarray, node_type: np.ndarray, node_name: np.ndarray,
                   edge_start: np.ndarray, edge_type: np.ndarray, edge_name: np.ndarray,
                   edge_to: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each ScopeInfo's locals' names: its first hidden edges, while they lead to strings
    and are numbered 0, 1, 2, ... Returns (names' string ids, scope after scope; how many
    each scope has)."""
    owner, edges = edges_of_nodes(scopes, edge_start)
    hidden = edge_type[edges] == EdgeType.HIDDEN
    owner, edges = owner[hidden], edges[hidden]
    count = np.bincount(owner, minlength=scopes.shape[0]).astype(np.int64)
    rank = np.arange(edges.shape[0]) - (np.cumsum(count) - count)[owner]
    good = (node_type[edge_to[edges]] == NodeType.STRING) & (edge_name[edges] == rank)
    lengths = count.copy()  # up to the first edge that is not the next name
    np.minimum.at(lengths, owner[~good], rank[~good])
    keep = rank < lengths[owner]
    return node_name[edge_to[edges[keep]]].astype(np.int64), lengths


def _name_block_variables(node_type: np.ndarray, node_name: np.ndarray, edge_start: np.ndarray,
                          edge_type: np.ndarray, edge_name: np.ndarray, edge_to: np.ndarray,
                          strings: list[str]) -> None:
    """Name the variables of a block's context (`{ const completed = new Map(); ... }`, an
    `if`/`else` or loop body whose variables a closure captures) as a core's graph does.

    V8's snapshot names context variables only for a function's own context; a block's are
    unnamed hidden edges, so a worker's Map of 20,000 Jobs in the `else` of `if
    (isMainThread)` was `completed` in a core and `(Map) via port` in a snapshot. The names
    are there: the context's `scope_info` holds them, in slot order, as its first hidden
    edges. V8 numbers a context's hidden edges over its heap-object slots only (a Smi
    local has no edge and no number), so a context is named only when its slots (the
    highest hidden index + 1) are exactly as many as its ScopeInfo's names; a context with
    a Smi local, or any variable V8 already named, is left as it is. Private names (`#x`,
    `.brand`) stay unnamed: they hold symbols, not the program's data."""
    try:
        context, scope_info = strings.index("system / Context"), strings.index("scope_info")
    except ValueError:
        return
    contexts = np.flatnonzero(node_name == context)
    owner, edges = edges_of_nodes(contexts, edge_start)
    if not edges.shape[0]:
        return
    types = edge_type[edges]
    named = np.zeros(contexts.shape[0], dtype=bool)
    named[owner[types == EdgeType.CONTEXT]] = True
    hidden = types == EdgeType.HIDDEN
    slots = np.zeros(contexts.shape[0], dtype=np.int64)
    np.maximum.at(slots, owner[hidden], edge_name[edges[hidden]].astype(np.int64) + 1)
    scope = np.full(contexts.shape[0], -1, dtype=np.int64)
    is_scope = (types == EdgeType.INTERNAL) & (edge_name[edges] == scope_info)
    scope[owner[is_scope]] = edge_to[edges[is_scope]]
    named[owner[hidden & (edge_name[edges] < 0)]] = True  # (no such index: leave it alone)
    wanted = ~named & (slots > 0) & (scope >= 0)
    scopes = np.unique(scope[wanted])
    flat, lengths = _leading_names(scopes, node_type, node_name, edge_start, edge_type,
                                   edge_name, edge_to)
    first = np.cumsum(lengths) - lengths
    private = _texts_where(flat, strings, lambda text: text.startswith(("#", ".")))
    chosen = hidden & wanted[owner]
    where, chosen = owner[chosen], edges[chosen]
    k = np.searchsorted(scopes, scope[where])
    exact = slots[where] == lengths[k]  # every slot a heap object: hidden index = local index
    at = first[k[exact]] + edge_name[chosen[exact]].astype(np.int64)
    chosen, at = chosen[exact][~private[at]], at[~private[at]]
    edge_type[chosen] = EdgeType.CONTEXT
    edge_name[chosen] = flat[at]


def _distribute(values: np.ndarray, first: int, stride: int, columns: list[_Column]) -> int:
    """Scatter a run of flat-array values (starting at flat index `first`) into columns.

    Returns -1, or the position in `values` of the first value above its column's limit (the
    caller ensures the run ends inside the rows the header announced).
    """
    k = values.shape[0]
    if not k:
        return -1
    c = list(columns)  # nodes (5 columns) and edges (3): one compiled pass, unused slots field -1
    while len(c) < 5:
        c.append(_Column(np.empty(0, dtype=c[0].dest.dtype), -1, 0))
    limits = np.array([col.limit for col in c], dtype=np.int64)
    return _scatter5(values, first, stride, limits, c[0].field, c[0].dest, c[1].field, c[1].dest,
                     c[2].field, c[2].dest, c[3].field, c[3].dest, c[4].field, c[4].dest)


@kernel(
    "int64[:], int64, int64, int64[:], int64, uint8[:], int64, int32[:], int64, uint64[:], "
    "int64, int64[:], int64, int64[:]",
    "int64[:], int64, int64, int64[:], int64, uint8[:], int64, int64[:], int64, int32[:], "
    "int64, uint8[:], int64, uint8[:]")
def _scatter5(values, first, stride, limits, f0, d0, f1, d1, f2, d2, f3, d3, f4, d4):  # pragma: no cover
    """One pass over the values: field `f` of flat index `i` goes to row `i // stride`.

    Rows stay below the destinations' length because the caller never passes more values than
    the header announced; a value above its column's limit stops the pass (returns its position).
    """
    field = first % stride
    row = first // stride
    for k in range(values.shape[0]):
        x = values[k]
        if field == f0:
            if x > limits[0]:
                return k
            d0[row] = x
        elif field == f1:
            if x > limits[1]:
                return k
            d1[row] = x
        elif field == f2:
            if x > limits[2]:
                return k
            d2[row] = x
        elif field == f3:
            if x > limits[3]:
                return k
            d3[row] = x
        elif field == f4:
            if x > limits[4]:
                return k
            d4[row] = x
        field += 1
        if field == stride:
            field = 0
            row += 1
    return -1


def _any(column: np.ndarray, bad) -> bool:
    """Whether `bad(slice)` holds anywhere in `column`, in slices (bounded temporaries)."""
    for i in range(0, column.shape[0], _CHECK_SLICE):
        if bad(column[i : i + _CHECK_SLICE]).any():
            return True
    return False


def _monotonic(a: np.ndarray) -> bool:
    """`a[i] <= a[i+1]` everywhere (a cumulative sum that wrapped around int64 is not)."""
    for i in range(0, a.shape[0] - 1, _CHECK_SLICE):
        j = min(i + _CHECK_SLICE, a.shape[0] - 1)
        if (a[i + 1 : j + 1] < a[i:j]).any():
            return False
    return True


def _count(header: dict, key: str) -> int:
    value = header.get(key)
    if type(value) is not int or value < 0:
        raise ValueError(f"{key} {_short(repr(value))} is not a non-negative integer")
    return value


def _field_list(meta: dict, key: str) -> list[str]:
    fields = meta.get(key)
    if not isinstance(fields, list) or not all(type(f) is str for f in fields):
        raise ValueError(f"meta.{key} is not a list of names")
    if len(set(fields)) != len(fields):
        raise ValueError(f"meta.{key} names a field twice")
    return fields


def _name_list(meta: dict, key: str, index: int) -> list[str]:
    types = meta.get(key)
    names = types[index] if isinstance(types, list) and index < len(types) else None
    if not isinstance(names, list) or not all(type(t) is str for t in names) or len(names) > 256:
        raise ValueError(f"meta.{key} has no list of type names for the type field")
    return names


def _short(value: object, limit: int = 120) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _enum_or(enum, name: str, default):
    try:
        return enum.from_v8_name(str(name))
    except KeyError:
        return default
