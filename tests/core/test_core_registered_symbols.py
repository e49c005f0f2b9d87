"""Symbols registered with Symbol.for() and kept by nothing else, on real cores and GC'd
snapshots of every major (dumps/scenarios/leak_registered_symbols.js: 60,000). V8's registry
keeps them for the life of the process; it held 72 % of a core's heap in a table the
dominators called `(system) type 185`, and there was no suspect at all. The 20,000
unregistered symbols the program keeps in a Map `tags` are that Map's, not the registry's."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, artifact_summary, crashes_with_snapshots

crash = crashes_with_snapshots("leak_registered_symbols")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_registry_is_the_suspect_with_every_registered_symbol(crash, artifact):
    (suspect,) = [s for s in artifact_summary(artifact_path(crash, artifact))["suspects"]
                  if s["pattern"] == "symbol-registry"]
    assert (suspect["pattern"], suspect["count"], suspect["accumulation_point"]["holder"]) == (
        "symbol-registry", 60000, "Symbol.for() registry")
    assert "a registered symbol is never collected" in suspect["reason"]


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_a_path_leads_from_the_roots_to_a_registered_symbol(crash, artifact):
    (suspect,) = [s for s in artifact_summary(artifact_path(crash, artifact))["suspects"]
                  if s["pattern"] == "symbol-registry"]
    assert suspect["retainer_paths"][0][-1]["node"]["type"] == "(symbol)"


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_programs_map_of_symbols_is_its_own_big_object(crash, artifact):
    suspects = artifact_summary(artifact_path(crash, artifact))["suspects"]
    (tags,) = [s for s in suspects if s["accumulation_point"]["holder"] == "tags"]
    assert tags["pattern"] == "big-object"
