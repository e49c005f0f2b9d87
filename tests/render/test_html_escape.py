"""escape_html: a dump string can neither open a tag, end an attribute nor reorder text."""

from __future__ import annotations

from triage.render.escape import escape_html


def test_markup_quotes_and_controls_become_inert_text():
    out = escape_html("<img src=x onerror=\"a()\">'\u202e\x1b[31m&")
    assert "<" not in out and ">" not in out and '"' not in out and "'" not in out
    assert "\u202e" not in out and "\x1b" not in out
    assert out == "&lt;img src=x onerror=&quot;a()&quot;&gt;&#x27;\\u202e\\x1b[31m&amp;"
