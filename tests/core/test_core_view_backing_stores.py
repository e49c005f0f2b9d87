"""Small Buffer views that each keep a whole ArrayBuffer, on real cores and GC'd snapshots
of dumps/scenarios/leak_header_slices.js: 300 64-byte `subarray` views of 64 KiB reads in
a Map. The reason said "300 Buffer objects (18.8 MiB retained) accumulate in one Map",
which hid that the memory is outside the JS heap, in the buffers the views were cut from."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, top_suspect

crash = crashes_with_snapshots("leak_header_slices")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_buffers_behind_the_views_are_said(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert (suspect["type"], suspect["accumulation_point"]["holder"]) == (
        "Buffer", "(global).firstBytes")
    assert "their memory is 300 ArrayBuffers of 64." in suspect["reason"]
    assert "keeps the whole ArrayBuffer it was cut from" in suspect["reason"]
