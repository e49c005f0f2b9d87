"""Callbacks piling up in an observer list of the program's own, on real cores and GC'd
snapshots of dumps/scenarios/big_observer_callbacks.js: 3,000 subscribers in
`(global).feed.subscribers`, each capturing an 8 KB `lastSeen`. The suspect said "most of
it in `.subscribers` (Array)", not that the memory is callbacks and what they capture."""

from __future__ import annotations

import pytest

from tests.conftest import MAJORS
from tests.core.conftest import crash_with_snapshot, crashes_with_snapshots, top_suspect

CALLBACKS = ": 3,000 functions of the program, each keeping its own captured `lastSeen`"

crash = crashes_with_snapshots("big_observer_callbacks")


def test_a_core_says_the_list_holds_callbacks_and_what_they_capture(crash):
    suspect = top_suspect(crash.core_path)
    assert suspect["accumulation_point"]["holder"] == "(global).feed"
    assert CALLBACKS in suspect["reason"]


def test_a_snapshot_says_the_same(crash):
    assert CALLBACKS in top_suspect(crash.snapshots[0])["reason"]


@pytest.mark.parametrize("major", MAJORS)
def test_a_subscriber_array_says_its_callbacks_and_not_just_functions(major):
    """dumps/scenarios/big_channel_subscribers.js: 2,000 subscribers of a diagnostics
    channel, each over an 8 KB `queryLog`. The big object was the channel's subscriber
    Array, "mostly 2,000 Function (15.8 MiB)"."""
    crash = crash_with_snapshot("big_channel_subscribers", major)
    for path in (crash.core_path, crash.snapshots[0]):
        reason = top_suspect(path)["reason"]
        assert ": 2,000 functions of the program, each keeping its own captured `queryLog`" in reason
        assert "Function (" not in reason
