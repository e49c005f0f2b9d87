"""A plain object used as a dictionary whose every key holds a tree, on real cores and GC'd
snapshots of dumps/scenarios/leak_parsed_response_cache.js: 200 parsed responses cached by
URL. The suspect was "100,200 Array objects accumulate in one Object `responseCache`: a
long-lived holder keeps every instance", which hides that it is a dictionary of 200 keys."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, top_suspect

HOLDER = "require.main.exports.responseCache"

crash = crashes_with_snapshots("leak_parsed_response_cache")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_dictionary_and_its_keys_are_said(crash, artifact):
    path = artifact_path(crash, artifact)
    suspect = top_suspect(path)
    assert (suspect["pattern"], suspect["accumulation_point"]["holder"]) == (
        "object-as-dictionary", HOLDER)
    assert f"under the 200 keys of one plain object `{HOLDER}`" in suspect["reason"]
