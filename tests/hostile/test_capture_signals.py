"""`triage capture` never ends the process: Node's options are read as Node reads them,
and the report signal is sent only when the process catches it. Real Node processes."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import time
from pathlib import Path

import pytest

from dumps.nodes import node_binary
from tests.conftest import run_triage

IDLE = "setInterval(() => {}, 1000);\n"


@pytest.fixture
def start_node(tmp_path):
    procs = []

    def start(*args: str, script: str = IDLE, env: dict[str, str] | None = None) -> subprocess.Popen:
        app = tmp_path / "app.js"
        app.write_text(script)
        argv = [str(node_binary(20)), *[str(app) if a == "app.js" else a for a in args]]
        proc = subprocess.Popen(argv, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env={**os.environ, **(env or {})})
        procs.append(proc)
        time.sleep(0.7)  # let it reach the event loop (report handlers are installed by JavaScript)
        assert proc.poll() is None
        return proc

    yield start
    for proc in procs:
        proc.kill()
        proc.wait()


def _running(proc: subprocess.Popen) -> bool:
    time.sleep(0.3)
    if proc.poll() is not None:
        return False
    state = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    return state in ("S", "R")


def _capture(pid: int, out: Path):
    result = run_triage("capture", str(pid), "--out", out, "--format", "json")
    assert result.code == 0, result.stderr
    return result.json


def test_a_script_argument_that_looks_like_a_node_option_is_not_one(start_node, tmp_path):
    proc = start_node("app.js", "--report-on-signal", "--report-signal=SIGUSR2")
    summary = _capture(proc.pid, tmp_path / "capture")
    assert _running(proc), "capture ended the process"
    assert (f"no diagnostic report: pid {proc.pid} was not started with --report-on-signal in its Node "
            "options or NODE_OPTIONS, so no signal was sent") in summary["warnings"]
    assert not list(tmp_path.glob("report.*.json")), "a report was asked for"
    assert "report" not in {i["kind"] for i in summary["inputs"]}


def test_report_signal_from_node_options_is_the_one_sent(start_node, tmp_path):
    proc = start_node("app.js", env={"NODE_OPTIONS": '--report-on-signal "--report-signal=SIGPWR"'})
    out = tmp_path / "capture"
    previous = os.umask(0o022)
    try:
        summary = _capture(proc.pid, out)
    finally:
        os.umask(previous)
    assert _running(proc)  # SIGUSR2, the default, would have ended it: nothing catches it
    assert "report" in {i["kind"] for i in summary["inputs"]}
    binary = json.loads((out / "binary.json").read_text())
    assert binary["report"].startswith("report.") and f".{proc.pid}." in binary["report"]
    written = [p for p in out.iterdir() if not p.name.startswith(".")]
    assert {p.name for p in written} == {f"core.{proc.pid}", binary["report"], "summary.json", "binary.json"}
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert stat.S_IMODE(out.stat().st_mode) == 0o700


def test_a_process_that_stopped_handling_its_report_signal_is_not_sent_it(start_node, tmp_path):
    script = "process.report.reportOnSignal = false;\n" + IDLE
    proc = start_node("--report-on-signal", "app.js", script=script)
    summary = _capture(proc.pid, tmp_path / "capture")
    assert _running(proc)
    assert (f"no diagnostic report: pid {proc.pid} does not handle SIGUSR2 (its report signal) right now, "
            "so sending it could end the process; no signal was sent") in summary["warnings"]
