"""Load a V8 `.heapsnapshot` (or `.heapsnapshot.gz`) into a `HeapGraph`.

A snapshot is one JSON object, but ~90% of it is the flat integer arrays `nodes` and `edges`.
Boxing those as Python ints costs ~36 B each (a 800 MB snapshot would need 5-8 GB through
`json`), so we never do: the file is streamed in 8 MB chunks, the integer arrays are scanned by
a numba digit scanner straight into preallocated numpy columns (their sizes are in the header),
and only `meta` and the `strings` table go through `json`. Peak memory is the columns plus the
strings, plus one chunk. Field offsets and type enums always come from `meta` (Node 24 dropped
`trace_node_id`; Node 20 has an extra node type).
"""

from __future__ import annotations

import gzip
import json
import re
import zlib
from pathlib import Path
from typing import BinaryIO

import numba
import numpy as np

from triage.errors import InputDamaged, InputUnreadable, InputUnrecognized
from triage.heapgraph.model import EdgeType, HeapGraph, NodeType

CHUNK = 8 << 20
_KEY = re.compile(rb'\s*(,|\})\s*(?:"([A-Za-z_]+)"\s*:\s*)?')
_START = re.compile(rb'^\s*\{\s*"snapshot"\s*:\s*\{')
_INT_ARRAYS = ("nodes", "edges", "locations")
_NODE_COLUMNS = ("type", "name", "id", "self_size", "edge_count")
_EDGE_COLUMNS = ("type", "name_or_index", "to_node")


def load_snapshot(path: str | Path) -> HeapGraph:
    """Read a V8 heap snapshot file (plain or gzip) into a `HeapGraph`.

    Raises `InputUnreadable` (cannot open), `InputUnrecognized` (not a heap snapshot) or
    `InputDamaged` (a snapshot, but truncated or malformed), each with a one-line message.
    """
    path = Path(path)
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputUnreadable(f"{path}: cannot open: {exc.strerror or exc}") from None
    with raw:
        magic = raw.read(2)
        raw.seek(0)
        stream: BinaryIO = gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw
        try:
            return _Parser(stream, str(path)).parse()
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise InputDamaged(f"{path}: damaged gzip stream ({exc})") from None
        except IsADirectoryError:
            raise InputUnreadable(f"{path}: is a directory") from None
        except OSError as exc:
            raise InputUnreadable(f"{path}: read failed: {exc}") from None


@numba.njit(cache=True, nogil=True)
def _scan_ints(buf, pos, out, state):  # pragma: no cover - compiled
    """Parse comma/whitespace-separated decimal ints from `buf[pos:]` into `out`.

    Stops at `]` (status 1), at the end of `buf` (status 0; a number cut by the chunk boundary
    is carried in `state`), or at any other byte (status -1: not an int array).
    Returns `(position reached, values written, status)`.
    """
    n = buf.shape[0]
    val = state[0]
    innum = state[1]
    k = 0
    while pos < n:
        c = buf[pos]
        if 48 <= c <= 57:
            val = val * 10 + (c - 48)
            innum = 1
        else:
            if innum:
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


@numba.njit(cache=True, nogil=True)
def _skip_brackets(buf, pos, depth):  # pragma: no cover - compiled
    """Skip a nested int array (`trace_tree`); returns (pos after it or -1, depth, ok)."""
    n = buf.shape[0]
    while pos < n:
        c = buf[pos]
        if c == 91:
            depth += 1
        elif c == 93:
            depth -= 1
            if depth == 0:
                return pos + 1, 0, 1
        elif c == 34:
            return pos, depth, -1
        pos += 1
    return -1, depth, 0


class _Column:
    """Where the values of one field of a flat int array go."""

    def __init__(self, dest: np.ndarray, field: int, transform=None):
        self.dest, self.field, self.transform = dest, field, transform


