"""The reference graph of a core's V8 heap, as a `HeapGraph` (docs/architecture.md).

Nodes are the objects of the exact walk (free space and fillers left out) behind a synthetic
root, `(GC roots)` and one sub-root per root kind (`roots.py`). Edges are every tagged slot
of every object (tag 01 strong, tag 11 weak) that points at an object start, named as a heap
snapshot names them, so the shared analyses read a core like a `.heapsnapshot`:

* JS objects: in-object properties by name (the map's descriptor array), `properties` /
  `elements` internal; out-of-object properties (PropertyArray), dictionary properties
  (NameDictionary / GlobalDictionary) and elements (FixedArray, NumberDictionary) also appear
  as `property` / `element` edges from the object itself, the backing store keeping `hidden`
  ones, as V8's snapshot generator does. Descriptor constants (methods) are `property` edges.
* JS `Map` / `Set`: `table` internal; user edges to every key (`element` by entry) and value
  (`property` named by a string key, `element` by a Smi key or the entry).
* Contexts: locals by name (`context` edges, names from the ScopeInfo).
* Header fields by the exported `class_<Class>__<field>` names (`map`, `shared`, `context`,
  `first`, `parent`...); weak slots, `JSWeakRef.target`, `WeakCell.target` and WeakMap keys
  are `weak`; everything else is `hidden` by slot index.
* WeakMap/WeakSet entries are ephemerons, as in V8's snapshot: the table's value slot and an
  extra edge from the key to the value are both `internal`, named `part of key -> value pair
  in WeakMap (table @addr)`; the analyses keep a value alive only when both are reached.

It all runs in one numba pass over the objects (count, then fill in CSR order), reading the
core's mmap directly; per-map label tables are built in Python once per map.
"""

from __future__ import annotations

import mmap
import struct
import time
from typing import TYPE_CHECKING

import numpy as np

from triage.compiled import kernel
from triage.heapgraph.model import EdgeType, HeapGraph, NodeType
from triage.v8.native_memory import EDGE_NAME as BLOB_EDGE
from triage.v8.native_memory import NODE_NAME as BLOB_NODE
from triage.v8.native_memory import blob_data, native_state
from triage.v8.reader import is_heap_object, is_smi, smi
from triage.v8.roots import ENGINE, Roots, find_roots
from triage.v8.traced import TRACED_EDGE, find_traced_handles
from triage.v8.versions import (
    ACCESSOR_PAIR_EDGES,
    SCOPE_INFO_INLINED_LOCALS_MAX,
    UNEXPORTED_EDGES,
)
from triage.v8.vm_contexts import VM_CONTEXT_EDGE, find_vm_contexts
from triage.v8.zlib_memory import EDGE_NAME as ZLIB_EDGE
from triage.v8.zlib_memory import HANDLE_CLASSES as COMPRESSION_HANDLES
from triage.v8.zlib_memory import NODE_NAME as ZLIB_NODE
from triage.v8.zlib_memory import zlib_data

if TYPE_CHECKING:
    from triage.v8.heap import V8Heap

NAME_LIMIT = 1024  # characters of a string kept as its node name (V8 snapshots cut there too)
_MAX_ROOT_SETS = 5  # (Isolate), (Global handles), (Traced handles), (Stack roots),
#                     (Conservative roots)
_CHUNK_OBJECTS = 1 << 21  # objects per edge-pass chunk (the core's pages are released between)
_NUM_NAMES = 4096  # weak edges from indexed slots are named by their index as text

# scan kinds per map
K_RAW, K_SCAN, K_JSOBJ, K_CONTEXT, K_EPHEMERON, K_MODULE_CONTEXT = 0, 1, 2, 3, 4, 5
# collection kinds
C_NONE, C_MAP, C_SET = 0, 1, 2
_UNLABELLED = 255

# Layout facts not exported as v8dbg constants, the same in V8 10.2-14.6 (JSWeakRef::target
# is the word after the JSObject header; checked by tests/v8/test_v8_graph_leaks.py on every major).
# WeakCell's weak words moved in V8 14: `versions.VersionFacts.weak_cell_weak_words`.
_WEAK_REF_WORDS = (3,)
_COLLECTION_TABLE = 24  # JSCollection::table, after the JSObject header
_PROMISE_REACTION_FIELDS = ("next", "reject_handler", "fulfill_handler", "promise_or_capability")


