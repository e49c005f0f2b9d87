"""Retainer paths: why is this object alive?

A path is the chain of strong references from a root to the object, found by walking back
from the object and always taking a retainer strictly closer to the roots (BFS distances from
`distances()`, so the first path is a shortest one, preferring `global` over GC roots as
DevTools' Retainers view does). Weak and DevTools-filtered edges never appear.

V8-internal hops are then collapsed into the user-level reference they implement, so a path
reads like JS: `Map` -> internal `table` -> OrderedHashMap -> `2067` becomes one
`Map entry 'sid-5'` step; a closure's `context` -> Context -> variable becomes
`context var x`; `elements`/`properties` backing stores become `[i]` / `.name`.
"""

from __future__ import annotations

import re
from collections import Counter

import numpy as np

from triage.analyses.distances import (
    EPHEMERON,
    EPHEMERON_LABEL,
    EPHEMERON_TABLE,
    NO_DISTANCE,
    POSTPONED,
    UNREACHABLE,
    WEAK,
    distances,
    distances_avoiding,
    edge_flags,
)
from triage.analyses.dominators import dominated_by
from triage.heapgraph.model import STRING_TYPES, EdgeType, HeapGraph, NodeType, format_edge
from triage.heapgraph.naming import (
    class_origin,
    is_dependency_script,
    is_internal_script,
)

MAX_HOPS = 64  # steps of a path as shown, after long chains are folded into one step
_WALK_HOPS = 200_000  # raw hops walked back (a promise's reaction list can be this long)
_CHAIN_FOLD = 4  # repeats of one link (or pair of links) that are folded into one step
_STORES = (NodeType.HIDDEN, NodeType.ARRAY, NodeType.OBJECT_SHAPE)
_COLLECTIONS = {"Map": "Map entry", "Set": "Set member", "WeakMap": "WeakMap entry",
                "WeakSet": "WeakSet member"}
_EDGE_PREFERENCE = {
    int(EdgeType.PROPERTY): 0, int(EdgeType.ELEMENT): 0, int(EdgeType.CONTEXT): 0,
    int(EdgeType.INTERNAL): 1, int(EdgeType.SHORTCUT): 1, int(EdgeType.HIDDEN): 2,
}


def node_ref(g: HeapGraph, v: int) -> dict:
    """`{type, name, id, ref}` of a node as it appears in paths, suspects and dominators;
    `ref` is how the engineer names it again (`object_ref`)."""
    name = g.name(v)
    if len(name) > 80:
        name = name[:77] + "..."
    return {"type": g.class_name(v), "name": name, "id": int(g.node_id[v]), "ref": object_ref(g, v)}


def object_ref(g: HeapGraph, v: int) -> str:
    """The one address format: in a core the object's start (untagged), 0x-prefixed
    lowercase hex; in a snapshot its node id as `@id` (what --inspect/--retainers take)."""
    nid = int(g.node_id[v])
    return f"0x{nid:x}" if g.source == "core" else f"@{nid}"


def retainer_paths(g: HeapGraph, node: int, *, max_paths: int = 3,
                   collapse: bool = True) -> list[list[dict]]:
    """Up to `max_paths` distinct shortest strong paths from a root to `node`.

    Each path is a list of steps from the root side to `node`:
    `{"node": {type, name, id}, "edge": {type, label} | None}`, where `edge` is the reference
    from the previous step (None on the first). A path that had to be cut after `MAX_HOPS`
    starts with a step whose node type is `"..."`. Garbage (unreachable) nodes have no paths.
    """
    dist = distances(g)
    if dist[node] == UNREACHABLE:
        return []
    used: set[int] = set()
    seen: set[tuple] = set()
    out: list[list[dict]] = []
    for _ in range(max_paths * 2):
        raw = _walk(g, node, dist, used)
        steps = _render(g, raw, collapse)
        key = tuple((s["node"]["id"], s["edge"]["label"] if s["edge"] else "") for s in steps)
        if key not in seen:
            seen.add(key)
            out.append(steps)
            if len(out) >= max_paths:
                break
    return out


def path_avoiding(g: HeapGraph, node: int, avoid: int) -> list[dict] | None:
    """A shortest strong path from a root to `node` that does not pass through `avoid`, or
    None when `avoid` is on every path. Where two holders keep the same objects (300 copies
    of a plugin, each kept by its listener on a bus and by its Module in `children`), the
    holder a suspect names is not the whole answer: this path shows the other one."""
    dist = distances_avoiding(g, avoid)
    if dist[node] == UNREACHABLE:
        return None
    return _render(g, _walk(g, node, dist, set()), collapse=True)


