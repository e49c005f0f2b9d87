"""`triage capture PID` against a live Node process the test starts: it must survive."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest

from dumps.nodes import node_binary
from tests.conftest import run_triage


@pytest.fixture
def live_node(tmp_path):
    proc = subprocess.Popen([str(node_binary(20)), "--report-on-signal", "-e", "setInterval(() => {}, 1000)"],
                            cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)  # let it reach the event loop (the report handler is JavaScript)
    yield proc
    proc.kill()
    proc.wait()


def test_capture_takes_core_and_report_and_the_process_survives(live_node, tmp_path):
    out = tmp_path / "capture"
    result = run_triage("capture", str(live_node.pid), "--out", out, "--format", "json")
    assert result.code == 0, result.stderr
    time.sleep(0.2)
    assert live_node.poll() is None
    state = Path(f"/proc/{live_node.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    assert state in ("S", "R")  # running, not left stopped by the ptrace attach

    summary = result.json
    assert json.loads((out / "summary.json").read_text()) == summary
    kinds = {i["kind"]: i for i in summary["inputs"]}
    assert {"core", "report"} <= set(kinds)
    assert "js_stack" in kinds["report"]["used_for"] or "report" in kinds["report"]["used_for"]
    assert summary["crash"]["kind"] == "none"
    assert summary["process"]["pid"] == live_node.pid
    assert summary["histogram"], "the core's heap was walked"
    binary = json.loads((out / "binary.json").read_text())
    assert binary["pid"] == live_node.pid and binary["executable"] == str(node_binary(20))
    assert len(binary["build_id"]) == 40 and binary["report"].startswith("report.")
    assert (out / f"core.{live_node.pid}").is_file()


def test_capture_of_a_missing_pid_is_a_one_line_error(tmp_path):
    result = run_triage("capture", "99999999", "--out", tmp_path)
    assert result.code == 3
    assert result.stderr.strip() == "triage: no process with pid 99999999"


def test_capture_of_a_process_that_is_not_node(tmp_path):
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        result = run_triage("capture", str(sleeper.pid), "--out", tmp_path)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert result.code == 7
    assert result.stderr.startswith(f"triage: pid {sleeper.pid} runs ") and "not Node.js" in result.stderr
    assert not list(tmp_path.iterdir())


def test_an_idle_capture_says_the_thread_was_waiting_not_that_the_stack_is_broken(live_node, tmp_path):
    result = run_triage("capture", str(live_node.pid), "--out", tmp_path / "idle", "--no-report",
                        "--format", "json")
    assert result.code == 0, result.stderr
    js = result.json["capabilities"]["js_stack"]
    assert js["status"] == "full" and "event loop" in js["reason"]
    assert "chain is broken" not in json.dumps(result.json)
