"""The main thread's event loop read from a core: libuv handles and Node's pending requests.

Two sources, each checked before it is believed (the core is untrusted input):

* libuv's default loop (`default_loop_struct` in the node binary's symbol table): its
  `handle_queue` lists every handle with its type and ACTIVE/REF flags, which is what a
  diagnostic report's `libuv` list shows (uv_walk, libuv's internal handles left out).
  A handle's `data` is its HandleWrap when Node made it; the pairing is believed only when
  the wrap's JS object (BaseObject's persistent handle) points back at the wrap (field
  kSlot), so a Node-internal handle whose `data` is something else gets no object.
* Node's Environment, whose `handle_wrap_queue_` and `req_wrap_queue_` (llnode's
  `getactivehandles` / `getactiverequests`) are located with Node's own `nodedbg_*`
  offsets. The Environment is found two ways, which must agree: from a verified HandleWrap
  (its list node is in a ring through the Environment's list head, the one node that is no
  wrap) and, as llnode does, from the native contexts' embedder data slot kEnvironment; a
  candidate is accepted only when both of its list heads are well-formed rings.

Every list walk is bounded, stops at a repeated node and checks each node's back link.
Layout facts: `triage/node_internals.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from triage import node_internals as ni
from triage.coredump import CoreFile, ElfFile
from triage.coredump.elf import ET_DYN, PT_LOAD


@dataclass
class LoopHandle:
    address: int
    type: str
    active: bool
    referenced: bool
    closing: bool
    internal: bool
    wrap: int | None = None  # the HandleWrap (C++) when the JS object points back at it
    object: int | None = None  # its JS object (tagged)
    constructor: str | None = None
    signal: int | None = None
    path: str | None = None


@dataclass
class PendingRequest:
    wrap: int
    object: int | None = None
    constructor: str | None = None


@dataclass
class EventLoop:
    """What was read; `problems` says, in plain words, what could not be."""

    loop: int | None = None
    active_handles: int | None = None
    active_requests: int | None = None
    handles: list[LoopHandle] = field(default_factory=list)
    handles_complete: bool = False
    environment: int | None = None
    node_wraps: list[PendingRequest] | None = None  # Node's handle_wrap_queue_ (HandleWraps)
    requests: list[PendingRequest] | None = None  # Node's req_wrap_queue_ (ReqWraps)
    problems: list[str] = field(default_factory=list)


class _Mem:
    """Checked reads: None instead of an exception for anything outside the core."""

    def __init__(self, core: CoreFile):
        self.core = core

    def u64(self, addr: int) -> int | None:
        if not 0 < addr < 1 << 64:
            return None
        raw = self.core.try_read(addr, 8)
        return None if raw is None else int.from_bytes(raw, "little")

    def u32(self, addr: int) -> int | None:
        if not 0 < addr < 1 << 64:
            return None
        raw = self.core.try_read(addr, 4)
        return None if raw is None else int.from_bytes(raw, "little")


def read_event_loop(core: CoreFile, binary: ElfFile, heap: Any = None) -> EventLoop:
    """The default loop's handles and, through Node's Environment, its pending requests.
    `heap` (a V8Heap, optional) names each wrap's JS object by its constructor."""
    out = EventLoop()
    mem = _Mem(core)
    syms = _needed_symbols(binary)
    bias = _load_bias(core, binary)
    loop_sym = syms.get(ni.DEFAULT_LOOP_SYMBOL)
    if loop_sym is None or bias is None:
        out.problems.append(f"the node binary has no `{ni.DEFAULT_LOOP_SYMBOL}` symbol "
                            "(a stripped build?): the event loop was not found")
        return out
    loop = loop_sym.value + bias
    ptr_sym = syms.get(ni.DEFAULT_LOOP_POINTER_SYMBOL)
    if ptr_sym is not None and mem.u64(ptr_sym.value + bias) != loop:
        out.problems.append("libuv's default loop was never initialised in this process "
                            "(default_loop_ptr does not point at it)")
        return out
    out.loop = loop
    out.active_handles = mem.u32(loop + ni.LOOP_ACTIVE_HANDLES)
    out.active_requests = mem.u32(loop + ni.LOOP_ACTIVE_REQS)
    offsets = _nodedbg(mem, syms, bias)
    if offsets is None:
        out.problems.append("the node binary has no readable nodedbg_* postmortem offsets: "
                            "handles are listed without their JS objects, requests not at all")
    _read_handles(mem, loop, out, offsets, heap)
    if offsets is not None:
        _read_node_queues(mem, out, offsets, heap)
    return out