def _walk(g: HeapGraph, node: int, dist: np.ndarray, used: set[int]) -> list[tuple[int, int]]:
    """Raw path `[(edge into v or -1, v), ...]` from the root side, via unused edges first."""
    flags = edge_flags(g)
    rs, r_edge = g.retainers()
    pref = _preference_table()
    chain: list[tuple[int, int]] = []
    v = node
    for _ in range(_WALK_HOPS):
        if v == g.root:
            break
        a, b = int(rs[v]), int(rs[v + 1])
        edges = r_edge[a:b].astype(np.int64)
        srcs = g.edge_sources(edges)
        du = dist[srcs].astype(np.int64)
        ok = ((flags[edges] & (WEAK | NO_DISTANCE)) == 0) & (du != UNREACHABLE) & (du < dist[v])
        if not ok.any():
            break
        edges, srcs, du = edges[ok], srcs[ok], du[ok]
        is_used = np.fromiter((int(e) in used for e in edges), dtype=bool, count=edges.shape[0]) \
            if used and edges.shape[0] < 4096 else np.zeros(edges.shape[0], dtype=bool)
        synthetic = g.node_type[srcs] == NodeType.SYNTHETIC
        postponed = (flags[edges] & POSTPONED) != 0  # code literals: only if nothing else holds it
        columns = (synthetic, pref[g.edge_type[edges]], du, postponed, is_used)
        key = np.lexsort(columns)
        k = _first_by_name(g, edges, srcs, key, columns)
        e, u = int(edges[k]), int(srcs[k])
        used.add(e)
        chain.append((e, v))
        v = u
    else:
        chain.append((-2, v))  # cut: too long
        return list(reversed(chain))
    if v != g.root:
        chain.append((-1, v))
    return list(reversed(chain))


def _first_by_name(g: HeapGraph, edges: np.ndarray, srcs: np.ndarray, key: np.ndarray,
                   columns: tuple[np.ndarray, ...]) -> int:
    """The best retainer; among equally good ones, the first by edge label, then by class.

    Equally good retainers would otherwise be taken in edge order, which is memory order: a
    different one in each core of the same program."""
    best = int(key[0])
    tied = key[np.logical_and.reduce([c[key] == c[best] for c in columns])]
    if tied.shape[0] < 2 or tied.shape[0] > _TIE_LIMIT:
        return best
    return min(tied.tolist(), key=lambda k: (g.edge_label(int(edges[k])),
                                             g.class_name(int(srcs[k]))))


#: ties among more retainers than this keep edge order (a label per candidate costs ~1 µs)
_TIE_LIMIT = 4096


def _preference_table() -> np.ndarray:
    pref = np.full(16, 3, dtype=np.int8)
    for t, rank in _EDGE_PREFERENCE.items():
        pref[t] = rank
    return pref


def _render(g: HeapGraph, raw: list[tuple[int, int]], collapse: bool) -> list[dict]:
    steps: list[dict] = []
    cut = bool(raw) and raw[0][0] == -2
    items = raw[1:] if cut else raw
    if cut:
        steps.append({"node": {"type": "...", "name": "", "id": 0}, "edge": None})
    # skip the synthetic root itself: paths start at `global`, a GC sub-root or a C++ root
    i = 0
    while i < len(items):
        e, v = items[i]
        edge = None if e < 0 else {"type": _edge_kind(g, e), "label": g.edge_label(e)}
        if collapse and e >= 0 and g.edge_name_str(e) == _PROTOTYPE_SLOT:
            # a function's `.prototype`, as a snapshot names it (through the initial map)
            via_map = i + 1 < len(items) and g.edge_name_str(items[i + 1][0]) == "prototype"
            if via_map or int(g.node_type[v]) != NodeType.OBJECT_SHAPE:
                i += 1 if via_map else 0
                steps.append({"node": node_ref(g, items[i][1]), "edge": _PROTOTYPE_EDGE})
                i += 1
                continue
        if collapse and e >= 0 and i + 1 < len(items) and _is_store(g, v, e):
            prev = steps[-1]["node"] if steps else None
            label, kind = _collapsed_label(g, e, v, items[i + 1][0], prev)
            if label is not None:
                nxt_e, nxt_v = items[i + 1]
                # a chain of contexts (closure -> context -> previous -> ... -> var) folds too
                steps.append({"node": node_ref(g, nxt_v), "edge": {"type": kind, "label": label}})
                i += 2
                continue
        steps.append({"node": node_ref(g, v), "edge": edge})
        i += 1
    steps = fold_chains(steps)
    if len(steps) > MAX_HOPS + (1 if cut else 0):
        steps = [{"node": {"type": "...", "name": "", "id": 0}, "edge": None}] + steps[-MAX_HOPS:]
    return steps


