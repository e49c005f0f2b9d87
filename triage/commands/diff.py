"""`triage diff OLD NEW`: what grew between two heaps of one program."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from triage.commands.output import check_output, write_output
from triage.render import FORMATS, render


@click.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--node", "node", type=click.Path(path_type=Path),
              help="The node binary, when comparing cores.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write here instead of stdout.")
@click.option("--force", is_flag=True, help="Allow --output to replace an existing file.")
@click.option("--top", default=50, show_default=True, type=click.IntRange(min=1), help="Rows in the diff.")
def diff(old: Path, new: Path, node: Path | None, fmt: str, output: Path | None, force: bool,
         top: int) -> None:
    """Compare two heap snapshots or two cores of one program: what grew, by type."""
    from triage.pipeline import diff_heaps
    from triage.redaction import Redactor

    if output is not None:
        check_output(output, (old, new, node), force)
    document = diff_heaps(old, new, node, top)
    redacted, section = Redactor().redact_document(document)
    redacted["redaction"] = section
    color = output is None and fmt == "text" and sys.stdout.isatty()
    write_output(render(redacted, fmt, color=color), output)
