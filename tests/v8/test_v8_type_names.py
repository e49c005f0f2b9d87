"""Every object in a heap table has a name: no `(object type 1058)` rows.

Node binaries do not export every V8 instance type (embedder API objects, V8's internal
prototype objects, Map/Set iterators, contexts ...). `triage/v8/typenames.py` places them
by their exported neighbours. The claim, on scenario cores of every major: no histogram
row is an unnamed JS object, and the placed types are what their maps say they are.
"""

from __future__ import annotations

import re

import pytest

from dumps.crash import run_scenario
from tests.conftest import MAJORS
from tests.gate.service_canaries import ARGS, ENV
from triage.coredump import CoreFile, ElfFile
from triage.v8 import V8Heap

# objects of many kinds: plain classes and buffers, an HTTP service (sockets, undici's
# llhttp WebAssembly, timers), every inspectable kind, and a Map-based leak
SCENARIOS = {"heap_basic": {}, "inspect_kinds": {}, "leak_map": {},
             "canary_service": {"args": ARGS, "env": ENV}}  # the gate's core, cached
UNNAMED = re.compile(r"\(object type \d+\)|unknown V8 type|\btype \d+\)")


def _heap(scenario: str, major: int) -> V8Heap:
    crash = run_scenario(scenario, major, **SCENARIOS[scenario])
    return V8Heap.open(CoreFile.open(crash.core_path), ElfFile(crash.node))


@pytest.mark.parametrize("major", MAJORS)
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_no_histogram_row_is_an_unnamed_object(scenario: str, major: int) -> None:
    rows = [r["type"] for r in _heap(scenario, major).histogram()]
    assert "(js api object)" in rows  # node's wrapper objects (1058) are there and named
    assert [t for t in rows if UNNAMED.search(t)] == []


@pytest.mark.parametrize("major", MAJORS)
def test_placed_types_have_the_sizes_of_their_classes(major: int) -> None:
    """A misplaced rule would name maps of another class: the placed prototype objects
    are JSObjects with 4 in-object fields (56 bytes), Map/Set iterators 40 bytes."""
    heap = _heap("heap_basic", major)
    r = heap.reader
    sizes: dict[str, set[int]] = {}
    for m in heap.maps:
        name = r.derived_type_names.get(m.instance_type)
        if name and m.instance_size:
            sizes.setdefault(name, set()).add(m.instance_size)
    assert sizes["JS_OBJECT_PROTOTYPE_TYPE"] == {56}
    assert sizes["JS_MAP_KEY_ITERATOR_TYPE"] | sizes.get("JS_SET_VALUE_ITERATOR_TYPE", set()) == {40}
    assert all(not r.is_js_function_type(m.instance_type) for m in heap.maps
               if r.derived_type_names.get(m.instance_type) == "JS_ARRAY_ITERATOR_PROTOTYPE_TYPE")
