"""`triage capture PID`: core and report of a live process, then its summary."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from triage.commands.output import write_output
from triage.render import FORMATS, render


@click.command()
@click.argument("pid", type=int)
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Directory for the core, the report, binary.json and summary.json.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--no-report", is_flag=True, help="Do not ask the process for a diagnostic report.")
@click.option("--redact-policy", type=click.Path(path_type=Path), help="Policy file (docs/redaction.md).")
def capture(pid: int, out: Path, fmt: str, no_report: bool, redact_policy: Path | None) -> None:
    """Take a core (and a report) of a live Node process without stopping it, then triage it."""
    from triage.capture import capture_and_triage

    document = capture_and_triage(pid, out, want_report=not no_report, policy_path=redact_policy)
    write_output(render(document, fmt, color=fmt == "text" and sys.stdout.isatty()), None)
