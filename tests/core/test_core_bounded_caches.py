"""A cache that evicts is a big object, not a leak, on real cores and GC'd snapshots:
dumps/scenarios/big_evicting_cache.js (2,000 pages of 8 KB at its limit) and the control
dumps/scenarios/cache_lru_small.js (200 pages, a third of a small heap). The big one was
named without a word of its evictions; the small one was a suspect by MAT's 10 % rule
alone ("One RecentPages retains 1.6 MiB (37% of the live heap)"). A snapshot of a cache
bounded by bytes (dumps/scenarios/cache_evicting_by_bytes.js) said "with no entry deleted
since its table last grew", which no snapshot can know."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, artifact_summary, crashes_with_snapshots, top_suspect

big = crashes_with_snapshots("big_evicting_cache")
small = crashes_with_snapshots("cache_lru_small")
by_bytes = crashes_with_snapshots("cache_evicting_by_bytes")


def test_a_big_cache_that_evicts_says_so_in_a_core(big):
    suspect = top_suspect(big.core_path)
    assert (suspect["pattern"], suspect["accumulation_point"]["holder"]) == (
        "big-object", "(global).pageCache")
    assert "its Map is also deleted from (" in suspect["reason"]
    assert "a cache with eviction, at its limit" in suspect["reason"]


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_a_small_cache_in_a_small_heap_is_no_suspect(small, artifact):
    path = artifact_path(small, artifact)
    assert artifact_summary(str(path))["suspects"] == []


def test_a_core_sees_the_deletions_of_a_cache_at_its_limit(by_bytes):
    suspect = top_suspect(by_bytes.core_path)
    assert (suspect["pattern"], suspect["type"]) == ("evicting-map", "Thumb")
    assert suspect["accumulation_point"]["holder"] == "thumbCache"


def test_a_snapshot_does_not_claim_that_nothing_was_deleted(by_bytes):
    suspect = top_suspect(by_bytes.snapshots[0])
    assert suspect["accumulation_point"]["holder"] == "thumbCache"
    assert "no entry deleted" not in suspect["reason"]
    assert "a heap snapshot does not record a table's deletions" in suspect["reason"]
