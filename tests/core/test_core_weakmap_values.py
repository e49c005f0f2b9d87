"""A WeakMap value that grows while its key lives, on real cores and GC'd snapshots of every
major (dumps/scenarios/leak_weakmap_value_log.js: 10,000 AuditEntry in the Array
`auditOf.get(app)`). No strong reference names a WeakMap value, and the holder was
`(Array) via app`."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, top_suspect

crash = crashes_with_snapshots("leak_weakmap_value_log")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_a_weakmap_value_is_named_as_the_program_reads_it(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert (suspect["type"], suspect["count"], suspect["accumulation_point"]["holder"]) == (
        "AuditEntry", 10000, "auditOf.get(app)")
