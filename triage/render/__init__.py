"""Renderers: the redacted summary document as text, JSON or Markdown.

Renderers compute nothing. Every string they print came from the redacted
document and is escaped for the medium (terminal, Markdown) on the way out.
"""

from __future__ import annotations

from typing import Any

FORMATS = ("text", "json", "markdown")


def render(document: dict[str, Any], fmt: str, *, color: bool = False, width: int = 100) -> str:
    if fmt == "json":
        from triage.render.json_out import render_json

        return render_json(document)
    if fmt == "markdown":
        from triage.render.markdown import render_markdown

        return render_markdown(document)
    from triage.render.text import render_text

    return render_text(document, color=color, width=width)
