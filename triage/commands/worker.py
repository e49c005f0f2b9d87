"""`triage worker --broker URL --out RESULTS`: pipeline mode on many machines (Celery + Redis)."""

from __future__ import annotations

import os
import shutil
import socket
import sys
from pathlib import Path

import click


@click.command()
@click.option("--broker", required=True, metavar="URL", help="Redis broker, e.g. redis://queue-host:6379/0.")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Shared results directory: one JSON per incident, index.jsonl, groups.json.")
@click.option("--concurrency", default=1, show_default=True, type=click.IntRange(1, 256),
              help="Incidents analysed at once by this worker, each in its own process.")
@click.option("--timeout", default=600.0, show_default=True, type=click.FloatRange(min=0, min_open=True),
              metavar="SECONDS", help="Per-incident time limit (a transient failure: retried, then failed).")
@click.option("--memory-limit", type=click.FloatRange(min=0), metavar="MB",
              help="Per-incident resident-memory limit, enforced like the time limit. Default (as batch): "
                   "half the RAM divided by --concurrency, at most 8192; 0: no limit.")
@click.option("--max-decompressed", type=click.FloatRange(min=0), metavar="MB",
              help="What one incident's gzip/zstd uploads may expand to (default 16384, as batch; "
                   "0: no cap).")
@click.option("--node", "node", type=click.Path(path_type=Path),
              help="The node binary for every core (default: the path recorded in each core).")
@click.option("--redact-policy", type=click.Path(path_type=Path), help="Policy file (docs/redaction.md).")
@click.option("--no-redact", is_flag=True, hidden=True)
@click.option("--max-attempts", default=3, show_default=True, type=click.IntRange(1, 20),
              help="Starts of one incident (retries and redeliveries after a lost worker) before it is "
                   "recorded failed.")
@click.option("--retry-backoff", default=30.0, show_default=True, type=click.FloatRange(min=0),
              metavar="SECONDS", help="Delay before the second attempt; doubles per attempt, at most 300 s.")
@click.option("--visibility-timeout", type=click.IntRange(min=1), metavar="SECONDS",
              help="Seconds before Redis hands an unacknowledged task (its worker lost) to another worker. "
                   "Default: --timeout + 420. Use the same value on every worker.")
@click.option("--hostname", metavar="NAME", help="Worker name in logs and results (default: triage@HOST).")
@click.option("--loglevel", default="INFO", show_default=True,
              type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"], case_sensitive=False))
def worker(broker: str, out: Path, concurrency: int, timeout: float, memory_limit: float | None,
           max_decompressed: float | None, node: Path | None, redact_policy: Path | None, no_redact: bool,
           max_attempts: int, retry_backoff: float, visibility_timeout: int | None, hostname: str | None,
           loglevel: str) -> None:
    """Take incident tasks from the broker and triage each into --out (docs/pipeline.md)."""
    from triage.batch.incident import DEFAULT_MAX_DECOMPRESSED_MB
    from triage.batch.runner import default_memory_limit_mb
    from triage.worker.app import make_app
    from triage.worker.app import visibility_timeout as default_visibility
    from triage.worker.results import WORK, check_writable
    from triage.worker.task import WorkerSettings

    if no_redact:
        raise click.UsageError("--no-redact is not allowed in pipeline mode: results are shared")
    if redact_policy is not None:
        from triage.redaction import Policy

        Policy.load(redact_policy)
    check_writable(out)
    hostname = (hostname or "triage@%h").replace("%h", socket.gethostname()).replace("/", "_")
    if memory_limit is None:
        memory_limit = default_memory_limit_mb(concurrency)
    settings = WorkerSettings(out=out.resolve(), timeout=timeout, memory_limit_mb=memory_limit or None,
                              max_decompressed_mb=DEFAULT_MAX_DECOMPRESSED_MB if max_decompressed is None
                              else max_decompressed or None,
                              policy_path=redact_policy.resolve() if redact_policy else None,
                              node=node.resolve() if node else None, max_attempts=max_attempts,
                              backoff_seconds=retry_backoff, hostname=hostname)
    visibility = visibility_timeout or default_visibility(timeout, settings.backoff_cap_seconds)
    app = make_app(broker, visibility)
    app.triage_settings = settings
    _check_broker(app, broker)
    _remove_own_stale_work(out / WORK, hostname)
    celery_worker = app.Worker(pool="threads", concurrency=concurrency, hostname=hostname,
                               loglevel=loglevel.upper(), without_gossip=True, without_mingle=True,
                               without_heartbeat=True, quiet=True)
    celery_worker.start()
    sys.exit(celery_worker.exitcode or 0)


def _check_broker(app, broker: str) -> None:
    """One line and exit 9 when the broker is unreachable, instead of retrying forever silently."""
    from triage.errors import OutputProblem

    try:
        with app.connection_for_read() as connection:
            connection.ensure_connection(max_retries=2, interval_start=0.5, interval_step=0.5)
    except Exception as e:  # noqa: BLE001 - kombu raises the transport's own errors
        raise OutputProblem(f"cannot reach the broker {_safe(broker)}: {e}") from None


def _safe(url: str) -> str:
    """The broker URL without a password."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def _remove_own_stale_work(work: Path, hostname: str) -> None:
    """Attempt directories a killed worker of this host left behind (its pid is gone)."""
    for entry in work.glob(f"{hostname}-*-*"):
        pid = entry.name[len(hostname) + 1:].split("-", 1)[0]
        if pid.isdigit() and not Path(f"/proc/{pid}").exists() and int(pid) != os.getpid():
            shutil.rmtree(entry, ignore_errors=True)
