"""The shared results directory when many workers on many machines write into it.

Same layout as `triage batch` (docs/pipeline.md): `<incident>.json`, `index.jsonl`,
`groups.json`. What changes with many writers and redelivered tasks:

* a result is published with `link(2)` from the worker's private attempt directory: the
  name appears whole and only once, the first publisher wins, a redelivered or duplicate
  task finds it and writes nothing (never twice, never differently);
* the index line and `groups.json` are written under an exclusive lock on
  `RESULTS/.index.lock`, after checking the index has no line for the incident yet;
* `.attempts/<incident>.jsonl` counts how often a task for the incident was started, so
  that a worker lost mid-task (no end line) counts as an attempt and redelivery is bounded.

Needs a file system with atomic rename, hard links and POSIX locks: local, NFSv4, CephFS.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
from pathlib import Path
from typing import Any

from triage.batch.index import append_index, now_iso, read_index, result_path, write_groups
from triage.errors import OutputProblem

ATTEMPTS, WORK, LOCK = ".attempts", ".work", ".index.lock"
LOST = "the worker running it was lost (killed, or its machine went away) before it finished"


def publish(out: Path, staged: Path, incident_id: str) -> bool:
    """Hard-link a finished result into place; False if a result for the incident exists."""
    try:
        os.link(staged, result_path(out, incident_id))
    except FileExistsError:
        return False
    except OSError as e:
        raise OutputProblem(f"cannot publish {incident_id}.json in {out}: {e.strerror}") from e
    return True


def record(out: Path, entry: dict[str, Any]) -> bool:
    """Append the incident's index line unless it has one, then refresh groups.json."""
    with _IndexLock(out):
        if any(e.get("incident") == entry["incident"] and e.get("status") in ("ok", "failed")
               for e in read_index(out)):
            return False
        append_index(out, entry)
        write_groups(out)
    return True


class _IndexLock:
    def __init__(self, out: Path):
        self.path = out / LOCK

    def __enter__(self) -> None:
        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.lockf(self.fd, fcntl.LOCK_EX)
        except OSError as e:
            raise OutputProblem(f"cannot lock {self.path}: {e.strerror}") from e

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)  # closing releases the lock


def begin_attempt(out: Path, incident_id: str, **info: Any) -> list[dict[str, Any]]:
    """Log the start of an attempt; return every attempt logged so far, this one last."""
    _log(out, incident_id, {"event": "start", "at": now_iso(), **info})
    return attempts(out, incident_id)


def end_attempt(out: Path, incident_id: str, reason: str, code: int) -> None:
    _log(out, incident_id, {"event": "retry", "at": now_iso(), "reason": reason, "code": code})


def attempts(out: Path, incident_id: str) -> list[dict[str, Any]]:
    """One dict per start: `{"start": {...}, "end": {...} | None}`."""
    runs: list[dict[str, Any]] = []
    try:
        lines = (out / ATTEMPTS / f"{incident_id}.jsonl").read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return runs
    for line in lines:
        try:
            event = json.loads(line)
        except ValueError:
            continue
        if event.get("event") == "start":
            runs.append({"start": event, "end": None})
        elif runs and runs[-1]["end"] is None:
            runs[-1]["end"] = event
    return runs


def last_reason(runs: list[dict[str, Any]]) -> tuple[str, int | None]:
    """Why the attempt before the current one did not finish (a lost worker leaves no end)."""
    previous = runs[-2] if len(runs) >= 2 else None
    if previous is None or previous["end"] is None:
        return LOST, None
    return previous["end"]["reason"], previous["end"].get("code")


def _log(out: Path, incident_id: str, event: dict[str, Any]) -> None:
    directory = out / ATTEMPTS
    line = (json.dumps(event, sort_keys=True) + "\n").encode()
    try:
        directory.mkdir(exist_ok=True)
        fd = os.open(directory / f"{incident_id}.jsonl", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
    except OSError as e:
        raise OutputProblem(f"cannot write {directory}: {e.strerror}") from e


def check_writable(out: Path) -> None:
    """At worker start: RESULTS exists (or can be made) and takes files and links."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / WORK).mkdir(exist_ok=True)
        probe = out / WORK / f".probe-{os.getpid()}"
        probe.write_bytes(b"")
        try:
            os.link(probe, f"{probe}.link")
        except OSError as e:
            if e.errno in (errno.EPERM, errno.EOPNOTSUPP, errno.ENOSYS):
                raise OutputProblem(f"{out}: the file system has no hard links; results cannot be "
                                    "published exactly once") from e
            raise
        finally:
            Path(f"{probe}.link").unlink(missing_ok=True)
            probe.unlink(missing_ok=True)
    except OutputProblem:
        raise
    except OSError as e:
        raise OutputProblem(f"cannot write to {out}: {e.strerror}") from e
