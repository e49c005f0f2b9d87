"""The TOML policy file: adds names and patterns, allows values, fails loudly."""

from __future__ import annotations

import pytest

from triage.errors import ExitCode, InputUnreadable, InputUnrecognized
from triage.redaction import Policy, Redactor

GOOD = """
[names]
sensitive = ["customer_ref"]
allow = ["token_type"]

[[patterns]]
category = "ticket-id"
regex = "TICKET-[0-9]{6}"

[allow]
values = ['ops@example\\.com']

[detectors]
ip = false
"""


@pytest.fixture
def policy(tmp_path) -> Policy:
    path = tmp_path / "redact.toml"
    path.write_text(GOOD)
    return Policy.load(path)


def test_a_policy_name_makes_a_value_sensitive(policy):
    out = Redactor(policy).redact_text("ACME-1", source="property", name="customerRef")
    assert out.startswith("[REDACTED:sensitive-name:")


def test_an_allowed_name_is_no_longer_sensitive(policy):
    assert Redactor(policy).redact_text("Bearer", source="property", name="token_type") == "Bearer"


def test_a_policy_pattern_redacts_with_its_category(policy):
    out = Redactor(policy).redact_text("see TICKET-123456 now", source="message")
    assert out.startswith("see [REDACTED:ticket-id:") and out.endswith("] now")


def test_an_allowed_value_survives(policy):
    r = Redactor(policy)
    assert r.redact_text("mail ops@example.com", source="message") == "mail ops@example.com"
    assert "bob@example.com" not in r.redact_text("mail bob@example.com", source="message")


def test_ip_false_keeps_addresses(policy):
    assert Redactor(policy).redact_text("peer 10.0.0.7", source="report") == "peer 10.0.0.7"


def test_the_section_reports_the_file_name_and_counts(policy):
    _, section = Redactor(policy).redact_document({})
    assert section["policy"] == {"file": "redact.toml", "rules_added": 2, "allows_added": 2}


@pytest.mark.parametrize("text", [
    "not toml [",
    "[unknown]\nx = 1",
    "[names]\nsensitive = 'x'",
    "[[patterns]]\ncategory = 'x'\nregex = '('",
    "[[patterns]]\ncategory = 'x'\nregex = 'a*'",
    "[[patterns]]\ncategory = 'Bad Cat'\nregex = 'a'",
    "[detectors]\nip = 'no'",
    "[detectors]\ndisable = ['nope']",
])
def test_a_bad_policy_file_is_input_unrecognized_with_one_line(tmp_path, text):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(InputUnrecognized) as err:
        Policy.load(path)
    assert "\n" not in str(err.value) and err.value.code == ExitCode.INPUT_UNRECOGNIZED


def test_a_missing_policy_file_is_input_unreadable(tmp_path):
    with pytest.raises(InputUnreadable):
        Policy.load(tmp_path / "missing.toml")
