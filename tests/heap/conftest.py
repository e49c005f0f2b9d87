"""Real heap snapshots written by real Node 18/20/22/24 (cached in ~/.cache/triage/crashes)."""

from __future__ import annotations

import functools

import pytest

from dumps.crash import run_scenario
from dumps.nodes import SUPPORTED_MAJORS
from triage.heapgraph import HeapGraph
from triage.loaders import load_snapshot


@functools.cache
def snapshot_paths(scenario: str, major: int) -> tuple[str, ...]:
    crash = run_scenario(scenario, major, want_core=False)
    if crash.returncode != 0 or not crash.snapshots:
        raise RuntimeError(f"{scenario} on Node {major} failed: {crash.stderr[-500:]}")
    return tuple(crash.snapshots)


@functools.cache
def graph(scenario: str, major: int, index: int = -1) -> HeapGraph:
    """The (last, or `index`-th) snapshot of a scenario, loaded once per test session."""
    return load_snapshot(snapshot_paths(scenario, major)[index])


@pytest.fixture(params=SUPPORTED_MAJORS, ids=lambda m: f"node{m}")
def major(request) -> int:
    return request.param
