"""Wall time and peak RSS of one child process: how every benchmark here measures a tool.

Each side of a comparison runs in its own process, so its peak RSS (wait4's ru_maxrss) is
its own and not the benchmark driver's.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
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


class TreeRss:
    """Peak of the summed RSS of a process and all its descendants, sampled every 10 ms from
    /proc while it runs (wait4 reports only the larger of a process and its waited-for child,
    so a parent and the child it runs at the same time are not added up there)."""

    def __init__(self, pid: int):
        self.pid, self.peak_kib = pid, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def stop(self) -> int:
        """Stop sampling; the peak in MiB."""
        self._stop.set()
        self._thread.join()
        return self.peak_kib // 1024

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak_kib = max(self.peak_kib, sum(map(_rss_kib, _tree(self.pid))))
            time.sleep(0.01)


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            continue
    return out


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0
