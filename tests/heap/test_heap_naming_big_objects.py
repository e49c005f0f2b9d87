"""Following a named edge out of an object with very many edges (a Map of millions of
entries) compares name indexes instead of decoding every name, with the same answers."""

from __future__ import annotations

import numpy as np
import pytest

from dumps.crash import run_scenario
from tests.heap.conftest import graph
from triage.coredump import CoreFile, ElfFile
from triage.heapgraph import naming
from triage.v8 import V8Heap

NAMES = [("__proto__",), ("map",), ("prototype",), ("constructor",), ("shared",),
         ("script", "script_or_debug_info"), ("name",), ("table",), ("0",)]


def _core_graph(scenario: str, major: int):
    crash = run_scenario(scenario, major)
    return V8Heap.open(CoreFile.open(crash.core), ElfFile(crash.node)).to_heap_graph()


def _busiest(g, n: int) -> list[int]:
    """The `n` nodes with the most edges, and every 97th node."""
    counts = np.diff(g.edge_start)
    return sorted(set(np.argsort(counts)[-n:].tolist()) | set(range(0, g.node_count, 97)))


@pytest.mark.parametrize("source", ["snapshot", "core"])
def test_big_objects_follow_the_same_edges_as_a_scan_of_every_name(source, monkeypatch):
    g = graph("snap_classes", 22) if source == "snapshot" else _core_graph("leak_map", 24)
    nodes = _busiest(g, 200)
    assert int(np.diff(g.edge_start)[nodes].max()) > naming._SCAN_IN_PYTHON
    scanned = {(v, names): naming.follow(g, v, *names) for v in nodes for names in NAMES}
    monkeypatch.setattr(naming, "_SCAN_IN_PYTHON", 0)
    compared = {(v, names): naming.follow(g, v, *names) for v in nodes for names in NAMES}
    assert compared == scanned
    assert sum(t >= 0 for t in compared.values()) > len(nodes)
