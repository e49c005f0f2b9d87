"""Stored results render again: a pipeline keeps JSON and makes ticket text later."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import REPO, run_triage

REPORT = REPO / "tests" / "fixtures" / "reports" / "exception-node20.json"


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("stored") / "summary.json"
    result = run_triage(REPORT, "--format", "json", "-o", path)
    assert result.code == 0, result.stderr
    return path


def test_render_gives_the_same_text_as_the_first_run(stored: Path) -> None:
    first = run_triage(REPORT).stdout
    again = run_triage("render", stored)
    assert again.code == 0, again.stderr
    assert again.stdout.splitlines()[1:] == first.splitlines()[1:]


def test_a_stored_summary_given_as_the_input_is_rendered_not_refused(stored: Path) -> None:
    result = run_triage(stored, "--format", "markdown")
    assert result.code == 0, result.stderr
    assert "TypeError: order 42 has no items" in result.stdout


def test_a_secret_in_a_stored_no_redact_result_is_redacted_on_render(tmp_path: Path) -> None:
    raw = tmp_path / "raw.json"
    assert run_triage(REPORT, "--format", "json", "--no-redact", "-o", raw).code == 0
    document = json.loads(raw.read_text())
    document["warnings"].append("token ghp_0123456789abcdefghijABCDEFGHIJ012345 leaked")
    raw.write_text(json.dumps(document))
    result = run_triage("render", raw)
    assert result.code == 0, result.stderr
    assert "ghp_0123456789abcdefghijABCDEFGHIJ012345" not in result.stdout
    assert "[REDACTED:" in result.stdout


def test_a_json_file_that_breaks_the_schema_is_one_line_and_exit_5(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"result_version": 1, "incident": "x", "status": "weird"}))
    result = run_triage("render", bad)
    assert result.code == 5
    assert len(result.stderr.strip().splitlines()) == 1


def test_text_written_to_a_file_is_never_wrapped(stored: Path, tmp_path: Path) -> None:
    text = run_triage("render", stored).stdout
    frame = "node::errors::TriggerUncaughtException(v8::Isolate*, v8::Local<v8::Value>, " \
            "v8::Local<v8::Message>, bool)"
    assert any(frame in line for line in text.splitlines())
    assert not any(line != line.rstrip() for line in text.splitlines())

