"""Holder names a programmer knows, on real cores and GC'd snapshots of
dumps/scenarios/leak_writable_backlog.js: a PassThrough `globalThis.sink` written 5,000 times
and never read. Node 26's stream code captures the stream in a closure variable `stream`, at
the same distance as the global property: the holder was `stream._writableState[...]`, a name
the program never wrote. And Node 26's snapshots root the main native context, not the
global object, so no global property named a holder in them at all."""

from __future__ import annotations

import pytest

from tests.conftest import MAJORS
from tests.core.conftest import artifact_summary, crash_with_snapshot


def crash(major: int):
    return crash_with_snapshot("leak_writable_backlog", major)


def holder(path: str) -> str:
    return artifact_summary(path)["suspects"][0]["accumulation_point"]["holder"]


@pytest.fixture(params=MAJORS, ids=[f"node{m}" for m in MAJORS])
def major(request: pytest.FixtureRequest) -> int:
    return request.param


def test_a_core_names_the_backlog_by_the_programs_global(major):
    assert holder(crash(major).core_path).startswith("(global).sink._writableState")


def test_a_snapshot_names_the_backlog_by_the_programs_global(major):
    assert holder(crash(major).snapshots[0]).startswith("(global).sink._writableState")
