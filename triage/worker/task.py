"""One task = one incident, run exactly as `triage batch` runs one, and the retry decision.

The analysis runs in its own process under the limits (`triage.batch.limited`, shared with
batch), writing into a private attempt directory; the result is then published once
(`results.publish`). What is retried, from the outcome:

* final, recorded once: `ok`; `failed` with the exit code of bad input (4 unrecognised,
  5 damaged, 6 binary problem, 7 not Node) or a triage bug (70) that the child reported
  itself; a payload or file name the store refuses;
* transient, retried with exponential backoff up to `max_attempts` starts, then recorded
  `failed` with the last reason: time or memory limit, a child that died or was killed
  (the kernel's OOM killer), storage errors (3 unreadable, 8 dependency missing, 9 output
  problem), and a worker lost mid-task (counted from the attempt log; Celery redelivers
  it because acknowledgement is late).
"""

from __future__ import annotations

import logging
import os
import random
import shutil
import socket
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage.batch.inbox import Incident, describe, make_incident
from triage.batch.incident import batch_metadata, failed_result
from triage.batch.index import index_entry, load_result, now_iso, result_path, write_json_atomic
from triage.batch.limited import run_limited
from triage.batch.safeopen import Refused
from triage.errors import ExitCode, InputUnreadable
from triage.worker import results
from triage.worker.payload import BadPayload, Payload, parse_payload
from triage.worker.store import BadLocation, IncidentStore, LocalStore, StorageError

log = logging.getLogger("triage.worker")
TRANSIENT_CODES = {int(ExitCode.INPUT_UNREADABLE), int(ExitCode.DEPENDENCY_MISSING),
                   int(ExitCode.OUTPUT_PROBLEM)}


@dataclass
class WorkerSettings:
    """What every task of one `triage worker` process needs (CLI options)."""

    out: Path
    timeout: float = 600.0
    memory_limit_mb: float | None = None
    max_decompressed_mb: float | None = None
    policy_path: Path | None = None
    node: Path | None = None
    max_attempts: int = 3
    backoff_seconds: float = 30.0  # before the 2nd attempt; doubles, capped
    backoff_cap_seconds: float = 300.0
    store: IncidentStore = field(default_factory=LocalStore)
    hostname: str = field(default_factory=socket.gethostname)

    @property
    def limits(self) -> dict[str, Any]:
        return {"timeout_seconds": self.timeout, "memory_limit_mb": self.memory_limit_mb,
                "max_decompressed_mb": self.max_decompressed_mb}

    def backoff(self, attempt: int) -> float:
        """Seconds before attempt `attempt + 1`: exponential with ±25% jitter, capped."""
        base = min(self.backoff_cap_seconds, self.backoff_seconds * 2 ** (attempt - 1))
        return round(base * random.uniform(0.75, 1.25), 3)


@dataclass
class Retry:
    reason: str
    countdown: float


def handle(data: Any, settings: WorkerSettings, task_id: str | None = None) -> dict[str, Any] | Retry:
    """Process one task payload: a short status dict when finished, or Retry."""
    out = settings.out
    try:
        payload = parse_payload(data)
    except BadPayload as e:
        incident_id = data.get("incident") if isinstance(data, dict) else None
        if not (isinstance(incident_id, str) and len(incident_id) == 16):
            log.error("rejected a task payload: %s", e)
            return {"incident": None, "status": "rejected", "reason": str(e)}
        return _final_without_files(settings, incident_id, f"bad task payload: {e}",
                                    ExitCode.INPUT_UNRECOGNIZED, None, task_id)
    if payload.incident and result_path(out, payload.incident).exists():
        return _already(out, payload.incident)
    work = _work_dir(settings)
    try:
        return _run(payload, settings, work, task_id)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(payload: Payload, settings: WorkerSettings, work: Path,
         task_id: str | None) -> dict[str, Any] | Retry:
    out, started = settings.out, time.monotonic()
    try:
        paths = settings.store.fetch(payload.root, payload.files, work)
        incident = make_incident([_describe(p) for p in paths])
    except BadLocation as e:
        if payload.incident is None:
            log.error("rejected a task payload: %s", e)
            return {"incident": None, "status": "rejected", "reason": str(e)}
        return _final_without_files(settings, payload.incident, str(e), ExitCode.INPUT_UNREADABLE,
                                    payload, task_id)
    except StorageError as e:
        return _transient_before_run(settings, payload, str(e), task_id)
    if result_path(out, incident.id).exists():
        return _already(out, incident.id)
    runs = results.begin_attempt(out, incident.id, task=task_id, worker=settings.hostname, pid=os.getpid())
    attempt = len(runs)
    if attempt > settings.max_attempts:  # lost workers ate the budget: give up with what we know
        reason, code = results.last_reason(runs)
        result = failed_result(incident.id, f"gave up after {attempt - 1} attempts; the last: {reason}",
                               code or int(ExitCode.INTERNAL))
        result["batch"] = batch_metadata(result, incident, Path(payload.root), now_iso(), 0.0, None,
                                         settings.limits)
        return _finish(settings, work, result, attempt, task_id, time.monotonic() - started, 0.0)
    result, written, seconds, peak_kb = run_limited(incident, work, Path(payload.root), work / "child.stderr",
                                                    limits=settings.limits, policy_path=settings.policy_path,
                                                    node=settings.node,
                                                    max_decompressed_mb=settings.max_decompressed_mb)
    code = (result.get("error") or {}).get("code")
    transient = not written or (result["status"] == "failed" and code in TRANSIENT_CODES)
    if transient and attempt < settings.max_attempts:
        results.end_attempt(out, incident.id, result["reason"], code)
        countdown = settings.backoff(attempt)
        log.warning("incident %s: attempt %d failed (%s); retrying in %.0f s", incident.id, attempt,
                    result["reason"], countdown)
        return Retry(result["reason"], countdown)
    if transient and attempt > 1:
        result["reason"] = f"{result['reason']} ({_last(attempt, settings)})"
    return _finish(settings, work, result, attempt, task_id, seconds, peak_kb / 1024)


