"""An `events.on` backlog: dumps/scenarios/events_on_unread.js buffers 19,999 TickEvents in
an `events.on(bus, 'tick')` iterator nobody pulls from (and 5,000 Quotes in another). Since
Node 20 its `unconsumedEvents` is Node's FixedQueue, a run of FixedCircularBuffers linked
by `next`; the holder was `unconsumedEvents.tail.next.next.next.next`, a segment holding
half of them, and the reason named no emitter or event. Node 18 keeps them in an Array.
3,000 Frames queued by an iterator on an EventTarget have no event named, and no '?'."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, artifact_summary, crashes_with_snapshots

crash = crashes_with_snapshots("events_on_unread")

#: the class buffered, and how many: queues of ten segments, of three, and of two
BUFFERED = {"TickEvent": 19999, "Quote": 5000, "Frame": 3000}


def _suspect(summary: dict, type_name: str) -> dict:
    suspects = [s for s in summary["suspects"] if s["type"] == type_name]
    assert suspects, f"no {type_name} suspect"
    return suspects[0]


@pytest.mark.parametrize("type_name", sorted(BUFFERED))
@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_a_segmented_queue_is_the_holder_of_everything_it_buffers(crash, artifact, type_name):
    summary = artifact_summary(artifact_path(crash, artifact))
    point = _suspect(summary, type_name)["accumulation_point"]
    assert point["holder"].endswith("unconsumedEvents")
    assert point["share"] == 1.0


@pytest.mark.parametrize("type_name", sorted(BUFFERED))
@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_every_buffered_event_is_counted_under_the_queue(crash, artifact, type_name):
    suspect = _suspect(artifact_summary(artifact_path(crash, artifact)), type_name)
    assert suspect["accumulation_point"]["count"] == BUFFERED[type_name]


@pytest.mark.parametrize("type_name, emitter, event", [
    ("TickEvent", "require.main.exports.bus", "'tick'"),
    ("Quote", "require.main.exports.feed", "'quote'"),
    ("Frame", "require.main.exports.target", None),  # an EventTarget's: not looked up
])
@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_a_backlog_names_the_iterator_by_its_emitter_and_event(crash, artifact, type_name,
                                                                emitter, event):
    suspect = _suspect(artifact_summary(artifact_path(crash, artifact)), type_name)
    assert suspect["pattern"] == "iterator-backlog"
    if event is None:  # (Node 18 keeps it in a variable of on(): 'frame')
        assert f"`events.on({emitter}, " in suspect["reason"] and "'?'" not in suspect["reason"]
    else:
        assert f"`events.on({emitter}, {event})` async iterator" in suspect["reason"]
