"""Objects kept by two paths, on real cores and GC'd snapshots of
dumps/scenarios/leak_plugin_listeners.js: 300 hot-reloaded copies of a plugin, each with a
listener `onTick` on the global `bus` that closes over its own `state` of 2,000 records, and
each copy's Module also kept by its parent's `children`. No object but the roots dominates
the records, so the dominator tree named no holder and triage named no suspect on any Node.
Where the shortest paths of the records meet is the listener array of the event, and the
reason names the other holder (leak_reloaded_collectors.js too: the same with a module
variable `hub` and a class of the collector's)."""

from __future__ import annotations

import pytest

from tests.conftest import MAJORS
from tests.core.conftest import (
    artifact_path,
    crash_with_snapshot,
    crashes_with_snapshots,
    suspect_facts,
    top_suspect,
)

#: (type, pattern, holder): 300 listeners on the global `bus` for event 'tick'
EXPECTED = ("Object", "listener-accumulation", "bus._events.tick")
#: 300 x 2,000 records by construction; Node 18's snapshots also count the two plain objects
#: that each copy's compiled `onTick` keeps (its literal's boilerplate and one more)
COUNTS = range(600_000, 600_000 + 2 * 300 + 1)

crash = crashes_with_snapshots("leak_plugin_listeners")


def test_a_core_names_where_the_shortest_paths_of_the_records_meet(crash):
    *facts, count = suspect_facts(top_suspect(crash.core_path))
    assert (tuple(facts), count) == (EXPECTED, 600_000)


def test_a_snapshot_names_where_the_shortest_paths_of_the_records_meet(crash):
    *facts, count = suspect_facts(top_suspect(crash.snapshots[0]))
    assert tuple(facts) == EXPECTED and count in COUNTS


def test_the_reason_names_the_closure_that_captures_the_records(crash):
    reason = top_suspect(crash.core_path)["reason"]
    assert "captured as `state`" in reason and "`onTick`" in reason


def test_the_last_path_reaches_the_records_through_the_other_holder(crash):
    """The listener array is not all that keeps them: each copy's Module in the main
    module's `children` does too, and removing the listeners alone would free nothing."""
    suspect = top_suspect(crash.core_path)
    assert "`bus._events.tick` is not their only holder" in suspect["reason"]
    labels = [step["edge"]["label"] for step in suspect["retainer_paths"][-1] if step["edge"]]
    assert ".children" in labels and ".tick" not in labels


def test_the_reason_names_the_other_holder(crash):
    """It said "not their only holder" and left the user to read the other one off the last
    path; the Array of the reloaded Modules is named as the program knows it, in a core and
    in a snapshot alike."""
    for path in (crash.core_path, crash.snapshots[0]):
        reason = top_suspect(path)["reason"]
        assert "is not their only holder: `require.main.children` keeps them too" in reason


@pytest.mark.parametrize("major", MAJORS, ids=[f"node{m}" for m in MAJORS])
@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_other_holder_is_the_programs_not_async_hooks_list(major, artifact):
    """dumps/scenarios/leak_reloaded_collectors.js: the Samples are named in
    `require.main.children`, and the listeners on the module variable `hub` keep them too.
    The path that avoids the Modules passes async hooks' `execution_async_resources` (the
    running timer) first, which was named as the other holder."""
    path = artifact_path(crash_with_snapshot("leak_reloaded_collectors", major), artifact)
    suspect = top_suspect(path)
    assert suspect_facts(suspect)[:3] == ("Sample", "reloaded-modules", "require.main.children")
    assert ("`require.main.children` is not their only holder: `hub._events.data` keeps "
            "them too") in suspect["reason"]
