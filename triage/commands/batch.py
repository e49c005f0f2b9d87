"""`triage batch INBOX --out RESULTS`: pipeline mode on one machine."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command()
@click.argument("inbox", type=click.Path(path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Results directory: one JSON per incident, index.jsonl, groups.json.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 256),
              help="Incidents analysed at once, each in its own process.")
@click.option("--timeout", type=click.FloatRange(min=0, min_open=True), metavar="SECONDS",
              help="Per-incident time limit; a worker past it is killed and the incident recorded as failed.")
@click.option("--memory-limit", type=click.FloatRange(min=0), metavar="MB",
              help="Per-incident resident-memory limit, enforced the same way. Default: half the RAM "
                   "divided by --workers, at most 8192; 0: no limit.")
@click.option("--max-decompressed", type=click.FloatRange(min=0), metavar="MB",
              help="What one incident's gzip/zstd uploads may expand to on the results disk "
                   "(default 16384; 0: no cap).")
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
          max_decompressed: float | None,
          node: Path | None, redact_policy: Path | None, no_redact: bool, watch: bool, interval: float,
          max_idle: float | None, settle: float | None, retry_failed: bool, progress: str) -> None:
    """Triage every incident in INBOX into --out (pipeline mode; docs/pipeline.md)."""
    from triage.batch import BatchOptions, run_batch
    from triage.batch.incident import DEFAULT_MAX_DECOMPRESSED_MB
    from triage.batch.runner import DEFAULT_LIMIT

    if no_redact:
        raise click.UsageError("--no-redact is not allowed in pipeline mode: batch results are shared")
    if redact_policy is not None:
        from triage.redaction import Policy

        Policy.load(redact_policy)  # a bad policy fails once here, not once per incident
    if settle is None:
        settle = 2.0 if watch else 0.0
    options = BatchOptions(workers=workers, timeout=timeout,
                           memory_limit_mb=DEFAULT_LIMIT if memory_limit is None else memory_limit,
                           max_decompressed_mb=DEFAULT_MAX_DECOMPRESSED_MB if max_decompressed is None
                           else max_decompressed,
                           policy_path=redact_policy.resolve() if redact_policy else None,
                           node=node.resolve() if node else None, watch=watch, interval=interval,
                           max_idle=max_idle, settle_seconds=settle, retry_failed=retry_failed,
                           progress=progress)
    report = run_batch(inbox, out, options)
    click.echo(report.line())
    if report.exit_code:
        sys.exit(int(report.exit_code))
