"""Claims checked on reports written by real Node (every supported major) at test time."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.report.conftest import FAKE_ENV, MAJORS, REPORT_VERSION
from triage.analyses.report_facts import report_facts
from triage.crashmodel import CrashKind
from triage.loaders.report import load_report, report_to_crash_model

SECTION_SCHEMA = Path(__file__).resolve().parents[2] / "triage" / "schemas" / (
    "section-report.schema.json")
MIB = 1024 * 1024


def _load(report_run, name: str, major: int):
    crash = report_run(name, major)
    assert len(crash.reports) == 1, (crash.returncode, crash.stderr[-2000:])
    report = load_report(crash.reports[0])
    return crash, report, report_to_crash_model(report), report_facts(report)


def _frames(model, n: int) -> list[tuple[str, str, int, int]]:
    return [(f.function, Path(f.script).name, f.line, f.column) for f in model.js_stack[:n]]


@pytest.mark.parametrize("major", MAJORS)
def test_oom_report(report_run, major: int) -> None:
    crash, report, model, facts = _load(report_run, "report_oom", major)
    assert crash.returncode in (-6, 134)  # abort after the report
    assert "heap out of memory" in crash.stderr
    assert report.version == REPORT_VERSION[major]
    assert report.trigger == "OOMError"
    assert model.crash.kind is CrashKind.HEAP_OOM
    assert model.crash.message == "Allocation failed - JavaScript heap out of memory"
    assert model.crash.faulting_frame.startswith("node::OOMErrorHandler")
    assert model.js_stack == []
    assert model.capabilities["js_stack"].status == "unavailable"
    assert "No stack." in model.capabilities["js_stack"].reason
    heap = facts["heap"]
    assert heap["exhausted_space"] == "old_space"
    assert heap["old_generation_limit"] == 30 * MIB
    assert heap["old_generation_used_percent_of_limit"] > 90
    old = next(s for s in heap["spaces"] if s["name"] == "old_space")
    assert old["used_percent_of_capacity"] > 90
    assert any("ran out in old_space" in f["text"] for f in facts["findings"])
    # threadId null goes with an empty libuv list (the OOM handler had no Environment)
    if report.thread_id is None:
        assert facts["handles"]["recorded"] is False
        assert any("no thread id" in w for w in model.warnings)


@pytest.mark.parametrize("major", MAJORS)
def test_heap_space_names_per_version(report_run, major: int) -> None:
    _, report, _, _ = _load(report_run, "report_oom", major)
    names = set(report.heap_spaces)
    assert {"old_space", "new_space", "large_object_space", "code_space"} <= names
    assert ("map_space" in names) == (major == 18)
    assert ("trusted_space" in names) == (major >= 22)
    assert ("shared_trusted_space" in names) == (major >= 24)


@pytest.mark.parametrize("major", MAJORS)
def test_uncaught_exception_report(report_run, major: int) -> None:
    crash, report, model, facts = _load(report_run, "report_exception", major)
    assert crash.returncode == 1
    assert report.trigger == "Exception" and report.event == "Exception"
    assert model.crash.kind is CrashKind.UNCAUGHT_EXCEPTION
    assert model.crash.message == "TypeError: order 42 has no items"
    assert "TriggerUncaughtException" in model.crash.faulting_frame
    assert model.capabilities["js_stack"].status == "full"
    assert model.js_stack_source == "report"
    assert _frames(model, 3) == [
        ("validateOrder", "report_exception.js", 8, 11),  # the throw site
        ("processOrder", "report_exception.js", 13, 3),
        ("Timeout.onTimer", "report_exception.js", 17, 3),
    ]
    assert model.js_stack[3].function == "listOnTimeout"
    assert model.js_stack[3].script == "node:internal/timers"
    assert model.threads[0].faulting and model.threads[0].tid == report.pid
    assert facts["handles"]["by_type"]["timer"]["count"] >= 1


@pytest.mark.parametrize("major", MAJORS)
def test_a_thrown_non_error_has_no_message_and_says_why_there_is_no_stack(report_run, major):
    # dumps/scenarios/report_thrown_object.js: Node's "No stack." is a placeholder, and the
    # first page said `message  No stack.` until December 2026
    crash, report, model, facts = _load(report_run, "report_thrown_object", major)
    assert model.crash.kind is CrashKind.UNCAUGHT_EXCEPTION and model.crash.message is None
    cap = model.capabilities["js_stack"]
    assert cap.status == "unavailable" and "the thrown value is no Error" in cap.reason


@pytest.mark.parametrize("major", MAJORS)
def test_signal_report_with_worker_and_tcp(report_run, major: int) -> None:
    crash, report, model, facts = _load(report_run, "report_signal", major)
    assert crash.returncode == 0  # the process keeps running after a signal report
    assert (report.trigger, report.event) == ("Signal", "SIGUSR2")
    assert model.crash.kind is CrashKind.REPORT_REQUEST
    assert model.crash.signal.name == "SIGUSR2" and model.crash.signal.number == 12
    assert model.crash.faulting_frame is None and not model.threads[0].faulting
    assert report.js_stack_lines is None  # no "stack" key on signal reports
    assert model.capabilities["js_stack"].status == "unavailable"

    by_type = facts["handles"]["by_type"]
    assert by_type["tcp"] == {"count": 3, "active": 3, "referenced": 3, "active_and_referenced": 3}
    assert by_type["timer"]["count"] >= 1  # all JS timers share one libuv timer
    assert by_type["signal"]["count"] == 1
    roles = sorted(e["role"] for e in facts["handles"]["endpoints"] if e["type"] == "tcp")
    assert roles == ["connected", "connected", "listening"]
    listener = next(e for e in facts["handles"]["endpoints"] if e["role"] == "listening")
    port = listener["local_endpoint"]["port"]
    connected_to = [e["remote_endpoint"]["port"] for e in facts["handles"]["endpoints"]
                    if e["role"] == "connected"]
    assert port in connected_to  # the client's peer is the listener
    # ip4/ip6 keys exist from report version 4 (Node 20) on
    assert listener["local_endpoint"]["ip"] == (None if major == 18 else "127.0.0.1")
    assert any(f["text"].startswith("3 TCP handles open (1 listening, 2 connected)")
               for f in facts["findings"])

    (worker,) = facts["workers"]
    assert worker["thread_id"] == 1
    # Node 22+ append the thread name (`[WorkerThread]`); 18 and 20 do not
    assert worker["name"] == ("WorkerThread" if major >= 22 else None)
    assert worker["event"].startswith("Worker thread subreport")
    assert worker["handles"]["by_type"]["timer"]["count"] >= 1
    assert worker["workers"] == []


@pytest.mark.parametrize("major", MAJORS)
def test_api_report(report_run, major: int) -> None:
    crash, report, model, facts = _load(report_run, "report_api", major)
    assert crash.returncode == 0
    assert (report.trigger, report.event) == ("API", "JavaScript API")
    assert model.crash.kind is CrashKind.REPORT_REQUEST
    assert model.crash.message == "Error: payment declined for order 42"
    assert report.error_properties == {"code": "ERR_PAYMENT_DECLINED"}
    assert _frames(model, 3) == [
        ("makeError", "report_api.js", 8, 15),
        ("writeDiagnostics", "report_api.js", 14, 15),
        ("main", "report_api.js", 19, 3),
    ]


@pytest.mark.parametrize("name", ["report_oom", "report_exception", "report_signal", "report_api"])
@pytest.mark.parametrize("major", MAJORS)
def test_common_facts(report_run, name: str, major: int) -> None:
    _, report, model, facts = _load(report_run, name, major)
    jsonschema.validate(facts, json.loads(SECTION_SCHEMA.read_text()))
    assert facts["report_version"] == REPORT_VERSION[major]
    # process info
    assert model.process.pid == report.pid
    assert model.process.node_version == report.header["nodejsVersion"]
    assert model.process.node_version.startswith(f"v{major}.")
    assert model.process.v8_version == report.component_versions["v8"]
    assert model.process.command_line[-1] == f"{name}.js"
    assert model.process.environment["API_TOKEN"] == FAKE_ENV["API_TOKEN"]
    assert model.process.time.endswith("+00:00")
    assert model.threads[0].frames and model.threads[0].frames[0].module
    # user limits: version-specific names, normalised to the v5 names
    raw_keys = set(report.raw["userLimits"])
    if major <= 20:
        assert "virtual_memory_kbytes" in raw_keys and "virtual_memory_bytes" not in raw_keys
    else:
        assert "virtual_memory_bytes" in raw_keys and "virtual_memory_kbytes" not in raw_keys
    limits = facts["user_limits"]
    assert {"data_seg_size_bytes", "max_memory_size_bytes", "virtual_memory_bytes",
            "core_file_size_blocks", "open_files"} <= set(limits)
    assert limits["core_file_size_blocks"]["soft"] == 0  # the runs use a core limit of 0
    assert any(f["text"].startswith("core file size limit is 0: no core will be written")
               for f in facts["findings"])
    # resource usage: constrained_memory may be 2^64-1 (no cgroup limit) -> None
    ru = facts["resource_usage"]
    assert ru["rss"] > 0 and ru["max_rss"] >= ru["rss"] // 2
    raw_constrained = report.raw["resourceUsage"].get("constrained_memory")
    if raw_constrained is not None and raw_constrained >= 1 << 62:
        assert ru["constrained_memory"] is None
    assert facts["shared_objects"]["count"] == len(report.raw["sharedObjects"]) > 0
    assert facts["network_interfaces"] is not None and facts["excluded"]["network"] is False
