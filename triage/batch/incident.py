"""One incident in, one result out: the unit of work of pipeline mode.

`process_incident` is what `triage batch` runs in a worker subprocess, and what a job
queue (RQ, Celery; docs/pipeline.md) calls on another machine. It never raises for a bad
dump: a dump triage cannot read becomes a `failed` result with the reason and exit code a
`triage` run would have given. Redaction always runs; the summary is validated against the
shipped schema before it is written.
"""

from __future__ import annotations

import fcntl
import os
import resource
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from triage import __version__
from triage.batch.inbox import Incident, Upload, describe, group_by_process, make_incident
from triage.batch.index import append_index, index_entry, load_result, now_iso, result_path, write_json_atomic
from triage.errors import ExitCode, OutputProblem, TriageError
from triage.render.escape import escape_name

RESULT_VERSION = 1
MAX_REASON = 500  # a reason is one line for a person, not a dump
DEFAULT_MAX_DECOMPRESSED_MB = 16384  # per incident, on the results disk (--max-decompressed)
LOCK_DIR = ".locks"


def process_incident(paths: list[Path], out_dir: Path, *, policy_path: Path | None = None,
                     node: Path | None = None, incident: Incident | None = None,
                     root: Path | None = None, index: bool = True, histogram_limit: int = 50,
                     limits: dict[str, Any] | None = None,
                     max_decompressed_mb: float | None = DEFAULT_MAX_DECOMPRESSED_MB) -> dict[str, Any]:
    """Analyse the artifacts of one crash and write `<out_dir>/<incident>.json`.

    `paths` are the incident's uploads (plain, gzip or zstd; regular files only: a symlink
    or special file raises `Refused`). `incident` skips re-hashing when the caller already
    grouped them (each upload is then re-opened without following symlinks and must be the
    file that was scanned); `root` makes input names relative to an inbox; `index=False`
    leaves the index line to the caller (the batch runner adds timings);
    `max_decompressed_mb` caps what gzip/zstd uploads may expand to on `out_dir`'s disk
    (None or 0: no cap). One analysis per incident at a time: a second call for the same
    incident and `out_dir` waits for the first, then returns the result it wrote.
    Returns the result document (status `ok` or `failed`).
    """
    started, clock = now_iso(), time.monotonic()
    if incident is None:
        incident = make_incident([u for g in group_by_process([describe(p) for p in paths]) for u in g])
    out_dir.mkdir(parents=True, exist_ok=True)
    with incident_lock(out_dir, incident.id) as waited:
        if waited:
            done = load_result(out_dir, incident.id)
            if done and (done.get("batch") or {}).get("timings", {}).get("finished_at", "") >= started:
                return done  # analysed by whoever held the lock while we waited
        result = _analyse(incident, out_dir, policy_path, node, histogram_limit, max_decompressed_mb)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        result["batch"] = batch_metadata(result, incident, root, started, time.monotonic() - clock,
                                         usage.ru_maxrss / 1024, limits)
        write_json_atomic(result_path(out_dir, incident.id), result)
        if index:
            append_index(out_dir, index_entry(result))
    return result


@contextmanager
def incident_lock(out_dir: Path, incident_id: str) -> Iterator[bool]:
    """Hold `out_dir/.locks/<incident>.lock` (flock): yields whether it had to wait.

    The lock dies with its holder, so a worker orphaned by a killed runner keeps its
    incident until it ends, and a rerun never analyses the same incident concurrently."""
    fd = _lock_fd(out_dir, incident_id)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            waited = False
        except BlockingIOError:
            fcntl.flock(fd, fcntl.LOCK_EX)
            waited = True
        yield waited
    finally:
        os.close(fd)


