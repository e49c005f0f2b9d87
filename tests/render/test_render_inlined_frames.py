"""Inlined frames (functions TurboFan inlined into an optimized frame, listed as V8 prints
them) in every rendering of the summary: text, Markdown and HTML show each as a frame of
its own, in place, marked `[inlined]`, with its line:column."""

from __future__ import annotations

import html
from pathlib import Path

import pytest

from dumps.crash import run_scenario
from tests.conftest import MAJORS, run_triage

EXPECTED = [("inner", "14:10)  [inlined]"), ("middle", "19:17)  [inlined]"),
            ("hotLoop", "24:40)  [optimized]")]


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    crash = run_scenario("port_optimized_inlined_deep", MAJORS[-1], node_flags=("--allow-natives-syntax",))
    path = tmp_path_factory.mktemp("inlined") / "summary.json"
    result = run_triage(crash.core_path, "--format", "json", "--no-llnode", "-o", path)
    assert result.code == 0, result.stderr
    return path


def _frame_lines(text: str) -> list[str]:
    names = ("stopAt", "inner", "middle", "hotLoop")
    return [line for line in text.splitlines() if any(f"{n} (" in line for n in names)]


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_inlined_frames_are_shown_in_place(stored: Path, fmt: str) -> None:
    result = run_triage("render", stored, "--format", fmt)
    assert result.code == 0, result.stderr
    lines = _frame_lines(html.unescape(result.stdout) if fmt == "html" else result.stdout)
    assert len(lines) >= 4, result.stdout
    assert "stopAt (" in lines[0] and lines[0].rstrip().endswith(":9:24)")
    for line, (name, where) in zip(lines[1:4], EXPECTED, strict=True):
        assert f"{name} (" in line and line.rstrip().endswith(f"port_optimized_inlined_deep.js:{where}")
