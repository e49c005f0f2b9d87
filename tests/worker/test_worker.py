"""`triage worker` on a real Redis: late acknowledgement, one result per incident, retry semantics."""

from __future__ import annotations

import base64
import json
import signal
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

from tests.batch.conftest import copy, gzip_to, scenario, zstd_to
from tests.worker.conftest import (
    alive,
    attempt_log,
    children,
    index_lines,
    results,
    start_worker,
    stop_worker,
    submit,
)
from triage.schema import validate
from triage.worker.payload import QUEUE, TASK_NAME
from triage.worker.task import Retry, WorkerSettings, handle


def _inbox(root: Path) -> Path:
    """12 distinct incidents: a core, a core + report pair, reports, snapshots (plain, gzip,
    zstd), a broken upload, and the same report uploaded twice. Two cores only: each costs
    seconds to minutes of lldb on a busy machine."""
    inbox = root / "inbox"
    pair = scenario("report_oom20")
    pid = json.loads(Path(pair.reports[0]).read_text())["header"]["processId"]
    copy(pair.core, inbox / f"core.{pid}")  # loose: grouped with its report by pid
    copy(pair.reports[0], inbox / Path(pair.reports[0]).name)
    copy(scenario("abort20").core, inbox / "abort20" / "core.upload")
    copy(scenario("exception24").reports[0], inbox / "exception24" / "report.json")
    copy(scenario("exception24").reports[0], inbox / "exception24-again" / "report.json")  # same content
    (inbox / "exception20-gz").mkdir()
    gzip_to(scenario("exception20").reports[0], inbox / "exception20-gz" / "report.json.gz")
    copy(scenario("exception20").reports[0], inbox / "exception20" / "report.json")
    copy(pair.reports[0], inbox / "oom-report-only" / "report.json")
    copy(scenario("snap20").snapshots[0], inbox / "cache20.heapsnapshot")
    (inbox / "cache20-gz").mkdir()
    gzip_to(scenario("snap20").snapshots[0], inbox / "cache20-gz" / "Heap.heapsnapshot.gz")
    (inbox / "snap24").mkdir()
    zstd_to(scenario("snap24").snapshots[0], inbox / "snap24" / "Heap.heapsnapshot.zst")
    copy(scenario("snap24").snapshots[0], inbox / "snap24-plain" / "Heap.heapsnapshot")
    (inbox / "exception24-gz").mkdir()
    gzip_to(scenario("exception24").reports[0], inbox / "exception24-gz" / "report.json.gz")
    (inbox / "random.bin").write_bytes(bytes((i * 7919 + 13) % 251 for i in range(50_000)))
    return inbox


def _queued(stdout: str) -> list[tuple[str, str]]:
    return [tuple(line.split("  ", 1)) for line in stdout.splitlines() if line.strip()]


