"""`triage shell` and the single-answer queries: one load, answers only, always redacted."""

from __future__ import annotations

import re

from dumps.crash import run_scenario
from tests.conftest import run_triage
from tests.core.conftest import crash_of
from tests.gate.canaries import ARGV_TOKEN, CANARIES, LOOKALIKES


def _canary_core() -> str:
    crash = run_scenario("canary", 20, args=(f"--api-key={ARGV_TOKEN}",), env={**CANARIES, **LOOKALIKES})
    return str(crash.core_path)


def test_shell_answers_many_queries_from_one_load():
    core = crash_of("abort", 20).core_path
    r = run_triage("shell", core, "-c", "threads", "-c", "bt", "-c", "histogram 3",
                   "-c", "instances Object 2", "-c", "find abortNow 2")
    assert r.code == 0, r.stderr
    assert "4 × V8 platform worker" in r.stdout  # idle threads with one stack are grouped
    assert "node::Abort(v8::FunctionCallbackInfo<v8::Value> const&)" in r.stdout
    # JS stack of the crashed thread, in full: `abortNow(this=..., arg0=...) (abort.js:6:11) fn=...`
    assert "abortNow(this=" in r.stdout and "<exit>" in r.stdout
    assert "Strings containing" in r.stdout and "(string)" in r.stdout
    assert re.search(r"Instances of Object \(2 of \d+ listed\)", r.stdout)  # 2 of the heap's total
    assert "CRASH" not in r.stdout  # answers only, never the whole page


def test_shell_answers_are_redacted_with_one_key():
    core = _canary_core()
    password = CANARIES["CANARY_PASSWORD"]
    r = run_triage("shell", core, "-c", f"find {password[:12]} 5", "-c", f"find {password[:12]} 5",
                   "-c", "retainers Vault", "-c", "bt")
    assert r.code == 0, r.stderr
    for secret in (*CANARIES.values(), ARGV_TOKEN):
        assert secret not in r.stdout
    found = [line for line in r.stdout.splitlines() if "REDACTED" in line and "(string)" in line]
    assert found, r.stdout
    half = len(found) // 2
    assert found[:half] == found[half:2 * half]  # the same secret gets the same tag in one session


def test_inspect_prints_only_the_object():
    core = crash_of("abort", 20).core_path
    listed = run_triage("shell", core, "-c", "instances Object 1")
    address = listed.stdout.split()[-1]
    r = run_triage("inspect", core, address)
    assert r.code == 0, r.stderr
    untagged = f"0x{int(address, 16) & ~1:x}"
    assert r.stdout.lstrip().startswith(f"Object {untagged}")
    assert "JavaScript stack" not in r.stdout and "Heap by type" not in r.stdout


def test_a_bad_query_is_one_line_and_exit_2():
    core = crash_of("abort", 20).core_path
    r = run_triage("shell", core, "-c", "inspect nothex")
    assert r.code == 2
    assert r.stderr.strip().count("\n") == 0 and "not a hex address" in r.stderr
