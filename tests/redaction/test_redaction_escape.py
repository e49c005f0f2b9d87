"""Terminal, rich and Markdown escaping make dump strings inert."""

from __future__ import annotations

from rich.console import Console
from rich.text import Text

from triage.render.escape import escape_markdown, escape_rich, escape_terminal

EVIL = "a\x1b[2J\x1b]0;title\x07b\u202etxt.exe\x9bc\nd\r"


def test_terminal_escape_leaves_no_control_or_bidi_characters():
    out = escape_terminal(EVIL)
    assert all(ch.isprintable() for ch in out)
    assert "\\x1b[2J" in out and "\\u202e" in out and "\\x9b" in out and "\\n" in out


def test_terminal_escape_keeps_ordinary_text():
    assert escape_terminal("héllo wörld (anonymous) [x]") == "héllo wörld (anonymous) [x]"


def test_rich_escape_keeps_markup_literal():
    s = "[bold red]boom[/] [link=http://x]y[/link] \x1b[31m"
    console = Console(record=True, width=200, color_system=None)
    console.print(escape_rich(s))
    printed = console.export_text().rstrip("\n")
    assert printed == "[bold red]boom[/] [link=http://x]y[/link] \\x1b[31m"


def test_rich_escape_output_has_no_style_spans():
    assert Text.from_markup(escape_rich("[bold]x[/bold]")).spans == []


def test_markdown_escape_cannot_break_a_table_row_or_open_a_fence():
    out = escape_markdown("a | b\n```js\n# title")
    assert "\n" not in out and "```" not in out and "\\|" in out and "\\#" in out


def test_markdown_escape_makes_html_inert():
    out = escape_markdown('<img src=x onerror="alert(1)"> & <b>')
    assert "<" not in out and ">" not in out and "&lt;img" in out and "&amp; " in out


def test_markdown_escape_keeps_versions_and_paths_readable():
    assert escape_markdown("v20.20.2 at /srv/app-1/x.js:8:11") == "v20.20.2 at /srv/app-1/x.js:8:11"


def test_markdown_code_span_cannot_be_closed_by_backticks_inside():
    from triage.render.escape import markdown_code

    assert markdown_code("a ``` b") == "````a ``` b````"
    assert markdown_code("x|y", in_table=True) == "`x\\|y`"


def test_markdown_fence_cannot_be_closed_by_a_line_inside():
    from triage.render.escape import markdown_fence

    block = markdown_fence(["```", "# heading"])
    assert block[0] == "````text" and block[-1] == "````" and block[1] == "```"


def test_markdown_escape_neutralises_links_and_emphasis():
    from markdown_it import MarkdownIt

    out = escape_markdown("[click](javascript:alert(1)) *bold* _it_")
    inline = MarkdownIt("commonmark").parse(out)[1].children
    assert [t.type for t in inline] == ["text"]
    assert inline[0].content == "[click](javascript:alert(1)) *bold* _it_"
