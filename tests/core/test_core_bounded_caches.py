"""A cache that evicts is a big object, not a leak, on real cores and GC'd snapshots:
dumps/scenarios/big_evicting_cache.js (2,000 pages of 8 KB at its limit) and the control
dumps/scenarios/cache_lru_small.js (200 pages, a third of a small heap). The big one was
named without a word of its evictions; the small one was a suspect by MAT's 10 % rule
alone ("One RecentPages retains 1.6 MiB (37% of the live heap)")."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, artifact_summary, crashes_with_snapshots, top_suspect

big = crashes_with_snapshots("big_evicting_cache")
small = crashes_with_snapshots("cache_lru_small")


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
