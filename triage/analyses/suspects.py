"""Leak suspects: which objects pile up, where, and why they stay alive.

Eclipse MAT's Leak Suspects report, carried over to V8 heaps. For each candidate class (user
objects with many live instances) we find its *accumulation point*: walking down the
dominator tree from the root, the deepest object that still dominates at least half of the
class's live instances (lifted out of V8-internal backing stores to the user-level object,
e.g. from a Map's OrderedHashMap table to the `Map`). Classes accumulating in the same point
are one suspect. Suspects are ranked by the bytes accumulated there (retained by the
instances below the point, each counted once), so one `Map` holding 3,000 sessions outranks a
class that is merely common. Garbage (unreachable) objects are never counted: they are not
leaks. The pattern (Map cache, listener pile-up, uncleared timers, streams, closures) is
recognised from the point's class and its retainer path, and explained in plain words.
"""

from __future__ import annotations

import re
from collections import Counter
from math import floor
from typing import NamedTuple

import numpy as np

from triage.analyses.distances import UNREACHABLE, distances, path_tree
from triage.analyses.dominators import Dominators, class_retained, dominated_by, dominators
from triage.analyses.histogram import class_totals
from triage.analyses.retainers import (
    REGISTERS_EDGE,
    holder_expression,
    internal_kind,
    link_name,
    named_holder,
    node_ref,
    path_avoiding,
    retainer_paths,
    weak_map_entry_name,
)
from triage.compiled import kernel
from triage.heapgraph.model import STRING_TYPES, EdgeType, HeapGraph, NodeType, edges_of_nodes
from triage.heapgraph.naming import (
    class_origin,
    context_script,
    defined_by_program,
    follow,
    is_dependency_script,
    is_internal_script,
    program_function,
)
from triage.heapgraph.native_state import ICU_OBJECTS
from triage.units import human_bytes

ACCUMULATION_SHARE = 0.5
#: MAT's 10 % rule: a class spread over many holders that retains this share of the live
#: heap is a suspect by itself, and where its shortest paths meet is looked for
SPREAD_SHARE = 0.10
#: the fewest streams that are an accumulation when they keep SPREAD_SHARE of the live heap
#: (below `min_count`); one is a big object, not an accumulation
_FEW = 2
_STORE_TYPES = (NodeType.HIDDEN, NodeType.ARRAY, NodeType.OBJECT_SHAPE, NodeType.CODE)
_ERROR_CLASSES = {"Error", "TypeError", "RangeError", "SyntaxError", "ReferenceError",
                  "EvalError", "URIError", "AggregateError", "DOMException"}
_TYPED_ARRAYS = {"Int8Array", "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array",
                 "Int32Array", "Uint32Array", "Float16Array", "Float32Array", "Float64Array",
                 "BigInt64Array", "BigUint64Array", "DataView"}
#: the entries of Node's EventTarget listener lists (lib/internal/event_target.js): 3,000
#: listeners closing over 10 KB strings were "one Object retains 29 MiB" (no class to blame)
_EVENT_TARGET_LISTENER = "Listener"
#: Node's timer objects (node:internal/timers)
_TIMER_CLASSES = ("Timeout", "Immediate")
#: builtin classes a program fills itself; other classes must be defined in user code.
#: Errors kept "for the health page", Float64Array samples kept in a history, compiled
#: RegExps and parsed URLs memoized in a Map were no suspect at all until December 2026,
#: their class being V8's or Node's.
_BUILTIN_CANDIDATES = {"Object", "Array", "Map", "Set", "Promise", "Buffer", "ArrayBuffer",
                       "SharedArrayBuffer", "WeakRef", "Date", "RegExp", "URL",
                       "URLSearchParams", _EVENT_TARGET_LISTENER} | _ERROR_CLASSES | \
    _TYPED_ARRAYS | set(ICU_OBJECTS) | {
    # Node's web-platform and events classes a program makes one of per request: 6,000
    # AbortControllers registered in a Set for shutdown were no suspect at all. Not Blob
    # and File: each has a native handle of the same class name, so 120 Blobs counted 240
    # (a big-object suspect already names the Array of them and their native bytes)
    "AbortController", "AbortSignal", "Headers", "FormData", "EventEmitter", "EventTarget",
    "Event", "CustomEvent",
    # node:vm's Script, which a template engine compiles once per template: 400 kept in a
    # Map, a quarter of the heap with their compiled code and sources, were no suspect
    "Script",
    # node:readline's Interface, made per prompt and never closed: its listeners on the
    # input keep it, and 300 were "601 Object objects ... referenced from `input`"
    "Interface",
    # a timer the program keeps itself: 3,000 cleared Timeouts left in a Set `timers` were
    # no suspect (those in Node's timer lists are Node's, and the class they keep is said)
    *_TIMER_CLASSES}
_BACKING_STORES = {"ArrayBuffer", "SharedArrayBuffer"}
_STREAM_CLASSES = {
    "Socket", "TLSSocket", "Server", "ReadStream", "WriteStream", "Readable", "Writable",
    "Duplex", "Transform", "PassThrough", "IncomingMessage", "ServerResponse", "ClientRequest",
    "Http2Session", "Http2Stream", "WebSocket", "FileHandle",
    # zlib streams: each also holds zlib's native state (~280 KiB to deflate), outside the
    # JS heap; 400 left open were "800 ArrayBuffer accumulate in one Array"
    "Deflate", "Inflate", "DeflateRaw", "InflateRaw", "Gzip", "Gunzip", "Unzip",
    "BrotliCompress", "BrotliDecompress",
}


class _PathTree(NamedTuple):
    """A tree of shortest paths from the roots (`distances.path_tree`), walked where the
    dominator tree is: its parents in `idom`, as `_lift` and `_sample_under` read them."""

    idom: np.ndarray
    order: np.ndarray


def find_suspects(g: HeapGraph, *, top: int = 5, min_count: int = 20,
                  min_share: float = 0.005, convention: str = "devtools",
                  candidates: int = 25, max_paths: int = 3) -> list[dict]:
    """Most suspect first. Each suspect:

    ```
    {rank, type, pattern, reason,
     count, shallow_bytes, retained_bytes,          # all live instances of `type`;
                                                    # of the one object for a big-object
     accumulation_point: {node: {type, name, id}, holder, count, share,
                          retained_bytes, accumulated_bytes} | None,
     held_types: [{type, count, accumulated_bytes}],  # other classes piled in the same place
     retainer_paths: [[{node: {type, name, id}, edge: {type, label} | None}, ...]],
     score_bytes}
    ```
    `retained_bytes` of a type follows DevTools (nested instances counted once);
    `accumulated_bytes` is the part of it held below the accumulation point. `min_count`
    live instances and `min_share` of the live heap are needed to be a suspect.
    """
    dist = distances(g)
    dom = dominators(g, convention)
    cls = g.node_class
    live = dist != UNREACHABLE
    obj = live & ((g.node_type == NodeType.OBJECT) | (g.node_type == NodeType.REGEXP))
    count, shallow = class_totals(g, obj)
    del obj
    cret = class_retained(g, dom)
    live_total = int(g.self_size[live].sum()) or 1
    # fewer streams that together keep a tenth of the live heap count too, as in MAT (which
    # counts no instances): each holds its library's native state (8 Brotli compressors
    # kept 85 MiB of a 94 MiB process, and 20 decompressors of 5 MiB beside them were the
    # suspect); a few big Maps stay big objects, each by its own name
    streams = [i for name in _STREAM_CLASSES if 0 <= (i := g.find_string(name)) < len(count)]
    heavy = np.zeros(len(count), dtype=bool)
    heavy[streams] = (count[streams] >= _FEW) & (cret[streams] >= SPREAD_SHARE * live_total)
    eligible = [
        int(c) for c in np.nonzero((count >= min_count) | heavy)[0]
        if not _internal_class(g.strings[int(c)]) and not _code_not_data(g.strings[int(c)])
    ]
    eligible.sort(key=lambda c: -int(cret[c]))
    # Intl objects weigh little in the heap and much in ICU's: enough of them are candidates
    # whatever their retained size (2,000 DateTimeFormat in a cache: 600 KB and 60 MB)
    eligible = eligible[:candidates] + [c for c in eligible[candidates:]
                                        if _native_each(g.strings[c]) * count[c] >= NATIVE_MIN]
    cnt = np.zeros(g.node_count, dtype=np.int32)
    best = np.zeros(g.node_count, dtype=np.int32)
    by_point: dict[int, list[dict]] = {}
    found: list[dict] = []  # candidates with an accumulation point, in candidate order
    spread: list[dict] = []
    origins: dict[int, dict | None] = {}
    for c in eligible:
        origin = _origin_of(g, cls, dist, c)
        origins[c] = origin
        cname = g.strings[c]
        user = origin is not None and not is_internal_script(origin["script"])
        dependency = user and is_dependency_script(origin["script"])
        if not (user or cname in _BUILTIN_CANDIDATES or cname in _STREAM_CLASSES):
            continue
        _class_tree(dom.idom, dom.order, cls, c, dist, cnt, best)
        total = int(cnt[g.root])
        if total < min_count and not heavy[c]:
            continue
        store = _walk_down(g, best, cnt, cls, c, g.root, ACCUMULATION_SHARE * total)
        chain = _chain_below(g, best, cls, store) or _list_of_instances(g, best, cls, c, store)
        linked = (_linked_root(g, best, cnt, cls, c, store, ACCUMULATION_SHARE * total)
                  if chain is None and user else -1)
        # the instances hold one another: the one held from outside is the point
        point = linked if linked >= 0 else _lift(g, dom, store)
        if chain is not None and point >= 0:
            point = _chain_variable(g, best, store, point)
            point = _list_held_by_global(g, chain, cname, point)
            point = _chain_in_closure_variable(g, best, chain, point)
        elif point >= 0 and linked < 0 and int(g.node_type[point]) == NodeType.OBJECT:
            index = _collection_holding(g, cls, c, point, int(cnt[store]))
            if index >= 0:  # an LRU cache: its Map holds every entry, its list orders them
                point = index
            else:
                chain = _list_held_by(g, cls, c, point, int(cnt[store]))
        tree: Dominators | _PathTree = dom
        if (int(cret[c]) >= SPREAD_SHARE * live_total and cname != _FETCH_BODY
                and (point < 0 or (chain is None and _meet_at_global_only(
                    g, dom, dist, cls, c, point, store, best)))):
            # nothing below the roots (or the global object) dominates them: where their
            # shortest paths meet (undici's bodies have their own: _fetch_dispatcher_facts)
            met = _where_paths_meet(g, dist, cls, c, user, total, cnt, best)
            if met is not None:
                tree, store, point = met
            else:  # back to the dominator tree's counts
                _class_tree(dom.idom, dom.order, cls, c, dist, cnt, best)
        # Counts come from the dominator subtree that holds the instances (`store`, e.g. a
        # Map's table), which `point` (its owner) does not always dominate: a handle taken
        # mid-rehash can share the table.
        cand = {"class": c, "total": total, "point": point,
                # (less the store itself when it is one: a dictionary of plain objects)
                "under": int(cnt[store]) - int(cls[store] == c) if point >= 0 else 0,
                "accumulated": int(_accumulated(tree.idom, tree.order, cls, c, dom.retained,
                                                 dist, store)) if point >= 0 else 0,
                "sample": -1, "chain": chain, "linked": linked >= 0,
                # what the store that holds them keeps in all (external memory of views
                # shared between instances is dominated by the store, not by one instance)
                "kept": int(dom.retained[point if (chain and point == chain["head"])
                                         or linked >= 0 else store]) if point >= 0 else 0,
                "shared_paths": tree is not dom,
                "native": _native_each(cname) * int(cnt[store]) if point >= 0 else 0}
        if point < 0:
            cand["accumulated"] = int(cret[c])
            if user:  # a builtin class spread everywhere is just the runtime
                spread.append(cand)
            elif (fetch := _fetch_dispatcher_facts(g, dist, cand)) is not None:
                found.append(cand | fetch | {"user": False})  # (unless it is fetch's)
            continue
        if cand["shared_paths"]:  # the store dominates none of them: what they keep
            cand["kept"] = cand["accumulated"]
        cand["sample"] = _sample_under(g, tree, dist, cls, c, store, best)
        if chain is not None:  # also show how the farthest instance hangs off the chain
            cand["deep_sample"] = _deepest_under(g, dom, dist, cls, c, store)
        cand["user"] = user
        cand["dependency"] = dependency
        found.append(cand)
    # 8 bytes a node, freed before the path queries below build the retainer index
    del cnt, best
    for cand in found:
        if (not cand["user"] and "unread_fetch" not in cand and not _user_owned(g, cand["point"])
                and not _kept_by_program_code(g, dom, cand["sample"], cand["point"])):
            fetch = _fetch_dispatcher_facts(g, dist, cand)
            if fetch is None:
                continue  # a builtin class piling up inside Node's own structures
            cand.update(fetch)
        by_point.setdefault(cand["point"], []).append(cand)
    groups = _merge_nested(g, dom, by_point)

    def _shown(lead: dict) -> bool:
        """Enough instances at the point (fewer for a heavy stream class), and weight."""
        few = lead["point"] >= 0 and lead["under"] < (_FEW if heavy[lead["class"]]
                                                      else min_count)
        return not few and _weight(lead) >= min_share * live_total

    if any(grp[0]["point"] >= 0 and g.class_name(grp[0]["point"]) == "Object"
           for grp in groups):  # (a JSON document is a plain object)
        data = _json_module_exports(g)
        groups = [grp for grp in groups if grp[0]["point"] not in data]
    for grp in groups:
        point = grp[0]["point"]
        if _builtin_kind(g, point) in ("Map", "Set"):
            grp[0]["deleted"] = g.deleted_entries(point)
    # only the accumulations big and many enough to be shown: 16 Uint8Arrays of 4 MiB in a
    # Map are too few to be one, and the Map that holds them (64 MiB) was then no big
    # object either, because "an accumulation lies under it"; no suspect at all
    groups = [grp for grp in groups if _shown(grp[0])]
    # one object holding a tenth of the heap by itself (MAT's "one instance of X occupies"):
    # ranked among the accumulations by what it retains. A plain object of plain objects
    # that big is a document (30,000 parsed feature flags), named as the one object it is
    # rather than as a pile of a class it does not have; a dictionary whose group another
    # class leads (a memo's `.lines` Arrays) stays that accumulation
    bigs = _big_objects(g, dom, dist, live_total,
                        [grp[0]["point"] for grp in groups if not _plain_dictionary(g, grp[0])])
    groups = [grp for grp in groups if not (_plain_dictionary(g, grp[0]) and any(
        _dominates(g, dom, b["point"], grp[0]["point"], limit=_DEEP) for b in bigs))]
    groups += [[b] for b in bigs]
    # a collection that is deleted from is a cache doing its job more often than a leak:
    # ranked after accumulations of a quarter of its size that nothing deletes from
    groups.sort(key=lambda grp: -_weight(grp[0]) * (0.25 if grp[0].get("deleted") else 1))
    # MAT's 10 % rule, after the accumulations: a user class holding much, but spread out
    groups += [[s] for s in sorted(spread, key=lambda x: -x["accumulated"])
               if s["accumulated"] >= SPREAD_SHARE * live_total]
    out = []
    for grp in groups:
        lead = grp[0]
        if lead.get("big"):
            out.append(_describe_big(g, dom, dist, lead, count, max_paths))
            if len(out) >= top:
                break
            continue
        desc = _describe(g, dom, dist, lead, grp[1:], count, shallow, cret, max_paths)
        desc["defined_at"] = origins.get(lead["class"])
        out.append(desc)
        if len(out) >= top:
            break
    registry = _symbol_registry(g, dom, dist, live_total, max_paths)
    if registry is not None:  # among the others by what it keeps
        at = next((i for i, s in enumerate(out) if s["score_bytes"] < registry["score_bytes"]),
                  len(out))
        out = (out[:at] + [registry] + out[at:])[:top]
    for i, s in enumerate(out, 1):
        s["rank"] = i
    return out


#: fewest registered symbols that are a suspect (with BIG_OBJECT_SHARE of the live heap)
_REGISTRY_MIN = 1000


