"""Wall time and peak RSS of one child process: how every benchmark here measures a tool.

Each side of a comparison runs in its own process, so its peak RSS (wait4's ru_maxrss) is
its own and not the benchmark driver's.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def run_measured(cmd: list[str], cwd: Path = REPO) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in MiB, stdout+stderr) of `cmd`; raises if it fails."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    out = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    if code != 0:
        raise RuntimeError(f"{cmd[0]} failed ({code}): {out[-3000:]}")
    return wall, usage.ru_maxrss // 1024, out


def baseline_tree(commit: str) -> Path:
    """A worktree of `commit` (e.g. the previous release) under the temp dir, made once and
    kept, so a benchmark can run that version's CLI beside this checkout's in one run."""
    tree = Path(tempfile.gettempdir()) / f"triage-baseline-{commit}"
    if not tree.exists():
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(tree), commit],
                       check=True, capture_output=True)
    return tree
