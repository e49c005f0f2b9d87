"""The thrown exception of an uncaught-exception core (issue #14 item 1), on every major:
type, message and the Error's own stack, checked against what Node itself printed."""

from __future__ import annotations

import re
import subprocess
from functools import cache

import pytest

from dumps.crash import run_scenario
from tests.conftest import MAJORS, run_triage
from tests.core.conftest import crash_of, triage_json
from triage.schema import validate_summary


def printed_exception(stderr: str) -> tuple[str, str]:
    """(type, message) of V8's `Uncaught TypeError: msg` line under --abort-on-uncaught-exception."""
    m = re.search(r"^Uncaught (\w+): (.*)$", stderr, re.M)
    assert m, stderr[-2000:]
    return m.group(1), m.group(2)


@cache
def own_stack_top(major: int) -> str:
    """The first `at` line of the Error's own stack, as Node prints it when the same script
    runs without --abort-on-uncaught-exception (Node then prints `error.stack`)."""
    crash = crash_of("uncaught", major)
    proc = subprocess.run([crash.node, "uncaught.js"], cwd=crash.workdir, capture_output=True,
                          text=True, timeout=60, env={"PATH": "/usr/bin:/bin"})
    return next(line.strip() for line in proc.stderr.splitlines() if line.strip().startswith("at "))


@pytest.mark.parametrize("major", MAJORS)
def test_uncaught_core_names_the_thrown_errors_type_and_message(major):
    type_, message = printed_exception(crash_of("uncaught", major).stderr)
    crash = triage_json("uncaught", major)["crash"]
    assert crash["exception"]["type"] == type_
    assert crash["exception"]["message"] == message
    assert crash["message"] == f"{type_}: {message}"
    assert re.fullmatch(r"0x[0-9a-f]+", crash["exception"]["address"])
    validate_summary(triage_json("uncaught", major))  # the schema knows crash.exception


@pytest.mark.parametrize("major", MAJORS)
def test_exception_stack_is_the_errors_own_stack_as_node_prints_it(major):
    type_, message = printed_exception(crash_of("uncaught", major).stderr)
    doc = triage_json("uncaught", major)
    lines = doc["crash"]["exception"]["stack"].splitlines()
    assert lines[0] == f"{type_}: {message}"
    assert lines[1].strip() == own_stack_top(major)  # function, file, line and column
    assert doc["capabilities"]["exception"]["status"] == "full"


@pytest.mark.parametrize("major", MAJORS)
def test_first_page_shows_the_thrown_error_and_where(major):
    crash = crash_of("uncaught", major)
    type_, message = printed_exception(crash.stderr)
    result = run_triage(crash.core, "--format", "text")
    assert result.code == 0, result.stderr
    header = result.stdout.split("JavaScript stack")[0]
    assert f"{type_}: {message}" in header
    assert own_stack_top(major) in header


@pytest.mark.parametrize("major", MAJORS)
def test_a_thrown_non_error_is_said_not_found_not_guessed(major):
    crash = run_scenario("uncaught_value", major, node_flags=("--abort-on-uncaught-exception",))
    result = run_triage(crash.core, "--format", "json")
    assert result.code == 0, result.stderr
    doc = result.json
    assert doc["crash"]["kind"] == "uncaught_exception"
    assert "exception" not in doc["crash"]
    assert doc["capabilities"]["exception"]["status"] == "unavailable"
    assert "no Error object" in doc["capabilities"]["exception"]["reason"]
    page = run_triage(crash.core, "--format", "text").stdout.split("JavaScript stack")[0]
    assert "exception   not found: no Error object" in page
