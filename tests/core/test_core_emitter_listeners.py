"""Listeners piling up on an EventEmitter the program holds, on real cores and GC'd
snapshots of dumps/scenarios/big_emitter_listeners.js: 2,000 'user:login' closures on an
exported `Hub` (a class extending EventEmitter). The big object was "One Hub ... most of it
in `._events`", or "One Object `require.main.exports` ... in `.bus`" for a plain
EventEmitter: the listener Array of the event is what grows, and what to name."""

from __future__ import annotations

from tests.core.conftest import crashes_with_snapshots, top_suspect

HOLDER = "require.main.exports.hub._events['user:login']"

crash = crashes_with_snapshots("big_emitter_listeners")


def test_a_core_names_the_listener_array_of_the_event(crash):
    assert top_suspect(crash.core_path)["accumulation_point"]["holder"] == HOLDER


def test_a_snapshot_names_the_listener_array_of_the_event(crash):
    assert top_suspect(crash.snapshots[0])["accumulation_point"]["holder"] == HOLDER


def test_the_reason_counts_the_listeners_of_an_event_named_with_punctuation(crash):
    reason = top_suspect(crash.core_path)["reason"]
    assert "2,000 listeners for 'user:login' on `require.main.exports.hub`" in reason


def test_a_holder_that_keeps_them_alone_is_not_said_to_share_them(crash):
    assert "not their only holder" not in top_suspect(crash.core_path)["reason"]
