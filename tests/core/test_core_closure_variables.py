"""A big object kept in a variable of a closure, on real cores and GC'd snapshots of
dumps/scenarios/big_memoized_cache.js: memoize() keeps 3,000 results in the Map `cache` of
the function it returns. The suspect was "One Object `require.main.exports` ... most of it
in `.renderProfile` (Function)": the Map is the object to name, and whose `cache` it is."""

from __future__ import annotations

import pytest

from tests.conftest import MAJORS
from tests.core.conftest import artifact_path, core_summary, crashes_with_snapshots, top_suspect

WHOSE = "(a variable of the closure `require.main.exports.renderProfile`)"

crash = crashes_with_snapshots("big_memoized_cache")


def test_a_core_names_the_map_a_closure_keeps(crash):
    suspect = top_suspect(crash.core_path)
    assert (suspect["type"], suspect["accumulation_point"]["holder"]) == ("Map", "cache")


def test_a_snapshot_names_the_map_a_closure_keeps(crash):
    suspect = top_suspect(crash.snapshots[0])
    assert (suspect["type"], suspect["accumulation_point"]["holder"]) == ("Map", "cache")


def test_the_reason_says_whose_variable_it_is(crash):
    assert WHOSE in top_suspect(crash.core_path)["reason"]


@pytest.mark.parametrize("major", MAJORS)
def test_a_module_variable_is_no_closure_variable(major):
    """`report` of dumps/scenarios/big_single_object.js is a module's variable that one timer
    uses: it was "(a variable of the closure `execution_async_resources[1]._onTimeout`)"."""
    (suspect,) = core_summary("big_single_object", major)["suspects"][:1]
    assert suspect["accumulation_point"]["holder"] == "report"
    assert "a variable of the closure" not in suspect["reason"]


memoized = crashes_with_snapshots("leak_memoize_helper")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_an_accumulation_in_a_closure_variable_says_whose_it_is(memoized, artifact):
    """20,000 Quotes in memoize()'s `cache` of `getQuote`: "accumulate in one Map `cache`",
    which did not say whose."""
    suspect = top_suspect(artifact_path(memoized, artifact))
    assert (suspect["type"], suspect["accumulation_point"]["holder"]) == ("Quote", "cache")
    assert "Map `cache` (a variable of the closure `getQuote`)" in suspect["reason"]