def _symbol_registry(g: HeapGraph, dom: Dominators, dist, live_total: int,
                     max_paths: int) -> dict | None:
    """A `symbol-registry` suspect: most live symbols dominated by one V8 table that only
    the roots hold, which is the registry of `Symbol.for()` (V8's public symbol table; a
    program's Map of symbols is held by its Map). A registered symbol is never collected:
    60,000 `Symbol.for('request-' + id)` kept 7 MiB, 72 % of the heap, in a table named
    `(system) type 185`, and there was no suspect at all."""
    sym = np.flatnonzero((g.node_type == NodeType.SYMBOL) & (dist != UNREACHABLE))
    if sym.shape[0] < _REGISTRY_MIN:
        return None
    owners, counts = np.unique(dom.idom[sym], return_counts=True)
    k = int(np.argmax(counts))
    table, n = int(owners[k]), int(counts[k])
    if (n < _REGISTRY_MIN or table < 0 or int(g.node_type[table]) == NodeType.OBJECT
            or not all(int(g.node_type[u]) == NodeType.SYNTHETIC
                       for _, u in g.retainers_of(table))):
        return None
    retained = int(dom.retained[table])
    if retained < max(BIG_OBJECT_SHARE * live_total, BIG_OBJECT_MIN_BYTES):
        return None
    mine = sym[dom.idom[sym] == table]
    share = retained / max(live_total, 1)
    return {
        "rank": 0, "type": "(symbol)", "pattern": "symbol-registry",
        "reason": (f"{n:,} symbols made with Symbol.for() stay in V8's registry, which keeps "
                   f"{human_bytes(retained)} with their keys ({share:.0%} of the live heap): "
                   "a registered symbol is never collected, so a key that differs per call "
                   "(`Symbol.for('request-' + id)`) grows the registry for the life of the "
                   "process; use Symbol() for a symbol of one object, Symbol.for() only "
                   "for a fixed set of keys"),
        "count": n, "shallow_bytes": int(g.self_size[mine].sum()), "retained_bytes": retained,
        "accumulation_point": {"node": node_ref(g, table), "holder": "Symbol.for() registry",
                               "count": n, "share": round(n / sym.shape[0], 4),
                               "retained_bytes": retained, "accumulated_bytes": retained},
        "held_types": [], "retainer_paths": retainer_paths(g, int(mine[0]), max_paths=max_paths),
        "score_bytes": retained, "defined_at": None}


#: MAT's default: an object retaining this share of the live heap is a suspect by itself
BIG_OBJECT_SHARE = 0.10
#: ... and at least this much: in a small heap (Node's own is about 4 MiB) a 1.6 MiB cache
#: at its limit was "One RecentPages retains 1.6 MiB (37% of the live heap)", no memory
#: problem at all
BIG_OBJECT_MIN_BYTES = 2 << 20


def _big_objects(g: HeapGraph, dom: Dominators, dist, live_total: int,
                 points: list[int]) -> list[dict]:
    """User-level objects that alone retain >= BIG_OBJECT_SHARE of the live heap, the
    highest of each dominator chain, unless an accumulation suspect lies under them (then
    that suspect says more). A global object or a Node-internal holder (the module cache)
    is passed through to the user's object below it."""
    need = max(BIG_OBJECT_SHARE * live_total, BIG_OBJECT_MIN_BYTES)
    # objects and strings only: a closure holding one is how the program names it
    # (`report`), not it; a log kept in one string with += is one big string
    cand = np.flatnonzero(dom.retained >= need)  # a few nodes: filtered without [N] temporaries
    cand = cand[np.isin(g.node_type[cand], (NodeType.OBJECT, *STRING_TYPES)) & (dist[cand] > 1)]
    chosen: list[int] = []
    for v in cand[np.argsort(-dom.retained[cand], kind="stable")].tolist()[:64]:
        if int(g.node_type[v]) in STRING_TYPES:
            if not _held_by_program(g, v):
                continue
        elif _internal_class(g.class_name(v)) or not _user_level(g, v):
            continue
        if any(_dominates(g, dom, c, v, limit=_DEEP) for c in chosen):
            continue  # a part of a bigger one already chosen
        chosen.append(v)
    out = []
    for v in chosen:
        if any(p >= 0 and _dominates(g, dom, v, p, limit=_DEEP) for p in points):
            continue
        v = _big_part(g, dom, dist, v)
        retained = int(dom.retained[v])
        big = {"big": True, "class": int(g.node_class[v]), "point": v, "total": 1,
               "under": 1, "accumulated": retained, "kept": retained, "sample": v,
               "chain": None, "share": retained / max(live_total, 1)}
        table = _evicting_table(g, dom, dist, v)
        if table >= 0:  # ranked as an evicting accumulation is
            big |= {"deleted": g.deleted_entries(table),
                    "evicting": "it" if table == v else f"its {_builtin_kind(g, table)}"}
        out.append(big)
    return out


def _evicting_table(g: HeapGraph, dom: Dominators, dist, v: int) -> int:
    """The Map or Set that is big object `v` or holds most of it (BIG_PART_SHARE), when
    its hash table shows deleted entries (a cache that evicts), else -1. Only a core's
    graph knows a table's deletions."""
    table = v
    if _builtin_kind(g, v) not in ("Map", "Set"):
        table = _biggest_dominated(g, dom, dist, v)
        if (table < 0 or _builtin_kind(g, table) not in ("Map", "Set")
                or dom.retained[table] < BIG_PART_SHARE * dom.retained[v]):
            return -1
    return table if g.deleted_entries(table) else -1


#: MAT's accumulation-point rule: go down while one child keeps this share of its parent
BIG_PART_SHARE = 0.8


def _big_part(g: HeapGraph, dom: Dominators, dist, v: int) -> int:
    """The object under a plain wrapper `v` that holds most of it, as MAT descends the
    dominator tree while one child keeps >= 80 % of its parent: `{revoked: Set}` held as
    `auth` is the Set `auth.revoked`. An instance of a class (`report`, a ReportCache) or a
    collection is the object to name itself; its biggest part is said in the reason. Only
    into objects the program can name, never into a backing store (a Map's table, an
    object's property dictionary): those are how an object holds its content."""
    listeners = _emitter_listeners(g, dom, dist, v)
    if listeners >= 0:
        return listeners
    for _ in range(64):
        if g.class_name(v) != "Object" or class_origin(g, v) is not None:
            return v
        top = _biggest_dominated(g, dom, dist, v)
        if top < 0 or dom.retained[top] < BIG_PART_SHARE * dom.retained[v]:
            return v
        if int(g.node_type[top]) == NodeType.CLOSURE:  # a memoized function's `cache`
            top = _captured_part(g, dom, dist, top, BIG_PART_SHARE * dom.retained[v])
            if top < 0:
                return v
            if int(g.node_type[top]) in STRING_TYPES:  # a log built with += behind a getter
                return top
        listeners = _emitter_listeners(g, dom, dist, top)
        if listeners >= 0:
            return listeners
        if _internal_class(g.class_name(top)) or not _user_level(g, top):
            return v
        v = top
    return v


def _captured_part(g: HeapGraph, dom: Dominators, dist, f: int, need: float) -> int:
    """The value of a variable of closure `f` (one the program defined, and alone keeps
    alive with its context) that retains `need` bytes, or -1. 3,000 results of
    `memoize(render)` kept in the closure's `cache` were "One Object `exports` retains 23.8
    MiB, most of it in `.getProfile` (Function)": the Map is the object to name. A string
    is too: a log built with += and read through a getter was "mostly 1 Function"."""
    context = _own_context(g, dom, f) if program_function(g, f) else -1
    if context < 0:
        return -1
    top = _biggest_dominated(g, dom, dist, context, strings=True)
    return top if top >= 0 and dom.retained[top] >= need else -1


def _biggest_dominated(g: HeapGraph, dom: Dominators, dist, v: int, *,
                       strings: bool = False) -> int:
    """Of the objects and closures (and strings, if asked) `v` links to and alone keeps
    alive, the one retaining most (or -1)."""
    kids = _getters_for_accessors(g, dom, _dominated_children(g, dom, dist, v))
    kinds = (NodeType.OBJECT, NodeType.CLOSURE, *(STRING_TYPES if strings else ()))
    kids = kids[np.isin(g.node_type[kids], kinds)]
    return int(kids[np.argmax(dom.retained[kids])]) if kids.shape[0] else -1


def _getters_for_accessors(g: HeapGraph, dom: Dominators, kids: np.ndarray) -> np.ndarray:
    """`kids` with each accessor pair (`get log() {...}` on an object) replaced by its getter
    when the pair alone keeps it: a core's graph has the pair between the object and the
    function (a snapshot links them directly, `get log`)."""
    pairs = np.flatnonzero(g.node_type[kids] == NodeType.HIDDEN)
    if not pairs.shape[0]:
        return kids
    out = kids.copy()
    for i in pairs.tolist():
        u = int(kids[i])
        getter = follow(g, u, "getter")
        if getter >= 0 and int(dom.idom[getter]) == u:
            out[i] = getter
    return out


def _dominated_children(g: HeapGraph, dom: Dominators, dist, v: int) -> np.ndarray:
    """The distinct nodes `v` links to and alone keeps alive: its children in the dominator
    tree that it references itself. Only reached nodes count: `idom` of a node no root
    reaches (the far end of a weak edge) is left unset."""
    to = np.unique(g.edge_to[int(g.edge_start[v]):int(g.edge_start[v + 1])])
    return to[(dist[to] != UNREACHABLE) & (dom.idom[to] == v)]


def _own_context(g: HeapGraph, dom: Dominators, f: int) -> int:
    """The context of closure `f` when `f` alone keeps it (its variables are its own, not
    shared with other closures of the same scope), or -1."""
    context = follow(g, f, "context")
    return context if context >= 0 and int(dom.idom[context]) == f else -1


def _emitter_listeners(g: HeapGraph, dom: Dominators, dist, v: int) -> int:
    """The listener Array of one event that holds most of EventEmitter `v`, or -1. 2,000
    closures added by `bus.on('config-changed')` were "One Object `exports` retains 15.9
    MiB, most of it in `.bus` (EventEmitter)", and "most of it in `._events`" for a class
    extending EventEmitter: the listeners that pile up are the object to name."""
    events = follow(g, v, "_events")
    if events < 0 or int(dom.idom[events]) != v:
        return -1
    lists = _dominated_children(g, dom, dist, events)
    lists = lists[g.node_class[lists] == g.string_id("Array")]
    if not lists.shape[0]:
        return -1
    top = int(lists[np.argmax(dom.retained[lists])])
    return top if dom.retained[top] >= BIG_PART_SHARE * dom.retained[v] else -1


def _held_by_program(g: HeapGraph, v: int) -> bool:
    """Is string `v` a value of the program's own: a variable of one of its closures, a
    property of a global object, or a property or element of an instance of one of its
    classes? A script's source is held by V8's Script and by Node's loader (a plain
    `{source}` record): a 1.4 MB bundle in a 5 MB heap is code, not a big string
    (`big_script_source`)."""
    if _held_by_user_closure(g, v):
        return True
    for e, u in g.retainers_of(v):
        if int(g.edge_type[e]) not in (EdgeType.PROPERTY, EdgeType.ELEMENT):
            continue
        if g.class_name(u) == "global" or defined_by_program(g, u):
            return True
    return False


def _user_level(g: HeapGraph, v: int) -> bool:
    """An instance of a class the program defined, or a builtin container (Object, Map,
    Buffer...) its code holds. A Buffer's class is Node's (FastBuffer), which made an 8 MiB
    `upload.body` no object of the program's: the big object was its `{body}` wrapper."""
    if defined_by_program(g, v):
        return True
    return g.class_name(v) in _BUILTIN_CANDIDATES and (_user_owned(g, v)
                                                       or _holds_program_functions(g, v))


def _holds_program_functions(g: HeapGraph, v: int, limit: int = 16) -> bool:
    """Are the first entries of container `v` functions of the program? Node's own object
    can hold them: 2,000 `process.on('exit')` listeners closing over 8 KB strings (16 MiB
    in `process._events.exit`) were no suspect, `process` being Node's."""
    return any(program_function(g, int(u)) for u in _element_targets(g, v)[:limit])


def _element_targets(g: HeapGraph, v: int) -> np.ndarray:
    """The nodes `v`'s element edges lead to (an Array's entries, in order)."""
    a, b = int(g.edge_start[v]), int(g.edge_start[v + 1])
    return g.edge_to[a:b][g.edge_type[a:b] == EdgeType.ELEMENT]


def _emitter_and_event(holder: str) -> tuple[str, str] | None:
    """`process` and `exit` of a holder `process._events.exit` (or `bus._events['a-b']`):
    an EventEmitter keeps each event's listeners under `_events`."""
    if "._events" not in holder:
        return None
    emitter, rest = holder.rsplit("._events", 1)
    return emitter or "an emitter", rest.strip(".[]'\"") or "?"


def _describe_big(g: HeapGraph, dom: Dominators, dist, lead: dict, count,
                  max_paths: int) -> dict:
    """A `big-object` suspect: which object, by what name, and where most of it sits."""
    v = lead["point"]
    name = g.class_name(v)
    holder = named_holder(g, v, dominators=dom.idom)
    paths = retainer_paths(g, v, max_paths=max_paths)
    if holder is None:
        holder = holder_expression(paths[0]) if paths else name
    retained = lead["accumulated"]
    owner = _closure_of_variable(g, dom, v, holder)
    where = f" (a variable of the closure `{owner}`)" if owner else ""
    part = ""
    child = -1
    a, b = int(g.edge_start[v]), int(g.edge_start[v + 1])
    parts = [(int(dom.retained[u]), e) for e in range(a, b)
             if dist[u := int(g.edge_to[e])] != UNREACHABLE and int(dom.idom[u]) == v]
    if parts and int(g.node_type[v]) not in STRING_TYPES:  # a string's parts are no news
        size, e = max(parts)
        # a named part (`.revoked`), not a backing store (an object's property dictionary
        # is `internal properties`): what a store holds is said by `_big_object_content`
        if size >= retained // 2 and int(g.node_type[int(g.edge_to[e])]) not in _STORE_TYPES:
            child = int(g.edge_to[e])
            part = (f", most of it in `{g.edge_label(e)}` ({g.class_name(child)}, "
                    f"{human_bytes(size)}{_dictionary_content(g, dom, dist, child, size)})")
    if not part and int(g.node_type[v]) not in STRING_TYPES:
        keys = _key_count(g, v)
        many = f", in {keys:,} properties" if keys >= _MANY_KEYS and name == "Object" else ""
        part = many + _big_object_content(g, dom, dist, v, retained)
    if name == "Promise":
        part = _pending_reactions(g, dom, dist, v) or part
    if int(g.node_type[v]) == NodeType.CONCATENATED_STRING:
        part = _rope_appends(g, v)
    if lead.get("deleted"):  # a bounded cache at its limit more often than a leak
        part += (f"; {lead['evicting']} is also deleted from ({lead['deleted']:,} deleted entries wait "
                 "in its table for the next resize): a cache with eviction, at its limit or "
                 "evicting too little; whether it grows shows only between two dumps "
                 "(`triage diff`)")
    emitter_event = _emitter_and_event(holder)
    if emitter_event and name == "Array":  # an EventEmitter's listeners of one event
        emitter, event = emitter_event
        entries = _element_targets(g, v)
        listeners = int(np.count_nonzero(g.node_type[entries] == NodeType.CLOSURE))
        part += (f": {listeners:,} listeners for '{event}' on `{emitter}`, added and never "
                 "removed")
    elif part.startswith(", most of it in") and g.class_name(child) == "Array":
        part += _closures_captured(g, dom, child)
    elif name == "Array" and (captured := _closures_captured(g, dom, v)):
        # says more than ", mostly 2,000 Function (15.8 MiB)"
        part = captured if part.startswith(", mostly") else part + captured
    c = lead["class"]
    instances = int(count[c])
    if int(g.node_type[v]) in STRING_TYPES:  # the histogram counts objects only
        instances = int(np.count_nonzero((g.node_class == c) & (dist != UNREACHABLE)))
    return {
        "rank": 0, "type": name, "pattern": "big-object",
        "reason": (f"One {name} `{holder}`{where} retains {human_bytes(retained)} "
                   f"({lead['share']:.0%} of the live heap) by itself{part}"),
        # the suspect is this one object: its figures, not its class's (a JSON reader that
        # ranks by `retained_bytes` saw every Array's total for "One Array retains 15 MiB")
        "count": 1, "shallow_bytes": int(g.self_size[v]), "retained_bytes": retained,
        "accumulation_point": {"node": node_ref(g, v), "holder": holder, "count": 1,
                               "share": round(1 / max(instances, 1), 4),
                               "retained_bytes": retained, "accumulated_bytes": retained},
        "held_types": [], "retainer_paths": paths, "score_bytes": retained,
    }


def _rope_appends(g: HeapGraph, v: int) -> str:
    """`, a string grown by 60,000 appends ...` for a concatenated string: V8 keeps each
    `log += line` as a node pointing at the old string (`first`) and the line (`second`)
    until the string is read whole, so the length of that spine is how many times it grew
    (the `second` spine for a string grown at the front)."""
    appends = max(_spine(g, v, "first"), _spine(g, v, "second"))
    if appends < _ROPE_APPENDS:
        return ""
    return (f", a string grown by {appends:,} appends (+=, each kept as a piece until the "
            "string is read whole): a log or buffer that only grows; truncate it or write "
            "it out")


#: fewest appends that make a big string's rope worth saying
_ROPE_APPENDS = 100


