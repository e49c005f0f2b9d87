"""Progress for long stages: a spinner on stderr, only in a TTY, only after one second.

Pipelines (no TTY) see nothing here; their structured logs come from batch mode.
An engineer at a terminal sees what triage is doing while a big core or snapshot loads,
and nothing at all for stages that finish within a second.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

DELAY_SECONDS = 1.0
_console = Console(stderr=True)


def enabled() -> bool:
    return sys.stderr.isatty()


@contextmanager
def stage(description: str) -> Iterator[None]:
    """Show `description` with a spinner if this block runs longer than a second."""
    if not enabled():
        yield
        return
    status = _console.status(description)
    timer = threading.Timer(DELAY_SECONDS, status.start)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        status.stop()