#: a function's `prototype`: V8 keeps it in the slot `prototype_or_initial_map`, behind the
#: function's initial map once it has made an instance; a snapshot names it `.prototype`
#: either way, and a core said `(Service.prototype).cache` for `Service.prototype.cache`
_PROTOTYPE_SLOT = "prototype_or_initial_map"
_PROTOTYPE_EDGE = {"type": "property", "label": ".prototype"}
_MAP_RETAINERS = 64  # references into a map looked at for its function


def _prototype_owner(g: HeapGraph, e: int, u: int) -> int:
    """The function whose `.prototype` internal edge `e` out of `u` implements, or -1: `u`
    is the function itself (the slot holds the prototype), or its initial map (whose
    `prototype` it is)."""
    name = g.edge_name_str(e)
    if name == _PROTOTYPE_SLOT and int(g.node_type[u]) == NodeType.CLOSURE:
        return u
    if name == "prototype" and int(g.node_type[u]) == NodeType.OBJECT_SHAPE:
        for k, (e2, w) in enumerate(g.retainers_of(u)):
            if k >= _MAP_RETAINERS:
                break
            if g.edge_name_str(e2) == _PROTOTYPE_SLOT and int(g.node_type[w]) == NodeType.CLOSURE:
                return w
    return -1


def user_reference(g: HeapGraph, store: int, e_out: int) -> tuple[int, str, str] | None:
    """`(owner, label, kind)` of the user-level reference that slot `e_out` of V8 holder
    `store` implements (an Array's `[1]`, a Map's `Map entry 'k'`, a Context's
    `context var x`), the same collapse paths use; None if `store` is no such holder.
    A Context is its own owner: closures share it, so no single function owns the slot."""
    if g.name(store) == "system / Context":
        if int(g.edge_type[e_out]) == EdgeType.CONTEXT:
            return store, format_edge(EdgeType.CONTEXT, g.edge_name_str(e_out)), "context"
        return None
    for e_in, owner in g.retainers_of(store):
        if not _is_store(g, store, e_in) or g.edge_name_str(e_in) not in ("elements", "properties", "table"):
            continue
        label, kind = _collapsed_label(g, e_in, store, e_out, node_ref(g, owner))
        if label is not None:
            return owner, label, kind
    return None


def fold_chains(steps: list[dict]) -> list[dict]:
    """Fold a long run of identical links into one step, so a path through a linked list is
    shown whole: 4,000 PromiseReaction steps become `… 3,999 × PromiseReaction.next …`.

    A run is the same (node kind, edge) step, or the same pair of steps (Context -> closure
    -> Context...), repeated at least `_CHAIN_FOLD` times; its last node is kept as the
    step's node so the path still ends where it did."""
    sig = [_step_signature(st) for st in steps]
    out: list[dict] = []
    i = 0
    while i < len(steps):
        folded = False
        for period in (1, 2):
            reps = 1
            while (i + (reps + 1) * period <= len(steps)
                   and sig[i + reps * period:i + (reps + 1) * period] == sig[i:i + period]):
                reps += 1
            if reps >= _CHAIN_FOLD and all(s[2] for s in sig[i:i + period]):
                what = " ".join(f"{kind}{_short_edge(label)}" for kind, label, _ in
                                sig[i:i + period])
                last = steps[i + reps * period - 1]
                out.append({"node": last["node"],
                            "edge": {"type": "chain", "label": f"… {reps:,} × {what} …"}})
                i += reps * period
                folded = True
                break
        if not folded:
            out.append(steps[i])
            i += 1
    return out


def _step_signature(step: dict) -> tuple[str, str, bool]:
    """(kind of node, edge label, foldable) of a path step."""
    node, edge = step["node"], step["edge"]
    if edge is None or node["type"] == "...":
        return ("", "", False)
    label = edge["label"]
    if edge["type"] in ("element", "hidden", "collection"):
        label = edge["type"]  # [0], [1]...: the same link at another index
    return (internal_kind(node["type"], node["name"]), label, True)