class _Parser:
    def __init__(self, stream: BinaryIO, name: str):
        self.f = stream
        self.name = name
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
            raise self._damaged(f"unusable snapshot.meta ({exc!r})") from None
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
        except (ValueError, KeyError, TypeError) as exc:
            raise self._damaged(f"unreadable snapshot header ({exc})") from None
        self.pos = i + len(b'"nodes"')
        return header

    def _setup(self, header: dict, meta: dict) -> None:
        nf = list(meta["node_fields"])
        ef = list(meta["edge_fields"])
        self.nfc, self.efc = len(nf), len(ef)
        self.n_nodes = int(header["node_count"])
        self.n_edges = int(header["edge_count"])
        if self.n_nodes < 1 or self.n_edges < 0:
            raise ValueError("node_count/edge_count out of range")
        if self.n_nodes >= 2**31 - 1:
            raise ValueError("more than 2^31 nodes")
        missing = [c for c in _NODE_COLUMNS if c not in nf] + [c for c in _EDGE_COLUMNS if c not in ef]
        if missing:
            raise ValueError(f"missing fields {missing}")
        node_type_names = meta["node_types"][nf.index("type")]
        edge_type_names = meta["edge_types"][ef.index("type")]
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
        self.node_columns = [
            _Column(self.raw_node_type, nf.index("type")),
            _Column(self.node_name, nf.index("name")),
            _Column(self.node_id, nf.index("id")),
            _Column(self.self_size, nf.index("self_size")),
            _Column(self.edge_start[1:], nf.index("edge_count")),
        ]
        self.edge_columns = [
            _Column(self.raw_edge_type, ef.index("type")),
            _Column(self.edge_name, ef.index("name_or_index")),
            _Column(self.edge_to_raw, ef.index("to_node")),
        ]
        self.location_fields = list(meta.get("location_fields") or [])

    # ------------------------------------------------------------------ tokens
    def _expect_open(self, key: str) -> None:
        while True:
            rest = self.buf[self.pos :].lstrip(b" \t\r\n:")
            if rest:
                break
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
        while True:
            arr = np.frombuffer(self.buf, dtype=np.uint8)
            pos, k, status = _scan_ints(arr, self.pos, self.out, state)
            if status < 0:
                bad = self.buf[pos : pos + 1]
                raise self._damaged(f"unexpected {bad!r} inside the {key!r} array")
            if got + k > expected:
                raise self._damaged(f"{key!r} has more values than the header's count")
            _distribute(self.out[:k], got, stride, columns)
            got += k
            self.pos = pos
            if status == 1:
                self.pos += 1
                break
            if not self._more():
                raise self._damaged(
                    f"file ends inside the {key!r} array after {got:,} of {expected:,} values "
                    "(truncated)"
                )
        if got != expected:
            raise self._damaged(f"{key!r} has {got:,} values, the header says {expected:,}")

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
            if status < 0:
                raise self._damaged("unexpected text inside the 'locations' array")
            chunks.append(self.out[:k].copy())
            self.pos = pos
            if status == 1:
                self.pos += 1
                break
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
        return loc.astype(np.int32)

    def _skip_value(self, key: str, opened: bool = False) -> None:
        """Skip a value we do not use (trace tree, samples...)."""
        if not opened:
            self._expect_open(key)
        depth = 1
        while True:
            arr = np.frombuffer(self.buf, dtype=np.uint8)
            pos, depth, status = _skip_brackets(arr, self.pos, depth)
            if status == 1:
                self.pos = pos
                return
            if status < 0:  # strings inside: rare; fall back to json on the rest
                dec = json.JSONDecoder()
                text = self._rest_text()
                start = text.rfind("[", 0, 1 + (len(text) - len(text.lstrip())))
                try:
                    _, end = dec.raw_decode(text, max(start, 0))
                except ValueError as exc:
                    raise self._damaged(f"malformed {key!r} ({exc})") from None
                self.buf = text[end:].encode()
                self.pos = 0
                return
            self.pos = len(self.buf)
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
            raise self._damaged(f"'strings' is not a complete JSON array (truncated?): {exc}") from None
        if not isinstance(strings, list) or not all(isinstance(s, str) for s in strings[:100]):
            raise self._damaged("'strings' is not an array of strings")
        self.buf = stripped[end:].encode()
        return strings

    # ------------------------------------------------------------------ assembly
    def _finish(self, strings: list[str], locations, header: dict) -> HeapGraph:
        n, nfc = self.n_nodes, self.nfc
        if self.raw_node_type.max() >= len(self.node_type_lut):
            raise self._damaged("a node type is outside meta.node_types")
        if self.n_edges and self.raw_edge_type.max() >= len(self.edge_type_lut):
            raise self._damaged("an edge type is outside meta.edge_types")
        node_type = self.node_type_lut[self.raw_node_type]
        del self.raw_node_type
        edge_type = self.edge_type_lut[self.raw_edge_type]
        del self.raw_edge_type
        np.cumsum(self.edge_start, out=self.edge_start)
        if self.edge_start[-1] != self.n_edges:
            raise self._damaged(
                f"node edge counts add up to {int(self.edge_start[-1]):,}, "
                f"the header says {self.n_edges:,} edges"
            )
        if self.n_edges:
            bad = _check_edges(self.edge_to_raw, nfc, n)
            if bad >= 0:
                raise self._damaged(f"edge {bad} points outside the nodes array")
        edge_to = _divide(self.edge_to_raw, nfc)
        del self.edge_to_raw
        ns = len(strings)
        if n and (self.node_name.max() >= ns or self.node_name.min() < 0):
            raise self._damaged("a node name is outside the strings table")
        if self.n_edges and _max_string_ref(edge_type, self.edge_name) >= ns:
            raise self._damaged("an edge name is outside the strings table")
        root = int(header.get("root_index", 0) or 0) // nfc
        if locations is not None and locations.shape[0]:
            if locations[:, 0].min() < 0 or locations[:, 0].max() >= n:
                locations = None
        extra = {k: v for k, v in header.items() if k not in ("meta",)}
        if self.unknown_types:
            extra["unknown_node_types"] = self.unknown_types
        g = HeapGraph(
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
        return g


def _distribute(values: np.ndarray, first: int, stride: int, columns: list[_Column]) -> None:
    """Scatter a run of flat-array values (starting at flat index `first`) into columns."""
    k = values.shape[0]
    if not k:
        return
    if len(columns) in (3, 5):  # nodes and edges: one compiled pass (unused slots get field -1)
        c = list(columns)
        while len(c) < 5:
            c.append(_Column(np.empty(0, dtype=c[0].dest.dtype), -1))
        _scatter5(values, first, stride, c[0].field, c[0].dest, c[1].field, c[1].dest,
                  c[2].field, c[2].dest, c[3].field, c[3].dest, c[4].field, c[4].dest)
        return
    for col in columns:
        off = (col.field - first) % stride
        if off >= k:
            continue
        part = values[off::stride]
        row = (first + off) // stride
        col.dest[row : row + part.shape[0]] = part


@numba.njit(cache=True, nogil=True)
def _scatter5(values, first, stride, f0, d0, f1, d1, f2, d2, f3, d3, f4, d4):  # pragma: no cover
    """One pass over the values: field `f` of flat index `i` goes to row `i // stride`."""
    field = first % stride
    row = first // stride
    for k in range(values.shape[0]):
        x = values[k]
        if field == f0:
            d0[row] = x
        elif field == f1:
            d1[row] = x
        elif field == f2:
            d2[row] = x
        elif field == f3:
            d3[row] = x
        elif field == f4:
            d4[row] = x
        field += 1
        if field == stride:
            field = 0
            row += 1


@numba.njit(cache=True, nogil=True)
def _check_edges(to_raw, nfc, n):  # pragma: no cover - compiled
    limit = n * nfc
    for i in range(to_raw.shape[0]):
        t = to_raw[i]
        if t < 0 or t >= limit or t % nfc != 0:
            return i
    return -1


@numba.njit(cache=True, nogil=True)
def _divide(to_raw, nfc):  # pragma: no cover - compiled
    out = np.empty(to_raw.shape[0], dtype=np.int32)
    for i in range(to_raw.shape[0]):
        out[i] = to_raw[i] // nfc
    return out


@numba.njit(cache=True, nogil=True)
def _max_string_ref(edge_type, edge_name):  # pragma: no cover - compiled
    m = 0
    for i in range(edge_type.shape[0]):
        t = edge_type[i]
        if t != 1 and t != 4 and edge_name[i] > m:  # element, hidden: indexes
            m = edge_name[i]
    return m


def _enum_or(enum, name: str, default):
    try:
        return enum.from_v8_name(str(name))
    except KeyError:
        return default
