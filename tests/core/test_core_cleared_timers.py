"""Cleared timers the program keeps in its own Set, on real cores and GC'd snapshots of every
major (dumps/scenarios/leak_cleared_timers.js: 3,000 Timeouts cancelled with clearTimeout and
never deleted from `timers`). Node's Timeout was no candidate, so there was no suspect; as
one, it was "kept alive by pending setTimeout callbacks", and none is pending."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, top_suspect

crash = crashes_with_snapshots("leak_cleared_timers")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_timers_accumulate_in_the_programs_set(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert (suspect["type"], suspect["pattern"], suspect["accumulation_point"]["holder"]) == (
        "Timeout", "unbounded-set", "timers")
    assert 2990 <= suspect["accumulation_point"]["count"] <= 3000


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_they_are_said_to_be_cleared_not_pending(crash, artifact):
    reason = top_suspect(artifact_path(crash, artifact))["reason"]
    assert "they are timers already cleared" in reason
    assert "pending" not in reason