def incident_busy(out_dir: Path, incident_id: str) -> bool:
    """Whether another process holds the incident's lock right now."""
    try:
        fd = _lock_fd(out_dir, incident_id)
    except OutputProblem:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def _lock_fd(out_dir: Path, incident_id: str) -> int:
    locks = out_dir / LOCK_DIR
    try:
        locks.mkdir(mode=0o700, exist_ok=True)
        return os.open(locks / f"{incident_id}.lock",
                       os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as e:
        raise OutputProblem(f"cannot lock incident {incident_id} in {escape_name(out_dir)}: "
                            f"{e.strerror}") from e


def batch_metadata(result: dict[str, Any], incident: Incident, root: Path | None, started: str,
                   seconds: float, peak_rss_mb: float | None,
                   limits: dict[str, Any] | None) -> dict[str, Any]:
    """The `batch` section of a result: which uploads, how long, how much memory, which limits."""
    return {
        "incident": incident.id,
        "status": result["status"],
        "inputs": [_describe_upload(u, root) for u in incident.uploads],
        "duplicates": [_describe_upload(u, root) for u in incident.duplicates],
        "timings": {"started_at": started, "finished_at": now_iso(), "seconds": round(seconds, 3)},
        "peak_rss_mb": None if peak_rss_mb is None else round(peak_rss_mb, 1),
        "limits": limits or {},
        "tool": {"name": "triage", "version": __version__},
    }


def _analyse(incident: Incident, out_dir: Path, policy_path: Path | None, node: Path | None,
             histogram_limit: int, max_decompressed_mb: float | None) -> dict[str, Any]:
    from triage.redaction import Policy, Redactor

    redactor = Redactor(Policy.load(policy_path) if policy_path else None)
    scratch = Path(tempfile.mkdtemp(prefix=f".scratch-{incident.id}-", dir=out_dir))
    names: dict[str, str] = {}
    try:
        try:
            summary = _summary(incident, scratch, names, node, histogram_limit, max_decompressed_mb)
        except TriageError as e:
            return failed_result(incident.id, _rename(str(e), names), int(e.code), redactor)
        except Exception as e:  # noqa: BLE001 - a bug on one dump must not stop the batch
            reason = f"internal error ({type(e).__name__}: {_rename(str(e), names)})"
            return failed_result(incident.id, reason,
                                 int(ExitCode.INTERNAL), redactor)
        redacted, section = redactor.redact_document(summary)
        redacted["redaction"] = section
        from triage.schema import validate_summary

        try:
            validate_summary(redacted)
        except Exception as e:  # noqa: BLE001 - jsonschema.ValidationError: our bug, recorded
            message = getattr(e, "message", str(e))
            return failed_result(incident.id, f"summary fails the schema: {message}",
                                 int(ExitCode.INTERNAL), redactor)
        return {"result_version": RESULT_VERSION, "incident": incident.id, "status": "ok", "reason": None,
                "error": None, "fingerprint": redacted.get("fingerprint"), "summary": redacted}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _summary(incident: Incident, scratch: Path, names: dict[str, str], node: Path | None,
             histogram_limit: int, max_decompressed_mb: float | None) -> dict[str, Any]:
    from triage.batch.safeopen import fd_path, open_regular
    from triage.batch.unpack import DecompressBudget, compression_from_magic, materialize
    from triage.pipeline import Options, analyze
    from triage.summary import build_summary

    paths, opened = [], []
    budget = DecompressBudget(max_decompressed_mb)
    try:
        for upload in incident.uploads:
            # the very file that was scanned, by descriptor: a name swapped for a symlink
            # (or a directory on its path swapped) since the scan cannot redirect the worker
            fd, _ = open_regular(upload.path, display=upload.path.name, expect=upload.identity)
            opened.append(fd)
            names[str(fd_path(fd))] = escape_name(upload.path.name)
            kind = compression_from_magic(os.pread(fd, 4, 0))
            path = materialize(fd_path(fd), scratch, name=upload.path.name, budget=budget, kind=kind)
            names[str(path)] = escape_name(upload.path.name)
            paths.append(path)
        options = Options(node=node, histogram_limit=histogram_limit, llnode_cross_check=False)
        findings = analyze(paths, options)
    finally:
        for fd in opened:
            os.close(fd)
    findings.histogram = findings.histogram[:histogram_limit]
    for entry in findings.inputs:  # scratch copies are named after the upload
        entry["path"] = names.get(entry["path"], entry["path"])
    return build_summary(findings)


def _rename(text: str, names: dict[str, str]) -> str:
    for path, name in names.items():
        text = text.replace(path, name)
    return text


def failed_result(incident_id: str, reason: str, code: int, redactor: Any = None) -> dict[str, Any]:
    """A `failed` result: the one-line reason (redacted) and the exit code `triage` would give."""
    if redactor is None:
        from triage.redaction import Redactor

        redactor = Redactor()
    reason = escape_name(redactor.redact_text(reason, source="error"))  # one visible line
    if len(reason) > MAX_REASON:
        reason = reason[: MAX_REASON - 1] + "…"
    try:
        name = ExitCode(code).name
    except ValueError:
        name = "UNKNOWN"
    return {"result_version": RESULT_VERSION, "incident": incident_id, "status": "failed", "reason": reason,
            "error": {"code": code, "name": name}, "fingerprint": None, "summary": None}


def _describe_upload(upload: Upload, root: Path | None) -> dict[str, Any]:
    try:
        name = str(upload.path.relative_to(root)) if root else upload.path.name
    except ValueError:
        name = upload.path.name
    return {"name": escape_name(name), "sha256": upload.sha256, "size_bytes": upload.size,
            "compression": upload.compression, "pid": upload.pid}
