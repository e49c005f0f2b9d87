"""Limits, crash safety and --watch: one bad incident never stalls the queue or loses work."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.batch.conftest import batch, copy, index_lines, scenario
from tests.conftest import REPO


def _only_result(out: Path) -> dict:
    (path,) = [p for p in out.glob("*.json") if len(p.stem) == 16]
    return json.loads(path.read_text())


def test_time_and_memory_limits_fail_one_incident_and_the_batch_goes_on(tmp_path):
    """Memory tells the two incidents apart for sure (a core's worker needs ~150 MB, a report's
    ~45 MB); time is checked on the core alone with a limit no analysis can meet (start-up
    alone takes longer), since a fast machine finishes a small core in a few seconds."""
    inbox = tmp_path / "inbox"
    copy(scenario("oom22").core, inbox / "big.core")
    copy(scenario("exception24").reports[0], inbox / "small-report.json")
    out = tmp_path / "memory"
    result = batch(inbox, "--out", out, "--memory-limit", "100", "--workers", "1")
    assert result.code == 11, result.stderr
    assert "2 processed (1 ok, 1 failed)" in result.stdout
    lines = {e["inputs"][0]: e for e in index_lines(out)}
    assert lines["small-report.json"]["status"] == "ok"
    assert lines["big.core"]["status"] == "failed" and lines["big.core"]["error_code"] == 10
    assert lines["big.core"]["reason"].startswith("memory limit exceeded: resident memory reached")

    (inbox / "small-report.json").unlink()
    timed = tmp_path / "timeout"
    result = batch(inbox, "--out", timed, "--timeout", "0.3")
    assert result.code == 11, result.stderr
    failed = _only_result(timed)
    assert failed["error"] == {"code": 10, "name": "LIMIT_EXCEEDED"}
    assert "time limit exceeded" in failed["reason"]
    assert index_lines(timed)[0]["wall_seconds"] < 15
    assert not list(timed.glob(".scratch-*"))

    # a later run with room to work picks the failed incident up again when asked to
    again = batch(inbox, "--out", timed, "--retry-failed")
    assert again.code == 0, again.stderr
    assert _only_result(timed)["status"] == "ok"
    groups = json.loads((timed / "groups.json").read_text())
    assert groups["failed"] == 0 and groups["groups"][0]["crash_kind"] == "heap_oom"


def test_watch_picks_up_new_arrivals_and_stops_when_idle(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    watcher = subprocess.Popen([sys.executable, "-m", "triage", "batch", str(inbox), "--out", str(out),
                                "--watch", "--interval", "0.2", "--max-idle", "4", "--settle", "0.3"],
                               cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(1.0)
    report = scenario("exception20").reports[0]
    shutil.copyfile(report, inbox / ".uploading")  # uploaded under a hidden name, then renamed
    os.replace(inbox / ".uploading", inbox / Path(report).name)
    stdout, stderr = watcher.communicate(timeout=120)
    assert watcher.returncode == 0, stderr
    assert "1 processed (1 ok, 0 failed)" in stdout
    events = [json.loads(line)["event"] for line in stderr.splitlines()]
    assert events[0] == "start" and "done" in events and events[-1] == "end"