def test_a_worker_killed_mid_incident_loses_nothing_and_duplicates_nothing(broker, tmp_path):
    inbox, out = _inbox(tmp_path), tmp_path / "results"
    # a short visibility timeout, so that the lost task comes back within the test; still
    # longer than any incident here takes, as it must be (docs/pipeline.md)
    options = ("--timeout", 300, "--visibility-timeout", 45, "--retry-backoff", 1)
    workers = {name: start_worker(broker, out, name, *options, log=tmp_path / f"{name}.log")
               for name in ("w1@test", "w2@test")}
    try:
        sent = submit(inbox, "--broker", broker)
        assert sent.code == 0, sent.stderr
        queued = _queued(sent.stdout)
        ids = {incident for incident, _ in queued}
        assert len(queued) == 13 and len(ids) == 12, sent.stdout
        cores = {incident for incident, files in queued if "core" in files}
        (broken,) = [incident for incident, files in queued if files == "random.bin"]
        assert len(cores) == 2

        victim, victim_name, orphan = _kill_a_worker_mid_core(out, cores, workers)
        deadline = time.monotonic() + 10
        while alive(orphan) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not alive(orphan), "the killed worker's analysis process outlived it"

        deadline = time.monotonic() + 240
        while len([e for e in index_lines(out) if e["status"] in ("ok", "failed")]) < 12:
            assert time.monotonic() < deadline, _logs(tmp_path)
            time.sleep(0.5)
        time.sleep(2)  # a late duplicate delivery, if any, would write now
    finally:
        for proc in workers.values():
            stop_worker(proc)

    found = results(out)
    assert set(found) == ids, _logs(tmp_path)
    lines = index_lines(out)
    assert Counter(e["incident"] for e in lines) == Counter(ids)  # each incident listed once
    assert {e["incident"]: e["status"] for e in lines} == {i: found[i]["status"] for i in ids}

    assert found[broken]["status"] == "failed" and found[broken]["error"]["code"] == 4
    assert found[broken]["queue"]["attempts"] == 1
    assert [e["event"] for e in attempt_log(out, broken)] == ["start"]  # final: never retried

    assert found[victim]["status"] == "ok", found[victim]["reason"]
    starts = [e for e in attempt_log(out, victim) if e["event"] == "start"]
    assert [s["worker"] for s in starts][0] == victim_name and len(starts) == 2
    assert found[victim]["queue"] == {**found[victim]["queue"], "attempts": 2}
    assert starts[1]["worker"] != victim_name

    assert all(found[i]["status"] == "ok" for i in ids - {broken}), {
        i: found[i]["reason"] for i in ids if found[i]["status"] != "ok"}
    pair = next(i for i, files in queued if files.startswith("core.") and "report." in files)
    assert found[pair]["summary"]["crash"]["kind"] == "heap_oom"
    assert len(found[pair]["batch"]["inputs"]) == 2  # core and report triaged together, as in batch
    groups = json.loads((out / "groups.json").read_text())
    assert groups["incidents"] == 12 and groups["failed"] == 1
    for result in found.values():  # what a pipeline in another language validates
        validate(result, "batch-result.schema.json")
    for line in lines:
        validate(line, "index-entry.schema.json")


