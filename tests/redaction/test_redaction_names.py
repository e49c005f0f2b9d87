"""Sensitive names: the whole value goes, whatever it looks like."""

from __future__ import annotations

import pytest

from triage.redaction import Redactor, split_name


@pytest.mark.parametrize("name", [
    "password", "DB_PASSWORD", "passwd", "PGPASSWORD_x", "secret", "CLIENT_SECRET", "token",
    "sessionToken", "x-api-key", "apiKey", "API_KEY", "apikey", "auth", "Authorization",
    "proxy-authorization", "credentials", "private_key", "session", "sessionid", "sid",
    "connect.sid", "cookie", "Set-Cookie", "jwt", "bearer", "AWS_ACCESS_KEY_ID",
    "aws_secret_access_key", "client_secret", "signature", "GITHUB_TOKEN", "NPM_TOKEN",
])
def test_a_sensitive_name_replaces_the_whole_value(name):
    out = Redactor().redact_text("plain words 123", source="env", name=name)
    assert out.startswith("[REDACTED:") and "plain" not in out


@pytest.mark.parametrize("name", [
    "authorName", "tokenizer", "bypass", "passenger", "HOME", "PATH", "NODE_ENV", "PWD",
    "keyboard", "tokenizerName",
])
def test_an_ordinary_name_keeps_an_ordinary_value(name):
    assert Redactor().redact_text("plain words 123", source="env", name=name) == "plain words 123"


def test_names_are_split_into_word_parts():
    assert split_name("sessionToken") == ("session", "token")
    assert split_name("X-API-Key") == ("x", "api", "key")
    assert split_name("DB_PASSWORD") == ("db", "password")
    assert split_name("HTTPServerURL") == ("http", "server", "url")


def test_a_value_under_a_sensitive_name_gets_a_format_category_when_it_has_one():
    out = Redactor().redact_text("AKIAIOSFODNN7EXAMPLE", source="env", name="AWS_ACCESS_KEY_ID")
    assert out.startswith("[REDACTED:aws-access-key-id:")


def test_password_names_report_the_password_category():
    assert Redactor().redact_text("hunter2", source="env", name="DB_PASS").startswith(
        "[REDACTED:password:")


def test_a_weak_name_redacts_only_high_entropy_values():
    r = Redactor()
    assert r.redact_text("userId", source="property", name="key") == "userId"
    assert r.redact_text("q8Zt1LmX0vB7nR4kP2sW9yC6dF3hJ5gA", source="property",
                         name="key").startswith("[REDACTED:high-entropy:")


def test_a_phone_name_makes_a_plain_number_a_phone():
    out = Redactor().redact_text("555-123-4567", source="property", name="mobilePhone")
    assert out.startswith("[REDACTED:phone:")


def test_in_text_assignments_to_sensitive_names_are_redacted():
    out = Redactor().redact_text("host=db user=app password=hunter2 port=5432", source="message")
    assert "hunter2" not in out and "host=db" in out and "port=5432" in out


def test_an_empty_value_under_a_sensitive_name_stays_empty():
    assert Redactor().redact_text("", source="env", name="TOKEN") == ""


def test_a_sensitive_value_that_looks_like_a_scheme_word_is_still_replaced():
    r = Redactor()
    assert r.redact_text("token", source="env", name="PASSWORD").startswith("[REDACTED:password:")
    assert r.redact_text(" ;: ", source="env", name="SECRET").startswith("[REDACTED:")
