"""What a batch run tells while it works: a progress bar for people, JSON lines for machines.

In a terminal (stderr is a TTY) a rich progress bar counts finished incidents and prints
each failure above it. Otherwise every event is one JSON object per line on stderr
(`{"ts", "event", ...}`), which log shippers ingest without parsing prose. Names of
uploads are other people's text: in the bar they are escaped (`escape_name`), in JSON they
are JSON strings.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.markup import escape

from triage.batch.index import now_iso
from triage.render.escape import escape_name


class Reporter:
    """`mode`: `auto` (bar in a TTY, else JSON), `bar`, `json` or `none`."""

    def __init__(self, mode: str = "auto"):
        if mode == "auto":
            mode = "bar" if sys.stderr.isatty() else "json"
        self.mode = mode
        self._progress = None
        self._task = None
        self._total = 0

    def __enter__(self) -> Reporter:
        if self.mode == "bar":
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(SpinnerColumn(), TextColumn("triage batch"), BarColumn(),
                                      MofNCompleteColumn(), TimeElapsedColumn(),
                                      TextColumn("{task.description}"),
                                      console=Console(stderr=True), transient=False)
            self._progress.start()
            self._task = self._progress.add_task("", total=0)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def event(self, name: str, **fields: Any) -> None:
        """Record one event: `queued`, `started`, `done`, `duplicate`, `skipped`, `end`, ..."""
        if self.mode == "json":
            line = json.dumps({"ts": now_iso(), "event": name, **fields}, default=str)
            sys.stderr.write(line + "\n")
            sys.stderr.flush()
            return
        if self._progress is None:
            return
        if name == "queued":
            self._total += 1
            self._progress.update(self._task, total=self._total)
        elif name == "done":
            self._progress.advance(self._task)
            if fields.get("status") != "ok":
                self._progress.console.print(f"[red]failed[/red] {fields.get('incident')}: "
                                             f"{_escape(fields.get('reason'))}", highlight=False)
        elif name == "refused":
            self._progress.console.print(f"[yellow]refused[/yellow] {_escape(fields.get('input'))}: "
                                         f"{_escape(fields.get('reason'))}", highlight=False)
        elif name == "started":
            names = ", ".join(escape_name(n) for n in fields.get("inputs", []))
            self._progress.update(self._task, description=escape(names[:60]))


def _escape(text: object) -> str:
    """Upload names and reasons are other people's text: no markup, no terminal controls."""
    return escape(escape_name(str(text)))