def _needed_symbols(binary: ElfFile) -> dict:
    """The loop's two symbols and the `nodedbg_*` ones, looked up by name and prefix: decoding
    the whole table (`binary.symbols()`) cost ~0.7 s of a 1.5 s run on Node 26."""
    syms = binary.symbols_with_prefix("nodedbg_")
    for name in (ni.DEFAULT_LOOP_SYMBOL, ni.DEFAULT_LOOP_POINTER_SYMBOL):
        sym = binary.symbol(name)
        if sym is not None:
            syms[name] = sym
    return syms


def _load_bias(core: CoreFile, binary: ElfFile) -> int | None:
    """0 for a non-PIE node (every official build); the mapping's offset for a PIE one."""
    if binary.type != ET_DYN:
        return 0
    exe = core.executable_mapping()
    loads = [s.vaddr for s in binary.segments if s.type == PT_LOAD]
    if exe is None or not loads:
        return None
    return exe.start - min(loads)


def _nodedbg(mem: _Mem, syms: dict, bias: int) -> dict[str, int] | None:
    out = {}
    for key, name in ni.NODEDBG.items():
        sym = syms.get(name)
        value = None if sym is None else mem.u64(sym.value + bias)
        if value is None or value >= ni.NODEDBG_LIMIT:
            return None
        out[key] = value
    sym = syms.get(ni.NODEDBG_ENVIRONMENT_INDEX)  # an int: the slot in a context's embedder data
    index = None if sym is None else mem.u32(sym.value + bias)
    if index is not None and index < ni.NODEDBG_LIMIT:
        out["context_environment_index"] = index
    return out


def _ring(mem: _Mem, start: int, next_off: int, prev_off: int, limit: int) -> tuple[list[int], str | None]:
    """Nodes of a circular doubly linked list after `start` (not `start` itself), and why
    the walk stopped early (None when it came back to `start`)."""
    nodes: list[int] = []
    seen = {start}
    here = start
    while True:
        nxt = mem.u64(here + next_off)
        if nxt is None:
            return nodes, f"a link at 0x{here:x} is not in the core"
        back = mem.u64(nxt + prev_off)
        if back is None:
            return nodes, f"the link at 0x{here:x} points to 0x{nxt:x}, which is not in the core"
        if back != here:
            return nodes, f"the node at 0x{nxt:x} does not link back to 0x{here:x}"
        if nxt == start:
            return nodes, None
        if nxt in seen:
            return nodes, f"the list loops back to 0x{nxt:x} without reaching its head"
        if len(nodes) >= limit:
            return nodes, f"more than {limit:,} nodes"
        seen.add(nxt)
        nodes.append(nxt)
        here = nxt


def _read_handles(mem: _Mem, loop: int, out: EventLoop, offsets: dict | None, heap: Any) -> None:
    nodes, stop = _ring(mem, loop + ni.LOOP_HANDLE_QUEUE, ni.QUEUE_NEXT, ni.QUEUE_PREV, ni.MAX_HANDLES)
    for node in nodes:
        h = node - ni.HANDLE_QUEUE
        type_code = mem.u32(h + ni.HANDLE_TYPE)
        flags = mem.u32(h + ni.HANDLE_FLAGS)
        if mem.u64(h + ni.HANDLE_LOOP) != loop or type_code not in ni.HANDLE_TYPES or flags is None:
            stop = f"the entry at 0x{h:x} is not a handle of this loop"
            break
        handle = LoopHandle(h, ni.HANDLE_TYPES[type_code], bool(flags & ni.UV_HANDLE_ACTIVE),
                            bool(flags & ni.UV_HANDLE_REF),
                            bool(flags & (ni.UV_HANDLE_CLOSING | ni.UV_HANDLE_CLOSED)),
                            bool(flags & ni.UV_HANDLE_INTERNAL))
        if handle.type == "signal":
            signum = mem.u32(h + ni.SIGNAL_SIGNUM)
            handle.signal = signum if signum is not None and 0 < signum < 65 else None
        elif handle.type == "fs_event":
            path = mem.u64(h + ni.FS_EVENT_PATH)
            handle.path = mem.core.cstring(path, 1024) if path else None
        if offsets is not None:
            data = mem.u64(h + ni.HANDLE_DATA)
            obj = _wrap_object(mem, data, offsets, heap) if data else None
            if obj is not None:
                handle.wrap, handle.object = data, obj
                handle.constructor = _constructor(heap, obj)
        out.handles.append(handle)
    out.handles_complete = stop is None
    if stop is not None:
        out.problems.append(f"libuv's handle list was read up to a damaged entry ({stop}): "
                            f"{len(out.handles)} handles shown, more may exist")


