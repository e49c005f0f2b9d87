"""The committed fixtures: they load, say the right things, and hold no machine secrets."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import jsonschema
import pytest

from tests.report.fixture_tools import FAKE_ENV, trim_report
from triage.analyses.report_facts import report_facts
from triage.crashmodel import CrashKind
from triage.loaders.report import load_report, report_to_crash_model

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "reports"
SECTION_SCHEMA = Path(__file__).resolve().parents[2] / "triage" / "schemas" / (
    "section-report.schema.json")
ALL = sorted(FIXTURES.glob("*.json"))
KINDS = {
    "oom-node18.json": (CrashKind.HEAP_OOM, 3),
    "exception-node20.json": (CrashKind.UNCAUGHT_EXCEPTION, 4),
    "api-node22.json": (CrashKind.REPORT_REQUEST, 5),
    "signal-node24.json": (CrashKind.REPORT_REQUEST, 5),
}


def test_fixture_set() -> None:
    assert sorted(p.name for p in ALL) == sorted(KINDS)


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_fixture_loads(path: Path) -> None:
    report = load_report(path)
    model = report_to_crash_model(report)
    kind, version = KINDS[path.name]
    assert model.crash.kind is kind and report.version == version
    facts = report_facts(report)
    jsonschema.validate(facts, json.loads(SECTION_SCHEMA.read_text()))
    assert path.stat().st_size < 32_000


@pytest.mark.parametrize("path", ALL, ids=lambda p: p.name)
def test_fixture_has_no_machine_data(path: Path) -> None:
    text = path.read_text()
    doc = json.loads(text)
    reports = [doc, *doc.get("workers", [])]
    for r in reports:
        assert r["header"]["host"] == "fixture-host"
        assert r.get("environmentVariables", FAKE_ENV) == FAKE_ENV
        assert all(i["address"] in ("127.0.0.1", "192.0.2.10", "2001:db8::10")
                   for i in r["header"].get("networkInterfaces", []))
    assert json.dumps(socket.gethostname()) not in text
    assert "/root" not in text and "/.cache/" not in text
    home = os.environ.get("HOME")
    if home and len(home) > 1:
        assert home not in text
    for name, value in os.environ.items():  # no real secret-looking value of this machine
        if any(k in name.upper() for k in ("TOKEN", "SECRET", "KEY", "PASS")) and len(value) > 6:
            assert value not in text, name


def test_trim_report_keeps_schema(tmp_path: Path) -> None:
    doc = json.loads((FIXTURES / "signal-node24.json").read_text())
    doc["header"]["cwd"] = "/home/someone/project"
    doc["header"]["commandLine"][0] = "/opt/node/bin/node"
    out = tmp_path / "r.json"
    out.write_text(json.dumps(trim_report(doc)))
    trimmed = load_report(out)
    assert trimmed.cwd == "/srv/app" and trimmed.command_line[0] == "/usr/local/bin/node"


def test_oom_fixture_facts() -> None:
    facts = report_facts(load_report(FIXTURES / "oom-node18.json"))
    assert facts["heap"]["exhausted_space"] == "old_space"
    assert facts["thread_id"] is None and facts["handles"]["recorded"] is False
    limits = facts["user_limits"]
    assert limits["virtual_memory_bytes"]["report_key"] == "virtual_memory_kbytes"
