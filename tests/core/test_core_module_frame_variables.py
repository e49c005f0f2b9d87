"""A variable of a module whose context only its running frame holds, on real cores and
GC'd snapshots of every major (dumps/scenarios/big_compiled_templates.js: a Map `compiled`
of 5,000 functions filled before anything keeps a closure of the module). Its closures
were the only sign that a context is the program's: the Map, half the live heap, was no
suspect on Node 24 and 26."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, top_suspect

crash = crashes_with_snapshots("big_compiled_templates")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_map_of_the_running_module_is_the_big_object(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert (suspect["type"], suspect["pattern"], suspect["accumulation_point"]["holder"]) == (
        "Map", "big-object", "compiled")
    assert "5,000 Function" in suspect["reason"]