def _wrap_object(mem: _Mem, wrap: int | None, offsets: dict, heap: Any) -> int | None:
    """The JS object of the BaseObject at `wrap`, when its field kSlot points back at it."""
    if heap is None or not wrap:
        return None
    slot = mem.u64(wrap + offsets["persistent_handle"])
    obj = mem.u64(slot) if slot else None
    if obj is None or obj & 3 != 1:
        return None
    header = heap.reader.facts.api_object_header
    if mem.u64(obj - 1 + header + 8 * ni.BASE_OBJECT_SLOT) != wrap:
        return None
    return obj


def _constructor(heap: Any, obj: int) -> str | None:
    try:
        return heap.class_name_of(obj)
    except (ValueError, LookupError):
        return None


def _read_node_queues(mem: _Mem, out: EventLoop, off: dict, heap: Any) -> None:
    if heap is None:
        out.problems.append("the V8 heap could not be read: Node's wraps and requests (whose "
                            "JS objects prove them) were not read")
        return
    wraps = {h.wrap for h in out.handles if h.wrap is not None}
    # Two independent routes; both must name the same Environment when both find one.
    envs = sorted(set(_environments_from_wraps(mem, wraps, off, out) if wraps else ())
                  | set(_environments_from_contexts(mem, off, heap)))
    if len(envs) != 1:
        out.problems.append("Node's Environment could not be located from the handle wraps' "
                            f"list and the native contexts ({len(envs)} candidates): pending "
                            "requests were not read")
        return
    env = out.environment = envs[0]
    out.node_wraps = _queue(mem, env + off["env_handle_wrap_queue"] + off["handle_queue_head"],
                            off["handle_wrap_node"], off["handle_node_next"], off["handle_node_prev"],
                            off, heap, out, "handle wrap")
    out.requests = _queue(mem, env + off["env_req_wrap_queue"] + off["req_queue_head"],
                          off["req_wrap_node"], off["req_node_next"], off["req_node_prev"],
                          off, heap, out, "request")


def _is_environment(mem: _Mem, env: int, off: dict) -> bool:
    """Both of Node's list heads at their nodedbg offsets are well-formed rings."""
    for queue, head, nxt, prev in (("env_handle_wrap_queue", "handle_queue_head", "handle_node_next",
                                    "handle_node_prev"),
                                   ("env_req_wrap_queue", "req_queue_head", "req_node_next",
                                    "req_node_prev")):
        _, stop = _ring(mem, env + off[queue] + off[head], off[nxt], off[prev], ni.MAX_REQUESTS)
        if stop is not None:
            return False
    return True


def _environments_from_contexts(mem: _Mem, off: dict, heap: Any) -> list[int]:
    """Environments named by native contexts (embedder data slot kEnvironment, as llnode
    finds it): used when no loop handle has a Node wrap to start from."""
    r = heap.reader
    data_off = r.c.get("native_context_embedder_data_offset")
    index = off.get("context_environment_index")
    if data_off is None or index is None or heap.native_context_type is None:
        return []
    w = heap.walk()
    kinds = [i for i, m in enumerate(heap.maps) if m.instance_type == heap.native_context_type]
    found: set[int] = set()
    tried: set[int] = set()  # vm contexts name the same Environment: check it once
    for addr in w.address[np.isin(w.map_index, kinds)][: ni.MAX_ENVIRONMENT_CANDIDATES].tolist():
        data = mem.u64(int(addr) + data_off)
        env = mem.u64(data - 1 + ni.EMBEDDER_DATA_HEADER + 8 * index) if data and data & 1 else None
        if env and env not in tried:
            tried.add(env)
            if _is_environment(mem, env, off):
                found.add(env)
    return sorted(found)


