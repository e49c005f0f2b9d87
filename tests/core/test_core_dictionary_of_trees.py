"""A plain object used as a dictionary whose every key holds a tree, on real cores and GC'd
snapshots of dumps/scenarios/leak_parsed_response_cache.js: 200 parsed responses cached by
URL. The suspect was "100,200 Array objects accumulate in one Object `responseCache`: a
long-lived holder keeps every instance", which hides that it is a dictionary of 200 keys."""

from __future__ import annotations

import pytest

from tests.conftest import MAJORS
from tests.core.conftest import artifact_summary, crash_with_snapshot

HOLDER = "require.main.exports.responseCache"


def first_suspect(path: str) -> dict:
    return artifact_summary(str(path))["suspects"][0]


@pytest.fixture(params=MAJORS, ids=[f"node{m}" for m in MAJORS])
def crash(request: pytest.FixtureRequest):
    return crash_with_snapshot("leak_parsed_response_cache", request.param)


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_dictionary_and_its_keys_are_said(crash, artifact):
    path = crash.core_path if artifact == "core" else crash.snapshots[0]
    suspect = first_suspect(path)
    assert (suspect["pattern"], suspect["accumulation_point"]["holder"]) == (
        "object-as-dictionary", HOLDER)
    assert f"under the 200 keys of one plain object `{HOLDER}`" in suspect["reason"]
