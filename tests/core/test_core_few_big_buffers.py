"""A few big buffers, on real cores (and GC'd snapshots) of every major. Twelve Uint8Arrays of
2 MiB in a Map are too few to be an accumulation, and the Map that holds them was no big
object either, because "an accumulation lies under it": 24 MiB in one Map, and no suspect at
all (dumps/scenarios/big_few_buffers.js). The same frames as SharedArrayBuffers held by the
main thread and two Workers (big_shared_frames.js): each heap names its own holder, and the
process's external memory counts each shared store once."""

from __future__ import annotations

import pytest

from tests.conftest import MAJORS
from tests.core.conftest import artifact_path, core_summary, crashes_with_snapshots, top_suspect

MIB = 1 << 20
FRAMES = 12 * 2 * MIB

few = crashes_with_snapshots("big_few_buffers")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_a_map_of_a_few_big_buffers_is_a_big_object(few, artifact):
    suspect = top_suspect(artifact_path(few, artifact))
    assert (suspect["pattern"], suspect["type"], suspect["accumulation_point"]["holder"]) == (
        "big-object", "Map", "frames")
    assert suspect["accumulation_point"]["retained_bytes"] >= FRAMES
    assert "12 Uint8Array" in suspect["reason"]


@pytest.mark.parametrize("major", MAJORS)
def test_each_heap_that_holds_shared_frames_names_its_holder(major):
    doc = core_summary("big_shared_frames", major)
    holders = {doc["isolates"]["top_level"]: doc["suspects"][0]}
    holders |= {e["label"]: e["suspects"][0] for e in doc["isolates"]["isolates"]
                if not e["in_top_level"]}
    assert {label: (s["pattern"], s["accumulation_point"]["holder"])
            for label, s in holders.items()} == {
        "main": ("big-object", "frames"),
        "worker 1 big_shared_frames.js": ("big-object", "received"),
        "worker 2 big_shared_frames.js": ("big-object", "received")}
    assert all(s["accumulation_point"]["retained_bytes"] >= FRAMES for s in holders.values())


@pytest.mark.parametrize("major", MAJORS)
def test_the_process_counts_a_store_shared_by_three_heaps_once(major):
    doc = core_summary("big_shared_frames", major)
    per_heap = [e["external_bytes"] for e in doc["isolates"]["isolates"]]
    (external,) = [t["bytes"] for t in doc["memory"]["totals"] if t["kind"] == "external"]
    assert all(b >= FRAMES for b in per_heap)
    assert FRAMES <= external < FRAMES + 2 * MIB