def _short_edge(label: str) -> str:
    if label.startswith("internal "):
        return "." + label.removeprefix("internal ")
    if label in ("element", "hidden", "collection"):
        return "[…]"
    if label.startswith("context var "):
        return f" (context var {label.removeprefix('context var ')})"
    return label if label.startswith((".", "[")) else f" {label}"


def internal_kind(type_name: str, name: str) -> str:
    """A readable kind for V8 internals: `PromiseReaction` for a node named `(system)
    PROMISE_REACTION_TYPE` (a core) or `system / PromiseReaction` (a snapshot)."""
    if name.startswith("system / "):
        return name.removeprefix("system / ")
    if name.startswith("(system) ") and name.endswith("_TYPE"):
        words = name.removeprefix("(system) ").removesuffix("_TYPE").split("_")
        return "".join(w[:1] + w[1:].lower() for w in words)
    return type_name


def link_name(g: HeapGraph, v: int) -> str:
    """`internal_kind` of node `v`."""
    return internal_kind(g.class_name(v), g.name(v))


def _edge_kind(g: HeapGraph, e: int) -> str:
    return EdgeType(int(g.edge_type[e])).name.lower()


def _is_store(g: HeapGraph, v: int, e_in: int) -> bool:
    """Is `v` a V8-internal holder reached by an internal edge (backing store, table, context)?"""
    t = int(g.edge_type[e_in])
    if t not in (EdgeType.INTERNAL, EdgeType.HIDDEN):
        return False
    name = g.name(v)
    return int(g.node_type[v]) in _STORES or name == "system / Context"


def _collapsed_label(g: HeapGraph, e_in: int, store: int, e_out: int,
                     owner: dict | None) -> tuple[str | None, str]:
    """The one user-level reference that `owner -e_in-> store -e_out-> target` implements."""
    via = g.edge_name_str(e_in)
    out_type = int(g.edge_type[e_out])
    out_name = g.edge_name_str(e_out)
    if g.name(store) == "system / Context":
        if out_type == EdgeType.CONTEXT:
            return format_edge(EdgeType.CONTEXT, out_name), "context"
        return None, ""
    if via == "table" and owner is not None and owner["type"] in _COLLECTIONS:
        label = _COLLECTIONS[owner["type"]]
        key = _map_key(g, store, out_name) if owner["type"] == "Map" else None
        return (f"{label} {key}" if key else label), "collection"
    if via == "elements" and out_type in (EdgeType.ELEMENT, EdgeType.INTERNAL, EdgeType.HIDDEN):
        return f"[{out_name}]", "element"
    if via == "properties" and out_type == EdgeType.PROPERTY:
        return format_edge(EdgeType.PROPERTY, out_name), "property"
    return None, ""


def _map_key(g: HeapGraph, table: int, value_slot: str) -> str | None:
    """The key of the Map entry whose value sits in table slot `value_slot`, as JS: `'abc'`, `7`."""
    k = _map_key_node(g, table, value_slot)
    if k < 0:
        return None
    t = int(g.node_type[k])
    if t in STRING_TYPES:
        return repr(_short_key(g.name(k)))
    if t == NodeType.NUMBER:
        return g.name(k)
    return f"{g.class_name(k)} @{int(g.node_id[k])}"


#: node types whose name is a string's value


def _short_key(key: str) -> str:
    """A Map key short enough for a label (a 600-character key is no name)."""
    return key if len(key) <= 40 else key[:37] + "..."


def _map_key_node(g: HeapGraph, table: int, value_slot: str) -> int:
    """The key node of the Map entry whose value sits in table slot `value_slot` (the key
    is in slot - 1), or -1."""
    if not value_slot.isdigit():
        return -1
    key_slot = int(value_slot) - 1
    want = g.find_string(str(key_slot))
    a, b = int(g.edge_start[table]), int(g.edge_start[table + 1])
    # snapshots name table slots as internal edges "2067"; core graphs keep them hidden by index
    hits = np.nonzero(((g.edge_name[a:b] == want) & (g.edge_type[a:b] == EdgeType.INTERNAL) & (want >= 0))
                      | ((g.edge_name[a:b] == key_slot) & (g.edge_type[a:b] == EdgeType.HIDDEN)))[0]
    return int(g.edge_to[a + int(hits[0])]) if hits.shape[0] else -1


