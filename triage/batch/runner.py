"""`triage batch`: every incident of an inbox, each in its own worker process, with limits.

The runner is the only writer of the index and groups of a results directory it has
locked; workers write only their own result file. Each incident runs in a fresh
subprocess (`triage.batch.child`) so that a dump that hangs, eats memory or crashes
lldb costs one failed result, never the queue: the runner kills a worker at its time or
memory limit (resident memory polled from /proc; no cgroups needed) and records why.

Idempotent by content: an incident whose id (a hash of its files) already has a result
is skipped, so a re-run does no work and a run killed midway resumes where it stopped.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage.batch.inbox import Inbox, Incident, Upload
from triage.batch.index import (
    append_index,
    index_entry,
    load_result,
    now_iso,
    read_index,
    result_path,
    write_groups,
    write_json_atomic,
)
from triage.batch.limited import POLL_SECONDS, IncidentProcess
from triage.batch.progress import Reporter
from triage.errors import ExitCode, InputUnreadable, OutputProblem

_RESULT_NAME_LEN = 16


@dataclass
class BatchOptions:
    """How `run_batch` works; every field has a CLI option (docs/pipeline.md)."""

    workers: int = 1
    timeout: float | None = None  # seconds per incident
    memory_limit_mb: float | None = None  # resident memory per worker
    policy_path: Path | None = None
    node: Path | None = None
    watch: bool = False
    interval: float = 2.0  # seconds between scans in watch mode
    max_idle: float | None = None  # watch mode ends after this long with nothing to do
    settle_seconds: float = 0.0  # ignore files modified more recently (still uploading)
    retry_failed: bool = False
    progress: str = "auto"  # auto | bar | json | none


@dataclass
class BatchReport:
    """What one run did. `exit_code`: 0, or SOME_FAILED when an incident processed now failed."""

    ok: int = 0
    failed: int = 0
    duplicates: int = 0
    skipped: int = 0  # finished by an earlier run
    fingerprints: set[str] = field(default_factory=set)
    seconds: float = 0.0
    workers: int = 1
    peak_rss_mb: float = 0.0

    @property
    def processed(self) -> int:
        return self.ok + self.failed

    @property
    def exit_code(self) -> ExitCode:
        return ExitCode.SOME_FAILED if self.failed else ExitCode.OK

    def line(self) -> str:
        return (f"triage batch: {self.processed} processed ({self.ok} ok, {self.failed} failed), "
                f"{self.duplicates} duplicate, {self.skipped} already done; "
                f"{len(self.fingerprints)} fingerprints; {self.seconds:.1f} s with {self.workers} "
                f"worker{'s' if self.workers != 1 else ''}; peak worker memory {self.peak_rss_mb:.0f} MB")


def run_batch(inbox: Path, out: Path, options: BatchOptions | None = None) -> BatchReport:
    """Process every incident in `inbox` into `out`; return what this run did."""
    options = options or BatchOptions()
    if not inbox.is_dir():
        raise InputUnreadable(f"{inbox}: not a directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputProblem(f"cannot create {out}: {e.strerror}") from e
    with _locked(out), Reporter(options.progress) as reporter:
        return _Runner(inbox, out, options, reporter).run()


class _locked:
    """One runner per results directory: the index has a single writer."""

    def __init__(self, out: Path):
        self.path = out / ".lock"

    def __enter__(self) -> None:
        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputProblem(f"another `triage batch` is writing to {self.path.parent}") from None
        except OSError as e:
            raise OutputProblem(f"cannot lock {self.path}: {e.strerror}") from e

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)


class _Runner:
    def __init__(self, inbox: Path, out: Path, options: BatchOptions, reporter: Reporter):
        self.root, self.out, self.options, self.log = inbox, out, options, reporter
        exclude = out.resolve()
        self.inbox = Inbox(inbox, options.settle_seconds, exclude=exclude)
        self.report = BatchReport(workers=options.workers)
        self.queue: deque[Incident] = deque()
        self.running: dict[int, IncidentProcess] = {}
        self.work_dir = out / ".workers"
        self.entries = read_index(out)
        self.status: dict[str, str] = {}
        self.names: dict[str, set[str]] = {}
        self.retried: set[str] = set()
        self.skipped: set[str] = set()
        self.noted: set[tuple[str, frozenset[str]]] = set()

    # -- state ---------------------------------------------------------------

    def _load_state(self) -> None:
        """Finished incidents from the index; results a crash left unindexed are indexed now."""
        for stale in self.out.glob(".scratch-*"):
            shutil.rmtree(stale, ignore_errors=True)
        for stale in self.out.glob(".*.json.*.tmp"):
            stale.unlink(missing_ok=True)
        shutil.rmtree(self.work_dir, ignore_errors=True)
        self.work_dir.mkdir()
        for entry in self.entries:
            self._remember(entry)
        for path in sorted(self.out.glob("*.json")):
            incident_id = path.stem
            if len(incident_id) != _RESULT_NAME_LEN or incident_id in self.status:
                continue
            result = load_result(self.out, incident_id)
            if result and result.get("incident") == incident_id:
                self._append(index_entry(result, repaired=True))

    def _remember(self, entry: dict[str, Any]) -> None:
        incident_id = entry["incident"]
        if entry.get("status") in ("ok", "failed"):
            self.status[incident_id] = entry["status"]
        self.names.setdefault(incident_id, set()).update(entry.get("inputs", []), entry.get("duplicates", []))

    def _append(self, entry: dict[str, Any]) -> None:
        append_index(self.out, entry)
        self.entries.append(entry)
        self._remember(entry)

    # -- main loop -----------------------------------------------------------

    def run(self) -> BatchReport:
        self._load_state()
        start = time.monotonic()
        self.log.event("start", inbox=str(self.root), out=str(self.out), workers=self.options.workers,
                       timeout=self.options.timeout, memory_limit_mb=self.options.memory_limit_mb,
                       watch=self.options.watch)
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            self._loop()
        finally:
            signal.signal(signal.SIGTERM, previous)
            self._kill_all()
            shutil.rmtree(self.work_dir, ignore_errors=True)
        if self.report.processed:
            write_groups(self.out, self.entries)
        elif not (self.out / "groups.json").exists():
            write_groups(self.out, self.entries)
        self.report.seconds = time.monotonic() - start
        self.log.event("end", ok=self.report.ok, failed=self.report.failed, duplicates=self.report.duplicates,
                       skipped=self.report.skipped, fingerprints=len(self.report.fingerprints),
                       seconds=round(self.report.seconds, 3), exit_code=int(self.report.exit_code))
        return self.report

    def _loop(self) -> None:
        next_scan, idle_since = 0.0, time.monotonic()
        while True:
            now = time.monotonic()
            if now >= next_scan:
                for incident in self.inbox.scan():
                    self._consider(incident)
                next_scan = now + self.options.interval if self.options.watch else float("inf")
            while self.queue and len(self.running) < self.options.workers:
                self._start(self.queue.popleft())
            self._poll()
            if self.queue or self.running:
                idle_since = time.monotonic()
            elif not self.options.watch:
                return
            elif self.options.max_idle is not None and time.monotonic() - idle_since >= self.options.max_idle:
                return
            time.sleep(POLL_SECONDS if self.running else min(0.2, max(0.0, next_scan - time.monotonic())))

    def _consider(self, incident: Incident) -> None:
        names = frozenset(self._name(u) for u in incident.uploads + incident.duplicates)
        if (incident.id, names) in self.noted:
            return  # seen by an earlier scan of this run
        self.noted.add((incident.id, names))
        busy = any(w.incident.id == incident.id for w in self.running.values()) or any(
            q.id == incident.id for q in self.queue)
        status = self.status.get(incident.id)
        retry = status == "failed" and self.options.retry_failed and incident.id not in self.retried
        if busy or (status and not retry):
            known = self.names.get(incident.id, set())
            if names - known:  # the same content under new names: a duplicate upload
                self._append({"incident": incident.id, "status": "duplicate", "duplicate_of": incident.id,
                              "inputs": sorted(names - known), "finished_at": now_iso()})
                self.report.duplicates += 1
                self.log.event("duplicate", incident=incident.id, inputs=sorted(names - known))
            elif status and not busy and incident.id not in self.skipped:
                self.skipped.add(incident.id)
                self.report.skipped += 1
                self.log.event("skipped", incident=incident.id, status=status)
            return
        if retry:
            self.retried.add(incident.id)
        self.names.setdefault(incident.id, set()).update(names)
        if incident.duplicates:  # same content twice inside one upload group
            self.report.duplicates += len(incident.duplicates)
            self.log.event("duplicate", incident=incident.id,
                           inputs=[self._name(u) for u in incident.duplicates])
        self.queue.append(incident)
        self.log.event("queued", incident=incident.id, inputs=sorted(names))

    def _name(self, upload: Upload) -> str:
        try:
            return str(upload.path.relative_to(self.root))
        except ValueError:
            return upload.path.name

    # -- workers -------------------------------------------------------------

    def _limits(self) -> dict[str, Any]:
        return {"timeout_seconds": self.options.timeout, "memory_limit_mb": self.options.memory_limit_mb}

    def _start(self, incident: Incident) -> None:
        worker = IncidentProcess(incident, self.out, self.root, self.work_dir / f"{incident.id}.stderr",
                                 limits=self._limits(), policy_path=self.options.policy_path,
                                 node=self.options.node)
        self.running[worker.pid] = worker
        self.log.event("started", incident=incident.id, worker=worker.pid,
                       inputs=[self._name(u) for u in incident.uploads])

    def _poll(self) -> None:
        for pid, worker in list(self.running.items()):
            if worker.poll():
                del self.running[pid]
                self._finish(worker)

    def _kill_all(self) -> None:
        for pid, worker in list(self.running.items()):
            worker.kill("interrupted")
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
            del self.running[pid]

    def _finish(self, worker: IncidentProcess) -> None:
        incident, seconds = worker.incident, worker.seconds
        result, written = worker.outcome()
        if not written:
            write_json_atomic(result_path(self.out, incident.id), result)
        worker.stderr_path.unlink(missing_ok=True)
        for scratch in self.out.glob(f".scratch-{incident.id}-*"):  # left by a killed worker
            shutil.rmtree(scratch, ignore_errors=True)
        peak_mb = round(worker.peak_rss_kb / 1024, 1)
        self._append(index_entry(result, wall_seconds=round(seconds, 3), worker_peak_rss_mb=peak_mb))
        write_groups(self.out, self.entries)
        self.report.peak_rss_mb = max(self.report.peak_rss_mb, peak_mb)
        if result["status"] == "ok":
            self.report.ok += 1
            self.report.fingerprints.add(result["fingerprint"]["id"])
        else:
            self.report.failed += 1
        self.log.event("done", incident=incident.id, status=result["status"], reason=result.get("reason"),
                       fingerprint=(result.get("fingerprint") or {}).get("id"), seconds=round(seconds, 3),
                       peak_rss_mb=peak_mb)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
