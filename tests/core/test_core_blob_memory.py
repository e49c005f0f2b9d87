"""Blob data in the core heap graph, on real cores of dumps/scenarios/blob_uploads.js: a
global Array `uploads` of 120 Blobs of 256 KiB, 10 slices of 1 KiB of the first one in
`previews`, and (Node 20+) 3 file-backed Blobs of 4 MiB in `files`. A Blob's bytes are native,
not an ArrayBuffer: until December 2026 a core saw a few dozen bytes per Blob and said "no
suspect" where a heap snapshot of the same process showed 30 MiB in `uploads`."""

from __future__ import annotations

import pytest

from tests.conftest import MAJORS
from tests.core.conftest import artifact_summary as summary
from tests.core.conftest import crash_with_snapshot

UPLOADS = 120 * 256 * 1024
SLICES = 10 * 1024


def crash(major: int):
    return crash_with_snapshot("blob_uploads", major)


@pytest.fixture(params=MAJORS, ids=[f"node{m}" for m in MAJORS])
def major(request: pytest.FixtureRequest) -> int:
    return request.param


def test_an_array_of_blobs_retains_their_bytes(major):
    lead = summary(crash(major).core_path)["suspects"][0]
    assert lead["type"] == "Array" and lead["pattern"] == "big-object"
    assert lead["accumulation_point"]["holder"] == "(global).uploads"
    assert UPLOADS <= lead["accumulation_point"]["retained_bytes"] <= UPLOADS * 1.05
    assert "Blob" in lead["reason"]


def test_blob_data_counts_blobs_in_memory_by_their_own_size(major):
    row = next(t for t in summary(crash(major).core_path)["memory"]["totals"]
               if t["kind"] == "blob_data")
    assert row["bytes"] == UPLOADS + SLICES and row["source"] == "core"
    assert "not read" in row["detail"] and "slices" in row["detail"]


def test_file_backed_blobs_are_named_and_not_counted_as_memory(major):
    row = next(t for t in summary(crash(major).core_path)["memory"]["totals"]
               if t["kind"] == "blob_data")
    if major == 18:  # fs.openAsBlob came in Node 19.8
        assert "file-backed" not in row["detail"]
    else:
        assert "3 file-backed Blob(s) hold no memory" in row["detail"]


def test_the_holder_retains_what_a_gcd_snapshot_says_within_5_percent(major):
    c = crash(major)
    core = summary(c.core_path)["suspects"][0]
    snap = summary(c.snapshots[0])["suspects"][0]
    assert snap["accumulation_point"]["holder"] == core["accumulation_point"]["holder"]
    kept, want = (s["accumulation_point"]["retained_bytes"] for s in (core, snap))
    assert want >= UPLOADS and abs(kept - want) <= 0.05 * want