def holder_expression(path: list[dict]) -> str:
    """A JS-like name for the last node of a path: `sessionCache`, `bus._events['x']`."""
    parts: list[str] = []
    for i in range(len(path) - 1, -1, -1):
        step = path[i]
        edge = step["edge"]
        if edge is None:
            parts.insert(0, step["node"]["type"])
            break
        label, kind = edge["label"], edge["type"]
        if kind == "context":
            parts.insert(0, label.removeprefix("context var "))
            break
        if i >= 2 and path[i - 1]["edge"] and path[i - 1]["edge"]["label"] == REGISTERS_EDGE:
            # a local variable of a suspended generator or async function: registers have
            # no names, the generator object does (`gen<local of batches()>`)
            parts.insert(0, f"<local of {path[i - 2]['node']['type']}()>")
            return holder_expression(path[:i - 1]) + "".join(parts)
        if kind == "element" and i and _is_root_set(path[i - 1]["node"]):
            # a slot of the stack or a handle scope has no name a program knows: a core
            # named a FinalizationRegistry in a register `[1][3][20]`, its snapshot
            # `(FinalizationRegistry)`
            parts.insert(0, f"({step['node']['type']})")
            break
        if kind in ("property", "element") and not label.startswith("hidden"):
            parts.insert(0, label)
        elif label in _PROXY_SLOTS and i and path[i - 1]["node"]["type"] == "Proxy":
            parts.insert(0, _PROXY_SLOTS[label])
        elif kind == "collection":
            parts.insert(0, f"<{label}>")
        else:
            parts.insert(0, f"({step['node']['type']})")
            break
        if len(parts) >= 5:
            parts.insert(0, "…")
            break
    expr = "".join(parts)
    expr = expr[1:] if expr.startswith(".") else expr
    if len(parts) == 1 and expr.startswith("("):  # no user-level name at all: `(Promise)`
        above = _nearest_variable(path)
        if above:
            expr += f" via {above}"
    return expr


#: V8's root sets by name: `(GC roots)`, `(Stack roots)`, `(Handle scope)`... (a capital
#: after the parenthesis; `(array)`, `(closure)` are kinds of objects)
_ROOT_SET = re.compile(r"^\([A-Z][^()]*\)$")


def _is_root_set(node: dict) -> bool:
    """Is this path node a root set? A core's graph calls its kind `(synthetic)`, a
    snapshot's by its name."""
    return node["type"] == "(synthetic)" or bool(_ROOT_SET.match(node["type"]))


#: the register file of a suspended generator (its locals), as the core and V8 name the edge
REGISTERS_EDGE = "internal parameters_and_registers"

#: a Proxy's two fields as DevTools shows them (a core names the edges; the snapshot loader names them alike)
_PROXY_SLOTS = {"internal target": ".[[Target]]", "internal handler": ".[[Handler]]"}


def _nearest_variable(path: list[dict]) -> str | None:
    """The variable or global property nearest the end of `path` (`lock`, `(global).app`):
    what a chain of internal links (a promise's reactions) hangs off."""
    for i in range(len(path) - 1, 0, -1):
        edge = path[i]["edge"]
        if edge is None:
            continue
        if edge["type"] == "context":
            name = edge["label"].removeprefix("context var ")
            if _names_a_variable(name):
                return name
        elif edge["type"] == "property" and path[i - 1]["node"]["type"] == "global":
            return f"(global){edge['label']}"
    return None


#: longest name `named_holder` builds, and how many objects it may visit looking for one
_NAME_LABELS = 8
_NAME_BUDGET = 50_000
#: how many layers further a name the program knows is looked for when the nearest is a
#: variable only Node's code uses: `mod.exports.hub` (the CommonJS loader's `mod`) is
#: `require.main.exports.hub` one layer up
_INTERNAL_NAME_PATIENCE = 2
_NAME_FANIN = 10_000  # references into one object that are looked at (in edge order)
#: context slots that are no programmer's name for what they hold: an arrow function's captured
#: receiver (`this.data` says nothing about which object); V8's own temporaries start with a
#: dot (`.result`) and are skipped as well
_RECEIVER_SLOTS = frozenset({"this"})


def _names_a_variable(slot: str) -> bool:
    """Is a context slot's name one a programmer gave (not `this`, not `.result`)?"""
    return slot not in _RECEIVER_SLOTS and not slot.startswith(".")


_NAMING_EDGE_TYPES = np.array([EdgeType.PROPERTY, EdgeType.ELEMENT, EdgeType.CONTEXT,
                               EdgeType.INTERNAL, EdgeType.HIDDEN], dtype=np.uint8)


