"""inspect on the Probe object: every property kind and string representation."""

from __future__ import annotations

import numpy as np
import pytest

from triage.v8 import V8Heap


@pytest.fixture(scope="module")
def probe_obj(heap: V8Heap) -> dict:
    (addr,) = heap.instances("Probe")
    return heap.inspect(addr, depth=2)


def _raw_property(heap: V8Heap, name: str) -> int:
    (addr,) = heap.instances("Probe")
    return next(v for k, v, _ in heap.reader.own_properties(addr) if k == name)


def test_scalar_properties(probe_obj: dict) -> None:
    p = probe_obj["properties"]
    assert probe_obj["type"] == "Probe"
    assert p["smallInt"] == 42 and p["ratio"] == 0.25 and p["nothing"] is None
    assert p["oneByte"] == "plain ascii value"
    assert p["twoByte"] == "caf\u00e9 \u4e2d\u6587 two-byte"
    assert p["sliced"] == "long-parent-string-used-for-"
    assert p["cons"].startswith("left-part-of-a-cons-string-")
    assert "right-part-of-a-cons-string+" in p["cons"]


@pytest.mark.parametrize("name,representation", [
    ("twoByte", "seq two-byte"), ("cons", "cons one-byte"), ("sliced", "sliced one-byte"),
    ("oneByte", "seq one-byte"),
])
def test_string_representations(heap: V8Heap, name: str, representation: str) -> None:
    info = heap.inspect(_raw_property(heap, name))
    assert info["kind"] == "string"
    assert info["representation"] == representation
    assert info["length"] == len(info["value"])


def test_in_and_out_of_object_storage(probe_obj: dict) -> None:
    where = set(probe_obj["property_storage"].values())
    assert "in-object" in where and "out-of-object" in where


def test_dictionary_mode_object(probe_obj: dict) -> None:
    d = probe_obj["properties"]["dict"]
    assert d["dictionary_mode"] is True
    assert d["properties"] == {"beta": "two", "gamma": 3, "delta": 4}


def test_array_elements(probe_obj: dict) -> None:
    lst = probe_obj["properties"]["list"]
    assert lst["kind"] == "array" and lst["length"] == 3 and lst["elements"] == [1, 2, 3]


def test_map_entries(probe_obj: dict) -> None:
    m = probe_obj["properties"]["map"]
    assert m["kind"] == "map" and m["size"] == 1
    assert m["entries"] == [{"key": "tag", "value": "m0"}]


def test_closure_context_variables(probe_obj: dict) -> None:
    c = probe_obj["properties"]["counter"]
    assert c["kind"] == "closure" and c["function"] == "counter"
    assert c["script"].endswith("heap_basic.js")
    assert c["context"]["secretCount"] == 1000
    assert c["context"]["counterLabel"] == "counter-label"


def test_buffer_size(probe_obj: dict) -> None:
    b = probe_obj["properties"]["buffer"]
    assert b["type"] == "Buffer" and b["byte_length"] == 4099


def test_bad_address_is_reported_not_raised(heap: V8Heap) -> None:
    assert "error" in heap.inspect(0x10)


def test_internalized_two_byte_string_is_walked(heap: V8Heap) -> None:
    # INTERNALIZED_TWO_BYTE_STRING_TYPE is 0 (all its tag bits are 0): its map used to be
    # dropped as a stray word, so the literal was missing from the walk and the histogram
    s = _raw_property(heap, "twoByte")
    w = heap.walk()
    k = int(np.searchsorted(w.address, np.uint64(s - 1)))
    assert k < len(w.address) and int(w.address[k]) == s - 1
    assert heap.maps[w.map_index[k]].instance_type == 0
    assert int(w.size[k]) == (16 + 2 * len("caf\u00e9 \u4e2d\u6587 two-byte") + 7) & ~7
    assert heap.class_name_of(s) == "(string)"
