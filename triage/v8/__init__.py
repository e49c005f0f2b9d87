"""Reading the V8 heap and JS stack of a Node.js process out of its core dump.

Entry point: `V8Heap.open(core, binary)`; `probe(core, binary)` tells what works for
a given core. Per-version knowledge lives in `versions.py` (see docs/v8-versions.md).
"""

from triage.v8.heap import V8Heap, WalkResult
from triage.v8.probe import probe

__all__ = ["V8Heap", "WalkResult", "probe"]
