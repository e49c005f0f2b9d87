"""A class of the program that shares a name with one of Node's streams is no stream, on
real cores and GC'd snapshots of every major (dumps/scenarios/leak_program_socket_class.js:
3,000 of the program's own `Socket` in a Map of its own `Server`). The reason said they
were "streams or sockets ... until it is destroyed" until December 2026."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, suspect_facts, top_suspect

crash = crashes_with_snapshots("leak_program_socket_class")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_programs_own_socket_class_is_a_map_accumulation(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert suspect_facts(suspect) == ("Socket", "unbounded-map", "(global).io.sockets", 3000)
    assert "destroyed" not in suspect["reason"]
