"""fetch() responses whose bodies are never read, on real cores and GC'd snapshots of
dumps/scenarios/leak_fetch_unread_bodies.js: 200 responses kept in `globalThis.responses`.
undici's dispatcher holds each body's stream (and its connection) until the body is read;
the program's array and undici's pool meet only at the global, so no suspect was shown for
25 MiB. The control reads every body."""

from __future__ import annotations

import pytest

from dumps.crash import run_scenario
from tests.conftest import MAJORS
from tests.core.conftest import artifact_summary, crash_with_snapshot

PATTERN = "unread-fetch-bodies"


def fetch_suspect(path: str) -> dict | None:
    found = [s for s in artifact_summary(str(path))["suspects"] if s["pattern"] == PATTERN]
    return found[0] if found else None


@pytest.fixture(params=MAJORS, ids=[f"node{m}" for m in MAJORS])
def major(request: pytest.FixtureRequest) -> int:
    return request.param


def test_a_core_says_the_bodies_were_never_read(major):
    suspect = fetch_suspect(crash_with_snapshot("leak_fetch_unread_bodies", major).core_path)
    assert suspect is not None
    assert suspect["type"] == "Readable"
    assert suspect["reason"].startswith("200 Readable objects")
    assert "200 Response objects are alive" in suspect["reason"]


def test_the_dispatcher_is_the_holder(major):
    suspect = fetch_suspect(crash_with_snapshot("leak_fetch_unread_bodies", major).core_path)
    assert suspect["accumulation_point"]["holder"].startswith(
        "(global)['<symbol undici.globalDispatcher.")


def test_a_snapshot_says_the_same_within_five_percent(major):
    crash = crash_with_snapshot("leak_fetch_unread_bodies", major)
    core, snap = fetch_suspect(crash.core_path), fetch_suspect(crash.snapshots[0])
    assert snap is not None and snap["reason"].startswith("200 Readable objects")
    assert "200 Response objects are alive" in snap["reason"]  # not the prototype
    assert abs(snap["score_bytes"] - core["score_bytes"]) <= 0.05 * core["score_bytes"]


def test_bodies_that_were_read_are_no_suspect(major):
    crash = run_scenario("leak_fetch_unread_bodies", major, args=("read",))
    assert fetch_suspect(crash.core_path) is None
