"""Objects of one class that hold one another, kept by one reference from outside, on real
cores and GC'd snapshots of dumps/scenarios/leak_detached_subtree.js: a removed subtree of
17,026 Widgets kept by a module variable `lastSelected` (a leaf) through `.owner`. The
suspect was "17,026 Widget objects ... are held by closures in `(global)`, each captured as
`lastSelected`", and a second suspect, a big object, was the same leak."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, artifact_summary, crashes_with_snapshots

crash = crashes_with_snapshots("leak_detached_subtree")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_one_widget_held_from_outside_is_the_holder(crash, artifact):
    suspect = artifact_summary(artifact_path(crash, artifact))["suspects"][0]
    assert (suspect["pattern"], suspect["type"], suspect["accumulation_point"]["holder"]) == (
        "linked-objects", "Widget", "lastSelected")
    assert "the Widget `lastSelected`, through its `.owner`" in suspect["reason"]


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_subtree_is_one_suspect(crash, artifact):
    suspects = artifact_summary(artifact_path(crash, artifact))["suspects"]
    assert [s["pattern"] for s in suspects if s["type"] == "Widget"] == ["linked-objects"]


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_live_page_is_not_counted_in(crash, artifact):
    """The removed panel's 17,026 Widgets, not the 2 of the page that stays."""
    point = artifact_summary(artifact_path(crash, artifact))["suspects"][0]["accumulation_point"]
    assert point["count"] == 17_026
