"""Modules kept by require.cache and their parent's `children`, in GC'd snapshots:
dumps/scenarios/leak_versioned_modules.js requires 300 versions of a template, each its
own file. Node 26's snapshots root the main native context, not the global object: the
Modules met there, and the snapshot said "spread over many holders" where its core named
`process.mainModule.children`. Node 18's snapshots have them meet at the root itself, and
named no holder until December 2026: now where their shortest paths meet,
`require.main.children`, the same Array by another name."""

from __future__ import annotations

import re

from tests.core.conftest import crashes_with_snapshots, top_suspect

crash = crashes_with_snapshots("leak_versioned_modules")


def test_a_snapshot_names_the_parent_modules_children(crash):
    suspect = top_suspect(crash.snapshots[0])
    assert (suspect["type"], suspect["pattern"]) == ("Template", "reloaded-modules")
    assert re.search(r"(require\.main|process\.mainModule)\.children$",
                     suspect["accumulation_point"]["holder"])
