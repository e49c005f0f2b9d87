"""`--referrers` on real snapshots of dumps/scenarios/referrers.js, whose one `ReferredTarget`
is held, by construction, by a class field, an array element, a closure context variable
and two Map values, plus one WeakRef. The full CLI runs, so redaction and the schema apply."""

from __future__ import annotations

from functools import cache

import pytest

from dumps.crash import run_scenario
from tests.conftest import MAJORS, run_triage
from triage.schema import validate_summary

SECRET_KEY = "ghp_Zx9Q2w8E7r6T5y4U3i2O1p0AaSsDdFfGgHhJ"  # the scenario's second Map key

# (referrer type, edge type, edge label, findrefs expression) known by construction
EXPECTED = [
    ("Holder", "property", ".owner", "Holder.owner"),
    ("Array", "element", "[1]", "(Array)[1]"),
    ("system / Context", "context", "context var captured", "Context.captured"),
    ("Map", "collection", "Map entry 'referrers-key'", "(Map) Map entry 'referrers-key'"),
]


def snapshot(major: int) -> str:
    crash = run_scenario("referrers", major)
    assert crash.snapshots, crash.stderr[-500:]
    return crash.snapshots[-1]


@cache
def referrers_json(major: int, *extra: str) -> dict:
    result = run_triage(snapshot(major), "--referrers", "ReferredTarget", "--format", "json", *extra)
    assert result.code == 0, result.stderr
    return result.json


def only_target(doc: dict) -> dict:
    section = doc["referrers"]
    assert section["matched"] == 1
    return section["targets"][0]


@pytest.mark.parametrize("major", MAJORS)
@pytest.mark.parametrize("expected", EXPECTED, ids=lambda e: e[3])
def test_every_planted_referrer_is_listed_with_its_edge(major, expected):
    rows = only_target(referrers_json(major))["referrers"]
    found = [(r["referrer"]["type"], r["edge"]["type"], r["edge"]["label"], r["expression"])
             for r in rows if not r["weak"]]
    assert expected in found


@pytest.mark.parametrize("major", MAJORS)
def test_the_weakref_is_listed_as_weak_and_not_counted_strong(major):
    target = only_target(referrers_json(major))
    weak = [r for r in target["referrers"] if r["weak"]]
    assert [r["referrer"]["type"] for r in weak] == ["WeakRef"]
    # 4 planted user-level holders + the second Map entry, nothing else strong
    assert target["strong"] == 5 and target["total"] == 6


@pytest.mark.parametrize("major", MAJORS)
def test_the_summary_with_referrers_matches_the_schema(major):
    validate_summary(referrers_json(major))


@pytest.mark.parametrize("fmt", ["json", "text", "markdown"])
def test_a_secret_map_key_used_as_an_edge_name_is_redacted(fmt):
    result = run_triage(snapshot(MAJORS[-1]), "--referrers", "ReferredTarget", "--format", fmt)
    assert result.code == 0, result.stderr
    assert SECRET_KEY not in result.stdout
    assert "Map entry '[REDACTED:github-token:" in result.stdout


def test_the_limit_bounds_the_rows_and_counts_the_rest():
    target = only_target(referrers_json(MAJORS[-1], "--referrers-limit", "2"))
    assert len(target["referrers"]) == 2
    assert target["more"] == target["total"] - 2 == 4


def test_a_snapshot_id_names_the_same_object_as_its_type():
    by_type = only_target(referrers_json(MAJORS[-1]))
    result = run_triage(snapshot(MAJORS[-1]), "--referrers", by_type["node"]["ref"], "--format", "json")
    assert result.code == 0, result.stderr
    def slots(target):  # redaction tags differ between runs (a per-run key): compare the rest
        return [(r["referrer"]["id"], r["edge"]["type"], r["weak"]) for r in target["referrers"]]

    assert slots(only_target(result.json)) == slots(by_type)


def test_an_unknown_type_matches_nothing_and_says_so():
    result = run_triage(snapshot(MAJORS[-1]), "--referrers", "NoSuchType")
    assert result.code == 0, result.stderr
    assert "What points at it: NoSuchType (0 matched)" in result.stdout
    assert "no object matched this type or address" in result.stdout