def _spine(g: HeapGraph, v: int, edge: str) -> int:
    """How many concatenated strings follow one another from `v` through `edge`."""
    n = 0
    while int(g.node_type[v]) == NodeType.CONCATENATED_STRING and n < g.node_count:
        n += 1
        v = follow(g, v, edge)
        if v < 0:
            break
    return n


def _dictionary_content(g: HeapGraph, dom: Dominators, dist, v: int, retained: int) -> str:
    """`, in 8,000 properties, mostly 16,000 strings (3.5 MiB)` (its keys and values) when
    the big object's main part `v` is a plain object used as a dictionary: express-session's
    MemoryStore was "most of it in `.sessions` (Object, 4.2 MiB)", which did not say it is
    one session per key."""
    if g.class_name(v) != "Object" or int(g.node_type[v]) != NodeType.OBJECT:
        return ""
    keys = _key_count(g, v)
    if keys < _DICTIONARY_KEYS:
        return ""
    return f", in {keys:,} properties" + _big_object_content(g, dom, dist, v, retained)


def _pending_reactions(g: HeapGraph, dom: Dominators, dist, promise: int) -> str:
    """`: it is still pending, and 1 reaction waiting for it to settle ... keeps 31.6 MiB,
    mostly 4,000 strings` when a pending Promise's memory is in its reactions (the list of
    what runs when it settles: `.then` callbacks, `await`s, a Promise.all over it): a
    Promise.all's resolved values wait in the reaction on its one never-settling input, and
    "mostly 2 Function" said nothing of it. The content is said of the object that keeps
    >= 80 % of the reactions, found going down the dominator tree."""
    reaction = follow(g, promise, "reactions_or_result")
    if reaction < 0 or not _is_reaction(g, reaction) or int(dom.idom[reaction]) != promise:
        return ""
    count, r = 1, reaction
    while (r := _next_reaction(g, r)) >= 0 and count < 1_000_000:
        count += 1
    size = int(dom.retained[reaction])
    u = reaction
    for _ in range(16):  # reaction -> handler -> its context -> what it keeps
        kids = _dominated_children(g, dom, dist, u)
        if not kids.shape[0]:
            break
        top = int(kids[np.argmax(dom.retained[kids])])
        if dom.retained[top] < BIG_PART_SHARE * dom.retained[u]:
            break
        u = top
    content = _big_object_content(g, dom, dist, u, int(dom.retained[u]))
    them = "1 reaction" if count == 1 else f"{count:,} reactions"
    keep = "keeps" if count == 1 else "keep"
    return (f": it is still pending, and {them} waiting for it to settle (`.then` callbacks, "
            f"`await`s, a Promise.all or race over it) {keep} {human_bytes(size)}{content}")


def _next_reaction(g: HeapGraph, reaction: int) -> int:
    """The reaction after `reaction` in its promise's list, or -1. A core's graph names the
    field `next`; a snapshot leaves it an unnamed hidden edge (`hidden [1]`), so it is found
    by what it leads to."""
    for e in g.edges_of(reaction):
        u = int(g.edge_to[e])
        if u != reaction and _is_reaction(g, u):
            return u
    return -1


def _is_reaction(g: HeapGraph, v: int) -> bool:
    """A PromiseReaction: `system / PromiseReaction` in a snapshot, `(system)
    PROMISE_REACTION_TYPE` in a core's graph."""
    name = g.name(v)
    return "PromiseReaction" in name or "PROMISE_REACTION" in name


#: an Array is said to hold closures when at least this many of its entries are the program's
_MANY_CLOSURES = 100
#: closures whose captured variables are weighed (each costs a look at its context)
_CLOSURE_SAMPLE = 500


def _closures_captured(g: HeapGraph, dom: Dominators, arr: int) -> str:
    """`: 3,000 functions of the program, each keeping its own captured `snapshot` (23.7
    MiB)` for an Array of the program's closures (an observer list of a class of its own):
    "most of it in `.observers` (Array)" said what held the memory, not that it is
    callbacks that capture it, nor what they capture. The variable is the one that keeps
    most among a sample of the closures' contexts."""
    entries = _element_targets(g, arr)
    closures = entries[g.node_type[entries] == NodeType.CLOSURE]
    if closures.shape[0] < _MANY_CLOSURES or 2 * closures.shape[0] < entries.shape[0]:
        return ""
    sample = closures[:_CLOSURE_SAMPLE].tolist()
    if not all(program_function(g, f) for f in sample[:16]):
        return ""
    kept: Counter[str] = Counter()
    for f in sample:
        context = _own_context(g, dom, f)
        if context < 0:
            continue  # a context shared with others: nothing of its own
        for e in g.edges_of(context):
            u = int(g.edge_to[e])
            if int(g.edge_type[e]) == EdgeType.CONTEXT and int(dom.idom[u]) == context:
                kept[g.edge_name_str(e)] += int(dom.retained[u])
    what = f": {closures.shape[0]:,} functions of the program"
    if not kept:
        return what
    variable, size = kept.most_common(1)[0]
    total = size * closures.shape[0] // len(sample)  # the sample's share, scaled to all
    return f"{what}, each keeping its own captured `{variable}` ({human_bytes(total)} in all)"


def _owning_closure(g: HeapGraph, dom: Dominators, v: int) -> int:
    """The closure whose own context alone keeps `v` as a variable (a memoized function's
    `cache`), or -1: a variable named `cache` says little until it says whose. A module's
    own variable (`report`, kept by the one timer that uses it) is the module's, no
    closure's: its context's outer context is the native context, which has none."""
    context = int(dom.idom[v])
    if context < 0 or not any(int(g.edge_type[e]) == EdgeType.CONTEXT and u == context
                              for e, u in g.retainers_of(v)):
        return -1
    outer = follow(g, context, "previous")
    if outer < 0 or follow(g, outer, "previous") < 0:
        return -1
    f = int(dom.idom[context])
    return f if f >= 0 and program_function(g, f) and _own_context(g, dom, f) == context else -1


def _whose_variable(g: HeapGraph, dom: Dominators, point: int, holder: str,
                    reason: str) -> str:
    """`reason` with whose variable the holder is after its first mention, when it is one
    closure's (`_owning_closure`): memoize()'s 20,000 quotes "accumulate in one Map
    `cache`", and every memoized function has a `cache`."""
    owner = _closure_of_variable(g, dom, point, holder)
    if not owner or owner == holder:
        return reason
    return reason.replace(f"`{holder}`", f"`{holder}` (a variable of the closure `{owner}`)", 1)


def _closure_of_variable(g: HeapGraph, dom: Dominators, v: int, holder: str) -> str | None:
    """The name of the one closure whose variable `holder` (a bare name, `cache`) is the
    object `v`, or None: what a big object and an accumulation point both say of it."""
    if v < 0 or not _names_a_variable_alone(holder):
        return None
    closure = _owning_closure(g, dom, v)
    return named_holder(g, closure, dominators=dom.idom) if closure >= 0 else None


def _names_a_variable_alone(holder: str) -> bool:
    """Is `holder` one variable's name (`cache`), no path (`exports.cache`, `(global).x`)?"""
    return holder.isidentifier()


def _big_object_content(g: HeapGraph, dom: Dominators, dist, v: int, retained: int) -> str:
    """`, mostly 40,000 (concatenated string) (7.3 MiB)`: the class that holds most of what
    `v` retains among the objects it references and dominates, directly or through one
    backing store (an Array's elements), as MAT's report says where a big object's memory
    sits. Follows `v`'s edges first; only when no class there holds half does it take one
    pass over the dominator array for everything `v` dominates directly (a wasm Memory and a
    view of it share one buffer, dominated by `v` but none of its parts). When `v`'s own
    backing store is half of it, that is said instead (a Set of 500,000 numbers)."""
    kids = _dominated_children(g, dom, dist, v)
    is_store = np.isin(g.node_type[kids], _STORE_TYPES)
    parts = [kids[~is_store]]
    for u in kids[is_store].tolist():
        inner = _dominated_children(g, dom, dist, u)
        parts.append(inner[~np.isin(g.node_type[inner], _STORE_TYPES)])
    nodes = np.concatenate(parts)
    own = int(g.self_size[kids[is_store]].max()) if is_store.any() else 0
    if own >= retained // 2:  # a Set of 500,000 numbers: its table is the memory
        return (f", most of it in its own backing store ({human_bytes(own)}): the entries "
                "themselves (numbers, or references to what others hold too), not objects "
                "it keeps")
    if not nodes.shape[0]:
        return ""
    parent = _cut_from(g, dom, nodes, retained)
    if parent:
        return parent
    top, members, size = _main_class(g, dom, nodes)
    if size < retained / 2:
        # what it dominates through two of its own paths (a wasm Memory and a view of it
        # share one buffer): the dominator tree's children, one pass over idom
        deep = np.flatnonzero(dom.idom == v)
        deep = deep[(deep != v) & ~np.isin(g.node_type[deep], _STORE_TYPES)]
        top, members, size = _main_class(g, dom, deep)
        if size < retained / 2:
            return ""
    what = "strings" if top == len(g.strings) else _PRIMITIVES.get(g.strings[top], g.strings[top])
    return (f", mostly {len(members):,} {what} ({human_bytes(size)}"
            f"{_few_hold_most(dom.retained[members].astype(np.int64))})")


#: primitive values as a reason says them: "mostly 300,000 BigInts", not "(bigint)"
_PRIMITIVES = {"(bigint)": "BigInts", "(number)": "numbers", "(symbol)": "Symbols"}


def _main_class(g: HeapGraph, dom: Dominators, nodes: np.ndarray
                ) -> tuple[int, np.ndarray, int]:
    """(class, its nodes, bytes they retain) of the class that retains most among `nodes`.
    Strings are one kind here, flat or not: a Set of tokens holds "80,000 strings", not
    79,995 (concatenated string) and 5 (string); that kind is `len(g.strings)`."""
    if not len(nodes):
        return 0, nodes, 0
    text = np.isin(g.node_type[nodes], STRING_TYPES)
    keys = np.where(text, len(g.strings), g.node_class[nodes])
    sizes = np.bincount(keys, weights=dom.retained[nodes].astype(np.float64))
    top = int(np.argmax(sizes))
    return top, nodes[keys == top], int(sizes[top])


def _few_hold_most(sizes: np.ndarray) -> str:
    """`; 500 of them hold 24.4 MiB` when a minority holds nearly all: a Map of 500 cached
    bodies was "mostly 1,000 strings", its 500 short URL keys counted with them."""
    total = int(sizes.sum())
    if not sizes.shape[0] or total <= 0:
        return ""
    big = sizes >= total / sizes.shape[0] / 10  # a tenth of the mean or more
    held = int(sizes[big].sum())
    if np.count_nonzero(big) > 0.75 * sizes.shape[0] or held < 0.95 * total:
        return ""
    return f"; {int(np.count_nonzero(big)):,} of them hold {human_bytes(held)}"


def _cut_from(g: HeapGraph, dom: Dominators, nodes: np.ndarray, retained: int) -> str:
    """`, mostly one 8.0 MiB string that 10,000 sliced strings point into ...` when the big
    object's memory is a string its sliced strings were cut from: V8 keeps a slice of 13
    characters or more as a pointer into its parent, so 10,000 short ids sliced from an
    8 MB log text keep all of it. That string is no direct part of the object (the slices
    point at it), so the object's memory was said nowhere."""
    sliced = nodes[g.node_type[nodes] == NodeType.SLICED_STRING]
    if not sliced.shape[0]:
        return ""
    owners = set(dom.idom[nodes].tolist())
    cut: dict[int, int] = {}  # parent string -> slices pointing into it
    own_parents = 0  # bytes of parents that one slice each keeps
    for u in sliced[:100_000].tolist():
        for e in range(int(g.edge_start[u]), int(g.edge_start[u + 1])):
            t = int(g.edge_to[e])
            if int(g.node_type[t]) not in STRING_TYPES:
                continue
            if int(dom.idom[t]) in owners:
                cut[t] = cut.get(t, 0) + 1
            elif int(dom.idom[t]) == u:
                own_parents += int(dom.retained[t])
    if own_parents >= retained / 2:
        # 200 ids, each cut from its own 64 KiB payload: "mostly 200 strings (12.5 MiB)"
        return (f", mostly {sliced.shape[0]:,} sliced strings that keep the whole strings "
                f"they were cut from ({human_bytes(own_parents)}): a slice (substring, split "
                "piece, match) of 13 or more characters points into its parent; keep a copy "
                "(`Buffer.from(s).toString()`), not the slice")
    if not cut:
        return ""
    best = max(cut, key=lambda t: int(dom.retained[t]))
    if int(dom.retained[best]) < retained / 2:
        return ""
    return (f", mostly one {human_bytes(int(dom.retained[best]))} string that {cut[best]:,} "
            "sliced strings point into: a slice (substring, split piece, match) of 13 or more "
            "characters keeps the whole string it was cut from")


#: the classes of undici (Node's fetch) met on the way from a global to an unread body:
#: its dispatcher (Agent, Pool) and each connection (Client) with its queue of requests
_UNDICI_SCRIPT = "node:internal/deps/undici/undici"
_UNDICI_CONNECTION = "Client"
_FETCH_BODY = "Readable"  # undici's BodyReadable, the stream a response's body reads from
_FETCH_RESPONSES = ("Response", "_Response")  # Node 26 and Node 18-24
_GLOBAL_DISPATCHER_KEY = "<symbol undici.globalDispatcher"  # `.1>` (or `.2>`: undici 7)


def _fetch_dispatcher_facts(g: HeapGraph, dist, cand: dict, probe: int = 4) -> dict | None:
    """If `cand`'s instances (streams meeting only at a global or at the roots) are the
    unread bodies of fetch() responses, what the suspect becomes: its point the dispatcher,
    its sample an instance reached through it, `unread_fetch` the connections and the live
    responses. undici keeps a response's connection busy, and its body stream buffered, in
    its global dispatcher until the body is read or cancelled: 200 responses kept unread
    held 25 MiB, and no suspect was shown (the program's array of responses and undici's
    pool meet only at the global). Of the streams nearest the roots, `probe` are tried
    (each costs a path search); a snapshot names some of Node's prototypes `Readable` too,
    which are no stream."""
    point = cand["point"]
    if g.strings[cand["class"]] != _FETCH_BODY or (point >= 0 and g.class_name(point) != "global"):
        return None
    inst = np.flatnonzero((g.node_class == cand["class"]) & (dist != UNREACHABLE))
    streams = [u for u in inst[np.argsort(dist[inst], kind="stable")].tolist()
               if follow(g, u, "_readableState") >= 0]  # instances, not prototypes
    for v in streams[:probe]:
        paths = retainer_paths(g, v, max_paths=1)
        steps = [_node_by_id(g, step["node"]["id"]) for step in paths[0]] if paths else []
        undici = [i for i, u in enumerate(steps)
                  if (class_origin(g, u) or {}).get("script") == _UNDICI_SCRIPT]
        if not any(g.class_name(steps[i]) == _UNDICI_CONNECTION for i in undici):
            continue
        first = undici[0]  # what holds them all: the global dispatcher, if it is a global's
        dispatcher = _global_dispatcher(g) or (steps[first],
                                               holder_expression(paths[0][:first + 1]))
        connections = _live_instances(g, dist, _UNDICI_CONNECTION)  # one unread body each
        responses = sum(_live_instances(g, dist, n) for n in _FETCH_RESPONSES)
        return {"point": dispatcher[0], "holder": dispatcher[1], "sample": v,
                "under": min(len(streams), connections), "kept": cand["accumulated"],
                "unread_fetch": (connections, responses)}
    return None


def _live_instances(g: HeapGraph, dist, class_name: str) -> int:
    """Reachable instances of a class, not counting its prototype (which a snapshot names
    by the class: it is the one with an own `constructor`)."""
    c = g.find_string(class_name)
    if c < 0:
        return 0
    found = np.flatnonzero((g.node_class == c) & (dist != UNREACHABLE)).tolist()
    return sum(follow(g, u, "constructor") < 0 for u in found)


def _global_dispatcher(g: HeapGraph) -> tuple[int, str] | None:
    """undici's global dispatcher and its name, `(global)['<symbol undici.globalDispatcher.1>']`:
    what fetch() connections hang off, though a shorter path may reach them through a timer."""
    agents = g.find_string("Agent")
    for v in np.flatnonzero(g.node_class == agents).tolist() if agents >= 0 else []:
        for e, u in g.retainers_of(v):
            if (g.class_name(u) == "global"
                    and g.edge_name_str(e).startswith(_GLOBAL_DISPATCHER_KEY)):
                return v, f"(global)[{g.edge_name_str(e)!r}]"
    return None


#: Intl objects are candidates when their ICU state is estimated at this much or more
NATIVE_MIN = 8 << 20


