"""Leak suspects: the planted culprit comes first, in its planted container, explained."""

from __future__ import annotations

import json

import jsonschema
import numpy as np

from dumps.crash import run_scenario
from tests.heap.conftest import graph
from triage.analyses import find_suspects, heap_section
from triage.analyses.distances import UNREACHABLE, distances
from triage.analyses.dominators import dominators
from triage.analyses.retainers import holder_expression
from triage.loaders import load_snapshot


def _first(scenario, major):
    suspects = find_suspects(graph(scenario, major))
    assert suspects, "no suspect at all"
    return suspects[0]


def test_map_cache_is_the_first_suspect(major):
    s = _first("snap_cache", major)
    assert s["type"] == "Session" and s["count"] == 3000
    assert s["pattern"] == "unbounded-map"
    point = s["accumulation_point"]
    assert point["node"]["type"] == "Map" and point["count"] == 3000
    assert point["holder"] == "sessionCache"
    assert "sessionCache" in s["reason"]


def test_suspect_sizes_are_labelled_and_consistent(major):
    s = _first("snap_cache", major)
    assert 0 < s["shallow_bytes"] <= s["retained_bytes"]
    assert s["accumulation_point"]["accumulated_bytes"] <= s["accumulation_point"]["retained_bytes"]


def test_suspect_reasons_use_the_binary_units_every_other_output_uses(major):
    import re

    reason = _first("snap_cache", major)["reason"]
    assert re.search(r"\d (KiB|MiB|GiB) retained", reason), reason
    assert not re.search(r"\d (KB|MB|GB)\b", reason), reason


def test_suspect_retainer_path_passes_through_the_planted_holder(major):
    s = _first("snap_cache", major)
    path = s["retainer_paths"][0]
    assert any(st["edge"] and st["edge"]["label"] == "context var sessionCache" for st in path)
    assert path[-1]["node"]["type"] == "Session"


def test_listener_accumulation_points_at_the_emitter_event(major):
    s = _first("snap_listeners", major)
    assert s["type"] == "RequestContext" and s["count"] == 1200
    assert s["pattern"] == "listener-accumulation"
    assert s["accumulation_point"]["holder"] == "bus._events['config-changed']"
    assert "'config-changed'" in s["reason"] and "`ctx`" in s["reason"]


def test_uncleared_intervals_accumulate_in_the_timer_list(major):
    s = _first("snap_timers", major)
    assert s["type"] == "PollJob" and s["count"] == 500
    assert s["pattern"] == "uncleared-timers"
    assert s["accumulation_point"]["node"]["type"] == "TimersList"
    assert s["accumulation_point"]["holder"].endswith("[60000]")


def test_garbage_is_not_a_suspect(major):
    suspects = find_suspects(graph("snap_cache", major), top=20)
    assert all(s["type"] != "Discarded" for s in suspects)
    assert all(h["type"] != "Discarded" for s in suspects for h in s["held_types"])


def test_small_class_counts_are_not_suspects(major):
    """16 objects in one array are not a leak (below `min_count`)."""
    types = {s["type"] for s in find_suspects(graph("snap_classes", major), top=20)}
    assert not types & {"Admin", "Base", "Widget"}


def test_suspect_defined_at_names_the_user_script(major):
    s = _first("snap_cache", major)
    assert s["defined_at"]["script"].endswith("snap_cache.js")
    assert s["defined_at"]["line"] == 10  # `class Session {`: the constructor's location


def test_holder_expression_of_a_plain_property_chain():
    path = [
        {"node": {"type": "global", "name": "", "id": 1}, "edge": None},
        {"node": {"type": "App", "name": "", "id": 2}, "edge": {"type": "property", "label": ".app"}},
        {"node": {"type": "Array", "name": "", "id": 3}, "edge": {"type": "property", "label": ".log"}},
    ]
    assert holder_expression(path) == "global.app.log"


def _step(kind: str, label: str, node_type: str) -> dict:
    return {"node": {"type": node_type, "name": "", "id": 0},
            "edge": {"type": kind, "label": label}}


