"""Real cores of real Node processes, one per (scenario, Node major), made once.

Each scenario's triage JSON is computed once per session and shared by the
claims about it, because loading a core with lldb costs seconds.
"""

from __future__ import annotations

from functools import cache

import pytest

from dumps.crash import Crash, run_scenario
from tests.conftest import MAJORS, Result, run_triage

SCENARIOS = {
    "abort": {},
    "oom": {"node_flags": ("--max-old-space-size=24",)},
    "uncaught": {"node_flags": ("--abort-on-uncaught-exception",)},
    "external_signal": {},
    "self_signal": {},
    "segv": {"name": "native_fault"},
    "assert": {"name": "native_fault", "env": {"CRASH_MODE": "assert"}},
    # lldb adds an artificial frame for a tail-calling function here (Node 24, 26)
    "abort_in_message": {},
}


#: more thrown values (tests/core/test_core_exception.py), kept out of SCENARIOS, whose every
#: core the unwinder and type-name tests also compare with lldb: on uncaught_in_worker-20's
#: Worker thread lldb puts a stale `Builtins_JSEntry` (the pc of a frame 8 levels up) between
#: ReportPendingMessages and Invoke, which calls it
EXCEPTION_SCENARIOS = {name: {"node_flags": ("--abort-on-uncaught-exception",)} for name in (
    "uncaught_value", "uncaught_object", "uncaught_assert", "uncaught_stack_overflow",
    "uncaught_in_worker")}


@cache
def crash_of(scenario: str, major: int) -> Crash:
    spec = dict({**SCENARIOS, **EXCEPTION_SCENARIOS}[scenario])
    name = spec.pop("name", scenario)
    return run_scenario(name, major, **spec)


@cache
def triage_json(scenario: str, major: int) -> dict:
    crash = crash_of(scenario, major)
    result = run_triage(crash.core, "--format", "json")
    assert result.code == 0, result.stderr
    return result.json


@cache
def core_summary(scenario: str, major: int) -> dict:
    """triage's JSON for the core of `dumps/scenarios/<scenario>.js`, without llnode."""
    result = run_triage(run_scenario(scenario, major).core, "--format", "json", "--no-llnode")
    assert result.code == 0, result.stderr
    return result.json


@cache
def crash_with_snapshot(scenario: str, major: int) -> Crash:
    """`dumps/scenarios/<scenario>.js` run with WRITE_SNAPSHOT=1: it writes a heap snapshot
    (which collects garbage) just before abort(), so the core and the snapshot hold the
    same live heap."""
    return run_scenario(scenario, major, env={"WRITE_SNAPSHOT": "1"})


@cache
def artifact_summary(path: str) -> dict:
    """triage's JSON for one core or heap snapshot, without llnode."""
    result = run_triage(path, "--format", "json", "--no-llnode")
    assert result.code == 0, result.stderr
    return result.json


def artifact_path(crash: Crash, artifact: str) -> str:
    """The core (`artifact == "core"`) or the heap snapshot of one run of a scenario."""
    return str(crash.core_path if artifact == "core" else crash.snapshots[0])


def top_suspect(path: object) -> dict:
    """The first suspect triage names for one core or heap snapshot."""
    return artifact_summary(str(path))["suspects"][0]


def suspect_facts(suspect: dict) -> tuple[str, str, str, int]:
    """(type, pattern, holder, count at the point) of one suspect: what most claims check."""
    point = suspect["accumulation_point"]
    return suspect["type"], suspect["pattern"], point["holder"], point["count"]


def crashes_with_snapshots(scenario: str):  # noqa: ANN201 - a pytest fixture
    """A module's `crash` fixture: `scenario` run with WRITE_SNAPSHOT=1, on every major."""
    @pytest.fixture(params=MAJORS, ids=[f"node{m}" for m in MAJORS])
    def crash(request: pytest.FixtureRequest) -> Crash:
        return crash_with_snapshot(scenario, request.param)
    return crash


@pytest.fixture
def crash():
    return crash_of


@pytest.fixture
def summary():
    return triage_json


def frames_of_faulting_thread(doc: dict) -> list[str]:
    thread = next(t for t in doc["threads"] if t["faulting"])
    return [f["function"] or "" for f in thread["frames"]]


__all__ = ["Result", "crash_of", "frames_of_faulting_thread", "triage_json"]
