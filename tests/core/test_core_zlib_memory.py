"""The native state of compression streams in the core heap graph, on real cores of
dumps/scenarios/leak_zlib_uploads.js (a Map `openStreams` of 300 Deflate, one write each, and
100 Inflate, one chunk inflated each: about 85 MiB of zlib state outside the JS heap) and
leak_brotli_streams.js (a Map `responses` of 8 BrotliCompress at quality 5, about 10 MiB
each, and 20 BrotliDecompress). A heap snapshot of the same moment shows that state as
`Node / zlib_memory` nodes under the handles; until December 2026 a core counted only the
streams' JS objects (a few KiB each) and said the state was not measured. A core whose zlib
state does not prove out (its pointer back to the z_stream overwritten) says so, as before."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import MAJORS
from tests.core.conftest import artifact_summary, crash_with_snapshot, run_triage
from triage.analyses import distances, dominators
from triage.analyses.dominators import class_retained
from triage.coredump import CoreFile, ElfFile
from triage.heapgraph.model import HeapGraph
from triage.loaders.snapshot import load_snapshot
from triage.v8 import V8Heap
from triage.v8.zlib_memory import NODE_NAME, zlib_data

#: the types that hold the streams' memory, named alike in a core and a snapshot
TYPES = ("Deflate", "Inflate", "Zlib", NODE_NAME)


def crash(major: int, scenario: str = "leak_zlib_uploads"):
    return crash_with_snapshot(scenario, major)


@pytest.fixture(params=MAJORS, ids=[f"node{m}" for m in MAJORS])
def major(request: pytest.FixtureRequest) -> int:
    return request.param


@cache
def per_class(major: int, artifact: str,
              scenario: str = "leak_zlib_uploads") -> dict[str, tuple[int, int]]:
    """class -> (live count, retained bytes) of the core's graph or the snapshot's."""
    c = crash(major, scenario)
    if artifact == "core":
        g: HeapGraph = V8Heap.open(CoreFile.open(c.core_path), ElfFile(c.node)).to_heap_graph()
    else:
        g = load_snapshot(c.snapshots[0])
    retained = class_retained(g, dominators(g))
    live = distances(g) >= 0
    cnt = np.bincount(g.node_class[live], minlength=len(g.strings))
    return {g.strings[i]: (int(cnt[i]), int(retained[i])) for i in np.flatnonzero(cnt)}


def test_every_stream_has_its_zlib_state_as_in_the_snapshot(major):
    core, snap = per_class(major, "core"), per_class(major, "snapshot")
    assert core[NODE_NAME][0] == snap[NODE_NAME][0] == 400


def test_retained_sizes_of_the_streams_match_the_snapshot_within_5_percent(major):
    core, snap = per_class(major, "core"), per_class(major, "snapshot")
    assert snap["Deflate"][1] >= 300 * 270 * 1024
    for t in TYPES:
        assert abs(core[t][1] - snap[t][1]) <= 0.05 * snap[t][1], (t, core[t], snap[t])


def test_the_holder_of_the_streams_retains_their_state_in_core_and_snapshot(major):
    c = crash(major)
    core, snap = (artifact_summary(p)["suspects"][0] for p in (c.core_path, c.snapshots[0]))
    for s in (core, snap):
        assert (s["type"], s["accumulation_point"]["holder"]) == ("Deflate", "openStreams")
    kept, want = (s["accumulation_point"]["retained_bytes"] for s in (core, snap))
    assert want >= 400 * 200 * 1024 and abs(kept - want) <= 0.05 * want


def test_the_native_figure_says_the_zlib_state_is_in_retained_sizes(major):
    totals = artifact_summary(crash(major).core_path)["memory"]["totals"]
    native = next(t for t in totals if t["kind"] == "native")
    assert "is the state of 400 compression stream(s) (zlib, Brotli), in their objects' retained sizes" \
        in native["detail"]


def test_brotli_streams_retain_their_state_as_in_the_snapshot(major):
    core, snap = (per_class(major, a, "leak_brotli_streams") for a in ("core", "snapshot"))
    assert core[NODE_NAME][0] == snap[NODE_NAME][0] == 28
    assert snap["BrotliCompress"][1] >= 8 * 8 * 1024 * 1024
    for t in ("BrotliCompress", "BrotliDecompress", "BrotliEncoder", "BrotliDecoder", NODE_NAME):
        assert abs(core[t][1] - snap[t][1]) <= 0.05 * snap[t][1], (t, core[t], snap[t])


def test_eight_compressors_that_hold_most_of_the_memory_are_the_suspect(major):
    """Fewer than 20 instances, but they keep most of the heap: 20 decompressors of 5 MiB
    beside them were the suspect, "retaining 89 MiB with what they share"."""
    c = crash(major, "leak_brotli_streams")
    for path in (c.core_path, c.snapshots[0]):
        suspect = artifact_summary(path)["suspects"][0]
        assert (suspect["type"], suspect["accumulation_point"]["holder"],
                suspect["accumulation_point"]["count"]) == ("BrotliCompress", "responses", 8)
        assert suspect["retained_bytes"] >= 8 * 8 * 1024 * 1024
        held = {t["type"]: t["count"] for t in suspect["held_types"]}
        assert held["BrotliDecompress"] == 20


def test_a_zlib_state_that_does_not_prove_out_is_said_not_measured(tmp_path):
    """Each state's first word (its pointer back to the z_stream) overwritten in a copy of a
    real core: no stream is measured, and the capability and the native figure say so."""
    c = crash(26)
    core = CoreFile.open(c.core_path)
    heap = V8Heap.open(core, ElfFile(c.node))
    w = heap.walk()
    states = zlib_data(heap, w.address, w.map_index, heap.map_names())["states"]
    assert len(states) == 400
    damaged = tmp_path / "core"
    damaged.write_bytes(Path(c.core_path).read_bytes())
    segs = core.segments_array().tolist()
    with open(damaged, "r+b") as out:
        for state in states:
            start, _, offset = next(s for s in segs if s[0] <= state < s[1])
            out.seek(offset + state - start)
            out.write(bytes(8))
    result = run_triage(str(damaged), "--node", c.node, "--format", "json", "--no-llnode")
    assert result.code == 0, result.stderr
    cap = result.json["capabilities"]["native_memory"]
    assert cap["status"] == "degraded" and "400 Zlib (zlib streams" in cap["reason"]
    native = next(t for t in result.json["memory"]["totals"] if t["kind"] == "native")
    assert "in no retained size: the native state of 400 Zlib" in native["detail"]
    assert "compression stream(s)" not in native["detail"]


def test_a_brotli_state_that_does_not_prove_out_is_said_not_measured(tmp_path):
    """Each Brotli state's size header (16 bytes before it on Node 26) overwritten in a copy
    of a real core: the states are no blocks of Node's allocator, so none is measured, and
    the capability names the handles by class."""
    c = crash(26, "leak_brotli_streams")
    core = CoreFile.open(c.core_path)
    heap = V8Heap.open(core, ElfFile(c.node))
    w = heap.walk()
    found = zlib_data(heap, w.address, w.map_index, heap.map_names())
    assert (len(found["states"]), found["meta"]["header"]) == (28, 16)
    damaged = tmp_path / "core"
    damaged.write_bytes(Path(c.core_path).read_bytes())
    segs = core.segments_array().tolist()
    with open(damaged, "r+b") as out:
        for state in found["states"]:
            start, _, offset = next(s for s in segs if s[0] <= state - 16 < s[1])
            out.seek(offset + state - 16 - start)
            out.write(bytes(8))
    result = run_triage(str(damaged), "--node", c.node, "--format", "json", "--no-llnode")
    assert result.code == 0, result.stderr
    reason = result.json["capabilities"]["native_memory"]["reason"]
    assert "8 BrotliEncoder (Brotli compressors" in reason
    assert "20 BrotliDecoder (Brotli decompressors" in reason
