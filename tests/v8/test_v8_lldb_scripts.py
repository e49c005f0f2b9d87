"""The lldb commands in lldb_scripts/ work in a plain `lldb-19`, with no virtualenv on PATH."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.v8.conftest import EXPECTED, load

SCRIPT = Path(__file__).resolve().parents[2] / "lldb_scripts" / "v8heap.py"


def _lldb(major: int, *commands: str) -> subprocess.CompletedProcess[str]:
    crash, _ = load(major)
    argv = ["lldb-19", "--batch", crash.node, "-c", crash.core_path,
            "-o", f"command script import {SCRIPT}"]
    for command in commands:
        argv += ["-o", command]
    # PATH without the project's virtualenv: lldb's embedded system Python must still find numpy
    return subprocess.run(argv, capture_output=True, text=True, timeout=300, cwd="/",
                          env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"})


@pytest.mark.parametrize("major", [20])
def test_histogram_command_counts_the_scenario_classes(major: int) -> None:
    out = _lldb(major, "triage-histogram -n 200").stdout
    rows = [line.split() for line in out.splitlines()]
    counts = {row[2]: int(row[0]) for row in rows if len(row) == 3 and row[0].isdigit()}
    assert {name: counts.get(name) for name in EXPECTED} == EXPECTED


@pytest.mark.parametrize("major", [20])
def test_jsstack_command_names_the_aborting_functions(major: int) -> None:
    out = _lldb(major, "triage-jsstack").stdout
    assert "No module named" not in out
    for function in ("inner", "middle", "outer"):
        assert function in out
