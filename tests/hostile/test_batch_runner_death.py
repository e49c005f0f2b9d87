"""A killed runner leaves nothing running without limits, and nothing is analysed twice at once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.batch.conftest import batch, copy, index_lines, scenario
from tests.conftest import REPO
from triage.batch.inbox import Inbox
from triage.batch.index import result_path
from triage.batch.limited import upload_dict as _upload_dict


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _wait_gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not _alive(pid)


def test_workers_die_with_a_killed_runner(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    copy(scenario("abort20").core, inbox / "core.upload")
    runner = subprocess.Popen([sys.executable, "-m", "triage", "batch", str(inbox), "--out", str(out)],
                              cwd=REPO, stderr=subprocess.PIPE, text=True)
    for line in runner.stderr:
        if json.loads(line)["event"] == "started":
            worker = json.loads(line)["worker"]
            break
    assert _alive(worker)  # just started: it is still loading the core
    runner.send_signal(signal.SIGKILL)
    runner.wait()
    assert _wait_gone(worker, 5), "the worker outlived its runner"

    # a worker that wrote its result before the kill (the runner died before indexing it)
    # has it indexed by the rerun, "repaired", and nothing is analysed again; a killed
    # worker's incident is analysed anew (a 0.5 s wait here once let the worker finish)
    (incident,) = Inbox(inbox).scan()
    finished = result_path(out, incident.id).exists()
    rerun = batch(inbox, "--out", out)
    assert rerun.code == 0, rerun.stderr
    (entry,) = index_lines(out)
    assert entry["status"] == "ok" and ("repaired" in entry) == finished
    assert not list(out.glob(".scratch-*")) and not list(out.glob(".*.tmp"))


def test_a_rerun_waits_for_an_incident_another_process_is_analysing(tmp_path):
    """A worker whose runner died (here: started by the test, as a job queue would) holds
    the incident's lock; a batch run started meanwhile waits and records that worker's
    result instead of analysing the same incident at the same time."""
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    copy(scenario("abort20").core, inbox / "core.upload")
    (incident,) = Inbox(inbox).scan()
    spec = {"id": incident.id, "out": str(out), "root": str(inbox), "policy": None, "node": None,
            "uploads": [_upload_dict(u) for u in incident.uploads], "duplicates": [], "limits": {}}
    out.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "TRIAGE_BATCH_RUNNER"}
    orphan = subprocess.Popen([sys.executable, "-m", "triage.batch.child"], cwd=REPO, stdin=subprocess.PIPE,
                              text=True, env=env)
    orphan.stdin.write(json.dumps(spec))
    orphan.stdin.close()
    deadline = time.monotonic() + 30
    while not (out / ".locks" / f"{incident.id}.lock").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    rerun = batch(inbox, "--out", out)
    assert orphan.wait(timeout=10) == 0
    assert rerun.code == 0, rerun.stderr
    events = [json.loads(line) for line in rerun.stderr.splitlines()]
    names = [e["event"] for e in events]
    assert "waiting" in names and "started" not in names, names
    (entry,) = index_lines(out)
    assert entry["status"] == "ok" and entry["repaired"] is True
    result = json.loads((out / f"{incident.id}.json").read_text())
    assert result["batch"]["timings"]["finished_at"] <= events[-1]["ts"]  # the orphan's one analysis
