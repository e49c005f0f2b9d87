"""Escaping for output media: strings from a dump are data, never markup.

A crafted string in a heap (an error message, a Map key) must not be able to
move the cursor, recolour or clear the terminal, reorder text with bidi
controls, open rich markup, or break a Markdown table / open a code fence or
inject HTML in a ticket. Every renderer passes dump strings through one of
these functions.
"""

from __future__ import annotations

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


_MD_PUNCT = re.compile(r"([\\`*_{}\[\]()#+\-.!|~=:\"'$^])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_HTML_CHARS = re.compile(r"[&<>]")


def escape_markdown(s: str) -> str:
    """For Markdown (and the HTML it may carry): one inert line of text.
    Controls and newlines become visible escapes (a string cannot end a table
    row or start a fence), Markdown punctuation is backslash-escaped and
    `& < >` become entities."""
    s = escape_terminal(s)
    s = _MD_PUNCT.sub(r"\\\1", s)
    return _HTML_CHARS.sub(lambda m: _HTML[m.group()], s)