def _native_each(name: str) -> int:
    """Bytes of native state one object of class `name` owns outside the heap, by the
    measured estimate (`heapgraph/native_state.py`); 0 for any other class."""
    return ICU_OBJECTS[name][1] if name in ICU_OBJECTS else 0


def _weight(lead: dict) -> int:
    """Bytes a suspect is ranked by: what it keeps in the heap, and the estimated native
    state of its Intl objects, which no retained size holds."""
    return _kept(lead) + lead.get("native", 0)


def _kept(lead: dict) -> int:
    """Bytes a suspect is ranked by: what its instances retain, or, when that is less than
    half of it, what the store holding them retains (memory the instances share, e.g. the
    ArrayBuffers behind many small Buffer views, is dominated by the store, not by one)."""
    kept = lead.get("kept", 0)
    return kept if kept >= 2 * lead["accumulated"] else lead["accumulated"]


def _internal_class(name: str) -> bool:
    """V8/Node internals are never leak candidates by themselves."""
    return not name or name.startswith(("system / ", "(", "Node / ", "v8::", "InternalNode"))


def _code_not_data(name: str) -> bool:
    """Prototype objects are made with their class, once: an error-class factory (http-errors,
    in every express app) makes dozens of `ClientError.prototype` at load, none of them a
    leak."""
    return name.endswith(".prototype")


@kernel("int32[:], int32[:], int32[:], int64, int32[:], int32[:], int32[:]")
def _class_tree(idom, order, cls, c, dist, cnt, best):  # pragma: no cover
    """Per dominator subtree, the live instances of class `c` in it (cnt), and per node the
    child with the most of them (best: the first in DFS order on ties; -1 for a leaf)."""
    n = idom.shape[0]
    for k in range(n):
        cnt[k] = 0
        best[k] = -1
    for k in range(n - 1, -1, -1):
        v = order[k]
        if cls[v] == c and dist[v] >= 0:
            cnt[v] += 1
        if k:
            cnt[idom[v]] += cnt[v]
    for k in range(1, n):  # children in DFS order
        v = order[k]
        p = idom[v]
        if best[p] < 0 or cnt[v] > cnt[best[p]]:
            best[p] = v


@kernel("int32[:], int32[:], int32[:], int64, int64[:], int32[:], int64")
def _accumulated(idom, order, cls, c, retained, dist, store):  # pragma: no cover
    """Retained bytes of the live instances of `c` that `store` dominates, counting an
    instance only when no dominator ancestor below `store` is an instance too (the plain
    wrappers a walk for class Object goes through are above it: `_plain_wrapper`)."""
    n = idom.shape[0]
    flag = np.zeros(n, dtype=np.uint8)  # 1: a dominator ancestor is an instance; 2: under store
    root = order[0]
    total = 0
    if root == store:
        flag[root] = 2
        if cls[root] == c and dist[root] >= 0:
            total += retained[root]
    for k in range(1, n):
        v = order[k]
        p = idom[v]
        f = flag[p]
        if cls[p] == c:
            f |= 1
        if v == store:
            f = 2
        flag[v] = f
        if f == 2 and cls[v] == c and dist[v] >= 0:
            total += retained[v]
    return total


def _merge_nested(g: HeapGraph, dom: Dominators, by_point: dict[int, list[dict]]) -> list:
    """One suspect per leak: points on one line of the dominator tree (the Array of listeners
    and the `_events` object above it) are merged, led by a user-defined class if there is one
    (the program's own over an installed package's, `_package_class_behind`), else by a
    stream (its buffers pile up with it: 400 open Deflate streams, not their 500
    ArrayBuffers), and never by ArrayBuffers when their views are there: 5,000 Buffers
    pushed into a stream's queue were "141 ArrayBuffer objects accumulate" (the pools the
    Buffers are slices of), as their backing stores weigh more than the Buffers."""
    groups = sorted(by_point.values(), key=lambda grp: -max(x["accumulated"] for x in grp))
    merged: list[list[dict]] = []
    for grp in groups:
        p = grp[0]["point"]
        for kept in merged:
            # on one line of the dominator tree with every point of the group: the 20,001
            # argument Arrays of two `events.on` backlogs meet at the module's exports, and
            # 5,000 Quotes in one backlog were "also held" with 19,999 TickEvents in the other
            if all(_dominates(g, dom, p, q) or _dominates(g, dom, q, p)
                   for q in {x["point"] for x in kept}):
                kept.extend(grp)
                break
        else:
            merged.append(list(grp))
    return [sorted(m, key=lambda x: (not x.get("user"), _package_class_behind(x, m),
                                     g.strings[x["class"]] not in _STREAM_CLASSES,
                                     g.strings[x["class"]] in _BACKING_STORES,
                                     _outer(g, dom, x, m), _values_hold_most(g, x, m),
                                     -x["accumulated"])) for m in merged]


def _package_class_behind(cand: dict, group: list[dict]) -> bool:
    """Is `cand` an installed package's class, with a class of the program's own at least
    half as heavy in the same group? The program's class is what its author knows: 3,000
    eventemitter3 `EE` listener records led over the 3,000 `Connection`s each keeps as its
    context, and 3,000 bluebird Promises over the `Job` each callback captures."""
    return cand.get("dependency", False) and any(
        other.get("user") and not other.get("dependency")
        and other["accumulated"] >= 0.5 * cand["accumulated"] for other in group)


def _values_hold_most(g: HeapGraph, cand: dict, group: list[dict]) -> bool:
    """Is `cand` the plain Objects of a dictionary whose values keep, in another class at the
    same point, at least half of what they accumulate? That class says more: a memo's 4,000
    values each hold a `.lines` Array of 20 objects (the Arrays lead), where 3,000 parsed
    documents each holding a 2-string `flags` Array are the Objects' suspect."""
    return _plain_dictionary(g, cand) and any(
        other is not cand and other["point"] == cand["point"]
        and other["accumulated"] >= 0.5 * cand["accumulated"] for other in group)


def _outer(g: HeapGraph, dom: Dominators, cand: dict, group: list[dict]) -> bool:
    """Is there a candidate in the group whose point lies below `cand`'s and holds most
    (BIG_PART_SHARE) of what `cand` accumulates? The deeper container says more, as MAT
    descends while one child keeps 80 %: in a parsed catalog, the 60,000 row Objects are in
    `catalog.rows`, and the Arrays (a `tags` Array per row, and `rows` itself) were "60,001
    Array objects accumulate in one Object `(global).config.catalog`"."""
    return any(other["point"] != cand["point"]
               and other["accumulated"] >= BIG_PART_SHARE * cand["accumulated"]
               and _dominates(g, dom, cand["point"], other["point"]) for other in group)


#: a big object's part may lie below a chain thousands of links long
_DEEP = 10_000_000


def _dominates(g: HeapGraph, dom: Dominators, a: int, b: int, limit: int = 64) -> bool:
    """Is `a` on the dominator chain from the root to `b` (or `b` itself), within `limit`
    steps up from `b`?"""
    v = b
    for _ in range(limit):
        if v == a:
            return True
        if v == g.root:
            return False
        v = int(dom.idom[v])
    return False


_NODE_GLOBALS = {"console", "process", "Buffer", "performance", "navigator", "crypto",
                 "globalThis", "global", "__proto__"}


def _user_owned(g: HeapGraph, point: int) -> bool:
    """Is the container held by user code (a closure or a global the program created)?

    First its own variables: a module-level `const auditLog = []` that a function of the
    program closes over is the program's, even when the shortest path to it runs through
    Node's internals (`queueMicrotask` -> `process` -> `mainModule.exports`)."""
    if _held_by_user_closure(g, point):
        return True
    paths = retainer_paths(g, point, max_paths=1, collapse=False)
    if not paths:
        return False
    path = paths[0]
    if _exported_by_a_module(path):
        return True
    for step in reversed(path):
        if step["node"]["type"] == "Function":
            return defined_by_program(g, _node_by_id(g, step["node"]["id"]))
    for step in path:
        edge = step["edge"]
        if edge and edge["type"] == "property":
            return edge["label"].lstrip(".") not in _NODE_GLOBALS
    return False


_EXPORTS_EDGES = (".exports", "['<symbol node:module_export>']")


def _kept_by_program_code(g: HeapGraph, dom: Dominators, sample: int, point: int,
                          limit: int = 16) -> bool:
    """Is the sample instance kept, below `point`, by the program's own code: a function
    of its scripts (a callback handed to Node) or one of its CommonJS modules? Node's timer
    lists are Node's, yet 2,000 intervals never cleared, each closure keeping a 16 KiB
    Buffer, are the program's leak (32 MiB in a TimersList); so are 300 hot-reloaded
    modules' exports that their parent's `children` keeps (20 MiB). Both were no suspect."""
    module = g.string_id("Module")
    v = sample
    for _ in range(limit):
        v = int(dom.idom[v])
        if v in (point, g.root):
            return False
        if int(g.node_type[v]) == NodeType.CLOSURE and defined_by_program(g, v):
            return True
        if int(g.node_type[v]) == NodeType.OBJECT and int(g.node_class[v]) == module:
            return True
    return False


def _exported_by_a_module(path: list[dict]) -> bool:
    """Does the path run through what a CommonJS module exports? A `Module` is a module of
    the program (or of its packages; Node's own are BuiltinModules): `module.exports =
    {tokens}`, reached as `process.mainModule.exports.tokens` through Node's
    `queueMicrotask`, was Node's, so 10,000 Float32Array views keeping a 16 MiB arena in it
    were no suspect (`leak_exported_views`)."""
    return any(path[i]["node"]["type"] == "Module" and (path[i + 1]["edge"] or {}).get("label")
               in _EXPORTS_EDGES for i in range(len(path) - 1))


def _json_module_exports(g: HeapGraph) -> set[int]:
    """What the `.json` modules export. Data read from a file once is no cache: mime-db's
    `db.json` (2,279 media types, in every express app) was "an unbounded cache unless
    something deletes from it". Found from the Modules (a few hundred), not from the
    object's retainers: without the retainer index, that scans every edge (71 M on the
    1 GB benchmark core)."""
    module = g.find_string("Module")
    if module < 0:
        return set()
    out = set()
    for m in np.flatnonzero(g.node_class == module).tolist():
        filename = follow(g, m, "filename")
        if filename >= 0 and g.name(filename).endswith(".json"):
            exports = follow(g, m, "exports")
            if exports >= 0:
                out.add(exports)
    return out


def _held_by_user_closure(g: HeapGraph, point: int, limit: int = 64) -> bool:
    """Is `point` a variable (`context var x`) of a context that a function of the program's
    own scripts runs in? Its closures tell, or else its scope: a module that fills a Map
    `compiled` and dies before anything keeps a closure of it (an OOM at start-up) has its
    context held by the running frame alone, and a Map of half the heap was no suspect."""
    looked = 0
    for e, ctx in g.retainers_of(point):
        if int(g.edge_type[e]) != EdgeType.CONTEXT:
            continue
        for e2, fn in g.retainers_of(ctx):
            looked += 1
            if looked > limit:
                return False
            if (int(g.node_type[fn]) == NodeType.CLOSURE and g.edge_name_str(e2) == "context"
                    and defined_by_program(g, fn)):
                return True
        script = context_script(g, ctx)
        if script is not None and not is_internal_script(script):
            return True
    return False


def _node_by_id(g: HeapGraph, node_id: int) -> int:
    return int(np.nonzero(g.node_id == node_id)[0][0])


def _origin_of(g: HeapGraph, cls, dist, c: int) -> dict | None:
    """Where class `c` is defined, read from a few of its live instances. Live ones only
    are looked at: a core still holds the garbage, and when the first instances in the
    heap were all dead (98,000 short-lived requests before the 2,000 kept), the class had
    no origin, was taken for Node's own, and was no suspect at all."""
    for v in np.flatnonzero((cls == c) & (dist != UNREACHABLE))[:5].tolist():
        o = class_origin(g, v)
        if o is not None:
            return o
    return None


def _walk_down(g: HeapGraph, best, cnt, cls, c, root: int, need: float) -> int:
    """Deepest non-instance node on the max-count chain that still holds `need` instances.

    A linked list of V8 internals (a promise's reactions, a chain of contexts) is a chain in
    the dominator tree too: each link dominates the rest. The walk stops at its head rather
    than half-way down a 4,000-link list, so the list's owner becomes the point. So does
    it before a queue of segments (`_segment_chain`)."""
    v = root
    walked = [root]
    through: list[tuple[int, int]] = []  # (node before it, plain wrapper) walked through
    while True:
        b = int(best[v])
        if b < 0 or cnt[b] < need:
            break
        if cls[b] == c:
            if not _plain_wrapper(g, best, cnt, cls, c, b, need):
                break
            through.append((v, b))
        elif v != root and _chain_period(g, best, cls, v):
            break
        elif _segment_chain(g, cnt, cls, v, b):
            break
        v = b
        walked.append(v)
    # a wrapper that holds the instances itself (its own properties or elements) is where
    # they are: the walk ends before it, as at any other instance; a Proxy of it is the
    # same wrapper seen through a handler. A wrapper with many keys is a dictionary, though,
    # and the point itself: a `cache = {}` of 3,000 parsed objects was no suspect (the walk
    # ended at the module's context, below the global object)
    for before, wrapper in reversed(through):
        if (v == wrapper or _owner_of_store(g, v) == wrapper) and not _many_keys(g, wrapper):
            v = before
            if v != root and _proxy_target(g, v) == wrapper:
                v = walked[walked.index(v) - 1]
    return v


def _bound_receiver(g: HeapGraph, inner: list[dict]) -> str:
    """`, each the `this` of a function bound with bind() (`onTick`)` when an instance
    hangs off the point as a bound function's receiver (`bus.on(req.onTick.bind(req))`),
    else "": the path shows only `native_bind`, and the fix is to unbind them."""
    for before, step in zip(inner, inner[1:], strict=False):
        if step["edge"] and step["edge"]["label"] == "internal bound_this":
            target = follow(g, _node_by_id(g, before["node"]["id"]), "bound_function")
            name = g.name(target) if target >= 0 else ""
            return (", each the `this` of a function bound with bind()"
                    + (f" (`{name}`)" if name else ""))
    return ""


def _plain_dictionary(g: HeapGraph, cand: dict) -> bool:
    """Are the candidate's instances plain objects held in a plain object?"""
    return (g.strings[cand["class"]] == "Object" and cand["point"] >= 0
            and int(g.node_type[cand["point"]]) == NodeType.OBJECT
            and g.class_name(cand["point"]) == "Object")


def _many_keys(g: HeapGraph, v: int) -> bool:
    """Has plain object `v` keys enough (_DICTIONARY_KEYS) to be a dictionary, not a wrapper?"""
    return _key_count(g, v) >= _DICTIONARY_KEYS


def _linked_root(g: HeapGraph, best, cnt, cls, c: int, store: int, need: float) -> int:
    """The instance of class `c` under `store` that keeps `need` others by itself, when
    there is one (else -1): the instances hold one another (a tree of Elements with
    `parent` and `children`, a graph), and the one referenced from outside keeps all of
    them. 21,000 Elements of a removed subtree, kept by `(global).lastFocused` through
    `.parent`, "accumulated in one global `(global)`", the object that holds the one
    reference. Linked lists are chains (`_chain_below`), and plain Objects are walked
    through as wrappers (`_plain_wrapper`): neither comes here."""
    b = int(best[store]) if store >= 0 else -1
    if b < 0 or cls[b] != c or cnt[b] < need or int(g.node_type[b]) != NodeType.OBJECT:
        return -1
    return b if g.strings[c] != "Object" else -1


def _linked_via(g: HeapGraph, dom: Dominators, v: int) -> str:
    """`.parent` when the instance `v` keeps most of the others through an edge to another
    instance of its class (a leaf's way up to the root of its tree), else ""."""
    best_size, label = 0, ""
    for e in g.edges_of(v):
        u = int(g.edge_to[e])
        if (int(g.node_class[u]) == int(g.node_class[v]) and int(dom.idom[u]) == v
                and int(g.edge_type[e]) == EdgeType.PROPERTY and dom.retained[u] > best_size):
            best_size, label = int(dom.retained[u]), g.edge_label(e)
    return label if best_size >= BIG_PART_SHARE * dom.retained[v] else ""


def _proxy_target(g: HeapGraph, v: int) -> int | None:
    """The target of `v` if it is a Proxy (a core names its field; the snapshot loader names it alike)."""
    if g.class_name(v) != "Proxy":
        return None
    for e in g.edges_of(v):
        if int(g.edge_type[e]) == EdgeType.INTERNAL and g.edge_name_str(e) == "target":
            return int(g.edge_to[e])
    return None


