"""The heap graph: one model for every heap source (snapshot loader, core heap walk).

See docs/architecture.md (HeapGraph contract) and docs/heap-analysis.md.
"""

from triage.heapgraph.model import EdgeType, HeapGraph, NodeType

__all__ = ["EdgeType", "HeapGraph", "NodeType"]
