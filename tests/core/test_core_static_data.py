"""What a program loads once is no leak suspect, on real cores and GC'd snapshots of every
major. Field findings in an express app (December 2026): http-errors' error classes made
"41 HttpError objects" a suspect in the snapshot only, as a snapshot names a prototype by
the class it inherits from (dumps/scenarios/snap_error_class_factory.js); and mime-db's
`db.json` was "an unbounded cache unless something deletes from it"
(dumps/scenarios/leak_json_module_dictionary.js)."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, artifact_summary, crashes_with_snapshots

error_classes = crashes_with_snapshots("snap_error_class_factory")
json_module = crashes_with_snapshots("leak_json_module_dictionary")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_prototypes_are_named_by_their_own_constructor(error_classes, artifact):
    histogram = artifact_summary(artifact_path(error_classes, artifact))["histogram"]
    counts = {row["type"]: row["count"] for row in histogram}
    assert counts.get("ClientError.prototype") == 60
    assert "HttpError" not in counts


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_an_error_class_factory_is_no_suspect(error_classes, artifact):
    assert artifact_summary(artifact_path(error_classes, artifact))["suspects"] == []


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_a_json_modules_dictionary_is_no_suspect(json_module, artifact):
    assert artifact_summary(artifact_path(json_module, artifact))["suspects"] == []