def named_holder(g: HeapGraph, node: int, *, dominators: np.ndarray | None = None,
                 patience: int = _INTERNAL_NAME_PATIENCE,
                 program_only: bool = False) -> str | None:
    """The name a programmer knows `node` by: `sessionCache`, `(global).app.cache`,
    `RequestRegistry.instance.requests`; None when no such name exists near it.

    Shortest retainer paths depend on BFS order, which depends on where objects happen to be
    in memory; two equally short paths (a class reached as a module variable or as a global
    property, or through its map's constructor slot) then give a different name on each run.
    This search does not: it walks back from `node` over user-level references only
    (properties, elements, collection entries), layer by layer, and stops at the first layer
    where a module or closure variable (`context var x`) or a property of a global object
    names it. Among those, the fewest hops wins, then a variable over a global property
    (but a global property over a variable that only an installed package's functions use,
    bluebird's `promise`, and over one that only Node's own use, `stream`; the latter
    names the object only when no name of the program's lies up to
    `_INTERNAL_NAME_PATIENCE` layers further: the loader's `mod.exports` is
    `require.main.exports`),
    then the name most closures use for that object (`process`, not the `object` or
    `_process` of one Node-internal function), then the name's text, so every core of the
    same program gets the same name. The receiver an arrow function captures (`this`) is
    no name.
    `dominators` (idom per node) lets it reject a variable that `node` itself keeps alive.
    `patience`: how many layers further it looks for a program's name once Node's own has
    been found (more where that name is known to say nothing: an iterator's `emitter`).
    `program_only`: None rather than a name only Node's own code uses (async hooks'
    `execution_async_resources`, which holds the timer that is running).
    """
    dist = distances(g)
    if dist[node] == UNREACHABLE:
        return None
    flags = edge_flags(g)
    rs, r_edge = g.retainers()
    chain: dict[int, tuple[str, ...]] = {node: ()}
    frontier = [node]
    visited = 0
    internal_name: tuple[int, int, str] | None = None  # the best name only Node's code uses
    for _ in range(_NAME_LABELS):
        found: list[tuple[int, int, str]] = []  # (global property?, -votes, name)
        nxt: list[tuple[tuple[str, ...], int]] = []
        for v in frontier:
            named = _named_retainers(g, v, rs, r_edge, flags, dist)
            votes = Counter(label for label, _, kind in named if kind == "context")
            for label, u, kind in named:
                visited += 1
                labels = (label, *chain[v])
                if kind == "context":
                    if dominators is None or not dominated_by(dominators, g.root, u, node):
                        rank = _context_rank(g, u)
                        if rank == _NODE_VARIABLE and label in _global_names(g, dist):
                            rank = _GLOBAL_NAME  # Node's `process` is the program's too
                        found.append((rank, -votes[label], _join("", labels)))
                elif _user_global(g, u, dist):
                    found.append((1, 0, _join(f"({g.class_name(u)})", labels)))
                elif u not in chain:
                    chain[u] = labels
                    nxt.append((labels, u))
        if found and min(found)[0] < _NODE_VARIABLE:
            return min(found)[-1]
        if found and internal_name is None:  # only Node's own variables: look a little further
            internal_name = min(found)
        if internal_name is not None:
            if patience == 0:
                break
            patience -= 1
        if not nxt or visited > _NAME_BUDGET:
            break
        nxt.sort()
        frontier = [u for _, u in nxt]
    return internal_name[-1] if internal_name is not None and not program_only else None


def weak_map_entry_name(g: HeapGraph, node: int, *,
                        dominators: np.ndarray | None = None) -> str | None:
    """`auditOf.get(app)`: the value of WeakMap `auditOf` under key `app`, named as the
    program reads it; None when it is no such value or either part has no name. No strong
    reference names such a value (each half of the pair is weak alone): an Array of 10,000
    audit entries kept as `auditOf.get(app)` was `(Array) via app`."""
    flags = edge_flags(g)
    tables: dict[int, int] = {}  # the table's id -> the table
    keys: list[tuple[int, int]] = []  # (the id of the pair's table, the key)
    for e, u in g.retainers_of(node)[:_NAME_FANIN]:
        if flags[e] & EPHEMERON_TABLE:
            tables[int(g.node_id[u])] = u
        elif flags[e] & EPHEMERON:
            keys.append((_pair_table_id(g, e), u))
    for table_id, key in keys:
        table = tables.get(table_id)
        owner = _table_owner(g, table) if table is not None else None
        if owner is None or g.class_name(owner) != "WeakMap":
            continue
        map_name = named_holder(g, owner, dominators=dominators)
        key_name = named_holder(g, key, dominators=dominators)
        if map_name and key_name:
            return f"{map_name}.get({key_name})"
    return None


