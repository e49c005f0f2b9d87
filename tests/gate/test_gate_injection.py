"""Strings from a dump are data, never markup: a heap full of ANSI escapes, rich markup,
Markdown and HTML comes out inert in every format."""

from __future__ import annotations

import json
from functools import cache

import pytest

from dumps.crash import run_scenario
from tests.conftest import run_triage

MAJOR = 22  # escaping is format logic, independent of the Node version


@cache
def output(fmt: str) -> str:
    crash = run_scenario("injection", MAJOR)
    result = run_triage(crash.core, *crash.reports, *crash.snapshots, "--format", fmt)
    assert result.code == 0, result.stderr
    return result.stdout


def test_the_payloads_reach_the_outputs_at_all():
    """Guard: the hostile strings are really in the summary, so the claims below can fail."""
    text = output("text")
    assert "TERMINAL-HIJACK" in text and "RICH-MARKUP" in text and "HTML-INJECT" in text


def test_text_output_holds_no_control_characters():
    text = output("text")
    assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text


def test_rich_markup_in_a_heap_string_is_printed_literally():
    assert "[bold red]RICH-MARKUP[/bold red]" in output("text")


@pytest.mark.parametrize("fmt", ["markdown"])
def test_markdown_output_escapes_html_and_cannot_open_fences_or_headings(fmt):
    md = output(fmt)
    assert "<script>" not in md
    assert "&lt;script&gt;" in md
    lines = md.splitlines()
    assert not any(line.startswith("```") for line in lines)
    assert not any(line.startswith("# MARKDOWN-HEADING") for line in lines)
    assert "\x1b" not in md and "\u202e" not in md


def test_json_output_is_valid_and_ascii_with_escapes_encoded():
    raw = output("json")
    assert raw.isascii()
    doc = json.loads(raw)
    assert "\x1b" in doc["crash"]["message"]  # the data survives, encoded as \u001b
