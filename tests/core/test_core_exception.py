"""The thrown exception of an uncaught-exception core (issue #14 item 1), on every major:
type, message and the Error's own stack, checked against what Node itself printed."""

from __future__ import annotations

import re
import subprocess
from functools import cache

import pytest

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
def test_a_thrown_string_is_found_as_v8_prints_it(major):
    # dumps/scenarios/uncaught_value.js throws `order 7 rejected`, a string: "not found: no
    # Error object" until December 2026; V8's message for the uncaught exception holds it
    printed = re.search(r"^Uncaught (.*)$", crash_of("uncaught_value", major).stderr, re.M)
    assert printed, crash_of("uncaught_value", major).stderr[-2000:]
    doc = triage_json("uncaught_value", major)
    exc = doc["crash"]["exception"]
    assert (exc["type"], exc["message"]) == ("string", printed.group(1))
    assert doc["crash"]["message"] == f"Uncaught {printed.group(1)}"
    assert exc["stack"].splitlines()[1].strip().endswith("uncaught_value.js:5:3")
    assert doc["capabilities"]["exception"]["status"] == "full"


@pytest.mark.parametrize("major", MAJORS)
def test_a_thrown_plain_object_is_shown_by_its_properties_with_secrets_redacted(major):
    # dumps/scenarios/uncaught_object.js: `throw { code: 'E_AUTH', user, token }`
    doc = triage_json("uncaught_object", major)
    exc = doc["crash"]["exception"]
    assert exc["type"] == "Object"
    assert exc["message"].startswith("Object { code: 'E_AUTH', user: 'ana', token: '[REDACTED:")
    assert exc["stack"].splitlines()[1].strip() == (
        f"at {crash_of('uncaught_object', major).workdir}/uncaught_object.js:9:3")
    page = run_triage(crash_of("uncaught_object", major).core, "--format", "text").stdout
    assert "ghp_Zq8TnW3xYb7KpL2mVc9RsD4fGh6JkA1uEo5i" not in page
    assert "Uncaught Object { code: 'E_AUTH'" in page.split("JavaScript stack")[0]


@pytest.mark.parametrize("major", MAJORS)
def test_an_assertion_thrown_from_node_assert_is_found(major):
    # dumps/scenarios/uncaught_assert.js: the top JS frame is node:assert's `innerFail`,
    # the AssertionError's stack starts at the program's `checkBalance`
    type_, message = printed_exception(crash_of("uncaught_assert", major).stderr)
    exc = triage_json("uncaught_assert", major)["crash"]["exception"]
    assert exc["type"] == "AssertionError" and type_.startswith("AssertionError")
    assert exc["message"].startswith("balance mismatch 100 != 99") and message.startswith(
        "balance mismatch 100 != 99")
    assert "at checkBalance (" in exc["stack"]


@pytest.mark.parametrize("major", MAJORS)
def test_a_stack_overflow_is_found_though_v8_holds_it_only_through_a_handle(major):
    exc = triage_json("uncaught_stack_overflow", major)["crash"]["exception"]
    assert (exc["type"], exc["message"]) == ("RangeError", "Maximum call stack size exceeded")
    assert exc["stack"].splitlines()[1].strip().startswith("at walk (")


@pytest.mark.parametrize("major", MAJORS)
def test_an_error_thrown_in_a_worker_is_shown_as_that_error_with_the_workers_stack(major):
    # dumps/scenarios/uncaught_in_worker.js: the main thread re-throws the Worker's TypeError
    exc = triage_json("uncaught_in_worker", major)["crash"]["exception"]
    assert (exc["type"], exc["message"]) == (
        "TypeError", "Cannot read properties of undefined (reading 'id')")
    first = exc["stack"].splitlines()[1].strip()
    assert first.startswith("at parseJob (") and "uncaught_in_worker.js:17:" in first