def _pair_table_id(g: HeapGraph, e: int) -> int:
    """The id of the table an ephemeron edge's label names (`... pair in WeakMap (table @7)`)."""
    m = EPHEMERON_LABEL.match(g.edge_name_str(e))
    return int(m.group(1)) if m else -1


def _user_global(g: HeapGraph, u: int, dist: np.ndarray) -> bool:
    """Is `u` the program's global object: a user root (a core, snapshots up to Node 24),
    or the global object right below one (Node 26's snapshots root the main native context,
    whose `global_object` it is)?"""
    if int(g.node_type[u]) == NodeType.SYNTHETIC:
        return False
    return dist[u] == 1 or (dist[u] == 2 and g.class_name(u) == "global")


#: how well a context variable names an object, best first (a global property ranks 1)
_PROGRAM_VARIABLE, _GLOBAL_NAME, _DEPENDENCY_VARIABLE, _NODE_VARIABLE = 0, 1, 2, 3


def _global_names(g: HeapGraph, dist: np.ndarray) -> frozenset[str]:
    """The property names of the program's global object (`process`, `Buffer`, ...): a
    variable of Node's own code that has one of them is a name the program knows too, so
    `process.stdout._events.drain` beats Node's `stream._events.drain` (cached on `g`)."""
    def compute() -> frozenset[str]:
        names: set[str] = set()
        for u in np.flatnonzero(g.node_class == g.find_string("global")).tolist():
            if _user_global(g, u, dist):
                names.update(g.edge_name_str(e) for e in g.edges_of(u)
                             if int(g.edge_type[e]) == EdgeType.PROPERTY)
        return frozenset(names)
    return g.cached("global_property_names", compute)


def _context_rank(g: HeapGraph, ctx: int, limit: int = 16, depth: int = 1) -> int:
    """Whose functions run in context `ctx`: the program's (_PROGRAM_VARIABLE), only an
    installed package's (_DEPENDENCY_VARIABLE), or only Node's own (_NODE_VARIABLE)?
    Node's variables are no name a programmer knows: Node 26's stream code captures a
    PassThrough as `stream`, and a backlog held by `(global).sink` was named
    `stream._writableState[...]`. A package's name an author can look up, but the
    program's own says more: bluebird's resolver captures its promise as `promise`, and a
    pending promise in `(global).gate` was named `promise`."""
    seen = 0
    dependency = False
    inner = []  # block contexts inside it, whose closures see its variables too
    for e, fn in g.retainers_of(ctx):
        if g.edge_name_str(e) == "previous" and g.name(fn) == "system / Context":
            inner.append(fn)
        if int(g.node_type[fn]) != NodeType.CLOSURE or g.edge_name_str(e) != "context":
            continue
        origin = class_origin(g, fn)  # (once: whose script, and whether a package's)
        if origin is not None and not is_internal_script(origin["script"]):
            if not is_dependency_script(origin["script"]):
                return _PROGRAM_VARIABLE
            dependency = True
        seen += 1
        if seen >= limit:
            break
    if seen == 0:
        # no closure of its own: those of its block contexts (events.on's `emitter` lives in
        # on()'s context, which only the closures of a block inside it use)
        inner_ranks = [_context_rank(g, c, limit, depth - 1) for c in inner[:limit]] \
            if depth > 0 else []
        return max(inner_ranks, default=_PROGRAM_VARIABLE)
    return _DEPENDENCY_VARIABLE if dependency else _NODE_VARIABLE


