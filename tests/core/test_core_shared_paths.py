"""Objects kept by two paths, on real cores and GC'd snapshots of
dumps/scenarios/leak_plugin_listeners.js: 300 hot-reloaded copies of a plugin, each with a
listener `onTick` on the global `bus` that closes over its own `state` of 2,000 records, and
each copy's Module also kept by its parent's `children`. No object but the roots dominates
the records, so the dominator tree named no holder and triage named no suspect on any Node.
Where the shortest paths of the records meet is the listener array of the event."""

from __future__ import annotations

from tests.core.conftest import crashes_with_snapshots, suspect_facts, top_suspect

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
