"""vm.Scripts kept in a Map, on real cores and GC'd snapshots of every major
(dumps/scenarios/leak_vm_scripts.js: 400 Scripts in `compiled`). Node's Script class was no
candidate; from Node 24 its C++ object holds the compiled script through a V8 traced handle,
which the core's graph did not read (800 KB of compiled code was garbage there), and a
snapshot names each Script by its C++ class, `Node / ContextifyScript`."""

from __future__ import annotations

import pytest

from dumps.crash import run_scenario
from tests.conftest import MAJORS
from tests.core.conftest import (
    artifact_path,
    artifact_summary,
    crash_with_snapshot,
    crashes_with_snapshots,
    suspect_facts,
    top_suspect,
)
from triage.coredump import CoreFile, ElfFile
from triage.v8 import V8Heap

crash = crashes_with_snapshots("leak_vm_scripts")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_cached_scripts_are_the_suspect(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert suspect_facts(suspect) == ("Script", "unbounded-map", "compiled", 400)


def test_a_core_weighs_the_scripts_as_their_snapshot_does(crash):
    """Each Script retains its compiled code in both: within 5 % of the snapshot's figure."""
    def script_row(artifact: str) -> dict:
        histogram = artifact_summary(artifact_path(crash, artifact))["histogram"]
        return next(row for row in histogram if row["type"] == "Script")
    core, snapshot = script_row("core"), script_row("snapshot")
    assert core["count"] == snapshot["count"] == 400
    assert abs(core["retained_bytes"] - snapshot["retained_bytes"]) <= 0.05 * snapshot["retained_bytes"]


@pytest.mark.parametrize("major", MAJORS)
def test_traced_handles_are_read_where_node_makes_them(major):
    """Node 24+ holds each Script's compiled code through a traced handle of its C++ object;
    Node 18-22 through a global handle, and makes no traced handle at all."""
    found = crash_with_snapshot("leak_vm_scripts", major)
    graph = V8Heap.open(CoreFile.open(found.core), ElfFile(found.node)).to_heap_graph()
    traced = graph.meta["traced_handles"]
    if major >= 24:
        assert traced["wrappers"] == 400 and traced["blocks"] >= 1
    else:
        assert traced == {"blocks": 0, "targets": 0, "wrappers": 0}


@pytest.mark.parametrize("major", MAJORS)
def test_records_that_look_like_traced_nodes_are_no_blocks(major):
    """A Buffer of records counting 0, 1, 2, ... at +10 (dumps/scenarios/
    traced_block_lookalike.js): no header of this isolate's precedes them, so nothing is
    read from them and the roots stay exact."""
    found = run_scenario("traced_block_lookalike", major)
    graph = V8Heap.open(CoreFile.open(found.core_path), ElfFile(found.node)).to_heap_graph()
    assert graph.meta["traced_handles"]["blocks"] == 0
    assert graph.meta["capability"].status == "full"
