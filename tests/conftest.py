"""Shared fixtures: run the real `triage` CLI as a subprocess, as users do."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from dumps.nodes import SUPPORTED_MAJORS

REPO = Path(__file__).resolve().parent.parent
MAJORS = SUPPORTED_MAJORS  # 18-26; TRIAGE_NODE_OVERRIDE can add one (dumps/nodes.py)


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    @property
    def json(self) -> dict:
        return json.loads(self.stdout)


def run_triage(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> Result:
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "triage", *map(str, args)], capture_output=True,
                          text=True, env=full_env, cwd=REPO, timeout=timeout)
    return Result(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="session")
def triage_cli():
    return run_triage


def patch_core(path: Path, core: Any, addr: int, data: bytes) -> None:
    """Overwrite the bytes at virtual address `addr` of the core file at `path` (a copy:
    never a cached core), in the PT_LOAD segment of `core` (its CoreFile) that holds it."""
    from triage.coredump.elf import PT_LOAD

    seg = next(s for s in core.elf.segments
               if s.type == PT_LOAD and s.vaddr <= addr < s.vaddr + s.filesz)
    with open(path, "r+b") as f:
        f.seek(seg.offset + addr - seg.vaddr)
        f.write(data)

