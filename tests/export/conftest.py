"""Cores of real scenario programs exported with `triage export-snapshot`, once per session."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from dumps.crash import Crash, run_scenario
from tests.conftest import MAJORS, run_triage

# Node 18 cores are the slowest to make and read; the export is checked on 20 and later
EXPORT_MAJORS = tuple(m for m in MAJORS if m >= 20)
_DIR = Path(tempfile.mkdtemp(prefix="triage-export-tests-"))
atexit.register(shutil.rmtree, _DIR, ignore_errors=True)  # 35 MB a run otherwise


@functools.cache
def crash(scenario: str, major: int, args: tuple[str, ...] = (),
          env: tuple[tuple[str, str], ...] = ()) -> Crash:
    return run_scenario(scenario, major, args=args, env=dict(env) or None)


@functools.cache
def exported(scenario: str, major: int, *extra: str, args: tuple[str, ...] = (),
             env: tuple[tuple[str, str], ...] = ()) -> Path:
    """The scenario's core written as a .heapsnapshot by the real CLI (`extra` options)."""
    c = crash(scenario, major, args, env)
    out = _DIR / f"{scenario}-{major}{''.join(extra)}.heapsnapshot"
    result = run_triage("export-snapshot", c.core_path, "--node", c.node, "-o", out, *extra,
                        timeout=900)
    assert result.code == 0, result.stderr
    return out