def _work_dir(settings: WorkerSettings) -> Path:
    """A private directory per attempt: the child writes only here, never the shared result."""
    prefix = f"{settings.hostname}-{os.getpid()}-"
    return Path(tempfile.mkdtemp(prefix=prefix, dir=settings.out / results.WORK))


def _last(attempt: int, settings: WorkerSettings) -> str:
    return f"attempt {attempt} of {settings.max_attempts}; not retried again"


def _describe(path: Path):
    """Hash one file as batch does (regular files only, no symlink followed)."""
    try:
        return describe(path)
    except Refused as e:
        raise BadLocation(str(e)) from None
    except InputUnreadable as e:
        raise StorageError(str(e)) from None
    except OSError as e:
        raise StorageError(f"{path.name}: {e.strerror}") from None


def _transient_before_run(settings: WorkerSettings, payload: Payload, reason: str,
                          task_id: str | None) -> dict[str, Any] | Retry:
    """Storage failed before the content (and so the incident id) was known."""
    if payload.incident is None:  # nothing to key an attempt log by: let Celery's count decide
        log.error("storage error for a payload without incident id: %s", reason)
        return {"incident": None, "status": "rejected", "reason": reason}
    runs = results.begin_attempt(settings.out, payload.incident, task=task_id, worker=settings.hostname,
                                 pid=os.getpid())
    if len(runs) < settings.max_attempts:
        results.end_attempt(settings.out, payload.incident, reason, int(ExitCode.INPUT_UNREADABLE))
        return Retry(reason, settings.backoff(len(runs)))
    return _final_without_files(settings, payload.incident,
                                f"{reason} ({_last(len(runs), settings)})",
                                ExitCode.INPUT_UNREADABLE, payload, task_id, attempt=len(runs))


def _final_without_files(settings: WorkerSettings, incident_id: str, reason: str, code: ExitCode,
                         payload: Payload | None, task_id: str | None, attempt: int = 1) -> dict[str, Any]:
    if result_path(settings.out, incident_id).exists():
        return _already(settings.out, incident_id)
    result = failed_result(incident_id, reason, int(code))
    root = Path(payload.root) if payload else None
    result["batch"] = batch_metadata(result, Incident(incident_id, []), root, now_iso(), 0.0, None,
                                     settings.limits)
    work = _work_dir(settings)
    try:
        return _finish(settings, work, result, attempt, task_id, 0.0, 0.0)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _finish(settings: WorkerSettings, work: Path, result: dict[str, Any], attempt: int, task_id: str | None,
            seconds: float, peak_mb: float) -> dict[str, Any]:
    """Publish the result once, then its single index line."""
    incident_id = result["incident"]
    result["queue"] = {"attempts": attempt, "task_id": task_id, "worker": settings.hostname}
    staged = work / "published.json"
    write_json_atomic(staged, result)
    if not results.publish(settings.out, staged, incident_id):
        log.info("incident %s: a result was published meanwhile by another delivery; ours is dropped",
                 incident_id)
        return _already(settings.out, incident_id)
    results.record(settings.out, index_entry(result, wall_seconds=round(seconds, 3),
                                             worker_peak_rss_mb=round(peak_mb, 1), attempts=attempt))
    return _status(result)


def _already(out: Path, incident_id: str) -> dict[str, Any]:
    """A redelivered task: the result exists; make sure it is indexed (a worker may have died
    between publishing and indexing), and write nothing else."""
    result = load_result(out, incident_id)
    if result is None:
        return {"incident": incident_id, "status": "unreadable-result", "reason": None}
    if results.record(out, index_entry(result, attempts=(result.get("queue") or {}).get("attempts"),
                                       repaired=True)):
        log.warning("incident %s: indexed a result its worker published but did not index", incident_id)
    return {**_status(result), "already": True}


def _status(result: dict[str, Any]) -> dict[str, Any]:
    return {"incident": result["incident"], "status": result["status"], "reason": result.get("reason"),
            "fingerprint": (result.get("fingerprint") or {}).get("id"),
            "attempts": (result.get("queue") or {}).get("attempts")}
