"""Renderers: the redacted summary document as text, JSON, Markdown or one HTML page.

Renderers compute nothing. Every string they print came from the redacted
document and is escaped for the medium (terminal, Markdown) on the way out.
"""

from __future__ import annotations

from typing import Any

FORMATS = ("text", "json", "markdown", "html")


def render(document: dict[str, Any], fmt: str, *, color: bool = False, width: int | None = None) -> str:
    """`document` (already redacted) in `fmt`. Text for a terminal (`color`) fits the
    terminal's width; text for a file or a pipe is never wrapped (`width` overrides both),
    so a long path or frame stays on one line for grep and for tickets."""
    if fmt == "json":
        from triage.render.json_out import render_json

        return render_json(document)
    if fmt == "markdown":
        from triage.render.markdown import render_markdown

        return render_markdown(document)
    if fmt == "html":
        from triage.render.html import render_html

        return render_html(document)
    from triage.render.text import render_text

    if width is None:
        width = _terminal_width() if color else UNWRAPPED
    return render_text(document, color=color, width=width)


UNWRAPPED = 100_000  # wide enough that no line of a summary wraps


def _terminal_width() -> int:
    import shutil

    return max(80, shutil.get_terminal_size((100, 24)).columns)
