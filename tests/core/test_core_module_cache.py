"""Modules kept by require.cache and their parent's `children`, in GC'd snapshots and cores:
dumps/scenarios/leak_versioned_modules.js requires 300 versions of a template, each its
own file. Node 26's snapshots root the main native context, not the global object: the
Modules met there, and the snapshot said "spread over many holders" where its core named
`process.mainModule.children`. Node 18's snapshots have them meet at the root itself, and
named no holder until December 2026. The holder was then named by the shortest path to it,
which differs by artifact: `process.mainModule.children` in cores, `_process.mainModule.
children` (the variable of Node's `process` getter) in Node 20-24 snapshots and
`require.main.children` in Node 18/26 snapshots; now by the program's own name for the Array,
`require.main.children`, in every core and snapshot."""

from __future__ import annotations

from tests.core.conftest import crashes_with_snapshots, top_suspect

crash = crashes_with_snapshots("leak_versioned_modules")


def test_a_snapshot_names_the_parent_modules_children(crash):
    suspect = top_suspect(crash.snapshots[0])
    assert (suspect["type"], suspect["pattern"]) == ("Template", "reloaded-modules")
    assert suspect["accumulation_point"]["holder"] == "require.main.children"


def test_the_core_and_the_snapshot_name_the_same_holder(crash):
    core, snap = (top_suspect(p)["accumulation_point"]["holder"]
                  for p in (crash.core_path, crash.snapshots[0]))
    assert core == snap