def _struct_fields(heap: V8Heap) -> dict[str, dict[int, str]]:
    """Fields of promise internals and views that V8 does not export as class_* constants: a
    promise's pending reactions are a linked list (`next`) hanging off `reactions_or_result`,
    which leak reports must be able to name. The reaction's first word is per version (`versions.py`);
    JSPromise::reactions_or_result follows the JSObject header in V8 10.2-13.6."""
    first = heap.facts.promise_reaction_next
    fields = {"PROMISE_REACTION_TYPE": {first + i: f for i, f in enumerate(_PROMISE_REACTION_FIELDS)},
              "JS_PROMISE_TYPE": {3: "reactions_or_result"}}
    # a view's JSArrayBuffer is its first field after the API object header (+24 up to V8
    # 12.4, +32 from 13.6 where cpp_heap_wrappable comes first; not exported). Named as a
    # snapshot names it, so a big typed array's suspect says `buffer`, not `hidden [4]`
    for view in ("JS_TYPED_ARRAY_TYPE", "JS_DATA_VIEW_TYPE", "JS_RAB_GSAB_DATA_VIEW_TYPE"):
        fields[view] = {heap.facts.api_object_header // 8: "buffer"}
    fields["ACCESSOR_PAIR_TYPE"] = ACCESSOR_PAIR_EDGES
    return fields
_FIELD_RENAME = {"raw_properties_or_hash": "properties", "raw_feedback_cell": "feedback_cell",
                 "instance_descriptors": "descriptors", "raw_transitions": "transitions",
                 "name_or_scope_info": "name_or_scope_info", "script_or_debug_info": "script"}


def build_heap_graph(heap: V8Heap) -> HeapGraph:
    """Build the reference graph of `heap` with its roots (see the module docstring)."""
    t0 = time.perf_counter()
    b = _Builder(heap)
    g = b.build()
    g.meta["seconds"] = time.perf_counter() - t0
    return g


class _Builder:
    def __init__(self, heap: V8Heap):
        self.heap = heap
        self.r = heap.reader
        self.c = heap.constants
        self.strings: list[str] = []
        self._ids: dict[str, int] = {}

    def sid(self, text: str) -> int:
        i = self._ids.get(text)
        if i is None:
            i = len(self.strings)
            self.strings.append(text)
            self._ids[text] = i
        return i

    # ---------------------------------------------------------------------------------- build
    def build(self) -> HeapGraph:
        heap = self.heap
        w = heap.walk()
        names = heap.map_names()
        drop = np.array([n in ("(free space)", "(filler)") for n in names] + [True], dtype=bool)
        keep = ~drop[w.map_index]
        n_obj = int(np.count_nonzero(keep))
        core = heap.core
        data = core.elf.data
        self.mem = np.frombuffer(data, dtype="<u8", count=len(data) // 8)
        self.mem8 = np.frombuffer(data, dtype=np.uint8)
        segs = core.segments_array()
        # the vsyscall page (0xffffffffff600000) is negative as int64 and would unsort them
        segs = segs[segs[:, 0] < np.uint64(1 << 63)].astype(np.int64)
        self.ss, self.se, self.so = (np.ascontiguousarray(segs[:, i]) for i in range(3))
        kept_addrs, kept_maps = w.address[keep], w.map_index[keep]
        ext = self._backing_stores(kept_addrs, kept_maps)
        self.blobs = blob_data(heap, kept_addrs, kept_maps, names)
        self.zlib = zlib_data(heap, kept_addrs, kept_maps, names)
        # compression streams are measured above; those it could not read stay "not measured"
        self.native_state = native_state(heap, kept_addrs, kept_maps, names,
                                         measured=COMPRESSION_HANDLES)
        self.native_state.update(self.zlib["meta"]["unread"])
        del kept_addrs, kept_maps
        # native nodes follow the objects: backing stores, then Blob data, then the state of
        # compression streams (zlib, Brotli); a data node's id is its owner's address + 2,
        # no object's or store's (a Blob and a compression handle are different objects)
        self.n_stores = n_stores = len(ext["stores"])
        data_owners = np.concatenate([self.blobs["owners"], self.zlib["owners"]])
        n_ext = n_stores + len(data_owners)
        # the graph's node columns are allocated once; the builder works on views of them
        top = 2 + _MAX_ROOT_SETS  # root, (GC roots), sub-roots: their count is known later
        self.node_id = np.empty(top + n_obj + n_ext, dtype=np.uint64)
        self.self_size = np.zeros(top + n_obj + n_ext, dtype=np.int64)
        self.addrs = self.node_id[top:top + n_obj]
        self.osize = self.self_size[top:top + n_obj]
        np.compress(keep, w.address, out=self.addrs)
        np.compress(keep, w.size, out=self.osize)
        self.node_id[top + n_obj:top + n_obj + n_stores] = ext["stores"]
        self.self_size[top + n_obj:top + n_obj + n_stores] = ext["sizes"]
        self.node_id[top + n_obj + n_stores:] = self.addrs[data_owners] + np.uint64(2)
        self.self_size[top + n_obj + n_stores:] = np.concatenate(
            [self.blobs["sizes"], self.zlib["sizes"]])
        self.ext = ext
        self.omap = np.ascontiguousarray(w.map_index[keep])
        del keep, w
        release_core_pages(heap)  # the walk read every page; each pass re-reads what it needs
        self.sid("")
        self._map_types()
        self._external_string_sizes()
        self.extra = self._extra_edges(ext)
        timings = {}
        t = time.perf_counter()
        self.node_name = self._node_names()
        timings["names"] = time.perf_counter() - t
        t = time.perf_counter()
        tables = self._map_tables()
        timings["map_tables"] = time.perf_counter() - t
        t = time.perf_counter()
        # the user roots: every global object but those of vm contexts (kept by their sandbox)
        gobj = np.setdiff1d(np.flatnonzero(self.is_global[self.omap]), self.vm.globals)
        roots = find_roots(heap, self.addrs, gobj, self.traced.unowned(), self.traced.unread)
        timings["roots"] = time.perf_counter() - t
        t = time.perf_counter()
        g = self._assemble(tables, roots)
        timings["edges"] = time.perf_counter() - t
        g.meta["timings"] = timings
        return g

    # ------------------------------------------------------------------- external memory
    def _backing_stores(self, addrs: np.ndarray, omap: np.ndarray) -> dict:
        """ArrayBuffer backing stores as V8's heap snapshot has them: one `native` node
        `system / JSArrayBufferData` per distinct backing-store pointer (a store shared by
        several JSArrayBuffers is counted once), its self size the byte length, and an
        internal `backing_store` edge from every JSArrayBuffer that points to it. Views
        (typed arrays, Buffers, DataViews) already reach their JSArrayBuffer through their
        `buffer` field, so a holder of small views of big buffers retains the big memory.
        Detached and empty buffers (null store or length 0) have no node."""
        c = self.c
        empty = {"stores": np.zeros(0, np.uint64), "sizes": np.zeros(0, np.int64),
                 "owners": np.zeros(0, np.int64), "owner_store": np.zeros(0, np.int64),
                 "meta": None}
        t = c.type_id("JS_ARRAY_BUFFER_TYPE")
        off_bs, off_len = c.field("JSArrayBuffer", "backing_store"), \
            c.field("JSArrayBuffer", "byte_length")
        if t is None or off_bs is None or off_len is None:
            empty["meta"] = {"bytes": None, "reason": "JSArrayBuffer layout not exported"}
            return empty
        bmaps = np.array([i for i, mi in enumerate(self.heap.maps) if mi.instance_type == t],
                         dtype=np.int32)
        owners = np.flatnonzero(np.isin(omap, bmaps)).astype(np.int64)
        base = addrs[owners]
        store = _read_many(self.mem, self.ss, self.se, self.so, base + np.uint64(off_bs))
        length = _read_many(self.mem, self.ss, self.se, self.so, base + np.uint64(off_len))
        ok = (store != 0) & (length > 0) & (length < np.uint64(1 << 48))
        stores, inv, refs = np.unique(store[ok], return_inverse=True, return_counts=True)
        sizes = np.zeros(len(stores), dtype=np.int64)
        np.maximum.at(sizes, inv, length[ok].astype(np.int64))  # a shared store: its largest view
        meta = {"bytes": int(sizes.sum()), "stores": int(len(stores)),
                "array_buffers": int(len(owners)), "empty_or_detached": int((~ok).sum()),
                "shared_stores": int((refs > 1).sum()),
                "source": "core: JSArrayBuffer backing stores, deduplicated by pointer"}
        return {"stores": stores, "sizes": sizes, "owners": owners[ok],
                "owner_store": inv.astype(np.int64), "meta": meta}

    def _external_string_sizes(self) -> None:
        """An external string keeps its characters outside the heap: Node's builtin module
        sources (in the binary's data) or a string made from a Buffer (`toString('latin1')`
        of a megabyte or more, in malloc'd memory). The characters count in its self size.
        From V8 13 a snapshot counts all of them too, so the core does. Up to V8 12 a
        snapshot weighs only the header; the core then counts the characters where they are
        not in a mapped file, so the builtins agree with such a snapshot and a cache of 20
        decoded 1.5 MiB files is 30 MiB, not 2 KB. The malloc'd payloads are kept in
        `external_strings` (pointer, bytes) for the process's external-memory total."""
        self.external_strings = (np.zeros(0, np.uint64), np.zeros(0, np.int64))
        facts = self.heap.facts
        every = bool(getattr(facts, "external_string_payload", False)) if facts else False
        ext_maps = np.array([self.is_string[i] and mi.instance_type & 7 == 2
                             for i, mi in enumerate(self.heap.maps)] + [False], dtype=bool)
        one_byte = np.array([bool(mi.instance_type & 8) for mi in self.heap.maps] + [False],
                            dtype=bool)
        # an "uncached" external string has no pointer to its characters in the object
        cached = np.array([not mi.instance_type & 0x10 for mi in self.heap.maps] + [False],
                          dtype=bool)
        sel = np.flatnonzero(ext_maps[self.omap])
        if not len(sel):
            return
        length_off = self.c.field("String", "length", 12)
        words = _read_many(self.mem, self.ss, self.se, self.so,
                           self.addrs[sel] + np.uint64(length_off & ~7))
        length = ((words >> np.uint64(8 * (length_off & 7))) & np.uint64(0xFFFFFFFF)
                  ).astype(np.int64)
        length[length > _MAX_STRING_LENGTH] = 0  # a damaged core's length is no size
        payload = np.where(one_byte[self.omap[sel]], length, 2 * length)
        data = np.zeros(len(sel), dtype=np.uint64)
        resource = self.c.field("ExternalString", "resource")
        has_data = cached[self.omap[sel]] & (resource is not None)
        if resource is not None:  # the characters' address follows the resource pointer
            data[has_data] = _read_many(self.mem, self.ss, self.se, self.so,
                                        self.addrs[sel[has_data]] + np.uint64(resource + 8))
        in_file = _in_ranges(data, self.heap.core.mappings) | ~has_data
        outside = ~in_file & (data != 0)
        self.external_strings = (data[outside], payload[outside])
        self.osize[sel] += np.where(every | outside, payload, 0)

    def _extra_edges(self, ext: dict) -> dict:
        """Edges to things no tagged slot points at, one per owner and put last in its
        edge range: JSArrayBuffer -> its backing store (`backing_store`), and, from V8 13,
        JSFunction -> its Code through the dispatch table (`code`, as V8's snapshot has it;
        up to V8 12.4 the Code pointer is a tagged field and already an edge), and a vm
        sandbox -> its native context (`vm_contexts.py`).
        `to` is relative to the first object node (backing stores follow the objects)."""
        n_obj = len(self.addrs)
        blobs, streams = self.blobs["owners"], self.zlib["owners"]
        owners = [ext["owners"], blobs, streams]
        first_data = n_obj + self.n_stores
        to = [n_obj + ext["owner_store"], first_data + np.arange(len(blobs)),
              first_data + len(blobs) + np.arange(len(streams))]
        names = [np.full(len(ext["owners"]), self.sid("backing_store"), dtype=np.int64),
                 np.full(len(blobs), self.sid(BLOB_EDGE), dtype=np.int64),
                 np.full(len(streams), self.sid(ZLIB_EDGE), dtype=np.int64)]
        self.code_meta = None
        facts = self.heap.facts
        off = getattr(facts, "dispatch_handle", None) if facts is not None else None
        if off is None and (self.heap.constants.version or (0,))[0] >= 13:
            self.code_meta = {"reason": "this V8 links functions to their code through a "
                                        "dispatch table whose place in a JSFunction is not known"}
        if off is not None:
            fn_owner, fn_code = self._function_code(off)
            owners.append(fn_owner)
            to.append(fn_code)
            names.append(np.full(len(fn_owner), self.sid("code"), dtype=np.int64))
        self.vm = find_vm_contexts(
            self.heap, self.addrs, self.omap, self.ntype, self.is_global,
            lambda a: _read_many(self.mem, self.ss, self.se, self.so, a),
            lambda w: _lookup(self.addrs, w))
        # a sandbox keeps its context (one extra edge per owner: a sandbox that already owns
        # a backing store or code keeps only that)
        free = ~np.isin(self.vm.sandboxes, np.concatenate(owners))
        owners.append(self.vm.sandboxes[free])
        to.append(self.vm.contexts[free])
        names.append(np.full(int(free.sum()), self.sid(VM_CONTEXT_EDGE), dtype=np.int64))
        # a JS object that wraps a C++ object of Node's keeps what that object holds through
        # V8's traced handles (`traced.py`): the compiled code of a vm.Script (Node 24+)
        self.traced = find_traced_handles(
            self.heap, self.addrs, self._api_objects(),
            lambda a: _read_many(self.mem, self.ss, self.se, self.so, a))
        self.osize[self.traced.wrapped] += self.traced.wrapped_bytes
        first = np.unique(self.traced.owners, return_index=True)[1]
        wrapper, held = self.traced.owners[first], self.traced.owned[first]
        free = ~np.isin(wrapper, np.concatenate(owners))
        owners.append(wrapper[free])
        to.append(held[free])
        names.append(np.full(int(free.sum()), self.sid(TRACED_EDGE), dtype=np.int64))
        own = np.concatenate(owners).astype(np.int64)
        order = np.argsort(own, kind="stable")
        return {"owners": own[order], "to": np.concatenate(to).astype(np.int64)[order],
                "names": np.concatenate(names)[order]}

    def _api_objects(self) -> np.ndarray:
        """Indexes of the API objects (instance types after JS_OBJECT_TYPE, before
        JS_DATA_VIEW_TYPE: the objects an embedder creates), which may wrap a C++ object."""
        t = self.c.types
        lo, hi = t.get("JS_OBJECT_TYPE"), t.get("JS_DATA_VIEW_TYPE")
        if lo is None or hi is None:
            return np.zeros(0, dtype=np.int64)
        api = np.array([lo < mi.instance_type < hi for mi in self.heap.maps] + [False],
                       dtype=bool)
        return np.flatnonzero(api[self.omap]).astype(np.int64)

    def _function_code(self, handle_off: int) -> tuple[np.ndarray, np.ndarray]:
        """(function object indexes, their Code object indexes) via the dispatch table."""
        from triage.v8.dispatch import function_code

        r, names = self.r, self.r.type_names
        is_fn = np.array([r.is_js_function_type(mi.instance_type) for mi in self.heap.maps]
                         + [False], dtype=bool)
        is_code = np.array([names.get(mi.instance_type) == "CODE_TYPE" for mi in self.heap.maps]
                           + [False], dtype=bool)
        fns = np.flatnonzero(is_fn[self.omap]).astype(np.int64)
        code_addrs = self.addrs[is_code[self.omap]]
        params = self.c.field("SharedFunctionInfo", "internal_formal_parameter_count")
        empty = np.zeros(0, dtype=np.int64)
        if params is None:
            self.code_meta = {"reason": "SharedFunctionInfo parameter count not exported"}
            return empty, empty
        segs = np.stack([self.ss, self.se, self.so], axis=1)
        # The search probes every mapping, the ~509 MiB one that Node 24/26 never touch too:
        # read through the core's data pieces, a hole reads 0 (as it would through the mmap)
        # without faulting in pages (~300 MiB of RSS for a 4 MiB heap otherwise).
        data = self.heap.core.data_segments_array()
        data = data[data[:, 0] < np.uint64(1 << 63)].astype(np.int64)
        ds, de, do = (np.ascontiguousarray(data[:, i]) for i in range(3))
        codes, self.code_meta = function_code(
            lambda a: _read_many(self.mem, ds, de, do, a), segs,
            self.addrs[fns], handle_off, r.off_fn_shared, params, code_addrs)
        k = _lookup(self.addrs, codes)
        ok = k >= 0
        return fns[ok], k[ok].astype(np.int64)

    # ------------------------------------------------------------------------- per-map facts
    def _map_types(self) -> None:
        r = self.r
        t = self.c.types
        names = r.type_names
        m = len(self.heap.maps)
        self.ntype = np.full(m, NodeType.HIDDEN, dtype=np.uint8)
        self.kind = np.full(m, K_SCAN, dtype=np.int8)
        self.scan_words = np.zeros(m, dtype=np.int32)
        self.is_name = np.zeros(m, dtype=bool)  # String or Symbol: usable as a property key
        self.is_string = np.zeros(m, dtype=bool)
        self.is_internalized = np.zeros(m, dtype=bool)  # unique names: their text is kept
        self.is_oddball = np.zeros(m, dtype=bool)
        self.is_fixed = np.zeros(m, dtype=bool)
        self.is_global = np.zeros(m, dtype=bool)
        self.is_dict = np.zeros(m, dtype=bool)
        self.el_dict = np.zeros(m, dtype=bool)
        self.coll = np.zeros(m, dtype=np.int8)
        self.is_seq = np.zeros(m, dtype=np.int8)  # 1 one-byte, 2 two-byte sequential string
        raw_types = {t.get(n) for n in ("HEAP_NUMBER_TYPE", "BYTE_ARRAY_TYPE",
                                        "TRUSTED_BYTE_ARRAY_TYPE", "FIXED_DOUBLE_ARRAY_TYPE",
                                        "FOREIGN_TYPE", "EXTERNAL_POINTER_ARRAY_TYPE")}
        raw_types.add(self.heap.free_space_type)
        code_type, istream = t.get("CODE_TYPE"), t.get("INSTRUCTION_STREAM_TYPE")
        bytecode_type = t.get("BYTECODE_ARRAY_TYPE")
        bytecode_data = self.c.field("BytecodeArray", "data", 56) or 56
        dict_kind = self.c.get("elements_dictionary_elements", 12)
        for i, mi in enumerate(self.heap.maps):
            it = mi.instance_type
            tn = names.get(it, "")
            if r.is_string_type(it):
                rep = it & 7
                self.is_name[i] = self.is_string[i] = True
                # kIsNotInternalizedMask (1 << 5) is clear on internalized strings
                self.is_internalized[i] = ("INTERNALIZED" in tn) if tn else not it & 0x20
                self.ntype[i] = {1: NodeType.CONCATENATED_STRING,
                                 3: NodeType.SLICED_STRING}.get(rep, NodeType.STRING)
                if rep in (0, 2):
                    self.kind[i] = K_RAW
                if rep == 0:
                    self.is_seq[i] = 1 if it & 8 else 2
                continue
            if it in raw_types:
                self.kind[i] = K_RAW
                self.ntype[i] = NodeType.NUMBER if tn == "HEAP_NUMBER_TYPE" else NodeType.ARRAY
                continue
            if r.derived_type_names.get(it) == "BIGINT_TYPE":  # digits, not pointers (placed
                self.kind[i] = K_RAW  # by its neighbours, not exported: typenames.py)
                self.ntype[i] = NodeType.BIGINT
                continue
            if tn == "SYMBOL_TYPE":
                self.is_name[i] = True
                self.ntype[i] = NodeType.SYMBOL
            elif it == r.oddball_type or tn == "HOLE_TYPE":
                self.is_oddball[i] = True
            elif tn == "MAP_TYPE":
                self.ntype[i] = NodeType.OBJECT_SHAPE
            elif it in (code_type, istream, bytecode_type):
                self.ntype[i] = NodeType.CODE
                if it == istream:
                    self.scan_words[i] = 3
                elif it == code_type and istream is None:
                    self.scan_words[i] = 6  # V8 10.2: instructions follow the header inline
                elif it == bytecode_type:
                    self.scan_words[i] = bytecode_data // 8
            elif r.is_context_type(it):
                # a module's context: its variables follow one more header slot
                self.kind[i] = K_MODULE_CONTEXT if it == r.module_context_type else K_CONTEXT
                self.ntype[i] = NodeType.OBJECT  # "system / Context", as V8 snapshots have it
            elif r.is_js_receiver_type(it):
                self.kind[i] = K_JSOBJ
                # a bound function is a `closure` named `native_bind` in V8's snapshot
                self.ntype[i] = (NodeType.CLOSURE if r.is_js_function_type(it)
                                 or tn == "JS_BOUND_FUNCTION_TYPE" else
                                 NodeType.REGEXP if tn == "JS_REG_EXP_TYPE" else NodeType.OBJECT)
                self.is_dict[i] = mi.is_dictionary
                self.is_global[i] = tn == "JS_GLOBAL_OBJECT_TYPE"
                self.el_dict[i] = mi.elements_kind == dict_kind
                self.coll[i] = {"JS_MAP_TYPE": C_MAP, "JS_SET_TYPE": C_SET}.get(tn, C_NONE)
            elif tn.endswith("ARRAY_TYPE") or tn.endswith("ARRAY_LIST_TYPE"):
                self.ntype[i] = NodeType.ARRAY
            if tn == "FIXED_ARRAY_TYPE":
                self.is_fixed[i] = True
        # EphemeronHashTable's type is not exported: take the maps of WeakMap/WeakSet tables
        weak_coll = [i for i, mi in enumerate(self.heap.maps)
                     if names.get(mi.instance_type) in ("JS_WEAK_MAP_TYPE", "JS_WEAK_SET_TYPE")]
        for k in self._backing_maps(weak_coll, _COLLECTION_TABLE):
            self.kind[k] = K_EPHEMERON

    def _backing_maps(self, owner_maps: list[int], offset: int) -> set[int]:
        """Map indexes of the objects that field `offset` of `owner_maps`' instances points to."""
        if not owner_maps:
            return set()
        sel = np.flatnonzero(np.isin(self.omap, np.array(owner_maps, dtype=np.int32)))
        vals = _read_many(self.mem, self.ss, self.se, self.so,
                          self.addrs[sel] + np.uint64(offset))
        idx = _lookup(self.addrs, vals)
        return set(self.omap[idx[idx >= 0]].tolist())

    # --------------------------------------------------------------------------- node names
    def _node_names(self) -> np.ndarray:
        """int32 per object: class name (histogram naming), string text, function name.

        Only internalized strings (property keys, variable names: the names edges use) get
        their text in `strings`; every other string is -1, its text decoded from the core when
        a label needs it (`HeapGraph.lazy_name`): a heap of millions of strings would
        otherwise become millions of Python `str`."""
        names = list(self.heap.map_names())
        tn = self.r.type_names
        for i, mi in enumerate(self.heap.maps):  # V8 snapshot names where they read better
            if self.kind[i] in (K_CONTEXT, K_MODULE_CONTEXT):
                names[i] = "system / Context"
            elif tn.get(mi.instance_type) == "JS_GLOBAL_OBJECT_TYPE":
                names[i] = "global"
            elif mi.instance_type == self.r.heap_number_type:
                names[i] = "heap number"
        map_sid = np.array([self.sid(n) for n in names] + [0], dtype=np.int32)
        out = map_sid[self.omap]
        out[self.is_string[self.omap] & ~self.is_internalized[self.omap]] = -1
        seq = np.where(self.is_internalized, self.is_seq, 0).astype(np.int8)[self.omap]
        sel = np.flatnonzero(seq > 0)
        if len(sel):
            # one decode per encoding, then str slices: no per-string bytes objects, and no
            # interning (node names may repeat in `strings`; edge names use these indexes)
            buf, offs = _seq_string_bytes(self.mem8, self.ss, self.se, self.so, self.addrs,
                                          sel, seq, NAME_LIMIT)
            first = len(self.strings)
            two = (seq[sel] == 2).tolist()
            lo, hi = offs[:-1].tolist(), offs[1:].tolist()
            big = buf.tobytes().decode("latin-1")  # one-byte strings are sliced out of this
            texts = [buf[a:b].tobytes().decode("utf-16-le", "replace") if t else big[a:b]
                     for t, a, b in zip(two, lo, hi, strict=True)]
            del big
            self.strings.extend(texts)
            out[sel] = np.arange(first, first + len(sel), dtype=np.int32)
            del texts, buf, offs
        r = self.r
        other = np.flatnonzero(self.is_internalized[self.omap] & (seq == 0))
        if len(other):  # cons / sliced / thin strings of one-byte parts: flattened compiled
            itype = np.array([mi.instance_type for mi in self.heap.maps] + [0], dtype=np.int32)
            buf, offs, ok = _flat_strings(self.mem8, self.ss, self.se, self.so, self.addrs,
                                          self.omap, itype, other, NAME_LIMIT)
            big = buf.tobytes().decode("latin-1")
            first = len(self.strings)
            lo, hi = offs[:-1].tolist(), offs[1:].tolist()
            self.strings.extend(big[a:b] for a, b in zip(lo, hi, strict=True))
            del big
            out[other] = np.arange(first, first + len(other), dtype=np.int32)
            for k in other[~ok].tolist():  # two-byte or external parts: the Python reader
                text = r.string(int(self.addrs[k]) + 1, NAME_LIMIT)
                if text is not None:
                    out[k] = self.sid(text)
        sym = np.flatnonzero(self.ntype[self.omap] == NodeType.SYMBOL)
        for k in sym.tolist():  # named as V8's snapshot names symbol keys: `<symbol kFoo>`,
            addr = int(self.addrs[k]) + 1  # and a private field's key `#foo` as is
            desc = r.symbol_description(addr)
            out[k] = self.sid(desc if desc and r.is_private_name(addr) else
                              f"<symbol {desc}>" if desc else "<symbol>")
        is_fn = np.array([r.is_js_function_type(mi.instance_type) for mi in self.heap.maps]
                         + [False], dtype=bool)
        bound = (self.ntype[self.omap] == NodeType.CLOSURE) & ~is_fn[self.omap]
        out[bound] = self.sid("native_bind")
        fns = np.flatnonzero(is_fn[self.omap])
        if len(fns):
            sfis = _read_many(self.mem, self.ss, self.se, self.so,
                              self.addrs[fns] + np.uint64(r.off_fn_shared))
            uniq, inv = np.unique(sfis, return_inverse=True)
            ids = np.array([self.sid(r.sfi_name(int(s)) or "") if is_heap_object(int(s)) else 0
                            for s in uniq.tolist()], dtype=np.int32)
            out[fns] = ids[inv]
        return out

    def _name_id(self, k: int) -> int:
        """String index of object `k`'s name, decoding a lazy string's text when needed."""
        i = int(self.node_name[k])
        if i < 0:
            i = self.sid(self.r.string(int(self.addrs[k]) + 1, NAME_LIMIT) or "")
        return i

    # ------------------------------------------------------------------------ label tables
    def _field_labels(self) -> dict[str, dict[int, tuple[int, int]]]:
        """class name -> {word: (edge type, name id)} from the exported class_* constants."""
        out: dict[str, dict[int, tuple[int, int]]] = {}
        for name, value in self.c.values.items():
            if not name.startswith("class_") or value % 8 or value <= 0 or value > 4096:
                continue
            parts = name[6:].split("__")
            if len(parts) < 3:
                continue
            cls, fld, typ = parts[0], parts[1], "__".join(parts[2:])
            if typ in ("SMI", "int", "uint16_t", "uint8_t", "char", "uintptr_t", "int16_t",
                       "uint32_t", "int32_t", "double", "float"):
                continue
            et = EdgeType.WEAK if "weak" in typ.lower() or typ.startswith("Maybe") else \
                EdgeType.INTERNAL
            out.setdefault(cls, {})[value // 8] = (int(et), self.sid(_FIELD_RENAME.get(fld, fld)))
        return out

    def _map_tables(self) -> dict[str, np.ndarray]:
        heap, r = self.heap, self.r
        fields = self._field_labels()
        by_lower = {k.lower(): k for k in fields}
        names = r.type_names
        lab_type: list[int] = []
        lab_name: list[int] = []
        m = len(heap.maps)
        lab_base = np.zeros(m, dtype=np.int64)
        lab_len = np.zeros(m, dtype=np.int32)
        oob_base = np.zeros(m, dtype=np.int64)
        oob_len = np.zeros(m, dtype=np.int32)
        cst_base = np.zeros(m, dtype=np.int64)
        cst_len = np.zeros(m, dtype=np.int32)
        oob_name: list[int] = []
        cst_name: list[int] = []
        cst_to: list[int] = []
        s_map, s_props, s_elems = self.sid("map"), self.sid("properties"), self.sid("elements")
        s_table, s_si, s_prev = self.sid("table"), self.sid("scope_info"), self.sid("previous")
        receiver = {**fields.get("HeapObject", {}), **fields.get("JSReceiver", {}),
                    **fields.get("JSObject", {})}
        receiver[1] = (int(EdgeType.INTERNAL), s_props)
        receiver[2] = (int(EdgeType.INTERNAL), s_elems)
        fn_fields = dict(fields.get("JSFunction", {}))
        code_off = getattr(heap.facts, "js_function_code", None)
        if code_off is not None:  # not exported on this V8: a snapshot names it `code`
            fn_fields.setdefault(code_off // 8, (int(EdgeType.INTERNAL), self.sid("code")))
        str_cls = {1: "ConsString", 3: "SlicedString", 5: "ThinString"}
        present = np.bincount(self.omap, minlength=m + 1)[:m] > 0
        struct_fields = _struct_fields(heap)
        weak_words = {"JS_WEAK_REF_TYPE": _WEAK_REF_WORDS,
                      "WEAK_CELL_TYPE": heap.facts.weak_cell_weak_words}

        def unexported_fields(labels: dict, tn: str | None) -> None:
            """Weak targets, then promise internals, where V8 exports no field name."""
            for word in weak_words.get(tn, ()):
                labels[word] = (int(EdgeType.WEAK), self.sid("target"))
            for word, fname in struct_fields.get(tn, {}).items():
                labels.setdefault(word, (int(EdgeType.INTERNAL), self.sid(fname)))
        for i, mi in enumerate(heap.maps):
            if not present[i]:
                continue
            it = mi.instance_type
            tn = names.get(it, "")
            labels: dict[int, tuple[int, int]] = {}
            cst_base[i] = len(cst_name)
            if self.kind[i] == K_JSOBJ:
                labels.update(receiver)
                if r.is_js_function_type(it):
                    labels.update(fn_fields)
                # exports win; a generator's type is placed by its neighbours (typenames.py)
                layout = UNEXPORTED_EDGES.get(tn or r.derived_type_names.get(it, ""), {})
                for word, fname in layout.items():
                    labels[word] = (int(EdgeType.INTERNAL), self.sid(fname))
                cls = by_lower.get(_class_key(tn))
                if cls:
                    labels.update(fields[cls])
                if self.coll[i] or tn in ("JS_WEAK_MAP_TYPE", "JS_WEAK_SET_TYPE"):
                    labels[_COLLECTION_TABLE // 8] = (int(EdgeType.INTERNAL), s_table)
                unexported_fields(labels, tn)
                if not mi.is_dictionary:
                    props = self._descriptor_props(mi)
                    inobj = mi.instance_size // 8 - mi.inobject_start
                    outs: list[tuple[int, int]] = []
                    for name_id, loc, value in props:
                        if loc == "field":
                            if value < inobj:
                                labels[mi.inobject_start + value] = (int(EdgeType.PROPERTY),
                                                                     name_id)
                            else:
                                outs.append((value - inobj, name_id))
                        else:
                            j = _lookup(self.addrs, np.array([value], dtype=np.uint64))[0]
                            if j >= 0:
                                cst_name.append(name_id)
                                cst_to.append(int(j))
                    if outs:
                        oob_base[i] = len(oob_name)
                        n = max(k for k, _ in outs) + 1
                        row = [-1] * n
                        for k, name_id in outs:
                            row[k] = name_id
                        oob_name.extend(row)
                        oob_len[i] = n
            elif self.kind[i] in (K_CONTEXT, K_MODULE_CONTEXT):
                labels[2] = (int(EdgeType.INTERNAL), s_si)
                labels[3] = (int(EdgeType.INTERNAL), s_prev)
                if self.kind[i] == K_MODULE_CONTEXT:
                    labels[4] = (int(EdgeType.INTERNAL), self.sid("extension"))
            elif self.is_string[i]:
                labels.update(fields.get(str_cls.get(it & 7, ""), {}))
            else:
                cls = by_lower.get(_class_key(tn))
                if cls:
                    labels.update(fields[cls])
                unexported_fields(labels, tn)
            cst_len[i] = len(cst_name) - cst_base[i]
            labels[0] = (int(EdgeType.INTERNAL), s_map)
            n = max(labels) + 1
            lab_base[i] = len(lab_type)
            lab_len[i] = n
            row_t = [_UNLABELLED] * n
            row_n = [0] * n
            for k, (et, nm) in labels.items():
                row_t[k], row_n[k] = et, nm
            lab_type.extend(row_t)
            lab_name.extend(row_n)
        return {
            "lab_base": lab_base, "lab_len": lab_len,
            "lab_type": np.array(lab_type + [0], dtype=np.uint8),
            "lab_name": np.array(lab_name + [0], dtype=np.int64),
            "oob_base": oob_base, "oob_len": oob_len,
            "oob_name": np.array(oob_name + [-1], dtype=np.int64),
            "cst_base": cst_base, "cst_len": cst_len,
            "cst_name": np.array(cst_name + [0], dtype=np.int64),
            "cst_to": np.array(cst_to + [0], dtype=np.int64),
        }

    def _descriptor_props(self, mi) -> list[tuple[int, str, int]]:  # noqa: ANN001
        """(name id, "field"|"const", field index or tagged value) of a fast-mode map."""
        n = mi.own_descriptors
        d = mi.descriptors
        if not n or not is_heap_object(d):
            return []
        c = self.c
        hdr = c.get("class_DescriptorArray__header_size__uintptr_t") or 24
        esize = 8 * c.get("prop_desc_size", 3)
        raw = self.heap.core.try_read(d - 1 + hdr, esize * n)
        if raw is None:
            return []
        loc_shift, loc_mask = c.get("prop_location_shift", 0), c.get("prop_location_mask", 0)
        idx_shift, idx_mask = c.get("prop_index_shift", 0), c.get("prop_index_mask", 0)
        field_loc = c.get("prop_location_Field", 0)
        out = []
        keys = np.array([struct.unpack_from("<Q", raw, k * esize)[0] for k in range(n)],
                        dtype=np.uint64)
        kidx = _lookup(self.addrs, keys)
        for k in range(n):
            _, details, value = struct.unpack_from("<3Q", raw, k * esize)
            if kidx[k] < 0:
                continue
            name_id = self._name_id(int(kidx[k]))
            det = smi(details)
            if loc_mask and (det & loc_mask) >> loc_shift == field_loc:
                out.append((name_id, "field", (det & idx_mask) >> idx_shift))
            elif is_heap_object(value):
                out.append((name_id, "const", value))
        return out

    # ------------------------------------------------------------------------------ assemble
    def _assemble(self, tb: dict[str, np.ndarray], roots: Roots) -> HeapGraph:
        n_obj = len(self.addrs)
        sets = roots.sets
        if len(sets) > _MAX_ROOT_SETS:
            raise AssertionError(f"{len(sets)} root sets, at most {_MAX_ROOT_SETS} expected")
        base = 2 + len(sets)
        c = self.c
        ncl = c.get("scopeinfo_idx_ncontextlocals", 2) + 1
        si_base = c.get("scopeinfo_idx_first_vars", 3) + 1
        min_slots = c.get("context_min_slots", 2)
        prefix = c.get("namedictionaryshape_prefix_size", 2)
        esize = c.get("namedictionaryshape_entry_size", 3)
        gsize = c.get("globaldictionaryshape_entry_size", 1)
        cell_name = c.field("PropertyCell", "name", 8) // 8
        cell_value = c.field("PropertyCell", "value", 24) // 8
        params = np.array([
            self.sid("map"), ncl, si_base, 2 + min_slots, 2 + 3 + prefix, esize, gsize,
            cell_name, cell_value, 2 + 3 + 1, 3, _COLLECTION_TABLE // 8,
            self.sid("(weak)"),
        ], dtype=np.int64)
        num_names = np.array([self.sid(str(i)) for i in range(_NUM_NAMES)], dtype=np.int64)
        args = (self.mem, self.ss, self.se, self.so, self.addrs, self.omap, self.osize,
                self.node_name, self.kind, self.scan_words, self.is_name, self.is_string,
                self.is_oddball, self.is_fixed, self.is_dict, self.is_global, self.el_dict,
                self.coll, tb["lab_base"], tb["lab_len"], tb["lab_type"], tb["lab_name"],
                tb["oob_base"], tb["oob_len"], tb["oob_name"], tb["cst_base"], tb["cst_len"],
                tb["cst_name"], tb["cst_to"], params, num_names, base)
        eph_obj, eph_name = self._ephemeron_tables()
        pairs_n = np.zeros(1, dtype=np.int64)
        # synthetic part: root, (GC roots), sub-roots
        syn_t: list[np.ndarray] = []
        syn_n: list[np.ndarray] = []
        syn_to: list[np.ndarray] = []
        syn_cnt = []
        glob = np.unique(roots.globals)
        syn_t.append(np.array([EdgeType.ELEMENT] + [EdgeType.SHORTCUT] * len(glob), np.uint8))
        syn_n.append(np.array([1] + [self.sid("global")] * len(glob), np.int32))
        syn_to.append(np.concatenate([[1], glob + base]).astype(np.int32))
        syn_cnt.append(1 + len(glob))
        syn_t.append(np.full(len(sets), EdgeType.ELEMENT, np.uint8))
        syn_n.append(np.arange(1, len(sets) + 1, dtype=np.int32))
        syn_to.append(np.arange(2, 2 + len(sets), dtype=np.int32))
        syn_cnt.append(len(sets))
        weak_name = self.sid("weak handle")
        for rs in sets:
            order = np.lexsort((rs.weak, rs.targets))  # strong before weak per target
            tg, wk = rs.targets[order], rs.weak[order]
            first = np.ones(len(tg), bool)
            first[1:] = tg[1:] != tg[:-1]
            tg, wk = tg[first], wk[first]
            syn_t.append(np.where(wk, EdgeType.WEAK, EdgeType.ELEMENT).astype(np.uint8))
            syn_n.append(np.where(wk, weak_name, np.arange(1, len(tg) + 1)).astype(np.int32))
            syn_to.append((tg + base).astype(np.int32))
            syn_cnt.append(len(tg))
        e_syn = int(sum(syn_cnt))
        # count pass: per-object edge counts land in edge_start itself, then a cumsum in place
        ext = self.ext
        n_stores = self.n_stores
        n_blobs = len(self.blobs["owners"])
        n_ext = n_stores + n_blobs + len(self.zlib["owners"])
        edge_start = np.zeros(base + n_obj + n_ext + 1, dtype=np.int64)
        edge_start[1:base + 1] = np.cumsum(syn_cnt)
        counts = edge_start[base + 1:base + 1 + n_obj]
        dummy8 = np.zeros(1, dtype=np.uint8)
        dummy64 = np.zeros(1, dtype=np.int64)
        dummy32 = np.zeros(1, dtype=np.int32)
        for i0, i1 in self._chunks(n_obj):
            _edges(False, i0, i1, counts, dummy64, dummy8, dummy32, dummy32, *args,
                   eph_obj, eph_name, pairs_n, dummy64, dummy64, dummy64)
            self._release_core()
        xo = self.extra["owners"]
        counts[xo] += 1  # each owner's last edge: its backing store / its code
        # one key -> value edge per live WeakMap entry, placed at the end of the key's edges
        n_pairs = int(pairs_n[0])
        pair_key = np.empty(n_pairs, dtype=np.int64)
        pair_val = np.empty(n_pairs, dtype=np.int64)
        pair_nm = np.empty(n_pairs, dtype=np.int64)
        pairs_n[0] = 0
        np.cumsum(counts, out=counts)
        counts += e_syn
        edge_start[base + 1 + n_obj:] = edge_start[base + n_obj]  # native nodes: no edges
        del counts
        e_total = int(edge_start[-1])
        # fill pass, in CSR order, straight into the graph's columns; edge names are int32
        # (string indexes, element indexes < 2**31, ~node for lazily named edges)
        edge_type = np.empty(e_total, dtype=np.uint8)
        edge_name = np.empty(e_total, dtype=np.int32)
        edge_to = np.empty(e_total, dtype=np.int32)
        edge_type[:e_syn] = np.concatenate(syn_t)
        edge_name[:e_syn] = np.concatenate(syn_n)
        edge_to[:e_syn] = np.concatenate(syn_to)
        for i0, i1 in self._chunks(n_obj):
            _edges(True, i0, i1, dummy64, edge_start[base:], edge_type, edge_name, edge_to,
                   *args, eph_obj, eph_name, pairs_n, pair_key, pair_val, pair_nm)
            self._release_core()
        if int(pairs_n[0]) != n_pairs:
            raise AssertionError(f"{int(pairs_n[0])} WeakMap pairs filled, {n_pairs} counted")
        _place_pairs(edge_start, base, pair_key, pair_val, pair_nm, edge_type, edge_name, edge_to,
                     last_taken=xo)
        del pair_key, pair_val, pair_nm
        del args
        last = edge_start[base + 1 + xo] - 1
        edge_type[last] = EdgeType.INTERNAL
        edge_name[last] = self.extra["names"]
        edge_to[last] = (base + self.extra["to"]).astype(np.int32)
        self.extra = None
        off = _MAX_ROOT_SETS - len(sets)  # unused leading slots of the node columns
        node_type = np.empty(base + n_obj + n_ext, dtype=np.uint8)
        node_type[:base] = NodeType.SYNTHETIC
        np.take(self.ntype, self.omap, out=node_type[base:base + n_obj])
        node_type[base + n_obj:] = NodeType.NATIVE
        self.omap = None
        node_name = np.empty(base + n_obj + n_ext, dtype=np.int32)
        node_name[0] = self.sid("")
        node_name[1] = self.sid("(GC roots)")
        for k, rs in enumerate(sets):
            node_name[2 + k] = self.sid(rs.name)
        node_name[base:base + n_obj] = self.node_name
        node_name[base + n_obj:base + n_obj + n_stores] = self.sid("system / JSArrayBufferData")
        node_name[base + n_obj + n_stores:base + n_obj + n_stores + n_blobs] = \
            self.sid(BLOB_NODE)
        node_name[base + n_obj + n_stores + n_blobs:] = self.sid(ZLIB_NODE)
        self.node_name = None
        node_id = self.node_id[off:]
        node_id[:base] = np.arange(base, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
        self_size = self.self_size[off:]
        self_size[:base] = 0
        g = HeapGraph(node_type=node_type, node_name=node_name, node_id=node_id,
                      self_size=self_size, edge_start=edge_start, edge_type=edge_type,
                      edge_name=edge_name, edge_to=edge_to, strings=self.strings, root=0,
                      source="core", lazy_name=_StringTexts(self.r, node_id),
                      table_deletions=_TableDeletions(self.r, node_id),
                      array_slack=_ArraySlack(self.r, node_id))
        g.meta.update({
            "engine": ENGINE, "v8": self.heap.version, "first_object": base,
            "objects": n_obj, "external": ext["meta"], "function_code": self.code_meta,
            "blob_data": self.blobs["meta"], "zlib_memory": self.zlib["meta"],
            "native_state": self.native_state,
            "external_stores": (ext["stores"], ext["sizes"]),
            "external_strings": self.external_strings,
            "roots": roots.kinds, "capability": roots.capability,
            "root_counts": {rs.name: int(len(rs.targets)) for rs in sets},
            "traced_handles": {"blocks": self.traced.blocks,
                               "targets": int(len(self.traced.targets)),
                               "wrappers": int(len(np.unique(self.traced.owners)))},
        })
        return g

    def _ephemeron_tables(self) -> tuple[np.ndarray, np.ndarray]:
        """Object indexes (sorted) of the EphemeronHashTables (WeakMap/WeakSet backing
        stores) and, per table, the name of its key/value pair edges. The name carries the
        table's address the way V8's snapshot names these edges ("... pair in WeakMap (table
        @id)"), which is how `analyses/distances.py` recognises an ephemeron in either input."""
        obj = np.flatnonzero(self.kind[self.omap] == K_EPHEMERON).astype(np.int64)
        names = np.array([self.sid(f"part of key -> value pair in WeakMap (table @{a})")
                          for a in self.addrs[obj].tolist()], dtype=np.int64)
        return obj, names

    @staticmethod
    def _chunks(n: int):  # noqa: ANN205
        step = _CHUNK_OBJECTS
        return [(i, min(n, i + step)) for i in range(0, n, step)] or [(0, 0)]

    def _release_core(self) -> None:
        """Drop the core's mapped pages from our RSS (they stay in the page cache and fault
        back in when read again): the edge passes read the whole heap once, and a 1 GB core
        would otherwise sit in RSS next to the graph's arrays."""
        release_core_pages(self.heap)


class _StringTexts:
    """`HeapGraph.lazy_name` for a core graph: a string node's text, read from the core."""

    def __init__(self, reader, node_id: np.ndarray):  # noqa: ANN001
        self.reader = reader
        self.node_id = node_id

    def __call__(self, node: int) -> str:
        return self.reader.string(int(self.node_id[node]) + 1, NAME_LIMIT) or ""


class _TableDeletions:
    """`HeapGraph.table_deletions` for a core graph: NumberOfDeletedElements of a JS
    Map/Set's OrderedHashTable (JSCollection +24; the table's header, after its length, is
    elements, deleted, buckets as Smis), read from the core for the few nodes asked about."""

    def __init__(self, reader, node_id: np.ndarray):  # noqa: ANN001
        self.reader = reader
        self.node_id = node_id

    def __call__(self, node: int) -> int | None:
        r = self.reader
        obj = int(self.node_id[node]) + 1
        if r.type_names.get(r.type_of(obj)) not in ("JS_MAP_TYPE", "JS_SET_TYPE"):
            return None
        table = r.field(obj, 24)
        if table is None or not is_heap_object(table):
            return None
        head = [r.field(table, 16 + 8 * i) for i in range(3)]
        if any(h is None or not is_smi(h) for h in head):
            return None
        elements, deleted, buckets = (smi(h) for h in head)  # type: ignore[arg-type]
        # a table holds at most 2 entries a bucket, live and deleted together
        return deleted if 0 <= deleted and 0 <= elements and elements + deleted <= 2 * buckets \
            else None


class _ArraySlack:
    """`HeapGraph.array_slack` for a core graph: a JS Array's elements capacity (the
    FixedArray's length) minus its length (JSArray::length, a Smi), for fast elements."""

    def __init__(self, reader, node_id: np.ndarray):  # noqa: ANN001
        self.reader = reader
        self.node_id = node_id
        self.length_offset = reader.c.field("JSArray", "length", 24)

    def __call__(self, node: int) -> int | None:
        r = self.reader
        obj = int(self.node_id[node]) + 1
        if r.type_names.get(r.type_of(obj)) != "JS_ARRAY_TYPE":
            return None
        length, elements = r.field(obj, self.length_offset), r.field(obj, r.off_elements)
        if length is None or not is_smi(length) or elements is None or not is_heap_object(elements):
            return None
        if r.type_names.get(r.type_of(elements)) != "FIXED_ARRAY_TYPE":
            return None  # dictionary or double elements: no push slack to read
        capacity = r.field(elements, 8)
        if capacity is None or not is_smi(capacity) or smi(capacity) < smi(length):
            return None
        return smi(capacity) - smi(length)


def release_core_pages(heap: V8Heap) -> None:
    """`madvise(MADV_DONTNEED)` on the core's mmap (read-only, file-backed: nothing is lost)."""
    data = getattr(heap.core.elf, "data", None)
    if isinstance(data, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        try:
            data.madvise(mmap.MADV_DONTNEED)
        except (OSError, ValueError):
            pass


def _class_key(type_name: str) -> str:
    """`JS_ARRAY_BUFFER_TYPE` -> `jsarraybuffer`, to match exported class names."""
    return type_name.removesuffix("_TYPE").replace("_", "").lower()


def object_ordinal(g: HeapGraph, address: int) -> int:
    """Node ordinal of the object at `address` (tagged or not), -1 when it is not a node."""
    base = int(g.meta.get("first_object", 0))
    n = g.meta.get("objects")  # native nodes (backing stores) follow the objects
    ids = g.node_id[base:] if n is None else g.node_id[base:base + int(n)]
    a = np.uint64(address & ~3)
    k = int(np.searchsorted(ids, a))
    return base + k if k < len(ids) and ids[k] == a else -1


# --------------------------------------------------------------------------------- kernels
def _lookup(addrs: np.ndarray, words: np.ndarray) -> np.ndarray:
    from triage.v8.roots import lookup

    return lookup(addrs, words)


@kernel()  # a helper: compiled into its callers
def _rd(mem, ss, se, so, a):  # pragma: no cover
    k = np.searchsorted(ss, a, side="right") - 1
    if k < 0 or a + 8 > se[k]:
        return np.uint64(0)
    return mem[(so[k] + a - ss[k]) >> 3]


#: V8's String::kMaxLength on 64-bit hosts (2**29 - 24 characters)
_MAX_STRING_LENGTH = (1 << 29) - 24


def _in_ranges(addrs: np.ndarray, mappings: list) -> np.ndarray:
    """Which of `addrs` lie in one of the core's file mappings (start <= a < end)."""
    spans = np.array(sorted((m.start, m.end) for m in mappings), dtype=np.uint64).reshape(-1, 2)
    at = np.searchsorted(spans[:, 0], addrs, side="right") - 1
    inside = at >= 0
    inside[inside] = addrs[inside] < spans[at[inside], 1]
    return inside


def _read_many(mem: np.ndarray, ss: np.ndarray, se: np.ndarray, so: np.ndarray,
               addrs: np.ndarray) -> np.ndarray:
    return _read_many_k(mem, ss, se, so, addrs.astype(np.int64))


@kernel("uint64[:], int64[:], int64[:], int64[:], int64[:]")
def _read_many_k(mem, ss, se, so, addrs):  # pragma: no cover
    out = np.zeros(addrs.shape[0], dtype=np.uint64)
    for i in range(addrs.shape[0]):
        out[i] = _rd(mem, ss, se, so, addrs[i])
    return out


@kernel("uint8[:], int64[:], int64[:], int64[:], uint64[:], int64[:], int8[:], int64")
def _seq_string_bytes(mem8, ss, se, so, addrs, sel, seq, limit):  # pragma: no cover
    offs = np.zeros(sel.shape[0] + 1, dtype=np.int64)
    total = 0
    lens = np.zeros(sel.shape[0], dtype=np.int64)
    for j in range(sel.shape[0]):
        i = sel[j]
        a = np.int64(addrs[i])
        k = np.searchsorted(ss, a, side="right") - 1
        if k < 0 or a + 16 > se[k]:
            continue
        f = so[k] + a - ss[k]
        n = np.int64(mem8[f + 12]) | (np.int64(mem8[f + 13]) << 8) | (
            np.int64(mem8[f + 14]) << 16) | (np.int64(mem8[f + 15]) << 24)
        n = min(n, limit)
        nb = n if seq[i] == 1 else 2 * n
        if a + 16 + nb > se[k]:
            nb = 0
        lens[j] = nb
        total += nb
    buf = np.empty(total, dtype=np.uint8)
    p = 0
    for j in range(sel.shape[0]):
        offs[j] = p
        nb = lens[j]
        if nb:
            a = np.int64(addrs[sel[j]])
            k = np.searchsorted(ss, a, side="right") - 1
            f = so[k] + a - ss[k] + 16
            buf[p:p + nb] = mem8[f:f + nb]
            p += nb
    offs[sel.shape[0]] = p
    return buf, offs


@kernel("uint8[:], int64[:], int64[:], int64[:], uint64[:], int32[:], int32[:], int64[:], int64")
def _flat_strings(mem8, ss, se, so, addrs, omap, itype, sel, limit):  # pragma: no cover
    """Text (up to `limit` chars) of cons/sliced/thin strings whose leaves are sequential
    one-byte strings; `ok[j]` is False where a two-byte or external part was met."""
    m = sel.shape[0]
    ok = np.ones(m, dtype=np.bool_)
    offs = np.zeros(m + 1, dtype=np.int64)
    cap = m * 32 + 1024
    buf = np.empty(cap, dtype=np.uint8)
    p = 0
    st_a = np.empty(256, dtype=np.int64)
    st_o = np.empty(256, dtype=np.int64)
    st_n = np.empty(256, dtype=np.int64)
    for j in range(m):
        offs[j] = p
        i = sel[j]
        a = np.int64(addrs[i])
        k = np.searchsorted(ss, a, side="right") - 1
        if k < 0 or a + 16 > se[k]:
            ok[j] = False
            continue
        f = so[k] + a - ss[k]
        ln = np.int64(mem8[f + 12]) | (np.int64(mem8[f + 13]) << 8) | (
            np.int64(mem8[f + 14]) << 16) | (np.int64(mem8[f + 15]) << 24)
        top = 1
        st_a[0] = a + 1
        st_o[0] = 0
        st_n[0] = min(ln, limit)
        start = p
        while top > 0 and ok[j]:
            top -= 1
            obj, off, cnt = st_a[top], st_o[top], st_n[top]
            if cnt <= 0:
                continue
            oa = obj - 1
            k = np.searchsorted(ss, oa, side="right") - 1
            if k < 0 or oa + 32 > se[k] + 16:
                ok[j] = False
                break
            f = so[k] + oa - ss[k]
            mw = np.int64(0)
            for b in range(8):
                mw |= np.int64(mem8[f + b]) << (8 * b)
            ko = np.searchsorted(addrs, np.uint64(obj - 1))
            if ko >= addrs.shape[0] or np.int64(addrs[ko]) != oa:
                ok[j] = False
                break
            t = itype[omap[ko]]
            rep = t & 7
            if t >= 128 or (rep == 0 and (t & 8) == 0) or rep == 2:
                ok[j] = False  # not a string, two-byte sequential, or external
                break
            if rep == 0:
                if p + cnt > cap:
                    nb = np.empty(max(cap * 2, p + cnt + 1024), dtype=np.uint8)
                    nb[:p] = buf[:p]
                    buf = nb
                    cap = nb.shape[0]
                buf[p:p + cnt] = mem8[f + 16 + off:f + 16 + off + cnt]
                p += cnt
                continue
            w1 = np.int64(0)
            w2 = np.int64(0)
            for b in range(8):
                w1 |= np.int64(mem8[f + 16 + b]) << (8 * b)
                w2 |= np.int64(mem8[f + 24 + b]) << (8 * b)
            if top + 2 >= 256:
                ok[j] = False
                break
            if rep == 1:  # cons: first, then second
                k1 = np.searchsorted(ss, w1 - 1, side="right") - 1
                if k1 < 0:
                    ok[j] = False
                    break
                f1 = so[k1] + (w1 - 1) - ss[k1]
                l1 = np.int64(mem8[f1 + 12]) | (np.int64(mem8[f1 + 13]) << 8) | (
                    np.int64(mem8[f1 + 14]) << 16) | (np.int64(mem8[f1 + 15]) << 24)
                if off + cnt > l1:
                    st_a[top] = w2
                    st_o[top] = max(off - l1, 0)
                    st_n[top] = off + cnt - max(off, l1)
                    top += 1
                if off < l1:
                    st_a[top] = w1
                    st_o[top] = off
                    st_n[top] = min(cnt, l1 - off)
                    top += 1
            elif rep == 3:  # sliced: parent at +16, Smi offset at +24
                st_a[top] = w1
                st_o[top] = off + (w2 >> 32)
                st_n[top] = cnt
                top += 1
            elif rep == 5:  # thin: the actual string at +16
                st_a[top] = w1
                st_o[top] = off
                st_n[top] = cnt
                top += 1
            else:
                ok[j] = False
        if not ok[j]:
            p = start
    offs[m] = p
    return buf[:p], offs, ok


@kernel(inline="always")
def _find(addrs, v):  # pragma: no cover
    """Object index of tagged `v` (strong or weak) when it points at an object start, else -1."""
    t = v & np.uint64(3)
    if t != 1 and t != 3:
        return -1
    u = v & ~np.uint64(3)
    k = np.searchsorted(addrs, u)
    if k < addrs.shape[0] and addrs[k] == u:
        return k
    return -1


@kernel(inline="always")
def _key_name(node_name, k, base):  # pragma: no cover
    """Edge name for "named by object k's text": its string index, or ~node when lazy."""
    nm = node_name[k]
    if nm < 0:
        return ~(np.int64(k) + base)
    return np.int64(nm)


@kernel(
    "bool, int64, int64, int64[:], int64[:], uint8[:], int32[:], int32[:], uint64[:], "
    "int64[:], int64[:], int64[:], uint64[:], int32[:], int64[:], int32[:], int8[:], "
    "int32[:], bool[:], bool[:], bool[:], bool[:], bool[:], bool[:], bool[:], int8[:], "
    "int64[:], int32[:], uint8[:], int64[:], int64[:], int32[:], int64[:], int64[:], "
    "int32[:], int64[:], int64[:], int64[:], int64[:], int64, int64[:], int64[:], int64[:], "
    "int64[:], int64[:], int64[:]")
def _edges(fill, i0, i1, counts, starts, etype, ename, eto,  # pragma: no cover
           mem, ss, se, so, addrs, omap, osize, node_name, kind, scan_words, is_name,
           is_string, is_oddball, is_fixed, is_dict, is_global, el_dict, coll,
           lab_base, lab_len, lab_type, lab_name, oob_base, oob_len, oob_name,
           cst_base, cst_len, cst_name, cst_to, params, num_names, base,
           eph_obj, eph_name, pairs_n, pair_key, pair_val, pair_nm):
    name_map = params[0]
    ncl = params[1]
    si_base = params[2]
    ctx_first = params[3]
    nd_first = params[4]
    nd_esize = params[5]
    gd_esize = params[6]
    cell_name = params[7]
    cell_value = params[8]
    numd_first = params[9]
    numd_esize = params[10]
    table_word = params[11]
    weak_generic = params[12]
    for i in range(i0, i1):
        a = np.int64(addrs[i])
        m = omap[i]
        k = np.searchsorted(ss, a, side="right") - 1
        size = osize[i]
        p = starts[i] if fill else 0
        c = 0
        if k < 0 or a + size > se[k]:
            continue  # no edges of its own (a WeakMap key's pair edges may still be counted)
        fw = (so[k] + a - ss[k]) >> 3  # the object's first word in mem
        nw = size >> 3
        kd = kind[m]
        # the map word
        j = _find(addrs, mem[fw])
        if j >= 0:
            if fill:
                etype[p + c] = 3
                ename[p + c] = name_map
                eto[p + c] = j + base
            c += 1
        limit = nw
        if kd == 0:
            limit = 1
        elif scan_words[m] > 0 and scan_words[m] < nw:
            limit = scan_words[m]
        # context: local names from the ScopeInfo
        nloc = 0
        si_a = np.int64(0)
        first = ctx_first + 1 if kd == 5 else ctx_first  # a module's: after its extension
        si_shift = 0
        if (kd == 3 or kd == 5) and nw > 2:
            sj = _find(addrs, mem[fw + 2])
            if sj >= 0:
                si_a = np.int64(addrs[sj])
                cnt = _rd(mem, ss, se, so, si_a + 8 * ncl)
                if cnt & np.uint64(1) == 0:
                    nl = np.int64(cnt >> np.uint64(32))
                    if 0 < nl < SCOPE_INFO_INLINED_LOCALS_MAX:  # else one hash table
                        nloc = nl
                        # a module's ScopeInfo counts its module variables before the
                        # names (V8 12+): a Smi where a name (never a Smi) would be
                        if _rd(mem, ss, se, so, si_a + 8 * si_base) & np.uint64(1) == 0:
                            si_shift = 1
        lb = lab_base[m]
        ll = lab_len[m]
        pair_name = np.int64(-1)
        if kd == 4:
            ek = np.searchsorted(eph_obj, i)
            if ek < eph_obj.shape[0] and eph_obj[ek] == i:
                pair_name = eph_name[ek]
        for w in range(1, limit):
            v = mem[fw + w]
            j = _find(addrs, v)
            if j < 0:
                continue
            t = 4
            nm = np.int64(w)
            named = False
            if w < ll and lab_type[lb + w] != 255:
                t = lab_type[lb + w]
                nm = lab_name[lb + w]
                named = True
            elif (kd == 3 or kd == 5) and w >= first and w - first < nloc:
                kj = _find(addrs, _rd(mem, ss, se, so, si_a + 8 * (si_base + si_shift + w - first)))
                if kj >= 0:
                    t = 0
                    nm = _key_name(node_name, kj, base)
                    named = True
            elif kd == 4 and w >= 5:
                if (w - 5) % 2 == 0:
                    t = 6  # the key: a WeakMap does not keep its keys
                elif pair_name >= 0 and not is_oddball[omap[j]]:
                    # the value is kept only while the key is (an ephemeron): V8's snapshot
                    # has an edge from the table and one from the key, named alike
                    kj = _find(addrs, mem[fw + w - 1])
                    if kj >= 0 and not is_oddball[omap[kj]]:
                        t = 3
                        nm = pair_name
                        named = True
                        if fill:
                            q = pairs_n[0]
                            if q < pair_key.shape[0]:  # sized by the count pass; never past it
                                pair_key[q] = kj
                                pair_val[q] = j
                                pair_nm[q] = pair_name
                        else:
                            counts[kj] += 1
                        pairs_n[0] += 1
            if v & np.uint64(3) == 3:
                t = 6
            if t == 6 and not named:
                nm = num_names[w] if w < num_names.shape[0] else weak_generic
            if t == 4:
                nm = w
            if fill:
                etype[p + c] = t
                ename[p + c] = nm
                eto[p + c] = j + base
            c += 1
        if kd == 2 and nw > 2:
            # named properties held outside the object
            pv = mem[fw + 1]
            pj = _find(addrs, pv)
            if pj >= 0:
                pa = np.int64(addrs[pj])
                if is_global[m]:
                    cap = _rd(mem, ss, se, so, pa + 32)
                    capn = np.int64(cap >> np.uint64(32)) if cap & np.uint64(1) == 0 else 0
                    # the entries end the table: a GlobalDictionary's prefix is not a
                    # NameDictionary's (2 words, not 3, from V8 11 on), its length says
                    lw = _rd(mem, ss, se, so, pa + 8)
                    gd_first = 2 + np.int64(lw >> np.uint64(32)) - capn * gd_esize
                    if lw & np.uint64(1) != 0 or gd_first < 5 or gd_first > nd_first:
                        capn = 0
                    for e in range(min(capn, 1 << 24)):
                        cell = _find(addrs, _rd(mem, ss, se, so, pa + 8 * (gd_first + gd_esize * e)))
                        if cell < 0 or is_oddball[omap[cell]]:
                            continue
                        ca = np.int64(addrs[cell])
                        kj = _find(addrs, _rd(mem, ss, se, so, ca + 8 * cell_name))
                        vj = _find(addrs, _rd(mem, ss, se, so, ca + 8 * cell_value))
                        if kj >= 0 and vj >= 0 and is_name[omap[kj]]:
                            if fill:
                                etype[p + c] = 2
                                ename[p + c] = _key_name(node_name, kj, base)
                                eto[p + c] = vj + base
                            c += 1
                elif is_dict[m]:
                    cap = _rd(mem, ss, se, so, pa + 32)
                    capn = np.int64(cap >> np.uint64(32)) if cap & np.uint64(1) == 0 else 0
                    for e in range(min(capn, 1 << 24)):
                        ea = pa + 8 * (nd_first + nd_esize * e)
                        kj = _find(addrs, _rd(mem, ss, se, so, ea))
                        if kj < 0 or not is_name[omap[kj]]:
                            continue
                        vj = _find(addrs, _rd(mem, ss, se, so, ea + 8))
                        if vj >= 0:
                            if fill:
                                etype[p + c] = 2
                                ename[p + c] = _key_name(node_name, kj, base)
                                eto[p + c] = vj + base
                            c += 1
                else:
                    ob = oob_base[m]
                    for e in range(oob_len[m]):
                        nmid = oob_name[ob + e]
                        if nmid < 0:
                            continue
                        vj = _find(addrs, _rd(mem, ss, se, so, pa + 16 + 8 * e))
                        if vj >= 0:
                            if fill:
                                etype[p + c] = 2
                                ename[p + c] = nmid
                                eto[p + c] = vj + base
                            c += 1
            cb = cst_base[m]
            for e in range(cst_len[m]):
                if fill:
                    etype[p + c] = 2
                    ename[p + c] = cst_name[cb + e]
                    eto[p + c] = cst_to[cb + e] + base
                c += 1
            # elements
            ej = _find(addrs, mem[fw + 2])
            if ej >= 0:
                ea = np.int64(addrs[ej])
                em = omap[ej]
                if is_fixed[em]:
                    ln = _rd(mem, ss, se, so, ea + 8)
                    cnt = np.int64(ln >> np.uint64(32)) if ln & np.uint64(1) == 0 else 0
                    cnt = min(cnt, (osize[ej] - 16) // 8)
                    for e in range(cnt):
                        vj = _find(addrs, _rd(mem, ss, se, so, ea + 16 + 8 * e))
                        if vj >= 0 and not is_oddball[omap[vj]]:
                            if fill:
                                etype[p + c] = 1
                                ename[p + c] = e
                                eto[p + c] = vj + base
                            c += 1
                elif el_dict[m]:
                    cap = _rd(mem, ss, se, so, ea + 32)
                    capn = np.int64(cap >> np.uint64(32)) if cap & np.uint64(1) == 0 else 0
                    for e in range(min(capn, 1 << 24)):
                        kv = _rd(mem, ss, se, so, ea + 8 * (numd_first + numd_esize * e))
                        if kv & np.uint64(1) != 0:
                            continue
                        vj = _find(addrs, _rd(mem, ss, se, so,
                                              ea + 8 * (numd_first + numd_esize * e) + 8))
                        if vj >= 0 and not is_oddball[omap[vj]]:
                            if fill:
                                etype[p + c] = 1
                                ename[p + c] = np.int64(np.int32(np.uint32(kv >> np.uint64(32))))
                                eto[p + c] = vj + base
                            c += 1
            # Map / Set entries through the OrderedHashMap / OrderedHashSet table
            if coll[m] != 0 and nw > table_word:
                tj = _find(addrs, mem[fw + table_word])
                if tj >= 0:
                    ta = np.int64(addrs[tj])
                    h0 = _rd(mem, ss, se, so, ta + 16)
                    h1 = _rd(mem, ss, se, so, ta + 24)
                    h2 = _rd(mem, ss, se, so, ta + 32)
                    if (h0 | h1 | h2) & np.uint64(1) == 0:
                        nof = np.int64(h0 >> np.uint64(32))
                        ndel = np.int64(h1 >> np.uint64(32))
                        nb = np.int64(h2 >> np.uint64(32))
                        es = 3 if coll[m] == 1 else 2
                        first = ta + 16 + 8 * (3 + nb)
                        tot = min(nof + ndel, (osize[tj] // 8 - 5 - nb) // es)
                        for e in range(max(tot, 0)):
                            kv = _rd(mem, ss, se, so, first + 8 * es * e)
                            kj = _find(addrs, kv)
                            if kj >= 0 and is_oddball[omap[kj]]:
                                continue  # deleted entry (the hole) or an oddball key
                            if kj >= 0:
                                if fill:
                                    etype[p + c] = 1
                                    ename[p + c] = e
                                    eto[p + c] = kj + base
                                c += 1
                            if es == 3:
                                vj = _find(addrs, _rd(mem, ss, se, so, first + 8 * es * e + 8))
                                if vj >= 0:
                                    if fill:
                                        if kj >= 0 and is_string[omap[kj]]:
                                            etype[p + c] = 2
                                            ename[p + c] = _key_name(node_name, kj, base)
                                        elif kj < 0 and kv & np.uint64(1) == 0:
                                            etype[p + c] = 1
                                            ename[p + c] = np.int64(
                                                np.int32(np.uint32(kv >> np.uint64(32))))
                                        else:
                                            etype[p + c] = 1
                                            ename[p + c] = e
                                        eto[p + c] = vj + base
                                    c += 1
        if not fill:
            counts[i] += c


def _place_pairs(edge_start, base, pair_key, pair_val, pair_nm, etype, ename, eto,
                 last_taken: np.ndarray) -> None:
    """Write the key -> value edges of WeakMap entries into the tail of each key's edge range
    (the count pass reserved one slot per entry whose key is an object). The objects in
    `last_taken` (JSArrayBuffers, JSFunctions from V8 13) keep their very last slot for the
    backing-store / code edge, so such an object used as a WeakMap key gets its pairs
    just before it."""
    if not pair_key.shape[0]:
        return
    order = np.argsort(pair_key, kind="stable")
    keys = pair_key[order]
    _, first, per_key = np.unique(keys, return_index=True, return_counts=True)
    rank = np.arange(keys.shape[0]) - np.repeat(first, per_key)
    pos = edge_start[base + keys + 1] - np.isin(keys, last_taken) - np.repeat(per_key, per_key) + rank
    etype[pos] = EdgeType.INTERNAL
    ename[pos] = pair_nm[order]
    eto[pos] = pair_val[order] + base


# ------------------------------------------------------------------------ retainer paths
def shortest_path_tree(g: HeapGraph) -> tuple[np.ndarray, np.ndarray]:
    """BFS from the root over non-weak edges: `(pred_node int32[N], pred_edge int32[N])`
    (int64 edge indexes past 2**31 edges).

    One pass answers every "why is X alive" query with a shortest retainer path; -1 marks the
    root and unreachable nodes (garbage). Cached on the graph.
    """
    def compute() -> tuple[np.ndarray, np.ndarray]:
        pred = np.full(g.node_count, -1, dtype=np.int32)
        pedge = np.full(g.node_count, -1,
                        dtype=np.int32 if g.edge_count < 2**31 - 1 else np.int64)
        _bfs_tree(g.edge_start, g.edge_type, g.edge_to, g.root, pred, pedge)
        return pred, pedge

    return g.cached("v8.shortest_path_tree", compute)


def retainer_path(g: HeapGraph, node: int) -> list[int] | None:
    """Edge indexes from the root to `node` along a shortest path, None when unreachable."""
    pred, pedge = shortest_path_tree(g)
    if node == g.root:
        return []
    if pred[node] < 0:
        return None
    edges = []
    v = node
    while v != g.root:
        edges.append(int(pedge[v]))
        v = int(pred[v])
    return edges[::-1]


@kernel(
    "int64[:], uint8[:], int32[:], int64, int32[:], int32[:]",
    "int64[:], uint8[:], int32[:], int64, int32[:], int64[:]")
def _bfs_tree(edge_start, edge_type, edge_to, root, pred, pedge):  # pragma: no cover
    n = pred.shape[0]
    seen = np.zeros(n, dtype=np.uint8)
    queue = np.empty(n, dtype=np.int32)
    seen[root] = 1
    queue[0] = root
    head, tail = 0, 1
    while head < tail:
        v = queue[head]
        head += 1
        for e in range(edge_start[v], edge_start[v + 1]):
            if edge_type[e] == 6:
                continue
            t = edge_to[e]
            if seen[t]:
                continue
            seen[t] = 1
            pred[t] = v
            pedge[t] = e
            queue[tail] = t
            tail += 1
