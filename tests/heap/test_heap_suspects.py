"""Leak suspects: the planted culprit comes first, in its planted container, explained."""

from __future__ import annotations

import json

import jsonschema

from tests.heap.conftest import graph
from triage.analyses import find_suspects, heap_section
from triage.analyses.retainers import holder_expression


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


def test_heap_section_matches_its_schema():
    schema = json.load(open("triage/schemas/section-heap.schema.json"))
    section = heap_section(graph("snap_listeners", 22))
    jsonschema.validate(json.loads(json.dumps(section)), schema)
