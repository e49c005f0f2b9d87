"""Chunks queued inside a stream, on real cores and GC'd snapshots:
dumps/scenarios/leak_write_backpressure.js writes 3,000 events to a Writable whose
collector never acknowledges, ignoring write()'s false return. The suspect named the
stream's queue but said only "accumulate in one Array ... that grows by appending", not
that the producer ignores backpressure."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, top_suspect

crash = crashes_with_snapshots("leak_write_backpressure")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_events_waiting_in_a_write_queue_are_a_stream_backlog(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert (suspect["type"], suspect["pattern"]) == ("AuditEvent", "stream-backlog")
    assert suspect["accumulation_point"]["count"] == 2999  # one is in flight
    assert suspect["reason"].startswith("2,999 AuditEvent objects")
    assert "wait in the write queue of the stream `(global).auditSink`" in suspect["reason"]
    assert "wait for 'drain'" in suspect["reason"]
