"""Single claims about value detectors and look-alikes."""

from __future__ import annotations

import pytest

from triage.redaction import Redactor


def _red(text: str) -> str:
    return Redactor().redact_text(text, source="heap_string")


def _cats(text: str) -> list[str]:
    return [c for _, _, c in Redactor().scanner.find(text)]


@pytest.mark.parametrize("text", [
    "550e8400-e29b-41d4-a716-446655440000", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
    "/usr/lib/node_modules/npm/bin/npm-cli.js", "processTicksAndRejections", "(anonymous)",
    "node:internal/timers", "0x00007ffd5f3c2a10", "v20.20.2", "1.2.3-rc.1", "2024-02-29T12:00:00Z",
    "11.3.244.8-node.16", "127.0.0.1", "0.0.0.0", "::1",
])
def test_known_harmless_look_alikes_survive(text):
    assert _red(text) == text


def test_a_truncated_pem_key_is_redacted_from_its_begin_line():
    text = "k = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA1x2y3z"
    out = _red(text)
    assert out.startswith("k = '[REDACTED:private-key:") and out.endswith("]")


def test_a_pem_key_inside_a_json_string_is_redacted_whole():
    text = '{"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBg\\n-----END PRIVATE KEY-----\\n"}'
    out = _red(text)
    assert "MIIE" not in out and "END PRIVATE" not in out


def test_a_jwt_needs_a_json_header_with_alg():
    assert _cats("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_abc-123") == ["jwt"]
    assert _cats("eyJub3RhbGciOjF9.eyJzdWIiOiIxIn0.sig_abc-123") == []


def test_a_card_number_must_pass_luhn():
    assert _cats("4111 1111 1111 1111") == ["card-number"]
    assert _cats("4111 1111 1111 1112") == []


def test_an_iban_must_pass_mod_97():
    assert _cats("GB82 WEST 1234 5698 7654 32") == ["iban"]
    assert _cats("GB83 WEST 1234 5698 7654 32") == []


def test_url_userinfo_is_redacted_but_scheme_and_host_stay():
    out = _red("postgres://app:s3cr3t@db.internal:5432/orders")
    assert out.startswith("postgres://[REDACTED:url-credentials:")
    assert out.endswith("]@db.internal:5432/orders") and "s3cr3t" not in out


def test_bearer_keeps_the_scheme_word_and_hides_the_token():
    out = _red("Bearer abcDEF123456789xyz")
    assert out.startswith("Bearer [REDACTED:bearer-token:")


def test_a_phone_number_without_plus_or_context_is_not_a_phone():
    assert _cats("order 4155552671 shipped") == []


def test_an_e164_phone_number_is_a_phone():
    assert _cats("call +14155552671 now") == ["phone"]


def test_ip_detection_can_be_switched_off_by_policy():
    from triage.redaction import Policy

    r = Redactor(Policy(ip=False))
    assert r.redact_text("peer 10.1.2.3 fe80::1:2:3 aa:bb:cc:dd:ee:ff", source="x") == \
        "peer 10.1.2.3 fe80::1:2:3 aa:bb:cc:dd:ee:ff"


def test_a_version_named_value_is_not_an_ip():
    assert Redactor().redact_text("11.3.244.8", source="process", name="v8_version") == "11.3.244.8"


def test_high_entropy_without_a_sensitive_context_survives():
    assert _red("q8Zt1LmX0vB7nR4kP2sW9yC6dF3hJ5gA") == "q8Zt1LmX0vB7nR4kP2sW9yC6dF3hJ5gA"


def test_high_entropy_after_a_key_prefix_is_redacted():
    assert _cats("key=q8Zt1LmX0vB7nR4kP2sW9yC6dF3hJ5gA") == ["high-entropy"]


def test_a_placeholder_is_not_redacted_again():
    r = Redactor()
    once = r.redact_text("mail bob@example.com", source="x")
    assert r.redact_text(once, source="x") == once


def test_batch_redaction_equals_one_by_one():
    from tests.redaction.corpus import corpus

    positives, negatives = corpus(seed=7, per_category=20)
    texts = [s.text for s in positives + negatives]
    key = b"b" * 32
    assert Redactor(key=key).redact_strings(texts, source="heap_string") == [
        Redactor(key=key).redact_text(t, source="heap_string") for t in texts]
