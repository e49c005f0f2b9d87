"""Strings whose characters live outside the JS heap, on real cores and GC'd snapshots:
dumps/scenarios/leak_decoded_files.js keeps 20 files of 1.5 MiB decoded with
toString('latin1') (V8 external strings) in a Map. Up to Node 22 the core weighed each by
its header, as V8's snapshot does, and the 30 MiB cache was no suspect at all."""

from __future__ import annotations

from tests.core.conftest import artifact_summary, crashes_with_snapshots, top_suspect

crash = crashes_with_snapshots("leak_decoded_files")
thin = crashes_with_snapshots("snap_thin_strings")

DECODED = 20 * 1536 * 1024


def test_a_core_counts_the_characters_of_the_cached_files(crash):
    suspect = top_suspect(crash.core_path)
    assert (suspect["type"], suspect["accumulation_point"]["holder"]) == (
        "CachedFile", "fileCache")
    assert suspect["accumulation_point"]["retained_bytes"] >= DECODED


def test_a_core_counts_them_as_external_memory(crash):
    totals = artifact_summary(str(crash.core_path))["memory"]["totals"]
    external = next(row for row in totals if row["kind"] == "external")
    assert external["bytes"] >= DECODED
    assert "the characters of 20 external strings" in external["detail"]


def test_a_snapshot_counts_them_or_says_it_does_not(crash):
    summary = artifact_summary(str(crash.snapshots[0]))
    unweighed = summary["capabilities"].get("external_strings")
    if crash.major >= 24:  # V8 13: a snapshot weighs an external string's characters
        assert unweighed is None
        assert top_suspect(crash.snapshots[0])["accumulation_point"]["retained_bytes"] >= DECODED
    else:
        assert unweighed["status"] == "degraded"
        assert unweighed["reason"].startswith("20 strings keep their characters outside")


def test_thin_strings_are_not_said_to_keep_characters_outside_the_heap(thin):
    # dumps/scenarios/snap_thin_strings.js: 2,000 ThinStrings, each a snapshot string of
    # self size 24 whose text is longer; Node 26 also leaves the main module's `path` as one
    summary = artifact_summary(str(thin.snapshots[0]))
    assert "external_strings" not in summary["capabilities"]
