"""The redaction escape hatch and the policy file, through the real CLI on a real crash."""

from __future__ import annotations

from dumps.crash import run_scenario
from tests.conftest import run_triage
from tests.gate.canaries import ARGV_TOKEN, CANARIES, LOOKALIKES

MAJOR = 20


def canary_report() -> str:
    crash = run_scenario("canary", MAJOR, args=(f"--api-key={ARGV_TOKEN}",), env={**CANARIES, **LOOKALIKES})
    return crash.reports[0]


def test_no_redact_warns_loudly_and_marks_the_summary_as_unredacted():
    result = run_triage(canary_report(), "--no-redact", "--format", "json")
    assert result.code == 0
    assert "WARNING" in result.stderr and "Do not share" in result.stderr
    assert result.json["redaction"]["enabled"] is False
    assert CANARIES["CANARY_GITHUB"] in result.stdout  # the escape hatch really shows secrets


def test_a_policy_file_adds_a_sensitive_name(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text('[names]\nsensitive = ["lookalike_uuid"]\n')
    plain = run_triage(canary_report(), "--format", "json")
    strict = run_triage(canary_report(), "--format", "json", "--redact-policy", policy)
    assert LOOKALIKES["LOOKALIKE_UUID"] in plain.stdout
    assert LOOKALIKES["LOOKALIKE_UUID"] not in strict.stdout
    assert strict.json["redaction"]["policy"]["rules_added"] >= 1


def test_a_broken_policy_file_is_one_clear_line_with_exit_4(tmp_path):
    policy = tmp_path / "policy.toml"
    policy.write_text("[names\nsensitive = ")
    result = run_triage(canary_report(), "--redact-policy", policy)
    assert result.code == 4
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