def _named_retainers(g: HeapGraph, v: int, rs, r_edge, flags, dist) -> list[tuple[str, int, str]]:
    """`(label, retainer, kind)` of the user-level strong references to `v`, sorted by label.

    A backing store (a Map's table, an elements store) is passed through to its owner."""
    a, b = int(rs[v]), int(rs[v + 1])
    edges = r_edge[a:b].astype(np.int64)
    edges = edges[((flags[edges] & (WEAK | NO_DISTANCE | EPHEMERON)) == 0)
                  & np.isin(g.edge_type[edges], _NAMING_EDGE_TYPES)][:_NAME_FANIN]
    if not edges.shape[0]:
        return []
    srcs = g.edge_sources(edges)
    out: list[tuple[str, int, str]] = []
    for e, u in zip(edges.tolist(), srcs.tolist(), strict=True):
        if flags[e] & (WEAK | NO_DISTANCE | EPHEMERON) or dist[u] == UNREACHABLE or u == v:
            continue
        t = int(g.edge_type[e])
        if int(g.node_type[u]) == NodeType.SYNTHETIC:
            continue
        if t == EdgeType.CONTEXT:
            name = g.edge_name_str(e)
            if _names_a_variable(name):
                owner = _getter_owner(g, u, name)
                if owner >= 0 and _context_rank(g, u) != _PROGRAM_VARIABLE:
                    # `process.stdout`, not Node's variable `stdout` behind its getter
                    out.append((format_edge(EdgeType.PROPERTY, name), owner, "object"))
                else:
                    out.append((name, u, "context"))
        elif t in (EdgeType.PROPERTY, EdgeType.ELEMENT):
            name = g.edge_name_str(e)
            if t == EdgeType.PROPERTY and name == "__proto__":
                continue
            if int(g.node_type[u]) in _STORES and t == EdgeType.ELEMENT:
                owner = _table_owner(g, u)
                if owner is not None:
                    out.append((f"<{_COLLECTIONS.get(g.class_name(owner), 'entry')}>", owner,
                                "object"))
                continue
            out.append((format_edge(t, name), u, "object"))
        elif t == EdgeType.INTERNAL and (fn := _prototype_owner(g, e, u)) >= 0:
            out.append((".prototype", fn, "object"))
        elif t == EdgeType.INTERNAL and g.class_name(u) == "Proxy" and (
                slot := _PROXY_SLOTS.get(g.edge_label(e))):
            # the store behind `store = new Proxy(target, ...)`: a core reached the Proxy
            # through a stack slot first and named the holder `[1][3][48].[[Target]]`
            out.append((slot, u, "object"))
        elif t in (EdgeType.INTERNAL, EdgeType.HIDDEN) and int(g.node_type[u]) in _STORES:
            owner = _table_owner(g, u)
            if owner is not None:
                out.append((_entry_label(g, u, e, owner), owner, "object"))
    out.sort(key=lambda x: (x[0], g.class_name(x[1])))
    return out


def _getter_owner(g: HeapGraph, ctx: int, name: str, limit: int = 32) -> int:
    """The object whose accessor property `name` has a getter running in context `ctx`,
    which holds a variable `name` too, or -1: Node's `let stdout` is what `process.stdout`
    returns, and a holder named `stdout._events.drain` is read as `process.stdout`. A
    core's graph has the accessor pair between the object and the getter (`.stdout`, then
    `getter`); a snapshot links them directly (`get stdout`)."""
    looked = 0
    for e, fn in g.retainers_of(ctx):
        if int(g.node_type[fn]) != NodeType.CLOSURE or g.edge_name_str(e) != "context":
            continue
        looked += 1
        if looked > limit:
            break
        for e2, u in g.retainers_of(fn):
            label = g.edge_name_str(e2)
            if label == f"get {name}" and int(g.edge_type[e2]) == EdgeType.PROPERTY:
                return u
            if label == "getter":
                for e3, owner in g.retainers_of(u):
                    if (int(g.edge_type[e3]) == EdgeType.PROPERTY
                            and g.edge_name_str(e3) == name):
                        return owner
    return -1


def _entry_label(g: HeapGraph, table: int, e: int, owner: int) -> str:
    """A name part for the value that table slot `e` of collection `owner` holds: `.abort`
    for a Map entry keyed 'abort', as a core's graph names it (a snapshot's holders said
    `<Map entry>`, and the same program's core `.abort`); else `<Map entry>`, `<Set member>`."""
    if g.class_name(owner) == "Map":
        k = _map_key_node(g, table, g.edge_name_str(e))
        if k >= 0 and int(g.node_type[k]) in STRING_TYPES:
            return format_edge(EdgeType.PROPERTY, _short_key(g.name(k)))
    return f"<{_COLLECTIONS.get(g.class_name(owner), 'entry')}>"


def _table_owner(g: HeapGraph, store: int) -> int | None:
    """The Map/Set/WeakMap whose `table` is `store`, if it is one."""
    for e, u in g.retainers_of(store):
        if (int(g.edge_type[e]) == EdgeType.INTERNAL and g.edge_name_str(e) == "table"
                and g.class_name(u) in _COLLECTIONS):
            return u
    return None


def _join(prefix: str, labels: tuple[str, ...]) -> str:
    expr = prefix + "".join(labels)
    return expr[1:] if not prefix and expr.startswith(".") else expr
