"""Retained sizes of a core graph agree with a GC'd heap snapshot of the same moment, external
memory included: dumps/scenarios/buffer_slices.js with WRITE_SNAPSHOT=1 writes a snapshot
(which collects garbage first) and aborts right after, so both hold the same live heap."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest

from dumps.crash import run_scenario
from tests.conftest import MAJORS
from triage.analyses import distances, dominators
from triage.analyses.dominators import class_retained
from triage.coredump import CoreFile, ElfFile
from triage.heapgraph.model import HeapGraph
from triage.loaders.snapshot import load_snapshot
from triage.v8 import V8Heap

# the user-visible types that hold the scenario's memory, external stores included; V8's
# internal categories ((array), (system), (compiled code)) are named differently in cores, and
# Node 18 snapshots name the global object differently
TYPES = ("Map", "ArrayBuffer", "system / JSArrayBufferData", "UploadRecord", "Buffer")


def per_class(g: HeapGraph) -> dict[str, tuple[int, int]]:
    """class -> (live count, retained bytes)."""
    retained = class_retained(g, dominators(g))
    live = distances(g) >= 0
    cnt = np.bincount(g.node_class[live], minlength=len(g.strings))
    return {g.strings[i]: (int(cnt[i]), int(retained[i])) for i in np.flatnonzero(cnt)}


@cache
def graphs(major: int) -> tuple[HeapGraph, HeapGraph]:
    """The core's graph and the snapshot's, of the same moment of one process."""
    crash = run_scenario("buffer_slices", major, env={"WRITE_SNAPSHOT": "1"})
    core = V8Heap.open(CoreFile.open(crash.core_path), ElfFile(crash.node)).to_heap_graph()
    return core, load_snapshot(crash.snapshots[0])


@cache
def both(major: int) -> tuple[dict, dict]:
    core, snap = graphs(major)
    return per_class(core), per_class(snap)


@pytest.mark.parametrize("major", MAJORS, ids=[f"node{m}" for m in MAJORS])
def test_retained_sizes_match_a_gcd_snapshot_within_5_percent(major):
    core, snap = both(major)
    assert snap["system / JSArrayBufferData"][1] >= 200 * 256 * 1024
    for t in TYPES:
        assert t in core, t
        assert abs(core[t][1] - snap[t][1]) <= 0.05 * snap[t][1], (t, core[t], snap[t])


def symbol_keys(major: int) -> tuple[set[str], set[str]]:
    """The symbol-keyed property names of the core's graph and of the snapshot."""
    from triage.heapgraph.model import EdgeType

    def keys(g: HeapGraph) -> set[str]:
        props = np.flatnonzero(g.edge_type == EdgeType.PROPERTY)
        names = {g.edge_name_str(int(e)) for e in props}
        return {n for n in names if n.startswith(("<symbol", "Symbol(", "#"))}

    core, snap = graphs(major)
    return keys(core), keys(snap)


@pytest.mark.parametrize("major", MAJORS, ids=[f"node{m}" for m in MAJORS])
def test_symbol_keys_are_named_as_in_the_snapshot(major):
    """A symbol-keyed property reads `<symbol kBufferedValue>` in a core as in V8's snapshot
    of the same process, and a private field `#heap`, so a holder
    (`sink._writableState['<symbol kBufferedValue>']`) is the same whichever of the two is
    triaged; cores read `Symbol(kBufferedValue)` and `Symbol(#heap)` until December 2026."""
    core, snap = symbol_keys(major)
    assert "<symbol kCapture>" in snap  # every EventEmitter has it (process, streams)
    assert core and not [k for k in core if k.startswith("Symbol(")], sorted(core)[:5]
    assert len(core & snap) >= 0.9 * len(core | snap), (sorted(snap - core)[:5],
                                                         sorted(core - snap)[:5])