def test_holder_expression_of_an_unnamed_point_says_what_it_hangs_off():
    """A point reached only through internal links is `(Promise)` and names the nearest
    variable above it; a point with a name of its own gets no `via`."""
    root = {"node": {"type": "(GC roots)", "name": "", "id": 0}, "edge": None}
    chain = [root, _step("shortcut", "shortcut global", "global"),
             _step("property", ".queue", "Object"), _step("property", ".enqueue", "Function"),
             _step("context", "context var lock", "Promise"),
             _step("internal", "internal reactions_or_result", "(system)"),
             _step("hidden", "hidden [10]", "Promise")]
    assert holder_expression(chain) == "(Promise) via lock"
    named = [root, _step("element", "hidden [3]", "global"), _step("property", ".seen", "Map")]
    assert holder_expression(named) == "(global).seen"


def test_heap_section_matches_its_schema():
    schema = json.load(open("triage/schemas/section-heap.schema.json"))
    section = heap_section(graph("snap_listeners", 22))
    jsonschema.validate(json.loads(json.dumps(section)), schema)


def _snapshot_of(scenario: str, major: int):
    """The leak_* scenarios write a heap snapshot (after V8's full GC) given `snapshot`."""
    crash = run_scenario(scenario, major, args=("snapshot",), want_core=False)
    assert crash.returncode == 0 and crash.snapshots, crash.stderr[-500:]
    return load_snapshot(crash.snapshots[-1])


def test_a_promise_reaction_chain_is_named_by_its_promise(major):
    """4,000 JobResult hang off the reaction list of one never-settling promise: no container,
    and a chain longer than any path limit. The holder is the promise's variable, and a path
    from a root reaches the farthest result with the chain folded."""
    s = find_suspects(_snapshot_of("leak_promise_race", major))[0]
    assert (s["type"], s["count"], s["pattern"]) == ("JobResult", 4000, "pending-promise-reactions")
    assert s["accumulation_point"]["node"]["type"] == "Promise"
    assert s["accumulation_point"]["holder"] == "shutdownSignal"
    labels = [st["edge"]["label"] for p in s["retainer_paths"] for st in p if st["edge"]]
    # V8's snapshot leaves PromiseReaction's fields unnamed (hidden [i]); a core names `next`
    assert "… 3,999 × PromiseReaction[…] …" in labels
    assert all(p[0]["node"]["type"] != "..." and p[-1]["node"]["type"] == "JobResult"
               for p in s["retainer_paths"])


def test_an_object_used_as_a_dictionary_is_the_holder(major):
    s = find_suspects(_snapshot_of("leak_ssr_cache", major))[0]
    assert (s["type"], s["count"], s["pattern"]) == ("ProductEntity", 80000, "object-as-dictionary")
    assert s["accumulation_point"]["holder"] == "ssrCache"


def test_weakmap_values_of_live_keys_are_dominated_by_their_keys(major):
    """The snapshot's own ephemeron edges: a value is reached through its key, and V8's GC
    before the snapshot has already dropped the values of dead keys."""
    g = _snapshot_of("leak_weakmap_only", major)
    dist, idom = distances(g), dominators(g).idom
    assert not len(np.flatnonzero(g.node_class == g.find_string("SessionMeta")))
    live = np.flatnonzero(g.node_class == g.find_string("LiveMeta"))
    assert len(live) == 50 and np.all(dist[live] != UNREACHABLE)
    for v in live.tolist():
        assert g.class_name(int(idom[v])) == "Object"  # the key, not the WeakMap
    assert all(s["type"] != "LiveMeta" for s in find_suspects(g, min_count=20))


def test_results_kept_by_a_hung_promise_all_are_said_to_wait_on_a_promise(major):
    """Promise.all over 3,000 fetches, one hung: the 2,999 results sit in the values array of
    its resolve-element callback, a reaction on the hung fetch. Not "accumulate in one
    Function": the callback waits on a promise that never settles (V8's snapshot leaves the
    PromiseReaction's fields unnamed, so the reaction is known by its node, not its edge)."""
    s = find_suspects(_snapshot_of("leak_promise_all", major))[0]
    assert (s["type"], s["count"]) == ("FetchResult", 2999)
    assert s["pattern"] == "pending-promise-reactions"
    assert "never settles" in s["reason"]
