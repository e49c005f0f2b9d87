"""Messages posted to a MessagePort nobody reads, on real cores and GC'd snapshots of
dumps/scenarios/leak_unread_port.js: 1,500 jobs of 6 KB wait serialized in the port's C++
queue. A snapshot weighs each by its C++ object (about 130 bytes) and said nothing: no
suspect, every capability full."""

from __future__ import annotations

from tests.core.conftest import artifact_summary, crash_with_snapshot, crashes_with_snapshots

crash = crashes_with_snapshots("leak_unread_port")


def test_a_snapshot_says_the_queued_messages_are_not_weighed(crash):
    summary = artifact_summary(str(crash.snapshots[0]))
    queued = summary["capabilities"]["port_messages"]
    assert queued["status"] == "degraded"
    assert queued["reason"].startswith("1,500 messages posted to MessagePorts wait unread")


def test_the_first_page_says_so(crash):
    from triage.render.text import render_text

    page = render_text(artifact_summary(str(crash.snapshots[0])))
    assert "port_messages: degraded — 1,500 messages posted to MessagePorts" in page


def test_a_snapshot_without_a_backlog_says_nothing_of_ports(crash):
    """The control: the same kind of program with no port (a ring buffer of 2,000)."""
    control = crash_with_snapshot("ring_buffer_recent", crash.major)
    assert "port_messages" not in artifact_summary(str(control.snapshots[0]))["capabilities"]
