"""once() listeners waiting for an event that is never emitted, on real cores and GC'd
snapshots of dumps/scenarios/leak_once_listeners.js: 2,500 QueuedQuerys kept by
`pool.once('ready', ...)`. The reason said "listeners are added and never removed", which
sends one looking for a missing removeListener, not for an event that never came."""

from __future__ import annotations

import pytest

from dumps.crash import Crash, run_scenario
from tests.conftest import MAJORS
from tests.core.conftest import artifact_path, crashes_with_snapshots, top_suspect

crash = crashes_with_snapshots("leak_once_listeners")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_once_listeners_say_their_event_was_never_emitted(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert (suspect["pattern"], suspect["type"], suspect["accumulation_point"]["count"]) == (
        "listener-accumulation", "QueuedQuery", 2500)
    assert "`once` listeners piling up on `(global).pool` for event 'ready'" in suspect["reason"]
    assert "'ready' has not been emitted since they were added" in suspect["reason"]


@pytest.fixture(params=MAJORS, ids=[f"node{m}" for m in MAJORS])
def awaited(request: pytest.FixtureRequest) -> Crash:
    """`await events.once(pool, 'ready')` in 2,500 async callers, each holding its query."""
    return run_scenario("leak_once_listeners", request.param, args=("awaited",),
                        env={"WRITE_SNAPSHOT": "1"})


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_awaited_once_names_the_event_it_waits_for(awaited, artifact):
    """once() adds a 'ready' and an 'error' listener per call, so the queries hang off
    `pool._events` itself, and the event was said as '?' (on Node 26 the path ran
    through 'error')."""
    suspect = top_suspect(artifact_path(awaited, artifact))
    assert (suspect["pattern"], suspect["type"], suspect["accumulation_point"]["count"]) == (
        "listener-accumulation", "QueuedQuery", 2500)
    assert "`once` listeners piling up on `(global).pool` for event 'ready'" in suspect["reason"]
    assert "'?'" not in suspect["reason"]
    assert "once() adds an 'error' listener beside each" in suspect["reason"]
