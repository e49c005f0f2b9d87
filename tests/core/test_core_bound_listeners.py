"""Instances held as the receivers of bound functions, on real cores and GC'd snapshots of
every major (dumps/scenarios/leak_bound_listeners.js: 3,000 `req.onTick.bind(req)` in
`bus.listeners`). The path to each runs through a builtin `native_bind`; the reason says
that each is a bound function's `this` and which function was bound."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, suspect_facts, top_suspect

crash = crashes_with_snapshots("leak_bound_listeners")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_requests_are_said_to_be_the_this_of_bound_functions(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert suspect_facts(suspect) == ("Request", "unbounded-array", "(global).bus.listeners", 3000)
    assert "each the `this` of a function bound with bind() (`onTick`)" in suspect["reason"]
