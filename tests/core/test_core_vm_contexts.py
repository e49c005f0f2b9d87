"""`vm` contexts in the core heap graph, on real cores of dumps/scenarios/leak_vm_contexts.js:
150 contexts kept in a global Array `sandboxes`. A sandbox keeps its context through Node's
C++ ContextifyContext, which a core cannot follow: until December 2026 every context's global
object was a root of the core graph, the contexts belonged to no one, and the core gave no
suspect where a heap snapshot of the same process blamed `(global).sandboxes`."""

from __future__ import annotations

import pytest

from tests.conftest import MAJORS
from tests.core.conftest import artifact_path, artifact_summary, core_summary, crash_with_snapshot


def crash(major: int):
    return crash_with_snapshot("leak_vm_contexts", major)


def lead_suspect(path: str) -> dict:
    return artifact_summary(path)["suspects"][0]


@pytest.fixture(params=MAJORS, ids=[f"node{m}" for m in MAJORS])
def major(request: pytest.FixtureRequest) -> int:
    return request.param


def test_kept_vm_contexts_accumulate_in_the_array_that_keeps_them(major):
    point = lead_suspect(crash(major).core_path)["accumulation_point"]
    assert point["holder"] == "(global).sandboxes"


def test_the_array_retains_its_contexts_as_a_gcd_snapshot_says_within_5_percent(major):
    c = crash(major)
    kept, want = (lead_suspect(p)["accumulation_point"]["retained_bytes"]
                  for p in (c.core_path, c.snapshots[0]))
    assert want >= 150 * 100_000  # each context is a whole global with its builtins
    assert abs(kept - want) <= 0.05 * want


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_reason_says_the_entries_are_vm_contexts(major, artifact):
    """What accumulated was "1,200 Object objects": the builtins of the contexts, with
    nothing saying so."""
    c = crash(major)
    reason = lead_suspect(artifact_path(c, artifact))["reason"]
    assert "150 of its entries are sandboxes of vm contexts" in reason


def test_a_long_array_of_plain_objects_says_nothing_of_vm_contexts(major):
    """An element edge's name is its index: one of 20,000 jobs once counted as a sandbox
    because its index equalled the string id of Node's private symbol."""
    reason = core_summary("big_parsed_document", major)["suspects"][0]["reason"]
    assert "vm context" not in reason
