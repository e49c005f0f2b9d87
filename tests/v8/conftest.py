"""One heap_basic core per Node major, made (or taken from the cache) once per session."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dumps.crash import Crash, run_scenario
from dumps.nodes import SUPPORTED_MAJORS
from triage.coredump import CoreFile, ElfFile
from triage.v8 import V8Heap

MAJORS = SUPPORTED_MAJORS
_CACHE: dict[int, tuple[Crash, V8Heap]] = {}

# The scenario's known contents (dumps/scenarios/heap_basic.js).
EXPECTED = {"Session": 3000, "Order": 1500, "Admin": 700, "Probe": 1}
BUFFER_BYTES, BUFFERS, TAGGED_MAPS, SETS = 4099, 250, 40, 12
ABORT_FRAMES = [("inner", 78, 11), ("middle", 82, 3), ("outer", 86, 3)]
NODE_STACK_LINE = re.compile(r"^\s*\d+: (\S+) \((.*):(\d+):(\d+)\)\s*$", re.M)


def load(major: int) -> tuple[Crash, V8Heap]:
    if major not in _CACHE:
        crash = run_scenario("heap_basic", major)
        core = CoreFile.open(crash.core_path)
        _CACHE[major] = (crash, V8Heap.open(core, ElfFile(crash.node)))
    return _CACHE[major]


@pytest.fixture(scope="module", params=MAJORS, ids=[f"node{m}" for m in MAJORS])
def basic(request: pytest.FixtureRequest) -> tuple[Crash, V8Heap]:
    return load(request.param)


@pytest.fixture(scope="module")
def heap(basic: tuple[Crash, V8Heap]) -> V8Heap:
    return basic[1]


def node_printed_stack(stderr: str) -> list[tuple[str, str, int, int]]:
    """(function, file, line, column) of the JS stack Node 20+ prints on abort."""
    return [(m[0], m[1], int(m[2]), int(m[3])) for m in NODE_STACK_LINE.findall(stderr)]


def printed_position(crash: Crash, name: str) -> tuple[int, int] | None:
    """line:column Node printed on abort for the first frame of function `name`."""
    rows = [(line, col) for fn, _, line, col in node_printed_stack(crash.stderr) if fn == name]
    return rows[0] if rows else None


def source_has(crash: Crash, line: int, col: int, text: str) -> bool:
    """Whether the scenario's script has `text` at line:col (1-based): a call's position."""
    source = Path(crash.workdir, f"{crash.scenario}.js").read_text().splitlines()
    return source[line - 1][col - 1:].startswith(text)
