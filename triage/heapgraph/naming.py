"""DevTools' class naming: what the Summary view groups nodes under.

Rules (HeapSnapshot.ts `calculateObjectNames`, read for behaviour only): `object` and `native`
nodes are named by their constructor name (`Session`, `Map`, `Node / Environment`), with
DOM-like `<div class=...>` names shortened to `<div>`; `closure` -> `Function`, `hidden` ->
`(system)`, `code` -> `(compiled code)`, `regexp` -> `RegExp`; anything else `(<type>)`, e.g.
`(string)`, `(concatenated string)`, `(array)`, `(object shape)`. Class names live in
`HeapGraph.strings` (synthetic names are appended) so they are compared as ints.

Not done (documented in docs/heap-analysis.md): splitting same-named classes by constructor
location, and the `{a, b}` interface names DevTools gives plain objects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from triage.heapgraph.model import INDEX_EDGE_TYPES, STRING_TYPES, NodeType

if TYPE_CHECKING:
    from triage.heapgraph.model import HeapGraph

_FIXED = {
    NodeType.CLOSURE: "Function",
    NodeType.HIDDEN: "(system)",
    NodeType.CODE: "(compiled code)",
    NodeType.REGEXP: "RegExp",
}


def type_class_name(t: NodeType) -> str:
    """Class name of a node type whose nodes are not named by constructor."""
    return _FIXED.get(t, f"({t.name.lower().replace('_', ' ')})")


def compute_node_class(g: HeapGraph) -> np.ndarray:
    """int32 [N]: the DevTools class of each node, as an index into `g.strings`."""
    lut = np.zeros(max(int(t) for t in NodeType) + 1, dtype=np.int32)
    for t in NodeType:
        lut[int(t)] = g.string_id(type_class_name(t))
    named = (g.node_type == NodeType.OBJECT) | (g.node_type == NodeType.NATIVE)
    cls = np.where(named, g.node_name, lut[g.node_type]).astype(np.int32)
    # `<div class="x">` -> `<div>`: remap the few strings that look like tags; and V8 14's
    # snapshots name the global object `global (global*)` where cores and older snapshots
    # say `global`, so a holder reads `(global).cache` from either
    tagged, globals_ = [], []
    for i, s in enumerate(g.strings):
        if s.startswith("<") and " " in s:
            tagged.append(i)
        elif s.startswith("global (") and s.endswith(")"):
            globals_.append(i)
    if tagged or globals_:
        remap = np.arange(len(g.strings), dtype=np.int32)
        for i in tagged:
            s = g.strings[i]
            remap[i] = g.string_id(s[: s.index(" ")] + ">")
        for i in globals_:
            remap[i] = g.string_id("global")
        cls[named] = remap[cls[named]]
    return cls


def follow(g: HeapGraph, v: int, *names: str) -> int:
    """Target of `v`'s first edge named one of `names` (in that preference), or -1."""
    a, b = int(g.edge_start[v]), int(g.edge_start[v + 1])
    if b - a > _SCAN_IN_PYTHON:
        return _follow_many(g, a, b, names)
    found = {}
    for e in range(a, b):
        n = g.edge_name_str(e)
        if n in names and n not in found:
            found[n] = int(g.edge_to[e])
    for n in names:
        if n in found:
            return found[n]
    return -1


#: objects with more edges than this (a Map of 3,000,000 entries has 6,000,000) are searched
#: by comparing name indexes: decoding every edge's name took minutes on a 1 GB heap
_SCAN_IN_PYTHON = 256
#: of a big object's edges named lazily by a core string's text (a Map's keys), at most this
#: many are decoded; the names looked for here are fields and properties, never those
_LAZY_DECODES = 10_000
_INDEX_TYPES = np.array(INDEX_EDGE_TYPES, dtype=np.uint8)


def _follow_many(g: HeapGraph, a: int, b: int, names: tuple[str, ...]) -> int:
    named = ~np.isin(g.edge_type[a:b], _INDEX_TYPES)
    ids = g.edge_name[a:b]
    first: dict[str, int] = {}  # name -> its first edge (offset from a)
    sel = np.flatnonzero(named & (ids >= 0))
    uniq, at = np.unique(ids[sel], return_index=True)  # each distinct name's first edge
    for i, k in zip(uniq.tolist(), sel[at].tolist(), strict=True):
        text = g.strings[i] if i < len(g.strings) else None
        if text in names and k < first.get(text, b):
            first[text] = k
    lazy = np.flatnonzero(named & (ids < 0))
    if lazy.shape[0] <= _LAZY_DECODES:
        for k in lazy.tolist():
            text = g.name(~int(ids[k]))
            if text in names and k < first.get(text, b):
                first[text] = k
    for n in names:
        if n.isdigit():  # element and hidden edges are named by their index
            hits = np.flatnonzero(~named & (ids == int(n)))
            if hits.shape[0] and int(hits[0]) < first.get(n, b):
                first[n] = int(hits[0])
    for n in names:
        if n in first:
            return int(g.edge_to[a + first[n]])
    return -1


