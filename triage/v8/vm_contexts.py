"""Contexts made by Node's `vm` module, and what keeps each alive, read from a core.

`vm.createContext(sandbox)` makes a new native context with its own global object. A heap
snapshot links only the main context's global from its root (a `shortcut`, the "user root");
a vm context hangs off its sandbox instead: the sandbox holds Node's ContextifyContext
(through a private symbol), and that C++ object holds the context. A core cannot follow the
C++ link, so until December 2026 every global object was a user root: 150 kept contexts
(`sandboxes.push(vm.createContext(...))`, 30 MiB) belonged to no one and gave no suspect,
where the snapshot of the same program blamed `(global).sandboxes`.

The link is rebuilt from the other direction: Node puts the sandbox in the context's
embedder data (slot `node_internals.CONTEXT_SANDBOX_OBJECT_INDEX`), so each native context
whose slot holds a JS object is a vm context, kept by that object (an internal edge
`VM_CONTEXT_EDGE`), and its global is no user root. The main context has nothing there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from triage.heapgraph.model import NodeType
from triage.node_internals import CONTEXT_SANDBOX_OBJECT_INDEX, EMBEDDER_DATA_HEADER

if TYPE_CHECKING:
    from triage.v8.heap import V8Heap

#: the name of the edge from a sandbox to its context (Node's ContextifyContext in between)
VM_CONTEXT_EDGE = "(vm context)"
_CONTEXT_HEADER = 16  # a Context's map and length words, then its slots
_GLOBAL_SLOT_LIMIT = 8  # the global object is one of a native context's first slots


@dataclass
class VmContexts:
    """Object indexes (into the graph's object table): each vm context's sandbox and native
    context, pairwise, and the vm contexts' global objects."""

    sandboxes: np.ndarray
    contexts: np.ndarray
    globals: np.ndarray


def find_vm_contexts(heap: V8Heap, addrs: np.ndarray, omap: np.ndarray, ntype: np.ndarray,
                     is_global: np.ndarray, read: Callable[[np.ndarray], np.ndarray],
                     lookup: Callable[[np.ndarray], np.ndarray]) -> VmContexts:
    """`read(addresses)` reads 8-byte words (0 where the core has none); `lookup(words)` gives
    the object index of each tagged pointer, else -1. `ntype`/`is_global` are per map."""
    none = VmContexts(*(np.zeros(0, np.int64) for _ in range(3)))
    data_off = heap.reader.c.get("native_context_embedder_data_offset")
    if data_off is None or heap.native_context_type is None:
        return none
    kinds = [i for i, m in enumerate(heap.maps) if m.instance_type == heap.native_context_type]
    contexts = np.flatnonzero(np.isin(omap, kinds)).astype(np.int64)
    if not len(contexts):
        return none
    base = addrs[contexts].astype(np.int64)
    data = read(base + data_off).astype(np.int64)
    array = lookup(data) >= 0
    length = np.where(array, read(data - 1 + 8).astype(np.int64) >> 32, 0)  # a Smi
    slot = data - 1 + EMBEDDER_DATA_HEADER + 8 * CONTEXT_SANDBOX_OBJECT_INDEX
    sandbox = np.where(length > CONTEXT_SANDBOX_OBJECT_INDEX, lookup(read(slot)), -1)
    is_object = np.zeros(len(sandbox), dtype=bool)
    found = sandbox >= 0
    is_object[found] = ntype[omap[sandbox[found]]] == NodeType.OBJECT
    vm = is_object & ~is_global[omap[np.maximum(sandbox, 0)]]
    globals_ = _globals_of(contexts, base, omap, is_global, read, lookup)
    return VmContexts(sandbox[vm], contexts[vm], globals_[vm & (globals_ >= 0)])


def _globals_of(contexts: np.ndarray, base: np.ndarray, omap: np.ndarray,
                is_global: np.ndarray, read: Callable, lookup: Callable) -> np.ndarray:
    """Each native context's global object, or -1: the one slot (of the first few) that
    holds a global object in every native context of this core, so the slot is read from
    the data (the extension slot), not assumed."""
    for j in range(_GLOBAL_SLOT_LIMIT):
        k = lookup(read(base + _CONTEXT_HEADER - 1 + 8 * j))
        if (k >= 0).all() and is_global[omap[k]].all():
            return k.astype(np.int64)
    return np.full(len(contexts), -1, dtype=np.int64)
