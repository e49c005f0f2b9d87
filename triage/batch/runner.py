"""`triage batch`: every incident of an inbox, each in its own worker process, with limits.

The runner is the only writer of the index and groups of a results directory it has
locked; workers write only their own result file. Each incident runs in a fresh
subprocess (`triage.batch.child`) so that a dump that hangs, eats memory or crashes
lldb costs one failed result, never the queue: the runner kills a worker at its time or
memory limit (resident memory polled from /proc by a watchdog thread, so limits hold
while the main thread scans the inbox; no cgroups needed) and records why. Workers die
with the runner (PR_SET_PDEATHSIG, child.py) and hold a lock on their incident, so
nothing runs without limits and nothing is analysed twice at once.

Idempotent by content: an incident whose id (a hash of its files) already has a result
is skipped, so a re-run does no work and a run killed midway resumes where it stopped.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from triage.batch.inbox import Inbox, Incident, Upload
from triage.batch.incident import (
    DEFAULT_MAX_DECOMPRESSED_MB,
    incident_busy,
)
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
from triage.batch.limited import POLL_SECONDS, finished_result, limit_reason, start_child, tree_rss_kb
from triage.batch.progress import Reporter
from triage.batch.safeopen import PSEUDO_FILESYSTEMS, filesystem_type
from triage.errors import ExitCode, InputUnreadable, OutputProblem
from triage.render.escape import escape_name

_RESULT_NAME_LEN = 16
MAX_DEFAULT_MEMORY_MB = 8192
DEFAULT_LIMIT = -1.0  # BatchOptions.memory_limit_mb: `default_memory_limit_mb(workers)`


def default_memory_limit_mb(workers: int = 1) -> float:
    """Half the machine's RAM shared by the workers, at most 8 GiB each (docs/pipeline.md)."""
    try:
        total_mb = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE") / (1 << 20)
    except (ValueError, OSError):
        return MAX_DEFAULT_MEMORY_MB
    return float(min(MAX_DEFAULT_MEMORY_MB, max(256, int(total_mb / 2 / max(1, workers)) // 64 * 64)))


@dataclass
class BatchOptions:
    """How `run_batch` works; every field has a CLI option (docs/pipeline.md)."""

    workers: int = 1
    timeout: float | None = None  # seconds per incident
    memory_limit_mb: float | None = DEFAULT_LIMIT  # resident memory per worker; None/0: no limit
    max_decompressed_mb: float | None = DEFAULT_MAX_DECOMPRESSED_MB  # per incident; None/0: no cap
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


@dataclass
class _Worker:
    incident: Incident
    proc: subprocess.Popen
    started: float
    started_at: str
    stderr_path: Path
    peak_rss_kb: int = 0
    killed_for: str | None = None


def run_batch(inbox: Path, out: Path, options: BatchOptions | None = None) -> BatchReport:
    """Process every incident in `inbox` into `out`; return what this run did."""
    options = options or BatchOptions()
    memory = options.memory_limit_mb
    if memory is not None and memory < 0:
        memory = default_memory_limit_mb(options.workers)
    options = replace(options, memory_limit_mb=memory or None,
                      max_decompressed_mb=options.max_decompressed_mb or None)
    if not inbox.is_dir():
        raise InputUnreadable(f"{escape_name(inbox)}: not a directory")
    fstype = filesystem_type(os.stat(inbox).st_dev)
    if fstype in PSEUDO_FILESYSTEMS:
        raise InputUnreadable(f"{escape_name(inbox)} is on a {fstype} file system, not an upload directory")
    check_separate(inbox, out)
    try:
        out.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as e:
        raise OutputProblem(f"cannot create {escape_name(out)}: {e.strerror}") from e
    with _locked(out), Reporter(options.progress) as reporter:
        return _Runner(inbox, out, options, reporter).run()


def check_separate(inbox: Path, out: Path) -> None:
    """Results must not be uploads: `--out` inside the inbox would be re-ingested (with
    --watch, forever), and an inbox inside the results would be cleaned by the runner."""
    inbox_real, out_real = Path(os.path.realpath(inbox)), Path(os.path.realpath(out))
    if out_real == inbox_real or out_real.is_relative_to(inbox_real):
        raise OutputProblem(f"--out {escape_name(out)} is inside the inbox {escape_name(inbox)}: "
                            "results would be read as uploads; choose a directory outside it")
    if inbox_real.is_relative_to(out_real):
        raise OutputProblem(f"the inbox {escape_name(inbox)} is inside --out {escape_name(out)}: "
                            "choose separate directories")


class _locked:
    """One runner per results directory: the index has a single writer."""

    def __init__(self, out: Path):
        self.path = out / ".lock"

    def __enter__(self) -> None:
        try:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
            fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputProblem(f"another `triage batch` is writing to "
                                f"{escape_name(self.path.parent)}") from None
        except OSError as e:
            raise OutputProblem(f"cannot lock {escape_name(self.path)}: {e.strerror}") from e

    def __exit__(self, *exc: object) -> None:
        os.close(self.fd)


class _Runner:
    def __init__(self, inbox: Path, out: Path, options: BatchOptions, reporter: Reporter):
        self.root, self.out, self.options, self.log = inbox, out, options, reporter
        self.inbox = Inbox(inbox, options.settle_seconds)
        self.report = BatchReport(workers=options.workers)
        self.queue: deque[Incident] = deque()
        self.running: dict[int, _Worker] = {}
        self.work_dir = out / ".workers"
        self.entries = read_index(out)
        self.status: dict[str, str] = {}
        self.names: dict[str, set[str]] = {}
        self.retried: set[str] = set()
        self.skipped: set[str] = set()
        self.noted: set[tuple[str, frozenset[str]]] = set()
        self.refused: set[tuple[str, str]] = set()
        self.waiting: set[str] = set()  # incidents another process is analysing right now
        self.lock = threading.Lock()  # guards `running` between the loop and the watchdog
        self.stop = threading.Event()

    # -- state ---------------------------------------------------------------

    def _load_state(self) -> None:
        """Finished incidents from the index; results a crash left unindexed are indexed now."""
        for stale in self.out.glob(".scratch-*"):
            if not incident_busy(self.out, stale.name.split("-")[1]):  # not an orphan's, still working
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
        self.started_at = now_iso()
        self._load_state()
        start = time.monotonic()
        self.log.event("start", inbox=str(self.root), out=str(self.out), workers=self.options.workers,
                       timeout=self.options.timeout, memory_limit_mb=self.options.memory_limit_mb,
                       max_decompressed_mb=self.options.max_decompressed_mb, watch=self.options.watch)
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
        watchdog = threading.Thread(target=self._watchdog, name="triage-batch-watchdog", daemon=True)
        watchdog.start()
        try:
            self._loop()
        finally:
            signal.signal(signal.SIGTERM, previous)
            self.stop.set()
            watchdog.join()
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
                self._note_refused()
                next_scan = now + self.options.interval if self.options.watch else float("inf")
            self._start_queued()
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
            if new := sorted(names - known):  # the same content under new names: a duplicate upload
                self._append({"incident": incident.id, "status": "duplicate", "duplicate_of": incident.id,
                              "inputs": new, "finished_at": now_iso()})
                self.report.duplicates += 1
                self.log.event("duplicate", incident=incident.id, inputs=new)
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

    def _note_refused(self) -> None:
        for name, reason in self.inbox.refused:
            if (name, reason) not in self.refused:
                self.refused.add((name, reason))
                self.log.event("refused", input=name, reason=reason)

    def _name(self, upload: Upload) -> str:
        """The inbox-relative name as results show it: escaped, so that a name with
        controls or bytes that are not UTF-8 stays one line and valid JSON text."""
        try:
            return escape_name(upload.path.relative_to(self.root))
        except ValueError:
            return escape_name(upload.path.name)

    # -- workers -------------------------------------------------------------

    def _limits(self) -> dict[str, Any]:
        return {"timeout_seconds": self.options.timeout, "memory_limit_mb": self.options.memory_limit_mb,
                "max_decompressed_mb": self.options.max_decompressed_mb}

    def _start_queued(self) -> None:
        """Start queued incidents while workers are free; one another process (a worker of a
        killed runner, a job queue) is analysing waits in the queue until its lock is free."""
        deferred: list[Incident] = []
        while self.queue and len(self.running) < self.options.workers:
            incident = self.queue.popleft()
            if incident_busy(self.out, incident.id):
                if incident.id not in self.waiting:
                    self.waiting.add(incident.id)
                    self.log.event("waiting", incident=incident.id,
                                   reason="another process is analysing this incident")
                deferred.append(incident)
                continue
            if incident.id in self.waiting:
                self.waiting.discard(incident.id)
                result = load_result(self.out, incident.id)
                if result is not None and result.get("status") in ("ok", "failed") and (
                        incident.id not in self.retried or self._newer(result)):
                    self._append(index_entry(result, repaired=True))  # the other process's work
                    self.log.event("skipped", incident=incident.id, status=result["status"])
                    self.report.skipped += 1
                    continue
            self._start(incident)
        self.queue.extendleft(reversed(deferred))

    def _newer(self, result: dict[str, Any]) -> bool:
        return (result.get("batch") or {}).get("timings", {}).get("finished_at", "") >= self.started_at

    def _start(self, incident: Incident) -> None:
        stderr_path = self.work_dir / f"{incident.id}.stderr"
        started_at, started = now_iso(), time.monotonic()  # before the worker can write anything
        # Only ever called from the main thread: PR_SET_PDEATHSIG (child.py) fires when the
        # thread that forked the worker ends, so that thread must live as long as the runner.
        proc = start_child(incident, self.out, self.root, stderr_path, limits=self._limits(),
                           policy_path=self.options.policy_path, node=self.options.node,
                           max_decompressed_mb=self.options.max_decompressed_mb, die_with_parent=True)
        with self.lock:
            self.running[proc.pid] = _Worker(incident, proc, started, started_at, stderr_path)
        self.log.event("started", incident=incident.id, worker=proc.pid,
                       inputs=[self._name(u) for u in incident.uploads])

    def _poll(self) -> None:
        """Reap finished workers (limits are the watchdog's job)."""
        for pid, worker in list(self.running.items()):
            with self.lock:  # a pid is reaped only while the watchdog cannot be signalling it
                done, status, usage = os.wait4(pid, os.WNOHANG)
                if done:
                    del self.running[pid]
            if done:
                worker.peak_rss_kb = max(worker.peak_rss_kb, usage.ru_maxrss)
                worker.proc.returncode = os.waitstatus_to_exitcode(status)
                self._finish(worker)

    def _watchdog(self) -> None:
        """Enforce every worker's limits every POLL_SECONDS, whatever the main thread is doing
        (hashing a large upload, parsing a report header, writing groups)."""
        while not self.stop.wait(POLL_SECONDS):
            with self.lock:
                for pid, worker in list(self.running.items()):
                    if worker.killed_for is None:
                        self._enforce(pid, worker)

    def _enforce(self, pid: int, worker: _Worker) -> None:
        rss = tree_rss_kb(pid)
        worker.peak_rss_kb = max(worker.peak_rss_kb, rss)
        reason = limit_reason(time.monotonic() - worker.started, rss, self.options.timeout,
                              self.options.memory_limit_mb)
        if reason is not None:
            self._kill(worker, reason)
        if worker.killed_for is not None:
            self.log.event("killed", incident=worker.incident.id, worker=pid, reason=worker.killed_for)

    def _kill(self, worker: _Worker, reason: str) -> None:
        worker.killed_for = reason
        try:
            os.killpg(worker.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def _kill_all(self) -> None:
        for pid, worker in list(self.running.items()):
            if worker.killed_for is None:
                self._kill(worker, "interrupted")
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass
            del self.running[pid]

    def _finish(self, worker: _Worker) -> None:
        incident, seconds = worker.incident, time.monotonic() - worker.started
        result, written = finished_result(self.out, incident, self.root, started_at=worker.started_at,
                                          seconds=seconds, peak_rss_kb=worker.peak_rss_kb,
                                          killed_for=worker.killed_for, returncode=worker.proc.returncode,
                                          stderr_path=worker.stderr_path, limits=self._limits())
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
