"""`triage batch` over an inbox of real uploads: results, failures, index, groups, re-runs."""

from __future__ import annotations

import json
from pathlib import Path

from tests.batch.conftest import batch, index_lines
from triage.errors import ExitCode
from triage.schema import validate_summary


def _results(out: Path) -> dict[str, dict]:
    return {p.stem: json.loads(p.read_text()) for p in out.glob("*.json") if len(p.stem) == 16}


def _by_input(out: Path) -> dict[str, dict]:
    """Result per uploaded file name."""
    found = {}
    for result in _results(out).values():
        for entry in result["batch"]["inputs"]:
            found[entry["name"]] = result
    return found


def test_batch_ends_with_some_failed_exit_code_and_a_summary_line(first_run):
    result = first_run["result"]
    assert result.code == ExitCode.SOME_FAILED == 11, result.stderr
    line = result.stdout.strip().splitlines()[-1]
    assert line.startswith("triage batch: 9 processed (7 ok, 2 failed), 1 duplicate, 0 already done")


def test_every_good_upload_has_a_valid_redacted_result(first_run):
    results = _by_input(first_run["out"])
    expected = {
        "abort-upload.core": "abort",
        "oom.core": "heap_oom",
        f"core.{first_run['pair_pid']}": "heap_oom",
        "exception20.json.gz": "uncaught_exception",
        "cache20.heapsnapshot": "none",
        "cache24.heapsnapshot.zst": "none",
    }
    for name, kind in expected.items():
        result = results[name]
        assert result["status"] == "ok", (name, result["reason"])
        validate_summary(result["summary"])
        assert result["summary"]["crash"]["kind"] == kind
        assert result["summary"]["redaction"]["enabled"] is True
        assert result["fingerprint"] == result["summary"]["fingerprint"]
        assert set(result["batch"]) >= {"incident", "status", "inputs", "timings", "peak_rss_mb", "limits"}
        assert result["batch"]["timings"]["seconds"] > 0
    # a decompressed scratch copy is named by its upload, never by the temp dir
    paths = [i["path"] for i in results["exception20.json.gz"]["summary"]["inputs"]]
    assert paths == ["exception20.json.gz"]


def test_core_and_report_of_one_process_are_one_incident(first_run):
    pid = first_run["pair_pid"]
    result = _by_input(first_run["out"])[f"core.{pid}"]
    names = sorted(i["name"] for i in result["batch"]["inputs"])
    assert len(names) == 2 and names[0] == f"core.{pid}" and names[1].startswith("report.")
    kinds = {i["kind"] for i in result["summary"]["inputs"]}
    assert {"core", "report"} <= kinds


def test_bad_uploads_are_failed_results_with_reasons(first_run):
    results = _by_input(first_run["out"])
    truncated, random = results["truncated.core"], results["random.bin"]
    assert truncated["status"] == "failed" and truncated["summary"] is None
    assert truncated["error"] == {"code": 5, "name": "INPUT_DAMAGED"}
    assert "truncated" in truncated["reason"]
    assert random["status"] == "failed" and random["error"]["code"] == 4
    assert "not a core dump" in random["reason"]


def test_duplicate_upload_is_recorded_not_redone(first_run):
    lines = index_lines(first_run["out"])
    duplicates = [e for e in lines if e["status"] == "duplicate"]
    assert len(duplicates) == 1
    original = next(e for e in lines if e["incident"] == duplicates[0]["incident"] and e["status"] == "ok")
    assert original["crash_kind"] == "uncaught_exception"
    assert {*duplicates[0]["inputs"], *original["inputs"]} >= {"second-upload/report.json"}
    assert len({e["incident"] for e in lines}) == 9


def test_index_and_groups_by_fingerprint(first_run):
    out = first_run["out"]
    lines = [e for e in index_lines(out) if e["status"] in ("ok", "failed")]
    assert len(lines) == 9
    for entry in lines:
        assert (out / entry["result"]).is_file()
    groups = json.loads((out / "groups.json").read_text())
    assert groups["incidents"] == 9 and groups["failed"] == 2
    counts = {tuple(g["components"][:2]): g["count"] for g in groups["groups"]}
    # Node 20 and Node 24 reports of one bug: one group; both snapshots of one leak: one group
    assert counts[("kind:uncaught_exception", "js:validateOrder (report_exception.js)")] == 2
    assert counts[("kind:none", "heap:Session")] == 2
    assert sum(g["count"] for g in groups["groups"]) == 7
    assert not list(out.glob(".*.tmp")) and not list(out.glob(".scratch-*"))


def test_json_log_lines_on_stderr_when_not_a_tty(first_run):
    events = [json.loads(line) for line in first_run["result"].stderr.splitlines()]
    assert events[0]["event"] == "start" and events[-1]["event"] == "end"
    assert events[-1]["exit_code"] == 11
    assert sum(e["event"] == "done" for e in events) == 9


def test_second_run_does_no_work(first_run):
    out = first_run["out"]
    before = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    index_before = (out / "index.jsonl").read_text()
    rerun = batch(first_run["inbox"], "--out", out, "--workers", "2")
    assert rerun.code == 0, rerun.stderr
    assert "0 processed (0 ok, 0 failed), 0 duplicate, 9 already done" in rerun.stdout
    assert (out / "index.jsonl").read_text() == index_before
    after = {p.name: p.stat().st_mtime_ns for p in out.iterdir() if p.name in before}
    assert {k: v for k, v in after.items() if k.endswith(".json") and k != "groups.json"} == {
        k: v for k, v in before.items() if k.endswith(".json") and k != "groups.json"}


def test_no_redact_is_refused_in_pipeline_mode(tmp_path):
    result = batch(tmp_path, "--out", tmp_path / "out", "--no-redact")
    assert result.code == 2
    assert result.stderr.strip().splitlines() == [
        "triage: --no-redact is not allowed in pipeline mode: batch results are shared"]


def test_missing_inbox_is_a_one_line_error(tmp_path):
    result = batch(tmp_path / "nope", "--out", tmp_path / "out")
    assert result.code == 3
    assert result.stderr.startswith("triage: ") and len(result.stderr.strip().splitlines()) == 1
