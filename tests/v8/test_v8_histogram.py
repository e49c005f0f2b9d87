"""Histogram by constructor on real cores: exact counts known by construction."""

from __future__ import annotations

import numpy as np

from tests.v8.conftest import BUFFER_BYTES, BUFFERS, EXPECTED, SETS, TAGGED_MAPS
from triage.v8 import V8Heap


def test_exact_counts_by_constructor(heap: V8Heap) -> None:
    counts = {row["type"]: row["count"] for row in heap.histogram()}
    for name, n in EXPECTED.items():
        assert counts.get(name) == n, name


def test_derived_class_named_by_new_target(heap: V8Heap) -> None:
    counts = {row["type"]: row["count"] for row in heap.histogram()}
    assert counts.get("Admin") == EXPECTED["Admin"]
    assert "Base" not in counts  # no Base instance exists; Admins must not show as Base
    assert counts.get("Session.prototype") == 1  # the prototype is not counted as a Session


def test_rows_shape_and_no_free_space(heap: V8Heap) -> None:
    rows = heap.histogram()
    assert rows and all(set(r) == {"type", "count", "shallow_bytes"} for r in rows)
    names = {r["type"] for r in rows}
    assert "(free space)" not in names and "(filler)" not in names
    session = next(r for r in rows if r["type"] == "Session")
    assert session["shallow_bytes"] % session["count"] == 0  # one fixed instance size
    js_only = {r["type"] for r in heap.histogram(include_internal=False)}
    assert not any(n.startswith("(system)") for n in js_only)
    assert {"Array", "Object", "(closure)", "(string)", "Map", "Set", "Buffer"} <= js_only


def test_buffers_by_size(heap: V8Heap) -> None:
    sizes = [heap.inspect(a, depth=0).get("byte_length") for a in heap.instances("Buffer", None)]
    assert sizes.count(BUFFER_BYTES) == BUFFERS


def test_maps_and_sets(heap: V8Heap) -> None:
    tags = set()
    for a in heap.instances("Map", None):
        entries = heap.inspect(a, depth=0).get("entries") or []
        if len(entries) == 1 and entries[0]["key"] == "tag":
            tags.add(entries[0]["value"])
    assert tags == {f"m{i}" for i in range(TAGGED_MAPS)}
    small = [a for a in heap.instances("Set", None)
             if heap.inspect(a, depth=0).get("size") == 2]
    assert len(small) >= SETS


def test_stale_from_pages_never_walked(heap: V8Heap) -> None:
    w = heap.walk()
    for page in heap.pages:
        if page.kind(heap.facts) == "new-from":
            inside = (w.address >= np.uint64(page.area_start)) & (
                w.address < np.uint64(page.area_end))
            assert not inside.any()
    assert w.stale_pages == sum(p.kind(heap.facts) == "new-from" for p in heap.pages)


def test_instances_limit_and_addresses(heap: V8Heap) -> None:
    some = heap.instances("Session", 5)
    assert len(some) == 5 and all(a & 3 == 1 for a in some)
    assert all(heap.class_name_of(a) == "Session" for a in some)
    assert heap.instances("NoSuchClass") == []


def test_walk_is_consistent(heap: V8Heap) -> None:
    w = heap.walk()
    assert len(w.address) > 10_000
    assert np.all(np.diff(w.address.astype(np.int64)) > 0)
    assert (w.size > 0).all()
    assert w.unreadable_pages == 0
