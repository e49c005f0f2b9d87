"""`--referrers` on the core of dumps/scenarios/referrers.js (the same heap its snapshot
records, see tests/heap/test_heap_referrers.py): the core's own reference graph must name
every planted referrer with the same edge label the snapshot does."""

from __future__ import annotations

from functools import cache

import pytest

from dumps.crash import run_scenario
from tests.conftest import MAJORS, run_triage

SECRET_KEY = "ghp_Zx9Q2w8E7r6T5y4U3i2O1p0AaSsDdFfGgHhJ"  # the scenario's second Map key
# (referrer type, edge type, edge label, findrefs expression): as in the snapshot's answer
EXPECTED = [
    ("Holder", "property", ".owner", "Holder.owner"),
    ("Array", "element", "[1]", "(Array)[1]"),
    ("system / Context", "context", "context var captured", "Context.captured"),
    ("Map", "collection", "Map entry 'referrers-key'", "(Map) Map entry 'referrers-key'"),
]


@cache
def core_referrers(major: int) -> tuple[dict, str]:
    crash = run_scenario("referrers", major)
    result = run_triage(crash.core, "--referrers", "ReferredTarget", "--format", "json", "--no-llnode")
    assert result.code == 0, result.stderr
    return result.json, result.stdout


def only_target(doc: dict) -> dict:
    """The one live ReferredTarget. The core may also hold a dead copy (the snapshot the
    scenario writes first runs GCs, and whether a copy's page is reused before the abort
    depends on timing), which is matched too and shown unreachable, with no referrers."""
    (target,) = [t for t in doc["referrers"]["targets"] if t["reachable"]]
    return target


@pytest.mark.parametrize("major", MAJORS)
def test_every_planted_referrer_is_listed_with_its_edge_in_the_core(major):
    doc, _ = core_referrers(major)
    found = {(r["referrer"]["type"], r["edge"]["type"], r["edge"]["label"], r["expression"])
             for r in only_target(doc)["referrers"] if not r["weak"]}
    assert set(EXPECTED) <= found


@pytest.mark.parametrize("major", MAJORS)
def test_the_core_marks_the_weakref_weak_and_lists_nothing_else(major):
    target = only_target(core_referrers(major)[0])
    assert [r["referrer"]["type"] for r in target["referrers"] if r["weak"]] == ["WeakRef"]
    assert target["strong"] == 5 and target["total"] == 6
    assert target["node"]["ref"].startswith("0x")


@pytest.mark.parametrize("major", MAJORS)
def test_a_secret_map_key_is_redacted_in_the_core_answer(major):
    doc, raw = core_referrers(major)
    assert SECRET_KEY not in raw
    labels = [r["edge"]["label"] for r in only_target(doc)["referrers"]]
    assert any(label.startswith("Map entry '[REDACTED:github-token:") for label in labels)


@pytest.mark.parametrize("major", MAJORS)
def test_planted_referrers_are_all_live(major):
    assert only_target(core_referrers(major)[0])["strong_from_garbage"] == 0


@pytest.mark.parametrize("major", MAJORS)
def test_strong_referrers_from_garbage_are_counted_apart_and_said(major):
    # leak_worker's Map grew by rehashing: its old tables still point at the first entries
    # until a GC; how many there are depends on GC timing, what is said of them does not
    crash = run_scenario("leak_worker", major)
    args = (crash.core_path, "--referrers", "WorkerLeak", "--no-llnode", "--referrers-limit", "1000")
    doc = run_triage(*args, "--format", "json").json
    text = run_triage(*args).stdout
    for target in doc["referrers"]["targets"]:
        rows = target["referrers"]
        assert target["strong_from_garbage"] == sum(
            1 for r in rows if not r["weak"] and not r["reachable"])
        said = f"{target['strong']} strong ({target['strong_from_garbage']} of them from garbage)"
        assert (said in text) == (target["strong_from_garbage"] > 0)
