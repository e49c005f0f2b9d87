"""readline Interfaces never closed, on real cores and GC'd snapshots of every major
(dumps/scenarios/leak_readline_interfaces.js: 300 on one input stream). Node's class was no
candidate, and the suspect was "601 Object objects ... referenced from `input`"; then the
event said was whichever sorted last of the three each Interface listens to."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, top_suspect

crash = crashes_with_snapshots("leak_readline_interfaces")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_interfaces_are_the_suspect_on_their_inputs_listeners(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert (suspect["type"], suspect["count"], suspect["pattern"]) == (
        "Interface", 300, "listener-accumulation")
    assert suspect["accumulation_point"]["holder"] == "input._events"


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_every_event_they_listen_to_is_said_with_the_fix(crash, artifact):
    reason = top_suspect(artifact_path(crash, artifact))["reason"]
    assert "listeners on `input` (events 'data', 'end', 'error')" in reason
    assert "call rl.close()" in reason