def class_origin(g: HeapGraph, node: int) -> dict | None:
    """Where `node`'s class is defined: `{script, line, column}` (1-based), or None.

    Follows instance -> `__proto__` -> `.constructor` -> `shared` -> `script`, whose name is
    the script's URL or path (`node:events` for Node's own code); the line comes from the
    snapshot's `locations` when it has one for the node.
    """
    if int(g.node_type[node]) == NodeType.CLOSURE:
        fn = node
    else:
        proto = follow(g, node, "__proto__")
        if proto < 0:  # a core's graph has the Map's own fields: instance -> map -> prototype
            hidden_class = follow(g, node, "map")
            proto = follow(g, hidden_class, "prototype") if hidden_class >= 0 else -1
        fn = follow(g, proto, "constructor") if proto >= 0 else -1
    if fn < 0 or int(g.node_type[fn]) != NodeType.CLOSURE:
        return None
    shared = follow(g, fn, "shared")
    script = follow(g, shared, "script", "script_or_debug_info") if shared >= 0 else -1
    url = script_url(g, script) if script >= 0 else None
    if url is None:
        return None
    out: dict = {"script": url, "line": None, "column": None}
    loc = g.locations
    if loc is not None and loc.shape[0]:
        rows = np.nonzero(loc[:, 0] == node)[0]
        if rows.shape[0]:
            out["line"] = int(loc[rows[0], 2]) + 1
            out["column"] = int(loc[rows[0], 3]) + 1
    return out


#: the script of code compiled from a string at run time (eval, new Function), which has
#: no name: the program's (Node's own code is compiled with names), not Node's
EVAL_SCRIPT = "<eval>"
#: the two unnamed Scripts every native context has, V8's own: the empty script and that of
#: the empty function (`Function.prototype`)
_V8_UNNAMED_SOURCES = ("", "() {}")


def script_url(g: HeapGraph, script: int) -> str | None:
    """The URL or path of Script node `script` (`node:events` for Node's own code),
    `EVAL_SCRIPT` for a Script without one, or None where it is no Script (a builtin's
    `script` is undefined, an oddball, in a core). Classes defined in code a plugin loader
    ran with new Function() were taken for Node's: 15,000 instances in a Map were no
    accumulation."""
    # A snapshot names the Script node by its URL; a core's Script has a `name` field.
    url = follow(g, script, "name")
    if url >= 0 and int(g.node_type[url]) in STRING_TYPES:
        return g.name(url)
    if g.source != "core" and g.name(script):
        return g.name(script)
    source = follow(g, script, "source")
    if (source >= 0 and int(g.node_type[source]) in STRING_TYPES
            and g.name(source) not in _V8_UNNAMED_SOURCES):
        return EVAL_SCRIPT
    return None if g.source == "core" else ""  # V8's own unnamed scripts: not the program's


def context_script(g: HeapGraph, context: int, limit: int = 64) -> str | None:
    """The script of the function whose scope `context` is (its ScopeInfo, named by that
    function's SharedFunctionInfo), or None. A module's own context can have no closure
    left that runs in it, only the frame that runs the module."""
    scope = follow(g, context, "scope_info")
    if scope < 0:
        return None
    for e, shared in g.retainers_of(scope)[:limit]:
        if g.edge_name_str(e) != "name_or_scope_info":
            continue
        script = follow(g, shared, "script", "script_or_debug_info")
        if script >= 0:
            return script_url(g, script)
    return None


def defined_by_program(g: HeapGraph, node: int) -> bool:
    """Is function `node` (or the class of object `node`) from one of the program's scripts,
    not Node's or V8's own?"""
    origin = class_origin(g, node)
    return origin is not None and not is_internal_script(origin["script"])


def program_function(g: HeapGraph, node: int) -> bool:
    """Is `node` a function of the program: one it defined, or one bound from one
    (`cleanup.bind(null, note)` is a builtin function, `native_bind`, whose `bound_function`
    is the program's)? 2,000 bound `process.on('exit')` listeners were no suspect."""
    if int(g.node_type[node]) != NodeType.CLOSURE:
        return False
    if defined_by_program(g, node):
        return True
    target = follow(g, node, "bound_function")
    return (target >= 0 and int(g.node_type[target]) == NodeType.CLOSURE
            and defined_by_program(g, target))


def is_internal_script(script: str) -> bool:
    """Node's or V8's own code (`node:internal/timers`, `node:events`, ...)."""
    return script.startswith(("node:", "internal/")) or script == ""


def is_dependency_script(script: str) -> bool:
    """A package the program installed (`.../node_modules/bluebird/js/release/promise.js`):
    the program's code, but not what its author wrote or names things by."""
    return "/node_modules/" in script or script.startswith("node_modules/")

