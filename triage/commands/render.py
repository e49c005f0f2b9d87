"""`triage render RESULT.json`: a stored summary, diff or batch result as text again.

Pipelines keep the JSON and make ticket text later. The document is checked against the
shipped schema and passes redaction again before the renderer sees it.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import click

from triage.commands.output import check_output, write_output
from triage.render import FORMATS, render


@click.command(name="render")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write here instead of stdout.")
@click.option("--force", is_flag=True, help="Allow --output to replace an existing file.")
def render_command(path: Path, fmt: str, output: Path | None, force: bool) -> None:
    """Render a stored summary, diff or batch result (JSON) as text, Markdown, JSON or HTML."""
    if output is not None:
        check_output(output, (path,), force)
    text = render_stored(path, fmt, color=output is None and fmt == "text" and sys.stdout.isatty())
    write_output(text, output)


def render_stored(path: Path, fmt: str, *, color: bool = False) -> str:
    """The stored document at `path`, redacted again, in `fmt`."""
    from triage.redaction import Redactor
    from triage.stored import load_stored

    document = load_stored(path)
    stored_section = document.pop("redaction", None)  # ours: counts, not dump data
    redacted, section = Redactor().redact_document(document)
    redacted["redaction"] = _keep_first_pass(stored_section, section)
    return render(redacted, fmt, color=color)


_CATEGORY = re.compile(r"[a-z0-9-]{1,40}\Z")


def _keep_first_pass(stored: Any, second: dict[str, Any]) -> dict[str, Any]:
    """The counts of the run that made the document are the informative ones (plus anything
    this pass found); a document made with --no-redact reports this pass only. Only counts
    under category names are kept from the file: it is input like any other."""
    if not (isinstance(stored, dict) and stored.get("enabled") is True):
        return second
    counts: dict[str, int] = {}
    for table in (stored.get("counts_by_category"), second.get("counts_by_category")):
        for name, n in (table or {}).items() if isinstance(table, dict) else ():
            if isinstance(name, str) and _CATEGORY.match(name) and isinstance(n, int) and n >= 0:
                counts[name] = counts.get(name, 0) + n
    return {**second, "counts_by_category": counts, "total": sum(counts.values())}
