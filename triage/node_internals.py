"""Node and libuv facts for reading the event loop from a core (one readable place).

libuv's public structs have the same layout in every Node we support: checked with
`llvm-dwarfdump-19 --name=uv_handle_s|uv_loop_s|uv_signal_s|uv_fs_event_s --show-children`
on the official linux-x64 builds of Node 18.20.8, 20.20.2 (system), 22.23.3, 24.21.0 and
26.12.1 (libuv 1.44 to 1.51); the handle types and flag bits are libuv's `uv.h` and
`uv-common.h`, unchanged since libuv 1.20. The scenario tests compare what is read with
this layout to the diagnostic report that Node wrote for the same process, on each major.

Node's own layout (where the HandleWrap and ReqWrap lists are in `Environment`, where a
BaseObject keeps its JS object) is not fixed here: Node exports it for debuggers as
`nodedbg_*` variables (src/node_postmortem_metadata.cc), which llnode reads too. They
are filled at start-up, so they are read from the core's memory, never from the file.
"""

from __future__ import annotations

# -- libuv ------------------------------------------------------------------------------
DEFAULT_LOOP_SYMBOL = "default_loop_struct"  # static uv_loop_t in uv-common.c
DEFAULT_LOOP_POINTER_SYMBOL = "default_loop_ptr"  # set to &default_loop_struct by uv_default_loop()

LOOP_ACTIVE_HANDLES = 0x08  # unsigned int
LOOP_HANDLE_QUEUE = 0x10  # struct uv__queue {next, prev} (void* [2] before libuv 1.47)
LOOP_ACTIVE_REQS = 0x20  # union {void* unused; unsigned int count;}

QUEUE_NEXT, QUEUE_PREV = 0x00, 0x08

HANDLE_DATA = 0x00
HANDLE_LOOP = 0x08
HANDLE_TYPE = 0x10  # uv_handle_type (int)
HANDLE_QUEUE = 0x20  # the handle's node in the loop's handle_queue
HANDLE_FLAGS = 0x58  # unsigned int (UV_HANDLE_PRIVATE_FIELDS on unix)
HANDLE_SIZE = 0x60  # everything above lies in the first 0x60 bytes
SIGNAL_SIGNUM = 0x68  # uv_signal_t.signum (int)
FS_EVENT_PATH = 0x60  # uv_fs_event_t.path (char*)

# uv_handle_type (uv.h UV_HANDLE_TYPE_MAP), named as uv_handle_type_name() names them,
# which is what a diagnostic report's libuv[].type says.
HANDLE_TYPES = {
    1: "async", 2: "check", 3: "fs_event", 4: "fs_poll", 5: "handle", 6: "idle", 7: "pipe",
    8: "poll", 9: "prepare", 10: "process", 11: "stream", 12: "tcp", 13: "timer", 14: "tty",
    15: "udp", 16: "signal", 17: "file",
}

# uv-common.h
UV_HANDLE_CLOSING = 0x01
UV_HANDLE_CLOSED = 0x02
UV_HANDLE_ACTIVE = 0x04
UV_HANDLE_REF = 0x08
UV_HANDLE_INTERNAL = 0x10  # libuv's own handles; uv_walk (and so a report) skips them

# -- Node (names of the nodedbg_* variables) --------------------------------------------
NODEDBG = {
    "persistent_handle": "nodedbg_offset_BaseObject__persistent_handle___v8_Persistent_v8_Object",
    "env_handle_wrap_queue": "nodedbg_offset_Environment__handle_wrap_queue___Environment_HandleWrapQueue",
    "env_req_wrap_queue": "nodedbg_offset_Environment__req_wrap_queue___Environment_ReqWrapQueue",
    "handle_queue_head": "nodedbg_offset_Environment_HandleWrapQueue__head___ListNode_HandleWrap",
    "req_queue_head": "nodedbg_offset_Environment_ReqWrapQueue__head___ListNode_ReqWrapQueue",
    "handle_wrap_node": "nodedbg_offset_HandleWrap__handle_wrap_queue___ListNode_HandleWrap",
    "req_wrap_node": "nodedbg_offset_ReqWrap__req_wrap_queue___ListNode_ReqWrapQueue",
    "handle_node_next": "nodedbg_offset_ListNode_HandleWrap__next___uintptr_t",
    "handle_node_prev": "nodedbg_offset_ListNode_HandleWrap__prev___uintptr_t",
    "req_node_next": "nodedbg_offset_ListNode_ReqWrap__next___uintptr_t",
    "req_node_prev": "nodedbg_offset_ListNode_ReqWrap__prev___uintptr_t",
}
NODEDBG_ENVIRONMENT_INDEX = "nodedbg_const_ContextEmbedderIndex__kEnvironment__int"
NODEDBG_LIMIT = 1 << 16  # an offset inside Environment or a wrap; anything larger is not one

# BaseObject's internal fields (src/base_object.h: kEmbedderType, kSlot): field kSlot holds
# the C++ object, so a JS object whose field 1 points back at the wrap proves the pairing.
BASE_OBJECT_SLOT = 1

# V8's EmbedderDataArray (no pointer compression, as Node builds): map and length words, then
# one 8-byte slot per index; a native context's slot kEnvironment is Node's Environment*.
EMBEDDER_DATA_HEADER = 16
# Slot kSandboxObject of a context's embedder data (src/node_context_data.h,
# NODE_CONTEXT_SANDBOX_OBJECT_INDEX, 33 in Node 18-26): the sandbox object of a `vm`
# context; the main context leaves it undefined (`triage/v8/vm_contexts.py`).
CONTEXT_SANDBOX_OBJECT_INDEX = 33

# Bounds for walking lists read from an untrusted core.
MAX_HANDLES = 100_000
MAX_REQUESTS = 100_000
# Entries of the HandleWrap ring that are no wrap of a loop handle: Environment's list head,
# plus wraps whose handle is already closed. More is damage, not a process.
MAX_ENVIRONMENT_CANDIDATES = 64

# A Worker's loop (libuv keeps no list of loops; a Worker's is on its thread's stack) is found
# through its Environment, which embeds libuv handles of its own (timer_handle_,
# immediate_check_handle_, immediate_idle_handle_, idle_prepare/check handles, the task
# queues' async): a timer, checks, an idle, a prepare and an async, all in the first ~0x400
# bytes on Node 18-26 (measured on each major's scenario cores, where the main Environment's
# name default_loop_struct). The loop is believed when at least ENV_MIN_OWN_HANDLES of them
# are nodes of its handle ring, and no other loop gets as many.
ENV_HANDLE_SCAN_BYTES = 0x1000
ENV_OWN_HANDLE_TYPES = frozenset({1, 2, 6, 9, 13})  # async, check, idle, prepare, timer
ENV_MIN_OWN_HANDLES = 3
# Distinct loops whose handle ring is walked (each walk up to MAX_HANDLES nodes): a real
# Environment's handles name one; more is damage.
ENV_MAX_LOOP_CANDIDATES = 8
