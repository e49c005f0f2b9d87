"""once() listeners waiting for an event that is never emitted, on real cores and GC'd
snapshots of dumps/scenarios/leak_once_listeners.js: 2,500 QueuedQuerys kept by
`pool.once('ready', ...)`. The reason said "listeners are added and never removed", which
sends one looking for a missing removeListener, not for an event that never came."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, top_suspect

crash = crashes_with_snapshots("leak_once_listeners")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_once_listeners_say_their_event_was_never_emitted(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert (suspect["pattern"], suspect["type"], suspect["accumulation_point"]["count"]) == (
        "listener-accumulation", "QueuedQuery", 2500)
    assert "`once` listeners piling up on `(global).pool` for event 'ready'" in suspect["reason"]
    assert "'ready' has not been emitted since they were added" in suspect["reason"]
