"""A pending promise whose reactions keep the memory, on real cores and GC'd snapshots of
dumps/scenarios/big_pending_promise_all.js: Promise.all keeps 4,000 resolved pages in the
reaction it added to `(global).drained` (one of three), which never settles. The suspect
said "One Promise `(global).drained` ... mostly 2 Function": neither that it is pending
nor what waits."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, top_suspect

PENDING = ": it is still pending, and 3 reactions waiting for it to settle"

crash = crashes_with_snapshots("big_pending_promise_all")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_promise_is_said_pending_with_what_its_reaction_keeps(crash, artifact):
    path = artifact_path(crash, artifact)
    suspect = top_suspect(path)
    assert suspect["accumulation_point"]["holder"] == "(global).drained"
    assert PENDING in suspect["reason"]
    assert "mostly 4,000 strings" in suspect["reason"]