def _plain_wrapper(g: HeapGraph, best, cnt, cls, c, b: int, need: float) -> bool:
    """May the walk go through instance `b`? Only a plain Object that holds `need` others
    below it and is no link of a list of them: a parsed document is plain objects all the
    way down (`config.catalog.rows[i]`), and its 60,000 rows stopped at `config`, that is
    at the global object, no point at all. Where such a wrapper holds the instances itself
    (a 30,000-key document), the walk still ends before it (`_walk_down`)."""
    return (g.strings[c] == "Object" and cnt[b] - 1 >= need
            and not _chain_period(g, best, cls, b))


_CHAIN_MIN = 3  # links of one kind in a row (or pairs, for period 2) that make a chain


def _link_key(g: HeapGraph, cls, v: int) -> int:
    """What links of one chain share: the V8 type of an internal node, else its class."""
    t = int(g.node_type[v])
    return int(g.node_name[v]) if t in (NodeType.HIDDEN, NodeType.ARRAY) else int(cls[v])


#: the longest cycle of node kinds that makes a chain: an async function awaiting a call of
#: itself is Promise -> PromiseReaction -> Context -> async function object -> Promise ...
_CHAIN_PERIOD_MAX = 4


def _chain_period(g: HeapGraph, best, cls, v: int) -> int:
    """1 to 4 when `v` heads a chain of V8-internal links down the best-child line of the
    dominator tree (PromiseReaction.next..., Context -> closure -> Context..., the awaits of
    an async recursion), else 0. 3,001 suspended calls of an async function, each awaiting
    the next, were "1,501 PollResult (50 %) accumulate in one (js async function object)",
    a call half-way down."""
    keys = []
    u = v
    for _ in range(_CHAIN_PERIOD_MAX * _CHAIN_MIN + 1):
        if u < 0:
            break
        keys.append(_link_key(g, cls, u))
        u = int(best[u])
    ctx = g.find_string("system / Context")
    internal = [int(g.node_type[x]) in (NodeType.HIDDEN, NodeType.ARRAY) or
                int(g.node_name[x]) == ctx for x in (v, int(best[v]))]
    if len(keys) > _CHAIN_MIN and internal[0] and len(set(keys[:_CHAIN_MIN + 1])) == 1:
        return 1
    if not internal[0] and _user_links(g, best, cls, v):
        return 1
    for period in range(2, _CHAIN_PERIOD_MAX + 1):
        if (len(keys) >= period * _CHAIN_MIN and any(internal)
                and len(set(keys[:period])) == period
                and all(keys[i] == keys[i % period] for i in range(period * _CHAIN_MIN))):
            return period
    return 0


#: links of a program's own linked list (`node.next`...) that make a chain: more than for
#: internals, so that a few nested plain objects (`state.data.byId`) are never taken for one
_USER_CHAIN_MIN = 8


def _user_links(g: HeapGraph, best, cls, v: int) -> bool:
    """Does `v` head a linked list of the program's objects down the best-child line: one
    class, each link the same named reference to the next (`JobNode.next`...)?"""
    label = None
    u = v
    for _ in range(_USER_CHAIN_MIN):
        w = int(best[u])
        if w < 0 or cls[w] != cls[v] or int(g.node_type[w]) != NodeType.OBJECT:
            return False
        link = _link_name(g, u, w)
        if link is None or (label is not None and link != label):
            return False
        label, u = link, w
    return True


def _link_name(g: HeapGraph, u: int, w: int, *, property_only: bool = False) -> str | None:
    """The name of `u`'s first reference to `w` (None if it has none); with
    `property_only`, of its first named property to `w` (an Array's `[12049]` is none)."""
    a, b = int(g.edge_start[u]), int(g.edge_start[u + 1])
    hits = a + np.nonzero(g.edge_to[a:b] == w)[0]
    if property_only:
        hits = hits[g.edge_type[hits] == EdgeType.PROPERTY]
    return g.edge_name_str(int(hits[0])) if hits.shape[0] else None


#: segments of one queue in a row that make it one store, unless the queue holds both ends
_SEGMENTS_MIN = 3


def _segment_chain(g: HeapGraph, cnt, cls, v: int, b: int) -> bool:
    """Does `b`, held by `v`, start a queue of segments: objects of one class, each linked
    to the next by the same named property, `b` holding several of the instances itself,
    and either three of them in a row or `v` holding the next one too by a property, with
    instances of its own (a queue holds both its ends)? Node's FixedQueue (an `events.on`
    iterator's backlog, the tick queue) is a run of FixedCircularBuffers linked by `next`,
    2,047 entries each, with its `tail` and `head`. The walk stopped where half the
    instances were left, and 19,999 buffered events were held by
    `unconsumedEvents.tail.next.next.next.next` rather than by the queue
    `unconsumedEvents`; of a queue of two, two in three were held by its `tail`. An Array
    of running timers, each linked to the next (`_idleNext`), is no queue of segments. A
    plain object holding plain objects under its keys is no queue: a key is not a link of
    the next one, and its owner does not hold the values. Nor is a list of nodes holding
    one instance each (`_user_links`). A segment has a few fields: an object with many (a
    dictionary of a million keys) is not looked through."""
    if (b < 0 or int(g.node_type[b]) != NodeType.OBJECT
            or int(g.edge_start[b + 1]) - int(g.edge_start[b]) > 64):
        return False
    for e in g.edges_of(b):
        w = int(g.edge_to[e])
        if (int(g.edge_type[e]) != EdgeType.PROPERTY or cls[w] != cls[b]
                or int(g.node_type[w]) != NodeType.OBJECT):
            continue
        own = cnt[b] - cnt[w] if cnt[w] < cnt[b] else cnt[b]  # (`w` may hang elsewhere)
        if own >= 2 and (_links_on(g, cls, w, g.edge_name_str(e), _SEGMENTS_MIN - 2)
                         or (cnt[w] >= 2
                             and _link_name(g, v, w, property_only=True) is not None)):
            return True
    return False


def _links_on(g: HeapGraph, cls, u: int, label: str, links: int) -> bool:
    """Does `u` link on to `links` more objects of its class by its property `label`?"""
    for _ in range(links):
        w = follow(g, u, label)
        if w < 0 or cls[w] != cls[u] or int(g.node_type[w]) != NodeType.OBJECT:
            return False
        u = w
    return True


def _list_of_instances(g: HeapGraph, best, cls, c: int, store: int) -> dict | None:
    """The chain when the instances themselves are a linked list hanging off `store` (a
    hand-written queue's `head`): `{head, links, period, kind}` as `_chain_below` gives."""
    head = int(best[store]) if store >= 0 else -1
    if head < 0 or cls[head] != c or not _user_links(g, best, cls, head):
        return None
    return _chain_below(g, best, cls, head)


