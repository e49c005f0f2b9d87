"""An accessor property's pair names its getter and setter in the core graph of every major
(dumps/scenarios/big_string_behind_getter.js). Node 26 exports neither field: the getter
was `hidden [1]`, and the string it keeps was no part of the object that defines it."""

from __future__ import annotations

import pytest

from dumps.crash import run_scenario
from tests.v8.conftest import MAJORS
from triage.coredump import CoreFile, ElfFile
from triage.heapgraph.model import EdgeType, HeapGraph
from triage.v8 import V8Heap


def _graph(major: int) -> HeapGraph:
    crash = run_scenario("big_string_behind_getter", major, env={"WRITE_SNAPSHOT": "1"})
    return V8Heap.open(CoreFile.open(crash.core_path), ElfFile(crash.node)).to_heap_graph()


@pytest.mark.parametrize("major", MAJORS)
def test_the_log_getter_is_the_pairs_getter(major):
    g = _graph(major)
    named = (g.edge_type == EdgeType.INTERNAL) & (g.edge_name == g.find_string("getter"))
    assert "get log" in {g.name(int(v)) for v in g.edge_to[named]}