def _environments_from_wraps(mem: _Mem, wraps: set[int], off: dict, out: EventLoop) -> list[int]:
    """The one entry of the HandleWrap ring that is no wrap is the Environment's list head."""
    start = next(iter(wraps)) + off["handle_wrap_node"]
    ring, _ = _ring(mem, start, off["handle_node_next"], off["handle_node_prev"], ni.MAX_HANDLES)
    nodes = [start, *ring]
    known = {w + off["handle_wrap_node"] for w in wraps}
    envs = []
    heads = [n for n in nodes if n not in known]
    if len(heads) > ni.MAX_ENVIRONMENT_CANDIDATES:  # one in a real process (plus closing wraps)
        out.problems.append(f"{len(heads):,} of the handle wraps' list entries are no known wrap: "
                            "Node's Environment was not searched among them")
        return []
    for node in heads:
        env = node - off["handle_queue_head"] - off["env_handle_wrap_queue"]
        if _is_environment(mem, env, off):
            envs.append(env)
    return envs


def _queue(mem: _Mem, head: int, node_off: int, next_off: int, prev_off: int, off: dict,
           heap: Any, out: EventLoop, what: str) -> list[PendingRequest]:
    nodes, stop = _ring(mem, head, next_off, prev_off, ni.MAX_REQUESTS)
    items = []
    unproven = 0
    for node in nodes:
        wrap = node - node_off
        obj = _wrap_object(mem, wrap, off, heap)
        if obj is None:
            unproven += 1
        items.append(PendingRequest(wrap, obj, _constructor(heap, obj) if obj is not None else None))
    if stop is not None:
        out.problems.append(f"Node's {what} list was read up to a damaged entry ({stop}): "
                            f"{len(items)} shown, more may exist")
    if unproven:
        out.problems.append(f"{unproven} {what}(s) have no JS object pointing back at them "
                            "(being created or destroyed, or damaged): shown without a constructor")
    return items


_LISTEN_KEY_NOTE = ("the address passed to listen() (net.Server._connectionKey); a port of 0 "
                    "asked the kernel to choose one, which only the kernel recorded")
_SOCKET_NOTE = "the addresses net.Socket cached (_sockname / _peername)"


def socket_endpoints(heap: Any, handles: list[LoopHandle]) -> dict[int, dict]:
    """Endpoints of stream handles by JS object, where the heap holds them: a server's
    listen key, a socket's cached addresses. A core has no socket addresses of its own
    (the kernel keeps them), so a handle whose owner recorded none gets no entry."""
    out: dict[int, dict] = {}
    if heap is None:
        return out
    for h in handles:
        if h.object is None or h.type not in ("tcp", "pipe", "udp"):
            continue
        try:
            owner = dict((n, v) for n, v, _ in heap.reader.own_properties(h.object) or ())
            holder = owner.get("Symbol(owner_symbol)")
            if holder is None:
                continue
            props = heap.inspect(holder, depth=2).get("properties") or {}
        except (ValueError, LookupError, TypeError):
            continue
        key = props.get("_connectionKey")
        if isinstance(key, str):
            out[h.object] = {"local": _listen_key(key), "remote": None, "from": _LISTEN_KEY_NOTE}
            continue
        local, remote = _cached_address(props.get("_sockname")), _cached_address(props.get("_peername"))
        if local or remote:
            out[h.object] = {"local": local, "remote": remote, "from": _SOCKET_NOTE}
    return out


def _listen_key(key: str) -> dict[str, Any] | None:
    """`4:127.0.0.1:8080`, `6:::1:8080` or `-1:/path/to.sock` (net.js addressType:address:port)."""
    kind, _, rest = key.partition(":")
    if kind == "-1":
        return {"ip": None, "port": None, "path": rest}
    ip, _, port = rest.rpartition(":")
    return {"ip": ip or None, "port": int(port) if port.isdigit() else None, "path": None}


def _cached_address(value: Any) -> dict[str, Any] | None:
    props = value.get("properties") if isinstance(value, dict) else None
    if not isinstance(props, dict):
        return None
    ip, port = props.get("address"), props.get("port")
    return {"ip": ip if isinstance(ip, str) else None,
            "port": port if isinstance(port, int) and not isinstance(port, bool) else None,
            "path": None}
