"""Holders behind a getter of Node's, on real cores and GC'd snapshots of every major
(dumps/scenarios/leak_stdout_listeners.js: 3,000 'drain' listeners on process.stdout). Node
keeps the stream in a variable `stdout` of its own code, which process.stdout's getter
returns: the holder was `stdout._events.drain` on Node 18-22 and `stream._events.drain` on
24 and 26, names of Node's code, not the program's."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, suspect_facts, top_suspect

crash = crashes_with_snapshots("leak_stdout_listeners")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_listeners_on_stdout_are_held_by_process_stdout(crash, artifact):
    assert suspect_facts(top_suspect(artifact_path(crash, artifact))) == (
        "Job", "listener-accumulation", "process.stdout._events.drain", 3000)