def _kill_a_worker_mid_core(out: Path, cores: set[str], workers: dict) -> tuple[str, str, int]:
    """SIGKILL the worker that has been analysing a core for a second, before it finishes."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        for incident in cores:
            log = attempt_log(out, incident)
            if not log or (out / f"{incident}.json").exists():
                continue
            name = log[-1]["worker"]
            busy = children(workers[name].pid)
            if busy:
                time.sleep(1.0)
                if not (out / f"{incident}.json").exists() and alive(busy[0]):
                    workers[name].send_signal(signal.SIGKILL)
                    workers[name].wait()
                    return incident, name, busy[0]
        time.sleep(0.1)
    raise AssertionError("no worker was seen analysing a core")


def test_a_time_limit_is_retried_with_backoff_then_recorded_once(broker, tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "results"
    copy(scenario("abort20").core, inbox / "slow" / "core")
    # a limit no analysis of a core meets: reading it and walking its heap take ~0.7 s CPU
    worker = start_worker(broker, out, "w@test", "--timeout", 0.2, "--max-attempts", 2,
                          "--retry-backoff", 0.2, log=tmp_path / "w.log")
    try:
        sent = submit(inbox, "--broker", broker)
        ((incident, _),) = _queued(sent.stdout)
        deadline = time.monotonic() + 90
        while not index_lines(out):
            assert time.monotonic() < deadline, (tmp_path / "w.log").read_text()
            time.sleep(0.2)
    finally:
        stop_worker(worker)
    result = results(out)[incident]
    assert result["error"] == {"code": 10, "name": "LIMIT_EXCEEDED"}
    assert result["reason"].startswith("time limit exceeded") and "attempt 2 of 2" in result["reason"]
    assert [e["event"] for e in attempt_log(out, incident)] == ["start", "retry", "start"]
    assert len(index_lines(out)) == 1


def test_a_producer_in_another_language_enqueues_the_documented_message(broker, redis_server, tmp_path):
    """The raw message of docs/pipeline.md, pushed with plain Redis commands, is processed."""
    inbox, out = tmp_path / "inbox", tmp_path / "results"
    copy(scenario("exception24").reports[0], inbox / "crash-1" / "report.json")
    payload = {"version": 1, "incident": None, "root": str(inbox), "files": ["crash-1/report.json"]}
    task_id = str(uuid.uuid4())
    body = [[payload], {}, {"callbacks": None, "errbacks": None, "chain": None, "chord": None}]
    message = {
        "body": base64.b64encode(json.dumps(body).encode()).decode(),
        "content-encoding": "utf-8", "content-type": "application/json",
        "headers": {"lang": "go", "task": TASK_NAME, "id": task_id, "root_id": task_id, "parent_id": None,
                    "group": None, "retries": 0, "eta": None, "expires": None},
        "properties": {"correlation_id": task_id, "delivery_mode": 2, "priority": 0,
                       "body_encoding": "base64",
                       "delivery_info": {"exchange": "", "routing_key": QUEUE},
                       "delivery_tag": str(uuid.uuid4())},
    }
    redis_server["client"].lpush(QUEUE, json.dumps(message))
    worker = start_worker(broker, out, "w@test", log=tmp_path / "w.log")
    try:
        deadline = time.monotonic() + 90
        while not index_lines(out):
            assert time.monotonic() < deadline, (tmp_path / "w.log").read_text()
            time.sleep(0.2)
    finally:
        stop_worker(worker)
    (entry,) = index_lines(out)
    assert entry["status"] == "ok" and entry["inputs"] == ["crash-1/report.json"]
    assert entry["crash_kind"] == "uncaught_exception"


@pytest.fixture
def settings(tmp_path: Path) -> WorkerSettings:
    out = tmp_path / "results"
    (out / ".work").mkdir(parents=True)
    return WorkerSettings(out=out, max_attempts=2, backoff_seconds=0.1, hostname="w@test")


def test_storage_errors_are_retried_but_a_link_out_of_the_inbox_is_final(settings, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "core.1").symlink_to("/etc/passwd")
    linked = handle({"version": 1, "incident": "00000000000000aa", "root": str(inbox), "files": ["core.1"]},
                    settings)
    assert linked["status"] == "failed" and linked["attempts"] == 1
    result = json.loads((settings.out / "00000000000000aa.json").read_text())
    assert result["error"]["code"] == 3 and "symbolic link" in result["reason"]

    missing = {"version": 1, "incident": "00000000000000bb", "root": str(inbox), "files": ["not-yet.json"]}
    first = handle(missing, settings)
    assert isinstance(first, Retry) and "no such file" in first.reason
    last = handle(missing, settings)
    assert last["status"] == "failed" and last["attempts"] == 2 and "attempt 2 of 2" in last["reason"]
    assert [e["incident"] for e in index_lines(settings.out)] == ["00000000000000aa", "00000000000000bb"]

    again = handle(missing, settings)  # redelivered after the result exists: nothing new
    assert again["already"] is True and len(index_lines(settings.out)) == 2


def _logs(tmp_path: Path) -> str:
    return "\n".join(p.read_text()[-3000:] for p in sorted(tmp_path.glob("*.log")))


def test_an_incident_that_loses_every_worker_is_given_up_after_the_attempt_budget(settings, tmp_path):
    """Two starts with no end (what two workers SIGKILLed mid-task leave) use up max_attempts=2."""
    inbox = tmp_path / "inbox"
    copy(scenario("exception24").reports[0], inbox / "report.json")
    payload = {"version": 1, "incident": None, "root": str(inbox), "files": ["report.json"]}
    from triage.batch.inbox import describe, make_incident

    incident = make_incident([describe(inbox / "report.json")]).id
    (settings.out / ".attempts").mkdir()
    lost = [{"event": "start", "worker": f"w{i}@test", "at": "2026-12-01T00:00:00+00:00"} for i in (1, 2)]
    (settings.out / ".attempts" / f"{incident}.jsonl").write_text("".join(json.dumps(e) + "\n" for e in lost))
    outcome = handle(payload, settings)
    assert outcome["status"] == "failed" and outcome["attempts"] == 3
    assert outcome["reason"].startswith("gave up after 2 attempts; the last: the worker running it was lost")
    assert [e["incident"] for e in index_lines(settings.out)] == [incident]
