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
import tempfile
import traceback
from pathlib import Path

import click

from triage import __version__
from triage.errors import ExitCode, OutputProblem, TriageError
from triage.render import FORMATS, render


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


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--node", "node", type=click.Path(path_type=Path),
              help="The node binary the core was made with (default: the path recorded in the core).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path),
              help="Write here instead of stdout (never overwrites an input; refuses existing files "
                   "unless --force).")
@click.option("--force", is_flag=True, help="Allow --output to replace an existing file.")
@click.option("--redact-policy", type=click.Path(path_type=Path),
              help="Policy file adding names/patterns to redact or allow (docs/redaction.md).")
@click.option("--no-redact", is_flag=True,
              help="Show secrets. Local use only: the output must not be shared.")
@click.option("--top", default=50, show_default=True, help="Histogram rows in the summary.")
@click.option("--instances", "instances", metavar="TYPE",
              help="List addresses of objects of this type (core heaps).")
@click.option("--limit", "instance_limit", default=20, show_default=True,
              help="How many --instances addresses to list.")
@click.option("--inspect", "inspect", metavar="ADDR", multiple=True,
              help="Inspect the object at this address (hex); repeatable.")
@click.option("--depth", "inspect_depth", default=1, show_default=True,
              help="How deep --inspect follows references.")
@click.option("--retainers", metavar="TYPE|ADDRESS",
              help="Explain why these objects are alive: retainer paths from GC roots.")
@click.option("--no-llnode", is_flag=True, help="Skip the llnode cross-check.")
@click.option("--no-heap-graph", is_flag=True,
              help="Skip building a core's reference graph (no suspects or retainers from a core; "
                   "saves memory on very large heaps).")
def analyze(paths: tuple[Path, ...], node: Path | None, fmt: str, output: Path | None, force: bool,
            redact_policy: Path | None, no_redact: bool, top: int, instances: str | None,
            instance_limit: int, inspect: tuple[str, ...], inspect_depth: int, retainers: str | None,
            no_llnode: bool, no_heap_graph: bool) -> None:
    """Analyse one crash incident and print its summary."""
    from triage.pipeline import Options
    from triage.pipeline import analyze as run_analysis
    from triage.redaction import Policy, Redactor
    from triage.summary import build_summary

    if output is not None:
        _check_output(output, paths, force)
    policy = Policy.load(redact_policy) if redact_policy else None
    options = Options(node=node, histogram_limit=top, instances=instances,
                      instance_limit=instance_limit, inspect=[_address(a) for a in inspect],
                      inspect_depth=inspect_depth, llnode_cross_check=not no_llnode,
                      retainers=retainers, core_graph=not no_heap_graph)
    findings = run_analysis(list(paths), options)
    findings.histogram = findings.histogram[:top]
    document = build_summary(findings)
    if no_redact:
        click.echo("WARNING: --no-redact: the output contains unredacted secrets from the dump. "
                   "Do not share it.", err=True)
        redactor = Redactor.disabled(policy)
    else:
        redactor = Redactor(policy)
    redacted, section = redactor.redact_document(document)
    redacted["redaction"] = section
    color = output is None and fmt == "text" and sys.stdout.isatty()
    text = render(redacted, fmt, color=color)
    _write(text, output)


