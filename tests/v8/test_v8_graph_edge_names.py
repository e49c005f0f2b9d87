"""Edges of the core graph are named as a heap snapshot names them, so that a retainer path
says which field or property holds the next object (dumps/scenarios/inspect_kinds.js):
fields V8 does not export (a bound function's, a Proxy's, a suspended generator's), and
every property of the global object."""

from __future__ import annotations

import json

import pytest

from dumps.crash import Crash, run_scenario
from tests.v8.conftest import MAJORS
from triage.coredump import CoreFile, ElfFile
from triage.heapgraph.model import HeapGraph
from triage.v8 import V8Heap

_OPEN: dict[int, tuple[Crash, V8Heap, HeapGraph]] = {}


def _open(major: int) -> tuple[Crash, V8Heap, HeapGraph]:
    if major not in _OPEN:
        crash = run_scenario("inspect_kinds", major)
        heap = V8Heap.open(CoreFile.open(crash.core_path), ElfFile(crash.node))
        _OPEN[major] = (crash, heap, heap.to_heap_graph())
    return _OPEN[major]


@pytest.fixture(scope="module", params=MAJORS, ids=[f"node{m}" for m in MAJORS])
def major(request: pytest.FixtureRequest) -> int:
    return request.param


@pytest.fixture
def g(major: int) -> HeapGraph:
    return _open(major)[2]


def _edges(g: HeapGraph, node: int) -> dict[str, int]:
    return {g.edge_name_str(e): int(g.edge_to[e]) for e in g.edges_of(node)}


def _kinds_property(g: HeapGraph, name: str) -> int:
    (kinds,) = [v for v in range(g.node_count) if g.class_name(v) == "Kinds"]
    return _edges(g, kinds)[name]


def test_a_bound_function_names_its_target_and_this(g: HeapGraph) -> None:
    edges = _edges(g, _kinds_property(g, "bound"))
    assert edges["bound_this"] == _kinds_property(g, "boundThis")
    assert g.name(edges["bound_function"]) == "boundTarget"
    assert "bindings" in edges


def test_a_proxy_names_its_target_and_handler_not_elements(g: HeapGraph) -> None:
    edges = _edges(g, _kinds_property(g, "proxy"))
    assert edges["target"] == _kinds_property(g, "proxyTarget")
    assert edges["handler"] == _kinds_property(g, "proxyHandler")
    assert "elements" not in edges


def test_a_suspended_generator_names_its_function_and_registers(g: HeapGraph) -> None:
    edges = _edges(g, _kinds_property(g, "generator"))
    assert g.name(edges["function"]) == "pager"
    registers = _edges(g, edges["parameters_and_registers"]).values()
    locals_ = [v for v in registers if _edges(g, v).get("tag") is not None
               and g.name(_edges(g, v)["tag"]) == "generator-local"]
    assert len(locals_) == 1


def _global_objects(crash: Crash) -> list[str]:
    line = next(x for x in crash.stderr.splitlines() if x.startswith("GLOBALS "))
    return json.loads(line.removeprefix("GLOBALS "))


def test_every_global_property_holding_an_object_is_a_named_edge(major: int) -> None:
    """A GlobalDictionary's entries start one word earlier than a NameDictionary's from
    V8 11 on: read with the NameDictionary's prefix, the first global property was no edge
    (`globalThis.auth` was reached as `(Object)` through the dictionary's cells)."""
    crash, _, g = _open(major)
    (main,) = [int(g.edge_to[e]) for e in g.edges_of(g.root) if g.edge_name_str(e) == "global"
               and "kinds" in _edges(g, int(g.edge_to[e]))]
    names = set(_edges(g, main))
    expected = _global_objects(crash)
    assert len(expected) > 20
    assert [k for k in expected if k not in names] == []


def test_the_reader_finds_every_global_property_holding_an_object(major: int) -> None:
    """The reader's own lookup (inspect, the event loop's `process`) stepped through a
    GlobalDictionary three words at a time, as through a NameDictionary."""
    crash, heap, g = _open(major)
    (main,) = [int(g.node_id[int(g.edge_to[e])]) for e in g.edges_of(g.root)
               if g.edge_name_str(e) == "global" and "kinds" in _edges(g, int(g.edge_to[e]))]
    missing = [k for k in _global_objects(crash) if heap.reader.get_property(main + 1, k) is None]
    assert missing == []
