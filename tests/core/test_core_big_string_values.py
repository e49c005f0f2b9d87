"""A Map of big strings keyed by small ones, on real cores and GC'd snapshots of
dumps/scenarios/big_page_cache.js: 400 rendered pages of 40 KB under their URLs. The
reason said "mostly 800 strings", as if keys and pages were alike."""

from __future__ import annotations

import pytest

from tests.conftest import MAJORS
from tests.core.conftest import artifact_path, core_summary, crashes_with_snapshots, top_suspect

crash = crashes_with_snapshots("big_page_cache")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_few_strings_that_hold_the_memory_are_counted_apart(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert (suspect["pattern"], suspect["accumulation_point"]["holder"]) == (
        "big-object", "rendered")
    assert "mostly 800 strings (" in suspect["reason"]
    assert "; 400 of them hold " in suspect["reason"]


@pytest.mark.parametrize("major", MAJORS)
def test_strings_of_like_sizes_are_not_split(major):
    """40,000 log lines of about the same length: no minority holds the memory."""
    (suspect,) = [s for s in core_summary("leak_string_log", major)["suspects"]
                  if (s["accumulation_point"] or {}).get("holder") == "auditLog"]
    assert "mostly 40,000 strings (" in suspect["reason"]
    assert "of them hold" not in suspect["reason"]
