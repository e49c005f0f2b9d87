"""Classes defined in code compiled from a string at run time, on real cores and GC'd
snapshots of every major (dumps/scenarios/leak_eval_plugin_events.js: a plugin run with new
Function() whose PluginEvents pile up in a Map). Such code has no script name, and a class
without one was taken for Node's own: no accumulation, only "One Map `events` ... mostly
15,000 PluginEvent"."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, suspect_facts, top_suspect

crash = crashes_with_snapshots("leak_eval_plugin_events")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_plugins_instances_accumulate_in_the_hosts_map(crash, artifact):
    assert suspect_facts(top_suspect(artifact_path(crash, artifact))) == (
        "PluginEvent", "unbounded-map", "events", 15000)


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_class_is_said_to_be_defined_in_eval_code(crash, artifact):
    assert top_suspect(artifact_path(crash, artifact))["defined_at"]["script"] == "<eval>"
