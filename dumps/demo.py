"""The README's built-in example: make a real OOM crash, then triage it.

Runs dumps/scenarios/oom.js on the system node with a small heap limit and
--report-on-fatalerror, so the crash leaves a core and a diagnostic report,
and prints triage's summary of both (redacted, as always).
"""

from __future__ import annotations

import sys

from dumps.crash import run_scenario
from triage.cli import main as triage_main

DEMO_ENV = {"DATABASE_URL": "postgres://app:hunter2-demo-only@db.internal:5432/app",
            "API_TOKEN": "demo-token-0123456789abcdef"}


def main() -> None:
    crash = run_scenario("oom", 20, node_flags=("--max-old-space-size=24", "--report-on-fatalerror"),
                         env=DEMO_ENV)
    print(f"demo: Node 20 ran out of heap; core {crash.core}, report {crash.reports}", file=sys.stderr)
    triage_main([crash.core, *crash.reports, *sys.argv[1:]])


if __name__ == "__main__":
    main()
