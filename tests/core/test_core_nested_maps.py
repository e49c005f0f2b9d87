"""Instances spread over the inner Maps of a Map of Maps, on real cores and GC'd snapshots
of dumps/scenarios/leak_per_tenant_maps.js: 20,000 UserSessions in 25 per-tenant Maps.
The reason said "accumulate in one Map `sessionsByTenant`", whose 25 entries are not
where they pile up."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, top_suspect

crash = crashes_with_snapshots("leak_per_tenant_maps")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_inner_maps_are_counted(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert (suspect["pattern"], suspect["accumulation_point"]["holder"]) == (
        "unbounded-map", "sessionsByTenant")
    assert "(in 25 Maps under its keys, about 800 in each)" in suspect["reason"]
