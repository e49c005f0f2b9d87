"""Escaping for output media: strings from a dump are data, never markup.

A crafted string in a heap (an error message, a Map key) must not be able to
move the cursor, recolour or clear the terminal, reorder text with bidi
controls, open rich markup, or break a Markdown table / open a code fence or
inject HTML in a ticket. Every renderer passes dump strings through one of
these functions.
"""

from __future__ import annotations

import html
import os
import re

from rich.markup import escape as _rich_escape

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}

# C0 controls, DEL, C1 controls; bidi embeddings/overrides/isolates and marks;
# zero-width characters and the Unicode line/paragraph separators.
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]"
)


def _visible(m: re.Match[str]) -> str:
    ch = m.group()
    named = _NAMED.get(ch)
    if named:
        return named
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


#: longest string a renderer prints whole; a crafted 10 MB property name made rich lay out a
#: table for minutes. JSON keeps full strings (machines read it; it is linear to write).
MAX_SHOWN = 2000


def clip(s: str, limit: int = MAX_SHOWN) -> str:
    """`s`, or its first `limit` characters, an ellipsis and its length (`… [10,485,760 chars]`)."""
    if len(s) <= limit:
        return s
    return f"{s[:limit]}… [{len(s):,} chars]"


def escape_terminal(s: str) -> str:
    """Control characters (ANSI escape sequences start with one) and bidi or
    invisible formatting characters become visible `\\x1b` / `\\u202e` text."""
    return _CONTROL.sub(_visible, s)


def escape_rich(s: str) -> str:
    """For rich markup strings: controls made visible, `[...]` made literal."""
    return _rich_escape(escape_terminal(s))


# Punctuation that can start markup inside a line (emphasis, code, links, HTML, tables,
# strikethrough, headings, math). Line-start syntax cannot occur: a value never starts a line
# (newlines become visible `\\n`). `.`, `-`, `:` stay as they are, so `v20.20.2` reads as is.
_MD_PUNCT = re.compile(r"([\\`*_\[\]#|~$])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_HTML_CHARS = re.compile(r"[&<>]")
_BACKTICKS = re.compile(r"`+")


def escape_markdown(s: str) -> str:
    """For Markdown prose: one inert line of text. Controls and newlines become visible
    escapes (a string cannot end a table row or start a fence), markup punctuation is
    backslash-escaped and `& < >` become entities (no HTML)."""
    s = escape_terminal(s)
    s = _MD_PUNCT.sub(r"\\\1", s)
    return _HTML_CHARS.sub(lambda m: _HTML[m.group()], s)


def markdown_code(s: str, *, in_table: bool = False) -> str:
    """A dump string as an inline code span: shown exactly (no entities, no backslashes),
    inert (code is never markup or HTML). The delimiter is longer than any run of backticks
    inside; in a table cell `|` is escaped, which GFM resolves before the code span."""
    s = escape_terminal(s)
    longest = max((len(m) for m in _BACKTICKS.findall(s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or s.startswith(" ") and s.endswith(" ") else ""
    span = f"{fence}{pad}{s}{pad}{fence}"
    return span.replace("|", "\\|") if in_table else span


def markdown_fence(lines: list[str], info: str = "text") -> list[str]:
    """Lines of dump text (stacks) as a fenced code block that no line can close early."""
    body = [escape_terminal(line) for line in lines]
    longest = max((len(m) for line in body for m in _BACKTICKS.findall(line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{info}", *body, fence]


_SURROGATE = re.compile("[\ud800-\udfff]")


def _undecodable(m: re.Match[str]) -> str:
    code = ord(m.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def escape_name(name: object) -> str:
    """A file name (or any path-like) as one visible, printable line.

    Names come from uploads and directories other people control: a name with ESC,
    newlines or bidi controls must not rewrite a terminal or forge a log line, and a
    name that is not UTF-8 (surrogate-escaped by `os.fsdecode`) must not crash a
    print. Idempotent on its own output, so escaping twice is harmless."""
    text = os.fsdecode(name) if isinstance(name, (bytes, os.PathLike)) else str(name)
    return escape_terminal(_SURROGATE.sub(_undecodable, text))


def escape_html(s: str) -> str:
    """For HTML text and attribute values (also inside inline SVG): controls and bidi or
    invisible characters made visible, then `& < > " '` as entities, so a dump string can
    never open a tag, end an attribute or reorder the page's text."""
    return html.escape(escape_terminal(s), quote=True)
