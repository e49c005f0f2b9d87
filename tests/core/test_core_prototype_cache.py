"""Caches kept on prototypes, on real cores and GC'd snapshots of every major
(dumps/scenarios/leak_prototype_cache.js). V8 keeps a function's `prototype` in the slot
`prototype_or_initial_map`, behind the function's initial map once it has made an instance;
a snapshot names the reference `.prototype` either way, and a core named the holder
`(Service.prototype).cache`: the same program had two names."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, artifact_summary, crashes_with_snapshots

crash = crashes_with_snapshots("leak_prototype_cache")


def _suspect(crash, artifact: str, type_name: str) -> dict:
    (suspect,) = [s for s in artifact_summary(artifact_path(crash, artifact))["suspects"]
                  if s["type"] == type_name]
    return suspect


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_a_cache_on_the_prototype_of_a_class_with_instances_is_named_through_it(crash, artifact):
    suspect = _suspect(crash, artifact, "Rendered")
    assert (suspect["accumulation_point"]["holder"], suspect["count"]) == (
        "Service.prototype.cache", 6000)


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_a_cache_on_the_prototype_of_a_function_without_instances_is_named(crash, artifact):
    suspect = _suspect(crash, artifact, "Visit")
    assert (suspect["accumulation_point"]["holder"], suspect["count"]) == (
        "Legacy.prototype.seen", 3000)


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_path_shows_the_prototype_as_a_property(crash, artifact):
    path = _suspect(crash, artifact, "Rendered")["retainer_paths"][0]
    labels = [step["edge"]["label"] for step in path if step["edge"]]
    assert ".prototype" in labels
    assert not any("prototype_or_initial_map" in label for label in labels)
