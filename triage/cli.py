"""The `triage` command line.

`triage PATH... [options]` analyses one incident (any mix of core, report,
snapshot, or a directory holding them) and prints the summary. Every failure
a user can cause ends in one line on stderr and a documented exit code
(docs/exit-codes.md); a bug ends in one line and exit 70 (TRIAGE_DEBUG=1 shows
the traceback).
"""

from __future__ import annotations

import os
import sys
import traceback

import click

from triage import __version__
from triage.commands import (
    analyze,
    batch,
    capture,
    diff,
    export_snapshot,
    query,
    render,
    shell,
    submit,
    worker,
)
from triage.errors import ExitCode, TriageError
from triage.render.escape import escape_terminal


class _DefaultToAnalyze(click.Group):
    """`triage core.1234` means `triage analyze core.1234`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        first = next((a for a in args if not a.startswith("-")), None)
        if args and first is not None and first not in self.commands and "--help" not in args[:1]:
            args = ["analyze", *args]
        elif args and first is None and args[0] not in ("--help", "--version"):
            args = ["analyze", *args]
        return super().parse_args(ctx, args)


@click.group(cls=_DefaultToAnalyze, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="triage")
def cli() -> None:
    """Postmortem triage of crashed Node.js processes.

    \b
    triage core.1234 --node /usr/bin/node
    triage report.json Heap.heapsnapshot core.1234
    triage crash-dir/ --format json --output summary.json
    """


for _command in (analyze.analyze, diff.diff, render.render_command, batch.batch, capture.capture,
                 shell.shell, *query.QUERIES, worker.worker, submit.submit,
                 export_snapshot.export_snapshot):
    cli.add_command(_command)


def _error_line(message: str) -> None:
    """One line on stderr. Messages carry file names and text from the input, which may hold
    ESC sequences or newlines: they are shown escaped (`\\x1b`, `\\n`), never interpreted."""
    click.echo(f"triage: {escape_terminal(message)}", err=True)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the CLI and turn every failure into one line."""
    try:
        cli.main(args=argv, prog_name="triage", standalone_mode=False)
    except TriageError as e:
        _error_line(str(e))
        sys.exit(int(e.code))
    except click.exceptions.Abort:
        _error_line("interrupted")
        sys.exit(130)
    except click.ClickException as e:
        _error_line(e.format_message())
        sys.exit(int(ExitCode.USAGE))
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as e:  # a bug: one line, never a traceback, unless asked
        if os.environ.get("TRIAGE_DEBUG"):
            traceback.print_exc()
        _error_line(f"internal error ({type(e).__name__}: {e}); "
                    "rerun with TRIAGE_DEBUG=1 and report it")
        sys.exit(int(ExitCode.INTERNAL))
    sys.exit(0)
