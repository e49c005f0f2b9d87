"""Worker entry point: `python -m triage.batch.child < spec.json`, one incident per process.

A process per incident means a dump that crashes lldb, loops or eats memory takes down
only its own worker: the runner kills it at its limit and records why, and the queue goes on.

A worker never outlives its runner: it asks the kernel for SIGKILL when the runner dies
(`PR_SET_PDEATHSIG`), so a killed runner cannot leave a worker running with nobody
enforcing its limits, next to a rerun that starts the same incident again. The runner
says so by setting TRIAGE_BATCH_RUNNER to its pid. Another parent (a job queue) may do
the same, but only when it starts the worker from a thread that lives as long as it
does: the kernel sends the signal when the forking *thread* ends.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
from pathlib import Path

from triage.batch.inbox import Incident, Upload
from triage.batch.incident import DEFAULT_MAX_DECOMPRESSED_MB, process_incident

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
RUNNER_ENV = "TRIAGE_BATCH_RUNNER"  # the runner's pid, set by the runner for its workers


def die_with_parent(parent_pid: int | None) -> bool:
    """SIGKILL this process when its parent dies; False when the kernel refused.

    `parent_pid` is the pid the parent had when it started us: if it is already gone
    (the runner died before this call), we exit at once instead of running orphaned."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        armed = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        armed = False
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)  # the runner died before the death signal was armed
    return armed


def main() -> None:
    runner = os.environ.get(RUNNER_ENV)
    if runner and runner.isdigit():  # started by a runner that forks from a long-lived thread
        die_with_parent(int(runner))
    spec = json.loads(sys.stdin.read())
    incident = Incident(spec["id"], [_upload(u) for u in spec["uploads"]],
                        [_upload(u) for u in spec["duplicates"]])
    process_incident(incident.paths, Path(spec["out"]), incident=incident, root=Path(spec["root"]),
                     policy_path=Path(spec["policy"]) if spec.get("policy") else None,
                     node=Path(spec["node"]) if spec.get("node") else None, index=False,
                     limits=spec.get("limits"),
                     max_decompressed_mb=spec.get("max_decompressed_mb", DEFAULT_MAX_DECOMPRESSED_MB))


def _upload(data: dict) -> Upload:
    identity = data.get("identity")
    return Upload(Path(data["path"]), data["sha256"], data["size"], data.get("compression"),
                  data.get("pid"), data.get("host"), data.get("time"),
                  tuple(identity) if identity else None)


if __name__ == "__main__":
    main()
