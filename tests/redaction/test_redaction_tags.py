"""Placeholders: keyed tags, stable within one Redactor, nothing of the secret kept."""

from __future__ import annotations

import pickle
import re

import pytest

from triage.redaction import PLACEHOLDER, Redactor

TOKEN = "ghp_" + "Ab3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0eF3hJ6"
PLACE = re.compile(r"\[REDACTED:([a-z0-9-]+):([0-9a-f]{8})\]")


def _tags(text: str) -> list[str]:
    return [m.group(2) for m in PLACE.finditer(text)]


def test_a_secret_becomes_a_placeholder_with_category_and_8_hex_tag():
    out = Redactor().redact_text(TOKEN, source="heap_string")
    assert PLACEHOLDER.fullmatch(out)
    assert PLACE.fullmatch(out).group(1) == "github-token"


def test_the_same_secret_gets_the_same_tag_everywhere_in_one_redactor():
    r = Redactor()
    a = r.redact_text(f"env {TOKEN}", source="env")
    b = r.redact_text(f"Authorization: token {TOKEN}", source="heap_string")
    assert _tags(a) == _tags(b)


def test_different_secrets_get_different_tags():
    r = Redactor()
    other = TOKEN[:-1] + "X"
    assert _tags(r.redact_text(TOKEN, source="x")) != _tags(r.redact_text(other, source="x"))


def test_two_redactors_give_the_same_secret_different_tags():
    assert _tags(Redactor().redact_text(TOKEN, source="x")) != _tags(
        Redactor().redact_text(TOKEN, source="x"))


def test_a_given_key_makes_tags_reproducible():
    key = b"k" * 32
    assert Redactor(key=key).redact_text(TOKEN, source="x") == Redactor(key=key).redact_text(
        TOKEN, source="x")


@pytest.mark.parametrize("secret", [
    TOKEN, "AKIAIOSFODNN7EXAMPLE", "4111 1111 1111 1111", "john.doe@example.com",
    "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
])
def test_no_prefix_or_suffix_of_the_secret_survives(secret):
    out = Redactor().redact_text(f"value: {secret} end", source="heap_string")
    assert out.startswith("value: [REDACTED:") and out.endswith("] end")
    for k in range(4, len(secret)):
        assert secret[:k] not in out and secret[-k:] not in out


def test_the_key_appears_in_no_output_or_repr():
    key = bytes(range(32))
    r = Redactor(key=key)
    out, section = r.redact_document({"token": TOKEN})
    blob = repr(out) + repr(section) + repr(r) + repr(r.stats)
    assert key.hex() not in blob and repr(key) not in blob


def test_a_redactor_cannot_be_pickled():
    with pytest.raises(TypeError):
        pickle.dumps(Redactor())


def test_a_short_key_is_refused():
    with pytest.raises(ValueError):
        Redactor(key=b"short")


def test_a_second_pass_leaves_the_first_pass_placeholders_alone():
    """Re-rendering a stored result redacts it again: that must change nothing already redacted."""
    from triage.redaction import Redactor

    first, _ = Redactor().redact_document({"env": {"DATABASE_URL": "postgres://app:hunter2@db.example/app"}})
    second, section = Redactor().redact_document(first)
    assert second == first
    assert section["total"] == 0
