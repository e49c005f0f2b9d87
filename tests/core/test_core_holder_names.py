"""Holder names a programmer knows, on real cores and GC'd snapshots of
dumps/scenarios/leak_writable_backlog.js: a PassThrough `globalThis.sink` written 5,000 times
and never read. Node 26's stream code captures the stream in a closure variable `stream`, at
the same distance as the global property: the holder was `stream._writableState[...]`, a name
the program never wrote. And Node 26's snapshots root the main native context, not the
global object, so no global property named a holder in them at all."""

from __future__ import annotations

from functools import cache

import pytest

from dumps.crash import run_scenario
from tests.conftest import MAJORS, run_triage


@cache
def crash(major: int):
    return run_scenario("leak_writable_backlog", major, env={"WRITE_SNAPSHOT": "1"})


@cache
def holder(path: str) -> str:
    result = run_triage(path, "--format", "json", "--no-llnode")
    assert result.code == 0, result.stderr
    return result.json["suspects"][0]["accumulation_point"]["holder"]


@pytest.fixture(params=MAJORS, ids=[f"node{m}" for m in MAJORS])
def major(request: pytest.FixtureRequest) -> int:
    return request.param


def test_a_core_names_the_backlog_by_the_programs_global(major):
    assert holder(crash(major).core_path).startswith("(global).sink._writableState")


def test_a_snapshot_names_the_backlog_by_the_programs_global(major):
    assert holder(crash(major).snapshots[0]).startswith("(global).sink._writableState")
