"""Objects kept only as AsyncLocalStorage stores by the reactions of a promise that never
settles, on real cores and GC'd snapshots of dumps/scenarios/leak_async_context_reactions.js:
2,500 RequestScopes, each the store of one `dbReady.then(writeAudit)`. No callback
references them; the reason said only "kept alive by 2,500 reactions" (2,499 on Node 24 and 26,
where the best-child line of the dominator tree missed the last reaction). And the same for
never-cleared intervals (leak_async_context_intervals.js): 400 RequestScopes, each the store
of one `setInterval(heartbeat)`, were "kept by what its callback captures", and `heartbeat`
captures nothing."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, top_suspect

crash = crashes_with_snapshots("leak_async_context_reactions")
intervals = crashes_with_snapshots("leak_async_context_intervals")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_every_reaction_is_counted(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert (suspect["pattern"], suspect["type"], suspect["accumulation_point"]["holder"]) == (
        "pending-promise-reactions", "RequestScope", "(global).dbReady")
    assert "kept alive by 2,500 reactions" in suspect["reason"]


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_async_local_storage_store_is_said(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert "they are AsyncLocalStorage stores" in suspect["reason"]


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_every_interval_is_counted_at_the_timer_list(intervals, artifact):
    suspect = top_suspect(artifact_path(intervals, artifact))
    assert (suspect["pattern"], suspect["type"], suspect["count"]) == (
        "uncleared-timers", "RequestScope", 400)
    assert suspect["accumulation_point"]["holder"].startswith("timerListMap[600000]")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_an_interval_keeps_its_store_as_async_context_not_by_its_callback(intervals, artifact):
    reason = top_suspect(artifact_path(intervals, artifact))["reason"]
    assert "the AsyncLocalStorage store it was created in" in reason
    assert "what its callback captures" not in reason
