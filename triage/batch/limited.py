"""One incident in its own process under a time and memory limit: shared by batch and the queue worker.

`triage batch` (runner.py) starts many of these and enforces their limits from a watchdog
thread; `triage worker` (a Celery task) runs one per slot with `run_limited`. Both use the
functions here, so both start the same subprocess (`triage.batch.child`) with the same spec,
apply the same limits (resident memory from /proc, SIGKILL to the process group), and turn
a killed or dead child into the same `failed` result with the same reason and exit code.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from triage.batch.child import RUNNER_ENV
from triage.batch.inbox import Incident, Upload
from triage.batch.incident import batch_metadata, failed_result
from triage.batch.index import load_result, now_iso
from triage.errors import ExitCode

POLL_SECONDS = 0.05


def start_child(incident: Incident, out: Path, root: Path, stderr_path: Path, *, limits: dict[str, Any],
                policy_path: Path | None, node: Path | None, max_decompressed_mb: float | None,
                die_with_parent: bool) -> subprocess.Popen:
    """`python -m triage.batch.child` for one incident; it writes `<out>/<incident>.json`.

    `die_with_parent`: the child arms PR_SET_PDEATHSIG (child.py), which fires when the
    *thread* that forked it ends, so call this from a thread that lives as long as the parent.
    """
    spec = {"id": incident.id, "out": str(out), "root": str(root),
            "uploads": [upload_dict(u) for u in incident.uploads],
            "duplicates": [upload_dict(u) for u in incident.duplicates],
            "policy": str(policy_path) if policy_path else None,
            "node": str(node) if node else None, "limits": limits, "max_decompressed_mb": max_decompressed_mb}
    env = {**os.environ, "TRIAGE_BATCH_WORKER": "1"}
    if die_with_parent:
        env[RUNNER_ENV] = str(os.getpid())
    with open(stderr_path, "wb") as err:
        proc = subprocess.Popen([sys.executable, "-m", "triage.batch.child"], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=err, start_new_session=True, env=env)
    try:
        proc.stdin.write(json.dumps(spec).encode())
        proc.stdin.close()
    except BrokenPipeError:
        pass
    return proc


def limit_reason(elapsed: float, rss_kb: float, timeout: float | None,
                 memory_limit_mb: float | None) -> str | None:
    """Why a child running for `elapsed` seconds at `rss_kb` must be killed, or None."""
    if timeout is not None and elapsed > timeout:
        return f"time limit exceeded: still running after {timeout:g} s (--timeout)"
    if memory_limit_mb is not None and rss_kb > memory_limit_mb * 1024:
        return memory_reason(rss_kb, memory_limit_mb)
    return None


def memory_reason(rss_kb: float, limit_mb: float) -> str:
    return (f"memory limit exceeded: resident memory reached {rss_kb / 1024:.0f} MB "
            f"(--memory-limit {limit_mb:g} MB)")


def finished_result(out: Path, incident: Incident, root: Path, *, started_at: str, seconds: float,
                    peak_rss_kb: float, killed_for: str | None, returncode: int, stderr_path: Path,
                    limits: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """The result of a child that ended, and whether the child wrote it itself (False: made
    here, `LIMIT_EXCEEDED` when a limit killed it, `INTERNAL` when it died or wrote nothing)."""
    limit_mb = limits.get("memory_limit_mb")
    if killed_for is None and limit_mb is not None and peak_rss_kb > limit_mb * 1024:
        # over the limit between two polls (wait4's ru_maxrss says so): not a result to trust
        killed_for = memory_reason(peak_rss_kb, limit_mb)
    if killed_for is None and returncode == 0:
        result = load_result(out, incident.id)
        if result is not None and (result.get("batch") or {}).get("timings", {}).get(
                "finished_at", "") >= started_at:
            return result, True
    if killed_for:
        reason, code = killed_for, ExitCode.LIMIT_EXCEEDED
    else:
        reason, code = death_reason(returncode, stderr_path), ExitCode.INTERNAL
    result = failed_result(incident.id, reason, int(code))
    result["batch"] = batch_metadata(result, incident, root, started_at, seconds, peak_rss_kb / 1024, limits)
    return result, False


def death_reason(returncode: int, stderr_path: Path) -> str:
    """How a child ended, with the last line it wrote on stderr."""
    if returncode < 0:
        how = f"killed by {signal.Signals(-returncode).name}"
    else:
        how = f"exited with status {returncode}"
    try:
        tail = stderr_path.read_text(errors="replace").strip().splitlines()[-1:]
    except OSError:
        tail = []
    return f"worker {how}" + (f": {tail[0][:300]}" if tail else "")


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
            "compression": upload.compression, "pid": upload.pid, "host": upload.host, "time": upload.time,
            "identity": list(upload.identity) if upload.identity else None}


def run_limited(incident: Incident, out: Path, root: Path, stderr_path: Path, *, limits: dict[str, Any],
                policy_path: Path | None = None, node: Path | None = None,
                max_decompressed_mb: float | None = None) -> tuple[dict[str, Any], bool, float, float]:
    """Run one incident to its end or its limit from the calling thread (a queue worker's slot):
    `(result, written_by_child, seconds, peak_rss_kb)`. The child dies with this thread."""
    started_at, started = now_iso(), time.monotonic()  # before the child can write anything
    proc = start_child(incident, out, root, stderr_path, limits=limits, policy_path=policy_path, node=node,
                       max_decompressed_mb=max_decompressed_mb, die_with_parent=True)
    peak_kb, killed_for = 0, None
    while True:
        done, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if done:
            peak_kb = max(peak_kb, usage.ru_maxrss)
            proc.returncode = os.waitstatus_to_exitcode(status)
            break
        rss = tree_rss_kb(proc.pid)
        peak_kb = max(peak_kb, rss)
        if killed_for is None:
            killed_for = limit_reason(time.monotonic() - started, rss, limits.get("timeout_seconds"),
                                      limits.get("memory_limit_mb"))
            if killed_for is not None:
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        time.sleep(POLL_SECONDS)
    seconds = time.monotonic() - started
    result, written = finished_result(out, incident, root, started_at=started_at, seconds=seconds,
                                      peak_rss_kb=peak_kb, killed_for=killed_for, returncode=proc.returncode,
                                      stderr_path=stderr_path, limits=limits)
    return result, written, seconds, peak_kb
