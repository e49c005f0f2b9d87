"""Objects in the locals of suspended generators, on real cores and GC'd snapshots of every
major (dumps/scenarios/leak_suspended_generators.js: 2,000 paginators started and never run
to their end, each with a page of 20 Rows). The Rows were said to "accumulate in one Array
`open`", which holds no Row: it holds the generators."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, suspect_facts, top_suspect

crash = crashes_with_snapshots("leak_suspended_generators")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_rows_accumulate_under_the_array_of_generators(crash, artifact):
    kind, pattern, holder, count = suspect_facts(top_suspect(artifact_path(crash, artifact)))
    assert (kind, pattern, holder) == ("Row", "unbounded-array", "open")
    assert 39_980 <= count <= 40_000


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_they_are_said_to_be_locals_of_the_suspended_generators(crash, artifact):
    reason = top_suspect(artifact_path(crash, artifact))["reason"]
    assert "they are locals of 2,000 suspended generators `pages`" in reason
