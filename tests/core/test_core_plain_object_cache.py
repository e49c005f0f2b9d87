"""A module's `const cache = {}` of plain objects is a dictionary, on real cores and GC'd
snapshots of every major. Field finding (December 2026): dumps/scenarios/
leak_plain_object_cache.js (4,000 `{value, expires}` under 4,000 keys) gave no suspect at
all, and dumps/scenarios/leak_parsed_object_cache.js (3,000 parsed documents, each with a
nested `owner` object and a `flags` Array) named the 3,000 Arrays instead of the Objects."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, suspect_facts, top_suspect

flat = crashes_with_snapshots("leak_plain_object_cache")
nested = crashes_with_snapshots("leak_parsed_object_cache")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_a_plain_object_of_plain_objects_is_the_dictionary_suspect(flat, artifact):
    suspect = top_suspect(artifact_path(flat, artifact))
    assert suspect_facts(suspect) == ("Object", "object-as-dictionary", "cache", 4000)


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_nested_values_are_counted_with_the_dictionary_that_holds_them(nested, artifact):
    suspect = top_suspect(artifact_path(nested, artifact))
    assert (suspect["type"], suspect["pattern"]) == ("Object", "object-as-dictionary")
    assert suspect["accumulation_point"]["holder"] == "parsed"
    assert suspect["count"] >= 6000
    assert "under the 3,000 keys of one plain object `parsed`" in suspect["reason"]