@cli.command()
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option("--node", "node", type=click.Path(path_type=Path),
              help="The node binary, when comparing cores.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(path_type=Path), help="Write here instead of stdout.")
@click.option("--force", is_flag=True, help="Allow --output to replace an existing file.")
@click.option("--top", default=50, show_default=True, help="Rows in the diff.")
def diff(old: Path, new: Path, node: Path | None, fmt: str, output: Path | None, force: bool,
         top: int) -> None:
    """Compare two heap snapshots or two cores of one program: what grew, by type."""
    from triage.pipeline import diff_heaps
    from triage.redaction import Redactor

    if output is not None:
        _check_output(output, (old, new), force)
    document = diff_heaps(old, new, node, top)
    redacted, section = Redactor().redact_document(document)
    redacted["redaction"] = section
    _write(render(redacted, fmt, color=output is None and fmt == "text" and sys.stdout.isatty()), output)


@cli.command()
@click.argument("inbox", type=click.Path(path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Results directory: one JSON per incident, index.jsonl, groups.json.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 256),
              help="Incidents analysed at once, each in its own process.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Per-incident time limit; a worker past it is killed and the incident recorded as failed.")
@click.option("--memory-limit", type=click.FloatRange(min=0, min_open=True), metavar="MB",
              help="Per-incident resident-memory limit, enforced the same way.")
@click.option("--node", "node", type=click.Path(path_type=Path),
              help="The node binary for every core (default: the path recorded in each core).")
@click.option("--redact-policy", type=click.Path(path_type=Path), help="Policy file (docs/redaction.md).")
@click.option("--no-redact", is_flag=True, hidden=True)
@click.option("--watch", is_flag=True, help="Keep polling the inbox for new uploads.")
@click.option("--interval", default=2.0, show_default=True, metavar="SECONDS",
              help="Polling interval (--watch).")
@click.option("--max-idle", type=float, metavar="SECONDS",
              help="Stop --watch after this long with nothing to do.")
@click.option("--settle", default=None, type=float, metavar="SECONDS",
              help="Skip files modified this recently (still uploading). Default: 2 with --watch, else 0.")
@click.option("--retry-failed", is_flag=True,
              help="Process incidents whose earlier result is `failed` again.")
@click.option("--progress", type=click.Choice(["auto", "bar", "json", "none"]), default="auto",
              show_default=True, help="A progress bar in a terminal, JSON log lines on stderr otherwise.")
def batch(inbox: Path, out: Path, workers: int, timeout: float | None, memory_limit: float | None,
          node: Path | None, redact_policy: Path | None, no_redact: bool, watch: bool, interval: float,
          max_idle: float | None, settle: float | None, retry_failed: bool, progress: str) -> None:
    """Triage every incident in INBOX into --out (pipeline mode; docs/pipeline.md)."""
    from triage.batch import BatchOptions, run_batch

    if no_redact:
        raise click.UsageError("--no-redact is not allowed in pipeline mode: batch results are shared")
    if redact_policy is not None:
        from triage.redaction import Policy

        Policy.load(redact_policy)  # a bad policy fails once here, not once per incident
    if settle is None:
        settle = 2.0 if watch else 0.0
    options = BatchOptions(workers=workers, timeout=timeout, memory_limit_mb=memory_limit,
                           policy_path=redact_policy.resolve() if redact_policy else None,
                           node=node.resolve() if node else None, watch=watch, interval=interval,
                           max_idle=max_idle, settle_seconds=settle, retry_failed=retry_failed,
                           progress=progress)
    report = run_batch(inbox, out, options)
    click.echo(report.line())
    if report.exit_code:
        sys.exit(int(report.exit_code))


@cli.command()
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
    _write(render(document, fmt, color=fmt == "text" and sys.stdout.isatty()), None)


def _address(text: str) -> int:
    try:
        return int(text, 16)
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a hex address", param_hint="--inspect") from None


def _check_output(output: Path, inputs: tuple[Path, ...], force: bool) -> None:
    target = output.resolve()
    for path in inputs:
        if path.exists() and path.resolve() == target:
            raise OutputProblem(f"--output {output} is one of the inputs; refusing to overwrite it")
    if target.exists() and not force:
        raise OutputProblem(f"--output {output} already exists; pass --force to replace it")
    if not target.parent.is_dir():
        raise OutputProblem(f"--output {output}: directory {target.parent} does not exist")


def _write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:  # write then rename: a crash mid-write never leaves a half-written file
        fd, tmp = tempfile.mkstemp(dir=output.resolve().parent, prefix=f".{output.name}.")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, output)
    except OSError as e:
        raise OutputProblem(f"cannot write {output}: {e.strerror}") from e


def main(argv: list[str] | None = None) -> None:
    """Console entry point: run the CLI and turn every failure into one line."""
    try:
        cli.main(args=argv, prog_name="triage", standalone_mode=False)
    except TriageError as e:
        click.echo(f"triage: {e}", err=True)
        sys.exit(int(e.code))
    except click.exceptions.Abort:
        click.echo("triage: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as e:
        click.echo(f"triage: {e.format_message()}", err=True)
        sys.exit(int(ExitCode.USAGE))
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as e:  # a bug: one line, never a traceback, unless asked
        if os.environ.get("TRIAGE_DEBUG"):
            traceback.print_exc()
        click.echo(f"triage: internal error ({type(e).__name__}: {e}); "
                   "rerun with TRIAGE_DEBUG=1 and report it", err=True)
        sys.exit(int(ExitCode.INTERNAL))
    sys.exit(0)
