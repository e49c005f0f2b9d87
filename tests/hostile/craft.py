"""Crafting hostile inputs in tests: heap snapshots, diagnostic reports and ELF cores.

Each builder writes the smallest file of its format that a loader accepts, so that a test or
a Hypothesis strategy can change exactly one thing about it.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
REPORT_FIXTURE = REPO / "tests" / "fixtures" / "reports" / "exception-node20.json"

NODE_TYPES = ["hidden", "array", "string", "object", "code", "closure", "regexp", "number",
              "native", "synthetic", "concatenated string", "sliced string", "symbol", "bigint",
              "object shape"]
EDGE_TYPES = ["context", "element", "property", "internal", "hidden", "shortcut", "weak"]
NODE_FIELDS = ["type", "name", "id", "self_size", "edge_count", "detachedness"]  # Node 24 layout
NFC = len(NODE_FIELDS)


def meta(node_fields=NODE_FIELDS) -> dict:
    return {
        "node_fields": list(node_fields),
        "node_types": [NODE_TYPES] + ["string", "number", "number", "number", "number",
                                      "number"][: len(node_fields) - 1],
        "edge_fields": ["type", "name_or_index", "to_node"],
        "edge_types": [EDGE_TYPES, "string_or_number", "node"],
        "location_fields": ["object_index", "script_id", "line", "column"],
    }


def snapshot_text(nodes: list, edges: list, strings: list, *, header: dict | None = None,
                  locations: list | None = None, node_fields=NODE_FIELDS) -> str:
    """A heap snapshot with these flat arrays; counts derived unless `header` overrides them."""
    nfc = len(node_fields)
    head = {"meta": meta(node_fields), "node_count": len(nodes) // nfc,
            "edge_count": len(edges) // 3, "trace_function_count": 0}
    head.update(header or {})
    return json.dumps({"snapshot": head, "nodes": nodes, "edges": edges,
                       "trace_function_infos": [], "trace_tree": [], "samples": [],
                       "locations": locations or [], "strings": strings})


def small_graph() -> tuple[list, list, list]:
    """root -> (shortcut) global -> .cache Map -> 3 Session objects: loads and analyses."""
    strings = ["", "global", "Map", "Session", "cache", "a", "b", "c"]
    rows = [  # type, name, id, self_size, edge_count, detachedness
        (9, 0, 1, 0, 1, 0),  # 0 root (synthetic)
        (3, 1, 3, 40, 1, 0),  # 1 global
        (3, 2, 5, 64, 3, 0),  # 2 Map
        (3, 3, 7, 100, 0, 0),  # 3..5 Session
        (3, 3, 9, 100, 0, 0),
        (3, 3, 11, 100, 0, 0),
    ]
    edges = [5, 1, 1 * NFC,  # root -shortcut-> global
             2, 4, 2 * NFC,  # global .cache -> Map
             2, 5, 3 * NFC, 2, 6, 4 * NFC, 2, 7, 5 * NFC]
    return [v for r in rows for v in r], edges, strings


def report_doc() -> dict:
    return json.loads(REPORT_FIXTURE.read_text())


# --- ELF cores ---------------------------------------------------------------------------

EHDR = struct.Struct("<16sHHIQQQIHHHHHH")
PHDR = struct.Struct("<IIQQQQQQ")
PT_LOAD, PT_NOTE = 1, 4


def note(name: bytes, type_: int, desc: bytes, *, namesz: int | None = None,
         descsz: int | None = None) -> bytes:
    """One ELF note; `namesz`/`descsz` override the sizes written (to lie about them)."""
    n = name + b"\0"
    head = struct.pack("<III", len(n) if namesz is None else namesz,
                       len(desc) if descsz is None else descsz, type_)
    return head + n + b"\0" * (-len(n) % 4) + desc + b"\0" * (-len(desc) % 4)


def prstatus(tid: int = 1234, signal: int = 11) -> bytes:
    desc = bytearray(336)
    struct.pack_into("<h", desc, 12, signal)
    struct.pack_into("<I", desc, 32, tid)
    return bytes(desc)


def nt_file(entries: list[tuple[int, int, int, str]], page_size: int = 4096,
            count: int | None = None) -> bytes:
    table = b"".join(struct.pack("<QQQ", s, e, o) for s, e, o, _ in entries)
    names = b"".join(p.encode() + b"\0" for *_, p in entries)
    return struct.pack("<QQ", len(entries) if count is None else count, page_size) + table + names


def core_bytes(notes: bytes, *, load: bytes = b"\0" * 64, e_type: int = 4, machine: int = 62,
               phentsize: int = PHDR.size, extra_phdrs: list[tuple] | None = None) -> bytes:
    """An x86-64 ELF core: a PT_NOTE segment holding `notes` and one PT_LOAD of `load`."""
    phdrs = [(PT_NOTE, 0, None, 0, 0, len(notes), 0, 4), (PT_LOAD, 6, None, 0x400000, 0,
                                                          len(load), len(load), 4096)]
    phdrs += extra_phdrs or []
    phoff = EHDR.size
    data_off = phoff + len(phdrs) * PHDR.size
    offsets = [data_off, data_off + len(notes)]
    table = b""
    for i, (t, f, off, va, pa, fs, ms, al) in enumerate(phdrs):
        real = offsets[i] if off is None else off
        table += PHDR.pack(t, f, real, va, pa, fs, ms, al)
    ident = b"\x7fELF\x02\x01\x01" + b"\0" * 9
    ehdr = EHDR.pack(ident, e_type, machine, 1, 0, phoff, 0, 0, EHDR.size, phentsize,
                     len(phdrs), 64, 0, 0)
    return ehdr + table + notes + load
