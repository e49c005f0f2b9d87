"""Worker entry point: `python -m triage.batch.child < spec.json`, one incident per process.

A process per incident means a dump that crashes lldb, loops or eats memory takes down
only its own worker: the runner kills it at its limit and records why, and the queue goes on.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from triage.batch.inbox import Incident, Upload
from triage.batch.incident import process_incident


def main() -> None:
    spec = json.loads(sys.stdin.read())
    incident = Incident(spec["id"], [_upload(u) for u in spec["uploads"]],
                        [_upload(u) for u in spec["duplicates"]])
    process_incident(incident.paths, Path(spec["out"]), incident=incident, root=Path(spec["root"]),
                     policy_path=Path(spec["policy"]) if spec.get("policy") else None,
                     node=Path(spec["node"]) if spec.get("node") else None, index=False,
                     limits=spec.get("limits"))


def _upload(data: dict) -> Upload:
    return Upload(Path(data["path"]), data["sha256"], data["size"], data.get("compression"),
                  data.get("pid"), data.get("host"), data.get("time"))


if __name__ == "__main__":
    main()
