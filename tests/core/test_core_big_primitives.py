"""A big object full of primitive values says what they are, on real cores and GC'd
snapshots of every major (dumps/scenarios/big_bigint_ids.js: 300,000 BigInt ids in one
Array). It said "mostly 300,000 (bigint)", V8's name for the kind."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, top_suspect

crash = crashes_with_snapshots("big_bigint_ids")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_an_array_of_bigints_says_bigints(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert (suspect["pattern"], suspect["accumulation_point"]["holder"]) == ("big-object", "seenIds")
    assert "mostly 300,000 BigInts (" in suspect["reason"]
