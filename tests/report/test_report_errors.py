"""Bad inputs give the right error class with one clear line; lenient cases load."""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path

import pytest

from triage.errors import InputDamaged, InputUnreadable, InputUnrecognized
from triage.loaders.report import load_report, report_to_crash_model

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "reports"
SIGNAL = FIXTURES / "signal-node24.json"


def _write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    p = tmp_path / name
    p.write_bytes(data.encode() if isinstance(data, str) else data)
    return p


def _doc() -> dict:
    return json.loads(SIGNAL.read_text())


def _error(path: Path, cls: type[Exception]) -> str:
    with pytest.raises(cls) as info:
        load_report(path)
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    assert str(path) in message
    return message


def test_empty_file(tmp_path: Path) -> None:
    assert "empty file" in _error(_write(tmp_path, "r.json", b""), InputUnrecognized)
    _error(_write(tmp_path, "ws.json", b"  \n\t"), InputUnrecognized)


def test_not_json(tmp_path: Path) -> None:
    _error(_write(tmp_path, "r.json", "this is a log file\n"), InputUnrecognized)
    _error(_write(tmp_path, "bin.json", bytes(range(256))), InputUnrecognized)


def test_json_but_not_a_report(tmp_path: Path) -> None:
    msg = _error(_write(tmp_path, "a.json", '{"name": "pkg", "version": "1.0.0"}'),
                 InputUnrecognized)
    assert "not a diagnostic report" in msg
    _error(_write(tmp_path, "b.json", "[1, 2, 3]"), InputUnrecognized)
    _error(_write(tmp_path, "c.json", '{"header": "text"}'), InputUnrecognized)
    snap = '{"snapshot": {"meta": {}, "node_count": 0}, "nodes": [], "edges": [], "strings": []}'
    assert "heap snapshot" in _error(_write(tmp_path, "d.json", snap), InputUnrecognized)


def test_malformed_json(tmp_path: Path) -> None:
    text = SIGNAL.read_text().replace('"trigger": "Signal",', '"trigger": "Signal",,', 1)
    msg = _error(_write(tmp_path, "r.json", text), InputDamaged)
    assert "malformed" in msg and "line 5" in msg


def test_truncated_report(tmp_path: Path) -> None:
    data = SIGNAL.read_bytes()
    msg = _error(_write(tmp_path, "r.json", data[: len(data) // 2]), InputDamaged)
    assert "truncated" in msg
    _error(_write(tmp_path, "r2.json", data[:200]), InputDamaged)


def test_truncated_gzip(tmp_path: Path) -> None:
    data = gzip.compress(SIGNAL.read_bytes())
    assert "gzip" in _error(_write(tmp_path, "r.json.gz", data[: len(data) // 2]), InputDamaged)


def test_gzip_report_loads(tmp_path: Path) -> None:
    p = _write(tmp_path, "r.json.gz", gzip.compress(SIGNAL.read_bytes()))
    assert load_report(p).trigger == "Signal"


@pytest.mark.parametrize("version", [1, 2])
def test_old_version(tmp_path: Path, version: int) -> None:
    doc = _doc()
    doc["header"]["reportVersion"] = version
    msg = _error(_write(tmp_path, "r.json", json.dumps(doc)), InputUnrecognized)
    assert f"version {version}" in msg and "too old" in msg


@pytest.mark.parametrize("version", ["five", None, 4.5, True])
def test_unparseable_version(tmp_path: Path, version) -> None:
    doc = _doc()
    doc["header"]["reportVersion"] = version
    msg = _error(_write(tmp_path, "r.json", json.dumps(doc)), InputUnrecognized)
    assert "reportVersion" in msg and repr(version) in msg


def test_schema_failure_is_damage(tmp_path: Path) -> None:
    doc = _doc()
    doc["header"]["processId"] = "1234"
    msg = _error(_write(tmp_path, "a.json", json.dumps(doc)), InputDamaged)
    assert "header/processId" in msg
    doc = _doc()
    del doc["nativeStack"]
    assert "nativeStack" in _error(_write(tmp_path, "b.json", json.dumps(doc)), InputDamaged)
    doc = _doc()
    doc["javascriptHeap"]["heapSpaces"]["old_space"]["used"] = -1
    _error(_write(tmp_path, "c.json", json.dumps(doc)), InputDamaged)


def test_v5_report_with_v4_limit_names_is_damage(tmp_path: Path) -> None:
    doc = _doc()
    limits = doc["userLimits"]
    limits["virtual_memory_kbytes"] = limits.pop("virtual_memory_bytes")
    assert "userLimits" in _error(_write(tmp_path, "r.json", json.dumps(doc)), InputDamaged)


def test_unreadable(tmp_path: Path) -> None:
    _error(tmp_path / "missing.json", InputUnreadable)
    _error(tmp_path, InputUnreadable)


def test_newer_version_loads_with_warning(tmp_path: Path) -> None:
    doc = _doc()
    doc["header"]["reportVersion"] = 7
    doc["header"]["someNewField"] = {"x": 1}
    doc["brandNewSection"] = [1, 2]
    doc["userLimits"]["new_limit"] = {"soft": 1, "hard": "unlimited"}
    report = load_report(_write(tmp_path, "r.json", json.dumps(doc)))
    assert report.version == 7
    assert any("version 7 is newer" in w for w in report.warnings)
    assert any("version 7" in w for w in report_to_crash_model(report).warnings)


def test_lenient_fields(tmp_path: Path) -> None:
    """threadId null, libuv empty, env and network absent, huge ints, string timestamps."""
    doc = _doc()
    doc["header"]["threadId"] = None
    doc["libuv"] = []
    del doc["environmentVariables"]
    del doc["header"]["networkInterfaces"]
    doc["resourceUsage"]["constrained_memory"] = 2**64 - 1
    doc["javascriptHeap"]["totalMemory"] = 2**60 + 1
    doc["header"]["dumpEventTimeStamp"] = "1795317270306"
    doc["header"]["reportVersion"] = "5"  # numeric string: normalised
    worker = copy.deepcopy(doc["workers"][0])
    doc["workers"][0]["workers"] = [worker]  # nested worker
    report = load_report(_write(tmp_path, "r.json", json.dumps(doc)))
    assert report.version == 5 and report.thread_id is None
    assert report.environment is None and report.network_interfaces is None
    assert report.heap["totalMemory"] == 2**60 + 1  # exact above 2^53
    assert report.time == "2026-11-22T03:14:30.306+00:00"
    model = report_to_crash_model(report)
    assert model.process.environment is None
    assert any("exclude-env" in w for w in model.warnings)
    assert any("exclude-network" in w for w in model.warnings)
    from triage.analyses.report_facts import report_facts

    facts = report_facts(report)
    assert facts["excluded"] == {"environment": True, "network": True}
    assert facts["network_interfaces"] is None
    assert facts["handles"]["recorded"] is False and facts["handles"]["total"] == 0
    assert facts["resource_usage"]["constrained_memory"] is None
    assert len(facts["workers"][0]["workers"]) == 1


def test_sorted_keys_report_loads(tmp_path: Path) -> None:
    """A report re-serialised by another tool (header no longer first) is still a report."""
    text = json.dumps(_doc(), sort_keys=True)
    assert load_report(_write(tmp_path, "r.json", text)).trigger == "Signal"
    msg = _error(_write(tmp_path, "t.json", text[: len(text) - 50]), InputDamaged)
    assert "truncated" in msg
