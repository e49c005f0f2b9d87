"""Strings from a dump are data, never markup: a heap full of ANSI escapes, rich markup,
Markdown and HTML comes out inert in every format."""

from __future__ import annotations

import json
from functools import cache

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


def _tokens(markdown: str) -> list:
    """Every token a CommonMark + GFM-tables parser makes of the output, children included."""
    from markdown_it import MarkdownIt

    out, todo = [], MarkdownIt("commonmark").enable("table").parse(markdown)
    while todo:
        token = todo.pop()
        out.append(token)
        todo.extend(token.children or [])
    return out


def test_markdown_payloads_parse_as_text_or_code_only():
    md = output("markdown")
    tokens = _tokens(md)
    assert not [t for t in tokens if t.type in ("html_inline", "html_block", "link_open", "image")]
    headings = [t for t in tokens if t.type == "inline" and "MARKDOWN-HEADING" in t.content]
    assert not [t for t in headings if tokens[tokens.index(t) + 1].type == "heading_close"]
    inert = [t for t in tokens if "HTML-INJECT" in t.content and t.type in ("text", "code_inline", "fence")]
    assert inert, "the HTML payload must still be visible, as text or code"


def test_markdown_stack_fences_are_ours_and_closed():
    md = output("markdown")
    fences = [t for t in _tokens(md) if t.type == "fence"]
    assert fences and all(t.info == "text" for t in fences)
    assert "\x1b" not in md and "\u202e" not in md


def test_json_output_is_valid_and_ascii_with_escapes_encoded():
    raw = output("json")
    assert raw.isascii()
    doc = json.loads(raw)
    assert "\x1b" in doc["crash"]["message"]  # the data survives, encoded as \u001b
