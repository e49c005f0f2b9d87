"""Run the report scenarios under real Node of every supported major (cached by dumps.crash)."""

from __future__ import annotations

import contextlib
import resource
from collections.abc import Iterator

import pytest

from dumps.crash import Crash, run_scenario
from dumps.nodes import SUPPORTED_MAJORS

# Fake values only: these end up in the reports (environmentVariables).
FAKE_ENV = {
    "DATABASE_URL": "postgres://app:FAKE-pass@db.example.invalid/app",
    "API_TOKEN": "sk-test-FAKE-0000",
    # Part of the cache key: the runs below are made with a core size limit of 0.
    "TRIAGE_SCENARIO_CORE_LIMIT": "0",
}
SCENARIOS = {
    "report_oom": ("--max-old-space-size=30", "--report-on-fatalerror"),
    "report_exception": ("--report-uncaught-exception",),
    "report_thrown_object": ("--report-uncaught-exception",),
    "report_signal": ("--report-on-signal",),
    "report_api": (),
}
MAJORS = SUPPORTED_MAJORS
REPORT_VERSION = {18: 3, 20: 4, 22: 5, 24: 5, 26: 5}  # header.reportVersion, read from real reports


@contextlib.contextmanager
def _no_core_files() -> Iterator[None]:
    """Soft core limit 0 for the child (inherited): no stray cores, and a known userLimits value."""
    soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
    resource.setrlimit(resource.RLIMIT_CORE, (0, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_CORE, (soft, hard))


def run_report_scenario(name: str, major: int) -> Crash:
    """Run one report scenario (or take it from the cache) and return what it left."""
    with _no_core_files():
        return run_scenario(name, major, want_core=False, node_flags=SCENARIOS[name],
                            env=FAKE_ENV, timeout=180)


@pytest.fixture(scope="session")
def report_run():
    """`report_run(name, major)` -> Crash, memoised for the session."""
    runs: dict[tuple[str, int], Crash] = {}

    def get(name: str, major: int) -> Crash:
        if (name, major) not in runs:
            runs[name, major] = run_report_scenario(name, major)
        return runs[name, major]

    return get
