"""Instances shared by the inner Sets of a Map of Sets (an inverted index), on real cores
and GC'd snapshots of dumps/scenarios/leak_tag_index.js: 6,000 Articles, each in 4 of
1,500 per-tag Sets of 16. The reason said "about 4 in each" (Articles over Sets), as if
each Article were in one Set."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, top_suspect

crash = crashes_with_snapshots("leak_tag_index")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_each_inner_set_is_said_to_hold_what_it_holds(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert (suspect["pattern"], suspect["type"], suspect["accumulation_point"]["holder"]) == (
        "unbounded-map", "Article", "byTag")
    assert "(in 1,500 Sets under its keys, about 16 in each; each Article is in about 4 of " \
        "them)" in suspect["reason"]
