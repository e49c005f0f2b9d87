"""Modules kept by require.cache and their parent's `children`, in GC'd snapshots:
dumps/scenarios/leak_versioned_modules.js requires 300 versions of a template, each its
own file. Node 26's snapshots root the main native context, not the global object: the
Modules met there, and the snapshot said "spread over many holders" where its core named
`process.mainModule.children`. (Node 18's snapshots still meet at the root: not asserted.)"""

from __future__ import annotations

import pytest

from tests.core.conftest import crashes_with_snapshots, top_suspect

crash = crashes_with_snapshots("leak_versioned_modules")


def test_a_snapshot_names_the_parent_modules_children(crash):
    if crash.major == 18:
        pytest.skip("Node 18's snapshot: the Modules meet at its root, no holder found (a known gap)")
    suspect = top_suspect(crash.snapshots[0])
    assert (suspect["type"], suspect["pattern"]) == ("Template", "reloaded-modules")
    assert suspect["accumulation_point"]["holder"].endswith("process.mainModule.children")