def _list_held_by(g: HeapGraph, cls, c: int, point: int, n: int) -> dict | None:
    """A doubly linked list (`prev`/`next`) that `point` holds by its ends, of the program's
    objects or of links that each hold one (`{data, next, prev}`, async's queue): no chain
    in the dominator tree (every entry is reachable from both ends, so the owner of `head`
    and `tail` dominates them all), yet one list. From each object the point references
    that is an instance of class `c`, or that references one, follow each named reference
    to another object of its own class; `_USER_CHAIN_MIN` links or more make a list of
    instances, and links for half of the `n` instances a list of links: `{head, links,
    period, kind}`. A list's owner holds it by its ends: a point with many references (a
    dictionary of a million entries) is not looked through, so the check stays a few
    hundred steps. 3,999 tasks of a stuck async.queue "accumulate in one DLL"."""
    a, b = int(g.edge_start[point]), int(g.edge_start[point + 1])
    if b - a > 64:
        return None
    for e in range(a, b):
        head = int(g.edge_to[e])
        if int(g.node_type[head]) != NodeType.OBJECT:
            continue
        link = int(cls[head])
        if link == c:
            need, limit = _USER_CHAIN_MIN, 10_000
        elif _references_class(g, cls, head, c):
            need, limit = max(n // 2, _USER_CHAIN_MIN), max(2 * n, 10_000)
        else:
            continue
        for f in range(int(g.edge_start[head]), int(g.edge_start[head + 1])):
            if int(g.edge_type[f]) == EdgeType.PROPERTY and cls[int(g.edge_to[f])] == link:
                links = _links_along(g, cls, link, head, int(g.edge_name[f]), limit)
                if links >= need:
                    return {"head": head, "links": links, "period": 1, "kind": g.strings[link]}
    return None


def _references_class(g: HeapGraph, cls, v: int, c: int) -> bool:
    """Does object `v` hold an instance of class `c` by one of its own properties?"""
    for f in range(int(g.edge_start[v]), int(g.edge_start[v + 1])):
        if int(g.edge_type[f]) == EdgeType.PROPERTY and cls[int(g.edge_to[f])] == c:
            return True
    return False


def _collection_holding(g: HeapGraph, cls, c: int, point: int, n: int) -> int:
    """The Map or Set that `point` holds directly and that itself holds (nearly) all `n`
    instances of class `c` (-1 if none): an LRU cache keeps its entries in a Map and a
    doubly linked list, which the dominator tree cannot tell apart (both lead from the
    cache object), and the Map is what grows without bound. As `_list_held_by`, only a
    point with few references is looked through."""
    a, b = int(g.edge_start[point]), int(g.edge_start[point + 1])
    if b - a > 64:
        return -1
    for e in range(a, b):
        u = int(g.edge_to[e])
        if int(g.edge_type[e]) != EdgeType.PROPERTY or _builtin_kind(g, u) not in ("Map", "Set"):
            continue
        if _entries_of_class(g, cls, c, u) >= INDEX_SHARE * n:
            return u
    return -1


def _entries_of_class(g: HeapGraph, cls, c: int, coll: int) -> int:
    """How many distinct instances of `c` collection `coll` references: by its own edges
    (a core's graph gives a Map edges to its keys and values) and by its `table`'s (a
    snapshot's Map has only the table)."""
    _, targets = _collection_targets(g, coll)
    return int(np.unique(targets[cls[targets] == c]).shape[0])


def _collection_targets(g: HeapGraph, coll: int) -> tuple[list[int], np.ndarray]:
    """The collection `coll` with its hash `table`, and what both reference."""
    tables, _, targets = _collections_targets(g, np.array([coll]))
    return [coll, *tables.tolist()], targets


def _collections_targets(g: HeapGraph, colls: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What each of the collections `colls` references, by its own edges and its hash
    `table`'s (a core's graph gives a Map edges to its keys and values, a snapshot's only
    through the table): (the tables, each target's position in `colls`, the targets), a
    collection's own edges first. One vectorized gather, however many collections."""
    owner, edges = edges_of_nodes(colls, g.edge_start)
    table = (g.edge_type[edges] == EdgeType.INTERNAL) & (g.edge_name[edges] == g.string_id("table"))
    tables = g.edge_to[edges[table]]
    table_owner, table_edges = edges_of_nodes(tables, g.edge_start)
    owner = np.concatenate([owner, owner[table][table_owner]])
    return tables, owner, g.edge_to[np.concatenate([edges, table_edges])]


#: the share of the instances that a collection must hold itself to be their point
INDEX_SHARE = 0.9


def _links_along(g: HeapGraph, cls, c: int, u: int, name: int, limit: int = 10_000) -> int:
    """How many instances of `c` follow `u` by the property named `name` (a cycle ends it;
    counted up to `limit`: only whether there are `_USER_CHAIN_MIN` is asked)."""
    seen = {u}
    for _ in range(limit):
        nxt = -1
        for f in range(int(g.edge_start[u]), int(g.edge_start[u + 1])):
            if (int(g.edge_name[f]) == name and int(g.edge_type[f]) == EdgeType.PROPERTY
                    and cls[int(g.edge_to[f])] == c):
                nxt = int(g.edge_to[f])
                break
        if nxt < 0 or nxt in seen:
            break
        seen.add(nxt)
        u = nxt
    return len(seen)


def _chain_below(g: HeapGraph, best, cls, head: int) -> dict | None:
    """`{head, links, period, kind}` of the chain that starts at `head`, if one does."""
    if head < 0 or head == g.root:
        return None
    period = _chain_period(g, best, cls, head)
    if not period:
        return None
    key = _link_key(g, cls, head)
    links = 0
    u = head
    for _ in range(50_000_000):
        if u < 0 or _link_key(g, cls, u) != key:
            break
        links += 1
        last = u
        for _ in range(period):
            u = int(best[u]) if u >= 0 else -1
    if period == 1 and int(g.node_type[head]) == NodeType.HIDDEN:
        links += _tail_link(g, cls, last, key)
    chain = {"head": head, "links": links, "period": period, "kind": link_name(g, head)}
    return chain | _suspended_calls(g, best, head, period, (links + 1) * period)


def _suspended_calls(g: HeapGraph, best, head: int, period: int, length: int) -> dict:
    """`{async_function, calls}` when the links of the chain at `head` are suspended calls
    of one async function (an async function object has a `function` edge to it), counted
    down the first `length` nodes of the chain (the dominator tree's line may leave the
    last call or so out, hence "about"); else {}."""
    fn, u = -1, head
    for _ in range(period):
        f = follow(g, u, "function")
        if f >= 0 and int(g.node_type[f]) == NodeType.CLOSURE:
            fn = f
            break
        u = int(best[u])
        if u < 0:
            return {}
    if fn < 0:
        return {}
    calls, u = 0, head
    for _ in range(length):
        if u < 0:
            break
        calls += follow(g, u, "function") == fn
        u = int(best[u])
    return {"async_function": g.name(fn) or "(anonymous)", "calls": calls}


def _tail_link(g: HeapGraph, cls, u: int, key: int) -> int:
    """1 when internal link `u` has a next link the best-child line did not take: the
    last but one PromiseReaction holds the last one and its own handler, each keeping one
    instance, and a tie goes to the first in DFS order (3,000 reactions were "2,999")."""
    return int(any(int(g.edge_to[e]) != u and _link_key(g, cls, int(g.edge_to[e])) == key
                   for e in g.edges_of(u)))


def _chain_variable(g: HeapGraph, best, head: int, point: int) -> int:
    """The closure a chain of contexts starts at, when a variable of `head` holds it.

    A handler re-wrapped on every request (`handler = (req) => prev(req)` in a module) is a
    chain of contexts hanging off one module variable; lifting its head reaches the
    context's owner, often the global object, a holder that names nothing. The closure the
    variable holds owns the whole chain and is named by that variable."""
    if g.name(head) != "system / Context":
        return point
    first = int(best[head])
    a, b = int(g.edge_start[head]), int(g.edge_start[head + 1])
    for e in range(a, b):
        if int(g.edge_to[e]) == first and int(g.edge_type[e]) == EdgeType.CONTEXT:
            return first
    return point


def _chain_in_closure_variable(g: HeapGraph, best, chain: dict, point: int) -> int:
    """The closure a variable of the chain's first closure holds, when the chain starts at
    that first closure: `handler = withTracing(handler, info)` on every request links 4,000
    `traced` closures through their captured `next`. The module function `handle` that
    reassigns `handler` keeps their module's context alone, so the chain started at it and
    was "held by `require.main.exports.handle`", where the program holds it as `handler`."""
    head = chain["head"]
    if head != point or int(g.node_type[head]) != NodeType.CLOSURE:
        return point
    ctx = int(best[head])
    if ctx <= 0 or g.name(ctx) != "system / Context":
        return point
    return _chain_variable(g, best, ctx, point)


def _list_held_by_global(g: HeapGraph, chain: dict, cname: str, point: int) -> int:
    """The head of a linked list of instances that a global property holds, in place of
    the global object: 3,000 RetryErrors chained by `cause` from `globalThis.lastFailure`
    were "one linked list held by `(global)`", and again a big object `lastFailure`."""
    head = chain["head"]
    if chain["kind"] != cname or g.class_name(point) != "global" or head == point:
        return point
    for e, u in g.retainers_of(head):
        if u == point and int(g.edge_type[e]) == EdgeType.PROPERTY:
            return head
    return point


def _where_paths_meet(g: HeapGraph, dist, cls, c: int, user: bool, total: int, cnt,
                      best) -> tuple[_PathTree, int, int] | None:
    """(tree, store, point) where the shortest paths of most instances of `c` meet, with
    `cnt` and `best` counted on the tree of shortest paths; None when that is no holder.

    It is one only if the program would name it (a collection, a plain object, an instance
    of a class of its own), not Node's timer list or a function; when the instances are not
    nested in one of their own (25 Maps in a Map are that one's accumulation); and, for a
    builtin class, when they are not parts of the program's objects (an Edit's `ops`)."""
    paths = _PathTree(*path_tree(g))
    _class_tree(paths.idom, paths.order, cls, c, dist, cnt, best)
    meet = _walk_down(g, best, cnt, cls, c, g.root, ACCUMULATION_SHARE * total)
    held_in = _lift(g, paths, meet)
    inner = int(best[meet])
    nested = inner >= 0 and cls[inner] == c and cnt[inner] >= ACCUMULATION_SHARE * cnt[meet]
    part_of = not user and _inside_program_object(
        g, paths, _sample_under(g, paths, dist, cls, c, meet, best), meet)
    if held_in >= 0 and not nested and not part_of and _nameable_holder(g, held_in):
        return paths, meet, held_in
    return None


def _meet_at_global_only(g: HeapGraph, dom: Dominators, dist, cls, c: int, point: int,
                         store: int, best) -> bool:
    """Is `point` a global object with no collection on the path to an instance below it
    (`_collection_below_global`, which names the program's Map of 4,000 debounce timers
    that Node's timer list holds too)? Then the global is no holder at all."""
    if g.class_name(point) != "global":
        return False
    sample = _sample_under(g, dom, dist, cls, c, store, best)
    paths = retainer_paths(g, sample, max_paths=1) if sample >= 0 else []
    return not (paths and _collection_below_global(g, point, paths[0]))


def _inside_program_object(g: HeapGraph, tree: _PathTree, v: int, top: int) -> bool:
    """Does the path from `top` down to `v` in the tree of shortest paths pass through an
    object of a class of the program's? The plain `{insert}` objects of 4,000 Edits that
    debounce timers keep were a second suspect beside the Edits, in one place."""
    if v < 0:
        return False
    for _ in range(10_000):
        v = int(tree.idom[v])
        if v == top or v == g.root:
            return False
        if int(g.node_type[v]) == NodeType.OBJECT and defined_by_program(g, v):
            return True
    return False


def _nameable_holder(g: HeapGraph, v: int) -> bool:
    """A Map, Set or Array (or a subclass), a plain object or an instance of a class of the
    program's: what a holder found where shortest paths meet must be. 4,000 debounce timers
    in a Map of the program's and in Node's timer list have their paths meet in the list,
    at a Timeout half way down it."""
    return (_builtin_kind(g, v) is not None or g.class_name(v) == "Object"
            or (int(g.node_type[v]) == NodeType.OBJECT and defined_by_program(g, v)))


def _lift(g: HeapGraph, dom: Dominators | _PathTree, v: int) -> int:
    """From a V8-internal holder (table, backing store, context, the head of a linked list of
    internals) up to its user-level owner; -1 when the instances only meet at a root (no
    accumulation point)."""
    for _ in range(64):
        if v == g.root or int(g.node_type[v]) == NodeType.SYNTHETIC:
            return -1
        t = int(g.node_type[v])
        name = g.name(v)
        if name == "system / NativeContext":  # Node 26's snapshots root it: its global
            glob = next((int(g.edge_to[e]) for e in g.edges_of(v)
                         if g.edge_name_str(e) == "global_object"), -1)
            return glob if glob >= 0 and int(g.node_type[glob]) == NodeType.OBJECT else -1
        if t in _STORE_TYPES or name.startswith("system / "):
            owner = _owner_of_store(g, v)
            v = owner if owner is not None else int(dom.idom[v])
            continue
        return v
    return -1


_OWNING_EDGES = ("table", "elements", "properties")


def _owner_of_store(g: HeapGraph, v: int) -> int | None:
    """The one object whose `table`/`elements`/`properties` is `v`, if exactly one is.

    The dominator of a backing store is usually its owner; but when something else (a
    handle scope on the stack) also points at the store, the dominator is the root, and
    the owner is still the object an engineer must be told about."""
    owners = set()
    for e, u in g.retainers_of(v):
        if int(g.node_type[u]) == NodeType.SYNTHETIC:
            continue
        internal = int(g.edge_type[e]) in (EdgeType.INTERNAL, EdgeType.HIDDEN)
        if internal and g.edge_name_str(e) in _OWNING_EDGES:
            owners.add(u)
    return owners.pop() if len(owners) == 1 else None


def _sample_under(g: HeapGraph, dom: Dominators | _PathTree, dist, cls, c: int, point: int,
                  best) -> int:
    """A live instance of `c` dominated by `point`: the closest to the roots among the 200
    closest, else the one down the best-child line (deep in a linked list). Never one from
    elsewhere: its path would explain some other object (`global.JSON` for a list's plain
    payloads)."""
    inst = np.nonzero((cls == c) & (dist != UNREACHABLE))[0]
    inst = inst[np.argsort(dist[inst], kind="stable")]
    for v in inst[:200]:
        u = int(v)
        for _ in range(256):
            if u == point:
                return int(v)
            if u == g.root:
                break
            u = int(dom.idom[u])
    u = point
    for _ in range(g.node_count):
        if u < 0 or (cls[u] == c and dist[u] != UNREACHABLE):
            return u
        u = int(best[u])
    return -1


def _deepest_under(g: HeapGraph, dom: Dominators, dist, cls, c: int, store: int) -> int:
    """The live instance of `c` under `store` farthest from the roots (the end of a chain)."""
    inst = np.nonzero((cls == c) & (dist != UNREACHABLE))[0]
    for v in inst[np.argsort(-dist[inst], kind="stable")][:50]:
        u = int(v)
        for _ in range(10_000_000):
            if u == store:
                return int(v)
            if u == g.root:
                break
            u = int(dom.idom[u])
    return -1


def _describe(g: HeapGraph, dom: Dominators, dist, lead: dict, others: list[dict],
              count, shallow, cret, max_paths: int) -> dict:
    c = lead["class"]
    name = g.strings[c]
    point = lead["point"]
    paths = retainer_paths(g, lead["sample"], max_paths=max_paths) if lead["sample"] >= 0 else []
    deep = lead.get("deep_sample", -1)
    if deep >= 0 and deep != lead["sample"]:  # first: the path that shows the whole chain
        paths = retainer_paths(g, deep, max_paths=1) + paths[:max(max_paths - 1, 1)]
    acc_point = None
    holder = ""
    if point >= 0:
        holder = (lead.get("holder") or named_holder(g, point, dominators=dom.idom)
                  or weak_map_entry_name(g, point, dominators=dom.idom))
        if holder is None:
            point_paths = retainer_paths(g, point, max_paths=1)
            holder = holder_expression(point_paths[0]) if point_paths else g.class_name(point)
        seen_in = next((found for path in paths
                        if (found := _collection_below_global(g, point, path))), None)
        if seen_in is not None:  # `(global)` is where two holders meet, not a holder
            point, holder = seen_in
        acc_point = {
            "node": node_ref(g, point),
            "holder": holder,
            "count": lead["under"],
            "share": round(lead["under"] / max(lead["total"], 1), 4),
            "retained_bytes": int(dom.retained[point]),
            "accumulated_bytes": lead["accumulated"],
        }
    kind = _builtin_kind(g, point) if point >= 0 else None
    pattern, reason = _explain(g, dom, name, lead, acc_point, paths, int(cret[c]), kind)
    reason = _whose_variable(g, dom, point, holder, reason)
    reason += _backing_stores_of_views(g, name, lead, others)
    reason += _cleared_timers(g, name, lead)
    reason += _suspended_generators(g, dom, dist, point, paths)
    reason += _other_holder(g, dom, point, holder, lead["sample"], paths, max_paths)
    if lead.get("native"):
        _, each, what = ICU_OBJECTS[name]
        reason += (f"; each also owns {what} outside the JS heap (about {each >> 10} KiB "
                   f"each as measured, so about {human_bytes(lead['native'])} for these), "
                   "which no retained size counts")
    sandboxes = _vm_sandboxes(g, point) if point >= 0 else 0
    if sandboxes:
        are = "is a sandbox of a vm context" if sandboxes == 1 else "are sandboxes of vm contexts"
        reason += (f"; {sandboxes:,} of its entries {are}, each keeping a whole JavaScript "
                   "global (its builtins and compiled code) alive")
    return {
        "rank": 0,
        "type": name,
        "pattern": pattern,
        "reason": reason,
        "count": int(count[c]),
        "shallow_bytes": int(shallow[c]),
        "retained_bytes": int(cret[c]),
        "accumulation_point": acc_point,
        "held_types": [
            {"type": g.strings[o["class"]], "count": o["under"],
             "accumulated_bytes": o["accumulated"]}
            for o in others
        ],
        "retainer_paths": paths,
        "score_bytes": _weight(lead),
    }


def _other_holder(g: HeapGraph, dom: Dominators, point: int, holder: str, sample: int,
                  paths: list[list[dict]], max_paths: int) -> str:
    """"; `bus._events.tick` is not their only holder: ..." when the point does not dominate
    the sample, as where the shortest paths of the instances meet (`_where_paths_meet`) or
    at a global's collection named for them (`_collection_below_global`): removing them
    from the holder named alone would not free them. A path that avoids the point is shown
    last (`paths` is changed in place) unless it is one shown already; else "". (Whether a
    path shown avoids the point cannot be read off its steps: they leave internal hops out.)"""
    if point < 0 or sample < 0 or point == g.root or dominated_by(dom.idom, g.root, sample,
                                                                   point):
        return ""
    other = path_avoiding(g, sample, point)
    if other is None:
        return ""
    also = _other_holder_name(g, other, point, paths)
    also = f"`{also}` keeps them too, and " if also else ""
    if _path_key(other) in {_path_key(path) for path in paths}:
        return (f"; `{holder}` is not their only holder: {also}a path shown reaches them "
                "without it")
    paths[max(max_paths - 1, 1):] = [other]
    return f"; `{holder}` is not their only holder: {also}the last path reaches them without it"


def _other_holder_name(g: HeapGraph, other: list[dict], point: int,
                       paths: list[list[dict]]) -> str | None:
    """The name of what keeps the instances on the path `other`, which avoids `point`: the
    first collection the program has a name for (not async hooks' list of running
    resources) where `other` has left the paths shown through `point` and not yet joined
    them below it. The listeners' records that reloaded plugin Modules also keep
    were "not only in `bus._events.tick`", which did not say where else:
    `require.main.children`. None when no path shown runs through `point` (4,000 debounce
    timers, named in the Map `pending`, are shown in Node's timer list: the reason says
    so)."""
    pid = int(g.node_id[point])
    through = [[step["node"]["id"] for step in path] for path in paths]
    through = [ids for ids in through if pid in ids]
    if not through:
        return None
    above = {i for ids in through for i in ids[:ids.index(pid)]}
    below = {i for ids in through for i in ids[ids.index(pid) + 1:]}
    for step in other:
        node_id = step["node"]["id"]
        if node_id in below:
            return None  # joined the holder's paths: what keeps them is above, unnamed
        if node_id in above or step["node"]["type"] not in _COLLECTIONS:
            continue
        name = named_holder(g, _node_by_id(g, node_id), program_only=True)
        if name is not None:
            return name
    return None


def _path_key(path: list[dict]) -> tuple:
    return tuple((step["node"]["id"], step["edge"]["label"] if step["edge"] else "")
                 for step in path)


_COLLECTIONS = ("Map", "Set", "Array", "WeakMap", "WeakSet")

#: classes of views on an ArrayBuffer (Node's Buffer is a Uint8Array; a snapshot and a core
#: name it Buffer)
_VIEW_CLASSES = {
    "Buffer", "FastBuffer", "DataView", "Uint8Array", "Int8Array", "Uint8ClampedArray",
    "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float16Array", "Float32Array",
    "Float64Array", "BigInt64Array", "BigUint64Array",
}

_BYTE_VIEWS = {"Buffer", "FastBuffer", "Uint8Array"}


def _backing_stores_of_views(g: HeapGraph, name: str, lead: dict, others: list[dict]) -> str:
    """`; their memory is 400 ArrayBuffers of 64.0 KiB each ...` when the suspects are views
    and an ArrayBuffer each, piled in the same place, hold most of what they keep: 400
    128-byte `subarray` views of 64 KiB reads were "400 Buffer objects (25.1 MiB retained)
    accumulate in one Set", which hid that the memory is outside the JS heap, in whole
    buffers the small views keep. A view's own length is not in the graph, so the cause is
    said as a condition."""
    if name not in _VIEW_CLASSES:
        return ""
    stores = next((o for o in others if g.strings[o["class"]] == "ArrayBuffer"), None)
    if (stores is None or stores["under"] < 0.9 * lead["under"]
            or stores["accumulated"] < BIG_PART_SHARE * _kept(lead)):
        return ""
    n, size = stores["under"], stores["accumulated"]
    text = (f"; their memory is {n:,} ArrayBuffers of {human_bytes(size // max(n, 1))} each "
            f"({human_bytes(size)} in all, mostly outside the JS heap)")
    if name in _BYTE_VIEWS:  # reads are cut into parts with subarray()/slice()
        text += (": a Buffer cut with subarray() or slice() keeps the whole ArrayBuffer it "
                 "was cut from, so where these are small parts of bigger reads, keep a copy "
                 "(`Buffer.from(part)`)")
    return text


def _collection_below_global(g: HeapGraph, point: int, path: list[dict]) -> tuple[int, str] | None:
    """When instances meet only at a global object (5,000 session timers held both by the
    program's Map `expiry` and by Node's timer list), the first collection on the shortest
    path from the global to an instance, and its name: "`(global).expiry`, a Map", never
    "`(global)`, a global"."""
    if g.class_name(point) != "global":
        return None
    ids = [step["node"]["id"] for step in path]
    if int(g.node_id[point]) not in ids:
        return None
    start = ids.index(int(g.node_id[point]))
    for i in range(start + 1, len(path) - 1):
        if path[i]["node"]["type"] in _COLLECTIONS:
            # by the name the program knows it by, not by this path: the reloaded Modules'
            # `children` read `process.mainModule.children` in a core and
            # `_process.mainModule.children` (a getter's variable) in a snapshot
            coll = _node_by_id(g, path[i]["node"]["id"])
            return coll, named_holder(g, coll) or holder_expression(path[:i + 1])
    # a program's Map or Set that holds a node of the path beside it: 4,000 debounce
    # timers, each in Node's timer list and in the Map `pending`, were "held in `(global)`"
    for step in path[start + 1:-1]:
        coll = _program_collection_holding(g, _node_by_id(g, step["node"]["id"]))
        if coll >= 0:
            name = named_holder(g, coll)
            if name is not None:
                return coll, name
    return None


def _program_collection_holding(g: HeapGraph, v: int) -> int:
    """A Map or Set of the program's that holds `v` (as a value or key), or -1. A core's
    graph links a Map to its entries, a snapshot's through its `table`."""
    refs = g.retainers_of(v)
    if len(refs) > 64:
        return -1
    for _, u in refs:
        coll = u if g.class_name(u) in ("Map", "Set") else (_owner_of_store(g, u) or -1)
        if coll >= 0 and g.class_name(coll) in ("Map", "Set") and _user_owned(g, coll):
            return coll
    return -1


_BUILTIN_KINDS = {"Map": "Map", "Set": "Set", "Array": "Array", "Map.prototype": "Map",
                  "Set.prototype": "Set", "Array.prototype": "Array"}


def _builtin_kind(g: HeapGraph, v: int) -> str | None:
    """`Map`, `Set` or `Array` when `v` is one or an instance of a subclass of one (`class
    PriceCache extends Map`), by its prototype chain (the builtin prototypes are named
    `Map.prototype` in a core, `Map` in a snapshot)."""
    for _ in range(8):
        kind = _BUILTIN_KINDS.get(g.class_name(v))
        if kind is not None:
            return kind
        v = _prototype(g, v)
        if v < 0:
            return None
    return None


def _prototype(g: HeapGraph, v: int) -> int:
    """`v`'s prototype through its hidden class (`map` -> `prototype`, internal edges in a
    core and in a snapshot): only internal edges are looked at, a few per object, where a
    collection of a million entries has a million others."""
    def internal(u: int, name: str) -> int:
        a = int(g.edge_start[u])
        for e in (a + np.flatnonzero(g.edge_type[a:int(g.edge_start[u + 1])]
                                     == EdgeType.INTERNAL)).tolist():
            if g.edge_name_str(e) == name:
                return int(g.edge_to[e])
        return -1

    shape = internal(v, "map")
    return internal(shape, "prototype") if shape >= 0 else -1


#: a stream's queue as a holder: `feed._readableState.buffer`, `sink._writableState.buffered`
#: (`['<symbol kBufferedValue>']` from Node 20)
_STREAM_QUEUE = re.compile(r"^(.+)\._(readable|writable)State(?:\.buffer|\.buffered|\['<symbol "
                           r"kBufferedValue>'\])$")


def _explain(g: HeapGraph, dom: Dominators, name: str, lead: dict, point: dict | None,
             paths: list, retained: int, kind: str | None = None) -> tuple[str, str]:
    """Recognise the leak pattern and say it in plain words. `kind`: the builtin collection
    the point is, or subclasses (`PriceCache`, a Map, evicts like one)."""
    n = lead["under"] if point else lead["total"]
    kept = _kept(lead)
    shared = " with what they share" if kept > lead["accumulated"] else ""
    what = f"{n:,} {name} objects ({human_bytes(kept)} retained{shared})"
    if point is None:
        return ("spread", f"{lead['total']:,} live {name} objects retain {human_bytes(retained)}, "
                "spread over many holders: no single container accumulates them")
    holder = point["holder"]
    if lead.get("unread_fetch"):
        connections, responses = lead["unread_fetch"]
        alive = f"; {responses:,} Response objects are alive" if responses else ""
        return ("unread-fetch-bodies",
                f"{what} are bodies of fetch() responses that were never read: undici's "
                f"dispatcher `{holder}` keeps each one buffered, and its connection busy "
                f"({connections:,} connections), until the body is read or cancelled{alive}: "
                "read every body (`await res.arrayBuffer()`) or cancel it "
                "(`await res.body?.cancel()`)")
    backlog = _STREAM_QUEUE.match(holder)
    if backlog:  # a stream's own queue: the stream is the holder to fix
        stream, side = backlog.group(1), backlog.group(2)
        if side == "writable":
            return ("stream-backlog",
                    f"{what} wait in the write queue of the stream `{stream}` (`{holder}`): "
                    "write() queues each chunk while the stream is busy and returns false "
                    "once the queue is over its highWaterMark; a producer that does not stop "
                    "then and wait for 'drain' (or use pipeline()) queues without bound")
        return ("stream-backlog",
                f"{what} wait in the read queue of the stream `{stream}` (`{holder}`): "
                "push() queues each chunk until something reads it, and nothing reads this "
                "stream (no 'data' listener, pipe or read()) or it reads slower than it is "
                "fed; a producer should stop when push() returns false")
    pclass = point["node"]["type"]
    base = kind or pclass  # what it evicts and grows like
    an = "an" if base[:1] in "AEIOU" else "a"
    shown = pclass if base == pclass else f"{pclass} ({an} {base})"  # `one PriceCache (a Map)`
    # (rounded down: 2,000 of 2,003 Buffers is 99 %, not "100% of all Buffer")
    share = "" if point["share"] >= 0.999 else f" ({floor(point['share'] * 100)}% of all {name})"
    source = _events_on_source(g, dom, _node_by_id(g, point["node"]["id"]))
    if source is not None:  # an `events.on()` iterator's backlog: the emitter and event to fix
        emitter, event = source  # (an EventTarget's event is not looked up)
        called = f"events.on({emitter}, '{event}')" if event else f"events.on({emitter}, …)"
        each = f"each '{event}' event" if event else "each event"
        return ("iterator-backlog",
                f"{what}{share} are queued in an `{called}` async iterator (`{holder}`): "
                f"{each} waits there until the iterator's next() takes it, and nothing "
                "takes them as fast as they come (a `for await` loop that never started, is "
                "stuck, or is slower than the events); consume it, or end it with "
                "`return()` or the `signal` option")
    inner = _inner_segment(paths[0], point["node"]["id"]) if paths else []
    # how an instance hangs off the point: the edges after it (the point's own `context
    # var ordersById` says how the program holds the container, not that a closure
    # captured the instances)
    labels = [s["edge"]["label"] for s in inner[1:] if s["edge"]]
    classes = [s["node"]["type"] for s in inner]
    captured = next((lab.removeprefix("context var ") for lab in reversed(labels)
                     if lab.startswith("context var ")), None)
    closure = next((s["node"]["name"] or "(anonymous)" for s in reversed(inner)
                    if s["node"]["type"] == "Function"), None)
    capture = (f", each captured as `{captured}` by a closure "
               f"{'`' + closure + '`' if closure else ''}").rstrip() if captured and closure else ""
    capture = capture or _bound_receiver(g, inner)
    target = _event_target(paths[0], point["node"]["id"]) if paths else None
    if target is not None:  # Node's EventTarget keeps listeners in a list per event type
        emitter, event = target
        if name == _EVENT_TARGET_LISTENER:  # the listeners themselves (what they keep: no class)
            return ("listener-accumulation",
                    f"{n:,} listeners ({human_bytes(kept)} retained{shared}) pile up on "
                    f"`{emitter}` (an EventTarget) for event '{event}': listeners are added "
                    "with addEventListener and never removed")
        return ("listener-accumulation",
                f"{what}{share} are kept alive by listeners piling up on `{emitter}` (an "
                f"EventTarget) for event '{event}'{capture}: listeners are added with "
                "addEventListener and never removed")
    if (name == "Interface" and not lead.get("user")
            and (emitter_event := _emitter_and_event(holder))):
        emitter, event = emitter_event
        events = (_events_listened(g, _node_by_id(g, point["node"]["id"])) if event == "?"
                  else [event])
        listened = ", ".join(f"'{e}'" for e in events)
        return ("listener-accumulation",
                f"{what}{share} are kept alive by their listeners on `{emitter}` (events "
                f"{listened}): a readline Interface listens to its input until it is "
                "closed; call rl.close() when its prompt is done")
    if emitter_event := _emitter_and_event(holder):
        emitter, event = emitter_event
        once = _once_wrapped(inner)
        paired = ""
        if event == "?":  # the point is `_events` itself: its instances hang off two events
            event, paired = _waited_event(g, _node_by_id(g, point["node"]["id"]), once)
        if once:
            return ("listener-accumulation",
                    f"{what}{share} are kept alive by `once` listeners piling up on "
                    f"`{emitter}` for event '{event}'{capture}: a once() listener is removed "
                    f"only when its event is emitted, and '{event}' has not been emitted "
                    f"since they were added{paired}")
        return ("listener-accumulation",
                f"{what}{share} are kept alive by listeners piling up on `{emitter}` for event "
                f"'{event}'{capture}: listeners are added and never removed")
    # timers the program keeps itself (a Set of them) are its collection's, not Node's list's:
    # 3,000 cleared Timeouts in `timers` were "kept alive by pending setTimeout callbacks"
    own_timers = name in _TIMER_CLASSES and pclass != "TimersList"
    if not own_timers and (pclass == "TimersList"
                           or any(timer in classes for timer in _TIMER_CLASSES)):
        kind = _timer_kind(g, paths[0]) if paths else None
        # a timer made in `als.run(store, ...)` keeps the store as its async context, though
        # its callback references nothing: "keeps what its callback captures" sent one to
        # read a `heartbeat` that captures nothing
        store = (", each holding the AsyncLocalStorage store it was created in "
                 "(`als.run(store, ...)`) as its async context, which its callback need not "
                 "reference" if _async_context_store(inner) else "")
        kept = "that context" if store else "what its callback captures"
        if kind == "interval":
            return ("uncleared-timers",
                    f"{what}{share} are kept alive by intervals that were never cleared (held "
                    f"in `{holder}`, a {pclass}){capture}{store}: an interval runs, and keeps "
                    f"{kept}, until clearInterval; call it when the owner is done")
        if kind == "timeout":
            return ("uncleared-timers",
                    f"{what}{share} are kept alive by pending setTimeout callbacks (held in "
                    f"`{holder}`, a {pclass}){capture}{store}: each keeps {kept} until it "
                    "fires or clearTimeout cancels it, so many long timeouts (a debounce per "
                    "key, a TTL per entry) hold as much as a leak")
        return ("uncleared-timers",
                f"{what}{share} are kept alive by timers not cleared (nor fired yet) "
                f"(held in `{holder}`, a {pclass}){capture}{store}: call clearInterval/clearTimeout "
                "when the owner is done")
    if pclass == "Array" and holder.endswith(".children") and classes[1:2] == ["Module"]:
        children = _node_by_id(g, point["node"]["id"])
        modules = _elements_of_class(g, children, "Module")
        if _mostly_cached_modules(g, children):  # nothing was deleted from the cache
            return ("reloaded-modules",
                    f"{what}{share} are kept by {modules:,} Modules in `{holder}`, the "
                    "`children` of the module that required them, and in require.cache: a "
                    "module stays loaded for the life of the process, so a loader that "
                    "requires a new file for each version keeps every old one (and its "
                    "exports); delete require.cache[file] and drop it from `children`")
        return ("reloaded-modules",
                f"{what}{share} are kept by {modules:,} Modules in `{holder}`, the `children` "
                "of the module that required them: a module deleted from require.cache and "
                "required again is a new Module each time, and its parent keeps every old one "
                "(and its exports)")
    if pclass == "FinalizationRegistry":  # its cells' targets are weak, their held values not
        return ("finalization-held-values",
                f"{what}{share} are kept alive through the held values of registrations in "
                f"one FinalizationRegistry `{holder}`: register(target, heldValue) keeps the "
                "held value strongly until the target is collected, so a held value that "
                "references its target (or what keeps it) is never released")
    if lead.get("linked"):
        via = _linked_via(g, dom, _node_by_id(g, point["node"]["id"]))
        via = f", through its `{via}`" if via else ""
        return ("linked-objects",
                f"{what}{share} are linked to one another, and one reference from outside "
                f"keeps them all: the {pclass} `{holder}`{via}. A node of a linked structure "
                "(a tree, a graph) keeps every node it reaches, also after the structure "
                "was removed from where it belonged")
    chain = lead.get("chain")
    if pclass == "Promise" and chain is not None and chain["kind"] == "PromiseReaction":
        store = ("; they are AsyncLocalStorage stores (`als.run(store, ...)`), which each "
                 "reaction keeps as the async context it was made in"
                 if _async_context_store(inner) else "")
        return ("pending-promise-reactions",
                f"{what}{share} are kept alive by {chain['links']:,} reactions (then/await/"
                f"Promise.race callbacks) waiting on one promise `{holder}` that never "
                f"settles{store}: each subscription is released only when the promise settles")
    if pclass == "Promise" and chain is not None and chain.get("async_function"):
        return ("pending-promise-reactions",
                f"{what}{share} are kept alive by suspended calls of the async function "
                f"`{chain['async_function']}`, a chain of about {chain['calls']:,}, each "
                f"awaiting the next (an async recursion), that starts at one promise "
                f"`{holder}` that never settles: every call keeps its locals until the "
                "promise it awaits settles")
    if pclass == "Promise" and chain is not None and chain["kind"] == "Promise":
        return ("pending-promise-reactions",
                f"{what}{share} are kept alive by a chain of {chain['links']:,} promises, each "
                "waiting on the one before (`p = p.then(...)`), that starts at one promise "
                f"`{holder}` that never settles: every callback in the chain is released only "
                "when it settles")
    if pclass == "Function" and _promise_callback(paths[0] if paths else [], point["node"]["id"]):
        return ("pending-promise-reactions",
                f"{what}{share} are kept alive by a callback `{holder}` that waits on a "
                "promise that never settles (an `await`, `then` or `Promise.all` "
                "continuation): they are released only when that promise settles")
    if chain is not None and chain["kind"] == name:
        return ("linked-chain",
                f"{what}{share} are one linked list held by `{holder}` ({pclass}) that "
                "only grows: each one keeps the next alive")
    if chain is not None:
        return ("linked-chain",
                f"{what}{share} hang off a chain of {chain['links']:,} linked "
                f"{chain['kind']} objects held by `{holder}` ({pclass}): each link keeps the "
                "next one")
    # (Node's own streams only: a program's class `Socket` or `Server` has no destroy())
    if ((name in _STREAM_CLASSES and not lead.get("user"))
            or (pclass in _STREAM_CLASSES
                and not defined_by_program(g, _node_by_id(g, point["node"]["id"])))):
        return ("undestroyed-streams",
                f"{what}{share} are streams or sockets still referenced from `{holder}` "
                f"({pclass}): open or closed, each keeps its state and buffers until it is "
                "destroyed and dropped from there")
    if base in ("Map", "Set") and lead.get("deleted"):
        return (f"evicting-{base.lower()}",
                f"{what}{share} accumulate in one {shown} `{holder}` that is also deleted "
                f"from ({lead['deleted']:,} deleted entries wait in its table for the next "
                "resize): a cache with eviction, at its limit or evicting too little; whether "
                f"it grows shows only between two dumps (`triage diff`){capture}")
    weak = ("; only the wrappers are: what they point to is held weakly (a "
            "FinalizationRegistry may be about to delete these entries)") if name == "WeakRef" else ""
    if base in ("Map", "Set"):
        # an inner collection between the point and an instance (not the instances)
        inner_kind = classes[1] if len(classes) > 2 and classes[1] in ("Map", "Set") else ""
        nested, held = _nested_collections(g, dom, point["node"]["id"], inner_kind, name)
        held = held or n  # (the instances deeper than the inner collections' entries)
        where = (f" (in {nested:,} {inner_kind}s under its keys, about {held // nested:,} in "
                 f"each{_in_several(held, n, name)})" if nested > 1 and held >= 2 * nested else "")
        if lead.get("deleted") is None:  # a snapshot: deletions are not recorded
            return (f"unbounded-{base.lower()}",
                    f"{what}{share} accumulate in one {shown} `{holder}`{where}; whether "
                    "entries are also deleted from it is not in this dump (a heap snapshot "
                    "does not record a table's deletions), so it may be a cache at its limit: "
                    "a core of the process tells, and whether it grows shows between two "
                    f"dumps (`triage diff`){capture}{weak}")
        return (f"unbounded-{base.lower()}",
                f"{what}{share} accumulate in one {shown} `{holder}`{where} with no entry "
                "deleted since its table last grew: nothing evicts, or its eviction (a TTL "
                f"timer, a cleanup callback) has not run yet{capture}{weak}")
    if base == "Array":
        # a hash of buckets: the instances pile up in the Arrays under it, not in its slots
        inner_kind = "Array" if len(classes) > 2 and classes[1] == "Array" else ""
        nested, held = _nested_collections(g, dom, point["node"]["id"], inner_kind, name)
        if nested > 1 and held >= 2 * nested:
            return ("unbounded-array",
                    f"{what}{share} accumulate in one {shown} `{holder}`, in {nested:,} "
                    f"Arrays under it (about {held // nested:,} in each"
                    f"{_in_several(held, n, name)}){capture}{weak}; whether they grow shows "
                    "only between two dumps (`triage diff`)")
        grown, hedge = _growth(g, point)
        return ("unbounded-array",
                f"{what}{share} accumulate in one {shown} `{holder}`{grown}{capture}{weak}{hedge}")
    if pclass == "Object" and _dictionary_like(g, point["node"]["id"], n):
        if len(labels) > 1:  # each in a part of a key's value: 5,000 `.lines` Arrays of quotes
            keys = _key_count(g, _node_by_id(g, point["node"]["id"]))
            return ("object-as-dictionary",
                    f"{what}{share} are held under the {keys:,} keys of one plain object "
                    f"`{holder}` used as a dictionary, each in its value's `{''.join(labels[1:])}`"
                    ": an unbounded cache unless something deletes from it; use a Map with a "
                    "size limit or an LRU")
        keys = _key_count(g, _node_by_id(g, point["node"]["id"]))
        if n > keys * 5 // 4:  # plain objects in a plain object: its values and theirs
            return ("object-as-dictionary",
                    f"{what}{share} are held under the {keys:,} keys of one plain object "
                    f"`{holder}` used as a dictionary (its values and objects nested in them)"
                    ": an unbounded cache unless something deletes from it; use a Map with a "
                    "size limit or an LRU")
        return ("object-as-dictionary",
                f"{what}{share} are properties of one plain object `{holder}` used as a "
                "dictionary (one key per entry): an unbounded cache unless something deletes "
                "from it; use a Map with a size limit or an LRU")
    if pclass == "Object" and (entries := _dictionary_entries(g, dom, point["node"]["id"])):
        return ("object-as-dictionary",
                f"{what}{share} are held under the {entries:,} keys of one plain object "
                f"`{holder}` used as a dictionary (about {max(n // entries, 1):,} under each "
                "key): an unbounded cache unless something deletes from it; use a Map with a "
                "size limit or an LRU")
    if captured:
        return ("closure-capture",
                f"{what}{share} are held by closures in `{holder}`{capture}")
    return ("accumulation",
            f"{what}{share} accumulate in one {pclass} `{holder}`: a long-lived holder "
            "keeps every instance")


def _events_on_source(g: HeapGraph, dom: Dominators, v: int) -> tuple[str, str | None] | None:
    """The emitter (by name) and event (None if not found: an EventTarget's) of the
    `events.on(emitter, event)` iterator whose backlog `v` is, or None. Node keeps the
    backlog in the variable `unconsumedEvents` of `on()`'s closures (a FixedQueue from Node
    20, an Array before), with `emitter` in that context or the one around it. Node 18 keeps
    `event` there too; later Nodes do not, and the event is the key under which the
    emitter's `_events` holds a listener running in those contexts. 19,999 events were
    "accumulate in one FixedQueue `unconsumedEvents`", a name of Node's, not the program's."""
    ctx = next((u for e, u in g.retainers_of(v)
                if g.edge_name_str(e) == "unconsumedEvents" and g.name(u) == "system / Context"),
               -1)
    emitter, event, scopes = -1, None, set()
    for _ in range(3):  # the iterator's block context, then on()'s own
        if ctx < 0:
            break
        scopes.add(ctx)
        emitter = emitter if emitter >= 0 else follow(g, ctx, "emitter")
        name = follow(g, ctx, "event")
        if event is None and name >= 0 and int(g.node_type[name]) in STRING_TYPES:
            event = g.name(name)
        ctx = follow(g, ctx, "previous")
    if emitter < 0 or int(g.node_type[emitter]) != NodeType.OBJECT:
        return None
    if event is None:
        event = _listened_event(g, emitter, scopes)
    # `emitter` is on()'s own variable: the program's name for it may be a few layers up
    called = named_holder(g, emitter, dominators=dom.idom, patience=6)
    return called or f"<{g.class_name(emitter)}>", event


def _listened_event(g: HeapGraph, emitter: int, scopes: set[int]) -> str | None:
    """The event under which EventEmitter `emitter` keeps a listener that runs in one of
    the contexts `scopes` (alone, or in the Array of that event's listeners), or None.
    An iterator also listens for 'error', which is its event only when it is the one."""
    events = follow(g, emitter, "_events")
    if events < 0 or len(g.edges_of(events)) > 256:
        return None
    found = []
    for e in g.edges_of(events):
        u = int(g.edge_to[e])
        listeners = ([int(g.edge_to[f]) for f in g.edges_of(u)] if g.class_name(u) == "Array"
                     and len(g.edges_of(u)) <= 64 else [u])
        if any(int(g.node_type[f]) == NodeType.CLOSURE and follow(g, f, "context") in scopes
               for f in listeners):
            found.append(g.edge_name_str(e))
    return next((name for name in found if name != "error"), found[0] if found else None)


def _cleared_timers(g: HeapGraph, name: str, lead: dict) -> str:
    """"; they are cleared timers ..." when the instances are Timeouts whose callback is
    gone (clearTimeout and clearInterval set `_onTimeout` to null), kept by the program's
    own collection: no clearTimeout is missing, a delete is."""
    if name != "Timeout" or lead.get("sample", -1) < 0:
        return ""
    callback = follow(g, lead["sample"], "_onTimeout")
    if callback < 0 or int(g.node_type[callback]) == NodeType.CLOSURE:
        return ""
    return ("; they are timers already cleared (clearTimeout/clearInterval dropped their "
            "callbacks), so only this collection keeps them: delete each from it when it "
            "is cleared or fires")


def _suspended_generators(g: HeapGraph, dom: Dominators, dist, point: int,
                          paths: list) -> str:
    """"; they are locals of 2,000 generators of `pages()` ..." when the instances sit in the
    registers of suspended generators that the point holds: 39,980 Rows were said to
    "accumulate in one Array `open`", which holds 2,000 generators started and never run to
    their end, each keeping its page in a local."""
    if point < 0 or not paths:
        return ""
    path = paths[0]
    step = next((i for i in range(1, len(path))
                 if path[i]["edge"] and path[i]["edge"]["label"] == REGISTERS_EDGE), -1)
    if step < 0:
        return ""
    kind = path[step - 1]["node"]["type"]
    if follow(g, _node_by_id(g, path[step - 1]["node"]["id"]), "promise") >= 0:
        return ""  # an async function's suspended call: said by its own pattern
    kids = _dominated_children(g, dom, dist, point)
    holders = [point, *kids[np.isin(g.node_type[kids], _STORE_TYPES)].tolist()]
    held = np.unique(np.concatenate([g.edge_to[int(g.edge_start[u]):int(g.edge_start[u + 1])]
                                     for u in holders]))
    n = int(np.count_nonzero(g.node_class[held] == g.string_id(kind)))
    if n < 2:
        return ""
    return (f"; they are locals of {n:,} suspended generators `{kind}` that it holds, "
            "started and never run to their end: a generator keeps its locals until it "
            "finishes; call return() on one you stop reading, and drop it")


def _timer_kind(g: HeapGraph, path: list[dict]) -> str | None:
    """`interval` or `timeout` for the last Timeout on `path`, else None. Node keeps an
    interval's delay in `_repeat` (a small integer, no edge) and null there for a timeout:
    4,000 debounce timeouts of 60 s were "timers that were never cleared", which sends one
    looking for a missing clearInterval."""
    timer = next((step["node"]["id"] for step in reversed(path)
                  if step["node"]["type"] == "Timeout"), None)
    if timer is None:
        return None
    repeat = follow(g, _node_by_id(g, timer), "_repeat")
    if repeat < 0:
        return "interval"
    return "timeout" if int(g.node_type[repeat]) == NodeType.HIDDEN else None


_EVENT_TARGET_EDGE = "['<symbol kEvents>']"  # Node's EventTarget: type -> listener list


def _once_wrapped(inner: list[dict]) -> bool:
    """Does an instance hang off its emitter through a once() wrapper, a function whose
    `listener` is the program's listener (`bound onceWrapper` to Node 22, `wrapper` from Node
    24)? 3,000 queries waiting for 'connected' were "listeners are added and never removed",
    which sent one looking for a missing removeListener, not for an event that never came."""
    return any(inner[i]["node"]["type"] == "Function"
               and (inner[i + 1]["edge"] or {}).get("label") == ".listener"
               for i in range(len(inner) - 1))


def _waited_event(g: HeapGraph, events: int, once: bool) -> tuple[str, str]:
    """The event whose listeners fill an EventEmitter's `_events` object `events`, and a
    note on the 'error' listeners beside them. `await once(db, 'ready')` adds a 'ready' and
    an 'error' listener each time, so 2,000 waiting callers put their memory under both,
    their point was `db._events` itself, and the event was said as '?' (or, by the path,
    as 'error'). The event is the one with the most listeners, not 'error' when another
    has as many (once() pairs)."""
    counts = _listener_counts(g, events)
    if not counts:
        return "?", ""
    counts.sort(reverse=True)
    top = counts[0][0]
    event = next((name for n, name in counts if name != "error" and n * 2 >= top), counts[0][1])
    # (no count said: a core's Array can show slots past its length)
    errors = next((n for n, name in counts if name == "error"), 0)
    if not once or event == "error" or errors * 2 < top:
        return event, ""
    return event, "; once() adds an 'error' listener beside each, and those wait too"


def _events_listened(g: HeapGraph, events: int) -> list[str]:
    """The events an EventEmitter's `_events` object `events` has listeners for, by name:
    each readline Interface listens to its input for three or four of them at once, and
    which one was said depended on sort order ('end', where 'data' had as many). Only the
    events with at least half as many listeners as the most: the stream's own one each
    ('finish', 'drain') are not theirs."""
    counts = _listener_counts(g, events)
    top = max((n for n, _ in counts), default=0)
    return sorted(name for n, name in counts if n * 2 >= top)


def _listener_counts(g: HeapGraph, events: int) -> list[tuple[int, str]]:
    """(listeners, event) of each event in an EventEmitter's `_events` object `events`."""
    counts: list[tuple[int, str]] = []
    for e in g.edges_of(events):
        name = g.edge_name_str(e)
        if int(g.edge_type[e]) == EdgeType.PROPERTY and name != "__proto__":
            u = int(g.edge_to[e])  # one listener, or an Array of them
            n = len(_element_targets(g, u)) if g.class_name(u) == "Array" else 1
            counts.append((n, name))
    return counts


def _async_context_store(inner: list[dict]) -> bool:
    """Does an instance hang off its reaction by the async context it was made in? An
    AsyncLocalStorage store is the derived promise's `kResourceStore` (async_hooks, to Node
    22) or an entry of the reaction's AsyncContextFrame (Node 24 on): 3,000 request contexts
    kept by `ready.then(log)` in `als.run(ctx, ...)` were only "kept alive by 3,000
    reactions", though no callback references them."""
    return any(s["node"]["type"] == "AsyncContextFrame"
               or "kResourceStore" in ((s["edge"] or {}).get("label") or "") for s in inner)


def _list_link(edge: dict | None) -> bool:
    """Is a path step a link of a linked list (`.next`, or a run of them folded into one
    `chain` step, `… 6,000 × Listener.next …`)?"""
    label = (edge or {}).get("label") or ""
    return label in (".next", ".previous") or \
        ((edge or {}).get("type") == "chain" and label.endswith((".next …", ".previous …")))


def _event_target(path: list[dict], point_id: int) -> tuple[str, str] | None:
    """(emitter, event) when the instances pile up in an EventTarget's listener lists:
    `bus['<symbol kEvents>'].refresh` -> (`bus`, `refresh`). Not when the accumulation
    point is below the list's listeners (past its `.next` links, which a long path
    folds into one step): a Map `seen` that ONE listener's closure fills was "listeners
    are added with addEventListener and never removed", which sent one hunting for
    registrations of a listener added once."""
    for i in range(1, len(path) - 1):
        edge, after = path[i]["edge"], path[i + 1]["edge"]
        if edge and edge["label"] == _EVENT_TARGET_EDGE and after:
            end = i + 2  # (a long list's links are folded: `… 6,000 × Listener.next …`)
            while end < len(path) and _list_link(path[end]["edge"]):
                end += 1
            if any(step["node"]["id"] == point_id for step in path[end:]):
                return None  # the point is below a listener (a folded list hides its links)
            # `.tick` in a core, `Map entry 'tick'` in a snapshot (kEvents is a SafeMap)
            event = after["label"].removeprefix("Map entry ").lstrip(".").strip("[]'\"")
            return holder_expression(path[:i]), event
    return None


#: the property by which Node's vm module marks a context's sandbox (a private symbol,
#: named so in cores and snapshots alike): it holds the ContextifyContext
_VM_SANDBOX_KEY = "<symbol node:contextify:context>"


def _vm_sandboxes(g: HeapGraph, v: int, probe: int = 64, limit: int = 100_000) -> int:
    """How many of `v`'s entries (up to `limit`) are sandboxes of vm contexts. 1,200 builtin
    Objects of 150 kept contexts "accumulated" in `sandboxes`, and nothing said they were
    contexts. Only the entries' own edges are read (no pass over the graph's edges): if
    none of the first `probe` is a sandbox, none is counted."""
    key = g.string_id(_VM_SANDBOX_KEY)
    a, b = int(g.edge_start[v]), int(g.edge_start[v + 1])
    entries = g.edge_to[a:b][:limit].tolist()

    def sandbox(u: int) -> bool:  # (an element edge's name is its index: properties only)
        c, d = int(g.edge_start[u]), int(g.edge_start[u + 1])
        return bool(((g.edge_name[c:d] == key) & (g.edge_type[c:d] == EdgeType.PROPERTY)).any())

    if not any(sandbox(u) for u in entries[:probe]):
        return 0
    return sum(sandbox(u) for u in set(entries))


def _mostly_cached_modules(g: HeapGraph, children: int, sample: int = 500) -> bool:
    """Are most of the Modules in the Array `children` still in require.cache (an object
    that `Module._cache` names, with the module's filename as its key)? Asked of the first
    `sample` of them."""
    modules = _element_targets(g, children)
    modules = modules[g.node_class[modules] == g.string_id("Module")][:sample]
    cached = sum(any(int(g.edge_type[e]) == EdgeType.PROPERTY
                     and any(g.edge_name_str(f) == "_cache" for f, _ in g.retainers_of(u))
                     for e, u in g.retainers_of(m))
                 for m in modules.tolist())
    return cached * 2 > len(modules)


def _elements_of_class(g: HeapGraph, v: int, name: str) -> int:
    """How many of `v`'s element edges lead to objects of class `name`."""
    return int(np.count_nonzero(g.node_class[_element_targets(g, v)] == g.string_id(name)))


def _growth(g: HeapGraph, point: dict) -> tuple[str, str]:
    """What one dump shows of how an Array grew, and what it cannot show: free slots at the
    end of its store (V8 adds half again when a push fills it) are an array grown by
    appending; a full store is what a preallocated ring buffer looks like. Neither tells a
    leak from a window kept by trimming the front after each push (`shift()`): the store
    keeps its slack, and no trace of the trimming survives a GC (`f30_capped_history`, a
    window of 5,000, was "grows by appending" until December 2026)."""
    free = g.free_slots(_node_by_id(g, point["node"]["id"]))
    if free is None:
        return "", ("; whether it grows, or is a window trimmed from the front after each "
                    "push (`shift()`), shows only between two dumps (`triage diff`)")
    if free == 0:
        return (" (every slot of its store in use, as in a preallocated buffer: a bounded "
                "ring buffer looks the same in one dump; `triage diff` of two tells)"), ""
    return " that grows by appending", ("; one dump cannot tell it from a window trimmed "
                                        "from the front after each push (`shift()`, "
                                        "`splice(0, n)`): `triage diff` of two tells")


def _promise_callback(path: list[dict], point_id: int) -> bool:
    """Is the point held by a PromiseReaction (its `fulfill_handler` in a core, `hidden [1]`
    in a snapshot): Promise.all's resolve-element callback, say, whose context keeps the
    values array?"""
    for before, step in zip(path, path[1:], strict=False):
        if step["node"]["id"] == point_id:
            node = before["node"]
            return internal_kind(node["type"], node.get("name") or "") == "PromiseReaction"
    return False


def _dictionary_like(g: HeapGraph, point_id: int, n: int) -> bool:
    """Does the object hold its instances as (many) keys, one each: named properties, or
    numeric ones (`ordersById[100007]`, elements of a plain object)?"""
    return _key_count(g, _node_by_id(g, point_id)) >= max(n // 2, 64)


#: a plain object is a dictionary of trees when at least this many of its keys each hold
#: an object of their own
_DICTIONARY_KEYS = 64


def _dictionary_entries(g: HeapGraph, dom: Dominators, point_id: int) -> int:
    """How many keys of plain object `point_id` each hold an object that only it keeps, when
    at least _DICTIONARY_KEYS do (else 0): 200 parsed JSON documents cached by URL were
    "100,200 Array objects accumulate in one Object `responseCache`: a long-lived holder
    keeps every instance", where the object is a dictionary whose every key holds a tree."""
    v = _node_by_id(g, point_id)
    a, b = int(g.edge_start[v]), int(g.edge_start[v + 1])
    keyed = (g.edge_type[a:b] == EdgeType.PROPERTY) | (g.edge_type[a:b] == EdgeType.ELEMENT)
    values = g.edge_to[a:b][keyed]
    values = values[(dom.idom[values] == v) & (g.node_type[values] == NodeType.OBJECT)]
    entries = int(np.unique(values).shape[0])
    return entries if entries >= _DICTIONARY_KEYS else 0


def _nested_collections(g: HeapGraph, dom: Dominators, point_id: int, kind: str,
                        name: str) -> tuple[int, int]:
    """How many collections of class `kind` (`Map`, `Set`, `Array`) the collection
    `point_id` holds as values and alone keeps (0 without `kind`), and how many references
    to objects of class `name` they hold together: 20,000 Sessions in a Map of 20
    per-tenant Maps were "accumulate in one Map `tenants`", whose 20 entries are not where
    they pile up; 25,600 entries in 128 bucket Arrays were "accumulate in one Array
    `buckets` (every slot of its store in use, as in a preallocated buffer)". An
    instance may be in several (an inverted index: 8,000 Docs in 2,000 Sets of 20, each
    Doc in 5), so the references, not the instances, say how full each is. A core's graph
    links a Map to its values; a snapshot's, through its `table`."""
    if not kind:
        return 0, 0
    holders, targets = _collection_targets(g, _node_by_id(g, point_id))
    targets = np.unique(targets[g.node_class[targets] == g.string_id(kind)])
    inner = targets[np.isin(dom.idom[targets], holders)]
    _, owner, to = _collections_targets(g, inner)
    to = to.astype(np.int64)
    mine = g.node_class[to] == g.string_id(name)
    pairs = np.unique(owner[mine] * g.node_count + to[mine])  # (each once per collection)
    return int(inner.shape[0]), int(pairs.shape[0])


def _in_several(held: int, n: int, name: str) -> str:
    """`; each Doc is in about 5 of them`, when the inner collections share instances."""
    return f"; each {name} is in about {held / n:.0f} of them" if held >= 1.5 * n else ""


#: a plain object with this many keys is described by them (`flags` in 60,000 properties)
_MANY_KEYS = 1000


def _key_count(g: HeapGraph, v: int) -> int:
    """Named and numeric properties of `v` (edges to their values); a snapshot's
    `__proto__` edge is no key of the program's (a core's graph has none)."""
    a, b = int(g.edge_start[v]), int(g.edge_start[v + 1])
    types = g.edge_type[a:b]
    proto = (types == EdgeType.PROPERTY) & (g.edge_name[a:b] == g.string_id("__proto__"))
    return int(np.count_nonzero((types == EdgeType.PROPERTY) | (types == EdgeType.ELEMENT))
               - np.count_nonzero(proto))


def _inner_segment(path: list[dict], point_id: int) -> list[dict]:
    """The steps after the accumulation point: how one instance hangs off its container."""
    for i, step in enumerate(path):
        if step["node"]["id"] == point_id:
            return path[i:]
    return path[-3:]


