"""Listeners piling up on an EventEmitter the program holds, on real cores and GC'd
snapshots of dumps/scenarios/big_emitter_listeners.js: 2,000 'user:login' closures on an
exported `Hub` (a class extending EventEmitter). The big object was "One Hub ... most of it
in `._events`", or "One Object `require.main.exports` ... in `.bus`" for a plain
EventEmitter: the listener Array of the event is what grows, and what to name."""

from __future__ import annotations

import pytest

from tests.conftest import MAJORS
from tests.core.conftest import artifact_summary, crash_with_snapshot

HOLDER = "require.main.exports.hub._events['user:login']"


def first_suspect(path: str) -> dict:
    return artifact_summary(str(path))["suspects"][0]


@pytest.fixture(params=MAJORS, ids=[f"node{m}" for m in MAJORS])
def crash(request: pytest.FixtureRequest):
    return crash_with_snapshot("big_emitter_listeners", request.param)


def test_a_core_names_the_listener_array_of_the_event(crash):
    assert first_suspect(crash.core_path)["accumulation_point"]["holder"] == HOLDER


def test_a_snapshot_names_the_listener_array_of_the_event(crash):
    assert first_suspect(crash.snapshots[0])["accumulation_point"]["holder"] == HOLDER


def test_the_reason_counts_the_listeners_of_an_event_named_with_punctuation(crash):
    reason = first_suspect(crash.core_path)["reason"]
    assert "2,000 listeners for 'user:login' on `require.main.exports.hub`" in reason
