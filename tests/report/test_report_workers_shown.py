"""A diagnostic report's `workers` array (one sub-report per Worker thread) is surfaced on the
page, one line per worker with its own heap (real report of report_signal.js, Node 24)."""

from __future__ import annotations

from tests.conftest import REPO, run_triage

REPORT = REPO / "tests" / "fixtures" / "reports" / "signal-node24.json"


def test_each_worker_of_a_report_gets_its_own_line():
    result = run_triage(REPORT)
    assert result.code == 0, result.stderr
    section = result.stdout.split("Diagnostic report", 1)[1]
    assert "workers: 1" in section
    assert "WorkerThread (thread id 1): heap used 6.9 MiB of 4.2 GiB" in section
