"""How capture reads Node's own options: as Node does (checked against Node itself below)."""

from __future__ import annotations

import json
import subprocess

import pytest

from dumps.nodes import node_binary
from tests.conftest import MAJORS
from triage.capture import report_settings, split_node_options

CASES = [
    # argv after the node binary, NODE_OPTIONS, (reports on signal?, signal)
    (["app.js", "--report-on-signal"], None, (False, "SIGUSR2")),
    (["--report-on-signal", "app.js"], None, (True, "SIGUSR2")),
    (["--report-on-signal", "--report-signal", "SIGPWR", "app.js", "--report-signal=SIGHUP"], None,
     (True, "SIGPWR")),
    (["-r", "./preload.js", "app.js", "--report-on-signal"], None, (False, "SIGUSR2")),
    (["-e", "1", "--report-on-signal"], None, (True, "SIGUSR2")),
    (["-e", "1", "x", "--report-on-signal"], None, (False, "SIGUSR2")),
    (["-p", "--report-on-signal", "1"], None, (True, "SIGUSR2")),
    (["--", "--report-on-signal"], None, (False, "SIGUSR2")),
    (["-", "--report-on-signal"], None, (False, "SIGUSR2")),
    (["--title", "--report-on-signal", "app.js"], None, (False, "SIGUSR2")),
    (["app.js"], '--report-on-signal "--report-signal=SIGPWR"', (True, "SIGPWR")),
    (["--no-report-on-signal", "app.js"], "--report-on-signal", (False, "SIGUSR2")),
    (["--report-signal=SIGHUP", "app.js"], "--report-on-signal --report-signal=SIGPWR", (True, "SIGHUP")),
]


@pytest.mark.parametrize(("argv", "env", "expected"), CASES)
def test_report_settings(argv, env, expected):
    settings = report_settings(["node", *argv], env)
    assert (settings.on_signal, settings.signal) == expected


def test_node_options_are_split_as_node_splits_them():
    assert split_node_options(r'--title "a \" b" --require  "./x y.js"') == ["--title", 'a " b', "--require",
                                                                          "./x y.js"]


STARTS = [c for c in CASES if c[0][0] != "--title"]  # Node refuses to start on that one


@pytest.mark.parametrize("major", MAJORS)
@pytest.mark.parametrize(("argv", "env", "expected"), STARTS)
def test_node_agrees(tmp_path, argv, env, expected, major):
    """The same command lines given to each supported Node: does it enable report-on-signal,
    and with which signal? (A preloaded probe prints what Node decided.)"""
    for name in ("app.js", "preload.js"):
        (tmp_path / name).write_text("")
    probe = tmp_path / "probe.js"
    probe.write_text("const r = process.report;\n"
                     "process._rawDebug(JSON.stringify([r.reportOnSignal, r.signal]));\n")
    proc = subprocess.run([str(node_binary(major)), "--require", str(probe), *argv], cwd=tmp_path, input="",
                          capture_output=True, text=True, timeout=30,
                          env={"NODE_OPTIONS": env} if env else {})
    line = next(line for line in proc.stderr.splitlines() if line.startswith("["))
    assert tuple(json.loads(line)) == expected
