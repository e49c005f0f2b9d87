"""Constants and per-version facts: suffix-agnostic lookup, nodedbg from the core, probe."""

from __future__ import annotations

from dumps.crash import Crash
from triage.coredump import CoreFile, ElfFile
from triage.v8 import V8Heap, probe
from triage.v8.constants import V8Constants
from triage.v8.versions import FACTS, facts_for

NODE_TO_V8 = {18: (10, 2), 20: (11, 3), 22: (12, 4), 24: (13, 6), 26: (14, 6)}


def test_version_and_facts(basic: tuple[Crash, V8Heap]) -> None:
    crash, heap = basic
    assert heap.constants.version[:2] == NODE_TO_V8[crash.major]
    assert heap.exact_version and facts_for(heap.constants.version).node_major == crash.major
    assert all(f.notes for f in FACTS.values())


def test_field_lookup_ignores_type_suffix(heap: V8Heap) -> None:
    c = heap.constants
    assert c.field("Map", "constructor_or_back_pointer") == 32
    assert c.field("JSReceiver", "raw_properties_or_hash") == 8
    assert c.field("JSFunction", "shared") in (24, 32)
    assert c.field("NoSuchClass", "x") is None


def test_nodedbg_values_come_from_the_core(basic: tuple[Crash, V8Heap]) -> None:
    crash, heap = basic
    from_core = heap.constants.node_value("const_ContextEmbedderIndex__kEnvironment")
    from_file = V8Constants(ElfFile(crash.node)).node_value(
        "const_ContextEmbedderIndex__kEnvironment")
    assert from_core and from_core > 0
    assert from_file is None  # without a core nothing is read from the (zero) file data


def test_discovery_matches_facts(heap: V8Heap) -> None:
    assert heap.problems == []
    assert len(heap.meta_maps) == heap.facts.meta_maps
    assert heap.free_space_type is not None
    assert len(heap.pages) >= 5


def test_probe_wrong_binary(basic: tuple[Crash, V8Heap]) -> None:
    crash, _ = basic
    caps = probe(CoreFile.open(crash.core_path), ElfFile("/bin/sh"))
    assert {c.status for c in caps.values()} == {"unavailable"}


def test_pointer_compression_detected_from_constants(heap: V8Heap) -> None:
    """No pointer-compressed Node is published on npm; the detection runs on each real
    binary's constants (none compressed), then on the same constants with the two values a
    compressed V8 exports (kTaggedSize 4, kSmiShiftSize 0)."""
    c = heap.constants
    assert (c.get("TaggedSize"), c.get("SmiShiftSize")) == (8, 31)
    assert c.pointer_compression() is None
    c.values.update(TaggedSize=4, SmiShiftSize=0)
    try:
        line = c.pointer_compression()
    finally:
        c.values.update(TaggedSize=8, SmiShiftSize=31)
    assert line is not None and line.startswith("pointer-compressed V8 build")
    assert "\n" not in line
