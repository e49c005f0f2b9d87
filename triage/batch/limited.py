"""One incident in its own process under a time and memory limit: shared by batch and the queue worker.

`triage batch` polls many of these from its loop; `triage worker` (a Celery task) runs one
at a time per slot with `run_limited`. Both get the same subprocess (`triage.batch.child`),
the same limits (resident memory polled from /proc, SIGKILL to the process group), the same
reasons and exit codes when the process is killed or dies, and the same result document.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path
from typing import Any

from triage.batch.inbox import Incident, Upload
from triage.batch.incident import batch_metadata, failed_result
from triage.batch.index import load_result, now_iso
from triage.errors import ExitCode

POLL_SECONDS = 0.05
_PR_SET_PDEATHSIG = 1


class IncidentProcess:
    """`python -m triage.batch.child` for one incident; the child writes `<out>/<id>.json`.

    `die_with_parent` asks the kernel to SIGKILL the child when the thread that started it
    dies (a queue worker killed mid-task must not leave an analysis running).
    """

    def __init__(self, incident: Incident, out: Path, root: Path, stderr_path: Path, *,
                 limits: dict[str, Any], policy_path: Path | None = None, node: Path | None = None,
                 die_with_parent: bool = False):
        self.incident, self.out, self.root, self.limits = incident, out, root, limits
        self.stderr_path = stderr_path
        self.killed_for: str | None = None
        self.peak_rss_kb = 0
        spec = {"id": incident.id, "out": str(out), "root": str(root),
                "uploads": [upload_dict(u) for u in incident.uploads],
                "duplicates": [upload_dict(u) for u in incident.duplicates],
                "policy": str(policy_path) if policy_path else None,
                "node": str(node) if node else None, "limits": limits}
        self.started_at, self.started = now_iso(), time.monotonic()  # before the child can write
        preexec = partial(_die_with, os.getpid()) if die_with_parent else None
        with open(stderr_path, "wb") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "triage.batch.child"], stdin=subprocess.PIPE,
                                         stdout=subprocess.DEVNULL, stderr=err, start_new_session=True,
                                         env={**os.environ, "TRIAGE_BATCH_WORKER": "1"},
                                         preexec_fn=preexec)
        try:
            self.proc.stdin.write(json.dumps(spec).encode())
            self.proc.stdin.close()
        except BrokenPipeError:
            pass

    @property
    def pid(self) -> int:
        return self.proc.pid

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started

    def poll(self) -> bool:
        """Reap the child if it ended (True), else enforce the limits and return False."""
        done, status, usage = os.wait4(self.proc.pid, os.WNOHANG)
        if done:
            self.peak_rss_kb = max(self.peak_rss_kb, usage.ru_maxrss)
            self.proc.returncode = os.waitstatus_to_exitcode(status)
            return True
        rss = tree_rss_kb(self.proc.pid)
        self.peak_rss_kb = max(self.peak_rss_kb, rss)
        timeout, limit_mb = self.limits.get("timeout_seconds"), self.limits.get("memory_limit_mb")
        if self.killed_for is not None:
            pass
        elif timeout is not None and self.seconds > timeout:
            self.kill(f"time limit exceeded: still running after {timeout:g} s (--timeout)")
        elif limit_mb is not None and rss > limit_mb * 1024:
            self.kill(f"memory limit exceeded: resident memory reached {rss / 1024:.0f} MB "
                      f"(--memory-limit {limit_mb:g} MB)")
        return False

    def kill(self, reason: str) -> None:
        self.killed_for = reason
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def wait(self) -> None:
        """Block until the child ended (limits enforced meanwhile)."""
        while not self.poll():
            time.sleep(POLL_SECONDS)

    def outcome(self) -> tuple[dict[str, Any], bool]:
        """The result document and whether the child wrote it itself (False: made here,
        `LIMIT_EXCEEDED` when a limit killed it, `INTERNAL` when it died or wrote nothing)."""
        result = None
        if self.killed_for is None and self.proc.returncode == 0:
            result = load_result(self.out, self.incident.id)
            if result is not None and (result.get("batch") or {}).get("timings", {}).get(
                    "started_at", "") < self.started_at:
                result = None  # an older result: this child did not write one
        if result is not None:
            return result, True
        if self.killed_for:
            reason, code = self.killed_for, ExitCode.LIMIT_EXCEEDED
        else:
            reason, code = self.death(), ExitCode.INTERNAL
        result = failed_result(self.incident.id, reason, int(code))
        result["batch"] = batch_metadata(result, self.incident, self.root, self.started_at, self.seconds,
                                         self.peak_rss_kb / 1024, self.limits)
        return result, False

    def death(self) -> str:
        """How the child ended, with the last line it wrote on stderr."""
        code = self.proc.returncode
        how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exited with status {code}"
        try:
            tail = self.stderr_path.read_text(errors="replace").strip().splitlines()[-1:]
        except OSError:
            tail = []
        return f"worker {how}" + (f": {tail[0][:300]}" if tail else "")


def run_limited(incident: Incident, out: Path, root: Path, stderr_path: Path, *,
                limits: dict[str, Any], policy_path: Path | None = None, node: Path | None = None,
                die_with_parent: bool = False) -> IncidentProcess:
    """Run one incident to its end (or its limit) and return the finished process."""
    process = IncidentProcess(incident, out, root, stderr_path, limits=limits, policy_path=policy_path,
                              node=node, die_with_parent=die_with_parent)
    process.wait()
    return process


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a worker and its descendants (lldb may start helpers), in KiB."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            for line in Path(f"/proc/{current}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{current}/task").iterdir():
                stack += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


def upload_dict(upload: Upload) -> dict[str, Any]:
    return {"path": str(upload.path), "sha256": upload.sha256, "size": upload.size,
            "compression": upload.compression, "pid": upload.pid, "host": upload.host, "time": upload.time}


_prctl = ctypes.CDLL(None, use_errno=True).prctl  # resolved here: no dlopen between fork and exec


def _die_with(parent: int) -> None:
    """In the forked child: SIGKILL when the starting thread dies (and now, if it already has)."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)
