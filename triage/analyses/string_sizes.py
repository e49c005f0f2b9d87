"""External strings a heap snapshot does not weigh.

An external string keeps its characters outside the JS heap (a string decoded from a Buffer
of a megabyte or more, Node's builtin module sources). V8 before 13 (Node 22 and older)
writes such a string into a heap snapshot with its header's size only, 32 bytes for 1.5 MiB
of text, so a cache of decoded files looked like 2 KB and was no suspect. The snapshot
still shows the text (cut at 1,024 characters): a string whose text is longer than its
self size is such a string, unless it is a ThinString (a forward to its internalized copy).
A core's graph counts the characters (`v8/graph.py`).
"""

from __future__ import annotations

import numpy as np

from triage.heapgraph.model import HeapGraph, NodeType

#: an external string's header in a snapshot (32 or 40 bytes); anything bigger is weighed
_HEADER_MAX = 64


def unweighed_external_strings(g: HeapGraph) -> int:
    """How many of a snapshot's external strings are weighed by their header only; Node's
    builtin module sources (a script's `source`) are left out of the count, as they are no
    memory of the program's."""
    if g.source == "core":
        return 0
    # (a string in the read-only space has self size 0: not counted in any snapshot)
    small = np.flatnonzero((g.node_type == NodeType.STRING) & (g.self_size > 0)
                           & (g.self_size <= _HEADER_MAX))
    lengths = np.fromiter((len(g.strings[int(n)]) for n in g.node_name[small]),
                          dtype=np.int64, count=len(small))
    longer = lengths > g.self_size[small]
    return sum(not _thin(g, v)
               and not any(g.edge_name_str(e) == "source" for e, _ in g.retainers_of(v))
               for v in small[longer].tolist())


def _thin(g: HeapGraph, v: int) -> bool:
    """Is string `v` a ThinString, a 24-byte forward to its internalized copy (`actual`)?
    V8 13+ writes one with the full text as its name: it is no external string (every
    other Node 26 snapshot was "degraded" by the main module's `path` until December 2026)."""
    return any(g.edge_name_str(e) == "actual"
               and int(g.node_type[int(g.edge_to[e])]) == NodeType.STRING for e in g.edges_of(v))
