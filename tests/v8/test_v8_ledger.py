"""Issue #11's abort scenario (dumps/scenarios/ledger.js) on every supported major: exact
class counts, every JS frame equal to the trace Node itself prints on abort (the module's
top-level frame included), every capability `full`."""

from __future__ import annotations

import re

import pytest

from dumps.crash import Crash, run_scenario
from dumps.nodes import SUPPORTED_MAJORS
from triage.coredump import CoreFile, ElfFile
from triage.v8 import V8Heap

# "3: closeBooks (/x/ledger.js:19:69)" or, for anonymous functions, "4: /x/ledger.js:30:1"
_FRAME = re.compile(r"^\s*\d+: (?:(\S+) \()?(\S+?):(\d+):(\d+)\)?\s*$", re.M)
# Node 18 prints no JS stack on abort: the positions in the scenario's source
LEDGER_FRAMES = [("closeBooks", 19, 69), ("audit", 24, 21), ("(anonymous)", 30, 1)]


def printed_frames(stderr: str) -> list[tuple[str, str, int, int]]:
    """(function or "(anonymous)", script, line, column) of Node's abort trace."""
    if "JavaScript stack trace" not in stderr:
        return []
    tail = stderr.split("JavaScript stack trace", 1)[1]
    return [(fn or "(anonymous)", script, int(line), int(col))
            for fn, script, line, col in _FRAME.findall(tail)]


@pytest.fixture(scope="module", params=SUPPORTED_MAJORS,
                ids=[f"node{m}" for m in SUPPORTED_MAJORS])
def ledger(request: pytest.FixtureRequest) -> tuple[Crash, V8Heap]:
    crash = run_scenario("ledger", request.param)
    return crash, V8Heap.open(CoreFile.open(crash.core_path), ElfFile(crash.node))


def test_exact_counts(ledger: tuple[Crash, V8Heap]) -> None:
    counts = {r["type"]: r["count"] for r in ledger[1].histogram()}
    assert counts["LedgerEntry"] == 12345
    assert counts["Admin"] == 678  # named by its own class, not by Base
    assert "Base" not in counts


def test_frames_match_node_printed_trace(ledger: tuple[Crash, V8Heap]) -> None:
    crash, heap = ledger
    ours = [(f.function, f.script, f.line, f.column) for f in heap.js_stack()]
    assert [(f, ln, c) for f, _, ln, c in ours[:3]] == LEDGER_FRAMES
    assert all(s.endswith("/ledger.js") for _, s, _, _ in ours[:3])
    printed = printed_frames(crash.stderr)
    if crash.major < 20:
        assert not printed
        return
    assert len(printed) >= 8
    assert ours[: len(printed)] == printed  # every frame, node:internal ones included


def test_every_capability_full(ledger: tuple[Crash, V8Heap]) -> None:
    caps = ledger[1].capabilities()
    assert {k: c.status for k, c in caps.items()} == {
        "histogram": "full", "inspect": "full", "js_stack": "full"}
