"""`triage submit PATH... --broker URL`: queue one task per incident, grouped as `triage batch` groups."""

from __future__ import annotations

import os
from pathlib import Path

import click


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--broker", required=True, metavar="URL", help="Redis broker, e.g. redis://queue-host:6379/0.")
@click.option("--out", "out", type=click.Path(path_type=Path),
              help="The workers' results directory: incidents that already have a result are not queued.")
def submit(paths: tuple[Path, ...], broker: str, out: Path | None) -> None:
    """Queue the incidents in PATH... for `triage worker` (docs/pipeline.md).

    A directory is scanned like a `triage batch` inbox (a subdirectory is one incident,
    loose files are grouped by process); files named directly are grouped by process
    together. Paths are sent as the workers must see them: on shared storage, mounted at
    the same path on every machine.
    """
    from triage.batch.inbox import Inbox, Incident, describe, group_by_process, make_incident
    from triage.errors import InputUnreadable
    from triage.worker.payload import Payload

    jobs: list[tuple[Incident, Path]] = []
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            root = path.resolve()
            jobs += [(incident, root) for incident in Inbox(root).scan()]
        elif path.is_file():
            files.append(path.resolve())
        else:
            raise InputUnreadable(f"{path}: no such file or directory")
    if files:
        root = Path(os.path.commonpath([f.parent for f in files]))
        jobs += [(make_incident(group), root) for group in group_by_process([describe(f) for f in files])]
    payloads = []
    for incident, root in jobs:
        if out is not None and (out / f"{incident.id}.json").exists():
            continue
        names = sorted(str(u.path.relative_to(root)) for u in incident.uploads + incident.duplicates)
        payloads.append(Payload(str(root), names, incident.id))
    _send(broker, payloads)
    for payload in payloads:
        click.echo(f"{payload.incident}  {', '.join(payload.files)}")
    skipped = len(jobs) - len(payloads)
    click.echo(f"triage submit: {len(payloads)} incident{'s' if len(payloads) != 1 else ''} queued"
               + (f", {skipped} already with a result" if skipped else ""), err=True)


def _send(broker: str, payloads: list) -> None:
    from triage.commands.worker import _safe
    from triage.errors import OutputProblem
    from triage.worker.app import make_app
    from triage.worker.payload import QUEUE, TASK_NAME

    if not payloads:
        return
    app = make_app(broker)
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=2, interval_start=0.5, interval_step=0.5)
            for payload in payloads:
                app.send_task(TASK_NAME, args=[payload.to_json()], queue=QUEUE, task_id=payload.incident,
                              connection=connection, retry=True,
                              retry_policy={"max_retries": 3, "interval_start": 0.5})
    except Exception as e:  # noqa: BLE001 - kombu raises the transport's own errors
        raise OutputProblem(f"cannot queue on the broker {_safe(broker)}: {e}") from None
