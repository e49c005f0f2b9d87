"""Messages waiting in MessagePort queues, which a heap snapshot does not weigh.

`port.postMessage(value)` serializes the value into a C++ `Message` of the receiving
port's queue, outside the JS heap. A port that nobody reads (no 'message' listener, never
started) keeps every message posted to it. A heap snapshot shows each queued message as an
embedder node `Node / Message` (under `Node / incoming_messages`) with its C++ object's
size only, about 130 bytes, whatever it holds: 2,000 messages of 8 KB were 266 KiB in a
snapshot, no suspect, and nothing said the 16 MB were missing.
"""

from __future__ import annotations

import numpy as np

from triage.heapgraph.model import HeapGraph, NodeType

#: Node's embedder graph name for one queued message (Node 18 to 26)
MESSAGE_NODE = "Node / Message"

#: fewer queued messages than this are in flight (a worker's start-up), not a backlog
BACKLOG_MIN = 100


def queued_messages(g: HeapGraph) -> tuple[int, int]:
    """(how many messages wait in MessagePort queues, the bytes the graph gives them) for a
    snapshot's graph; (0, 0) for a core's, which has no embedder nodes."""
    if g.source == "core":
        return 0, 0
    embedder = np.isin(g.node_type, (NodeType.NATIVE, NodeType.SYNTHETIC))
    messages = embedder & (g.node_name == g.string_id(MESSAGE_NODE))
    return int(np.count_nonzero(messages)), int(g.self_size[messages].sum())
