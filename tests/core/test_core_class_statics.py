"""A class static is named by its class on real cores and GC'd snapshots alike:
dumps/scenarios/leak_class_static.js keeps 20,000 Widgets in `WidgetRegistry.items`, the
class also exported and on a global. V8's snapshot does not name a class's own binding in
its class scope, so the snapshot's holder was `(global).plugins.registry.items` where the
core's was `WidgetRegistry.items`."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, top_suspect

crash = crashes_with_snapshots("leak_class_static")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_holder_is_the_class_static(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert (suspect["type"], suspect["pattern"]) == ("Widget", "unbounded-map")
    assert suspect["accumulation_point"]["holder"] == "WidgetRegistry.items"
    assert suspect["accumulation_point"]["count"] == 20000
