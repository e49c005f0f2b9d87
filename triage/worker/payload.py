"""The task message: its name, queue and JSON payload, the contract with producers in any language.

A task is Celery message protocol 2 with the JSON serializer: task name `triage.incident`,
queue `triage`, args `[payload]`, no kwargs. The payload (docs/pipeline.md):

    {"version": 1, "incident": "<16 hex, optional>", "root": "/shared/inbox",
     "files": ["core.4242", "report.20261201.101500.4242.0.001.json"]}

`files` are relative to `root`, a directory every worker reads through its IncidentStore.
`incident` is what the producer computed (triage's content hash); the worker recomputes it
from the files and keys the result by what it read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

TASK_NAME = "triage.incident"
QUEUE = "triage"
PAYLOAD_VERSION = 1
MAX_FILES = 64
_INCIDENT = re.compile(r"^[0-9a-f]{16}$")


class BadPayload(ValueError):
    """A message no worker can ever process: recorded once, never retried."""


@dataclass(frozen=True)
class Payload:
    root: str
    files: list[str]
    incident: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"version": PAYLOAD_VERSION, "incident": self.incident, "root": self.root, "files": self.files}


def parse_payload(data: Any) -> Payload:
    """Validate a message body from any producer; BadPayload says what is wrong."""
    if not isinstance(data, dict):
        raise BadPayload("the payload is not a JSON object")
    if data.get("version") != PAYLOAD_VERSION:
        raise BadPayload(f"payload version {data.get('version')!r} is not {PAYLOAD_VERSION}")
    root, files, incident = data.get("root"), data.get("files"), data.get("incident")
    if not isinstance(root, str) or not root.startswith("/"):
        raise BadPayload("`root` must be an absolute path")
    if not isinstance(files, list) or not files or len(files) > MAX_FILES or not all(
            isinstance(f, str) and f for f in files):
        raise BadPayload(f"`files` must be a list of 1 to {MAX_FILES} file names")
    if incident is not None and not (isinstance(incident, str) and _INCIDENT.match(incident)):
        raise BadPayload("`incident` must be 16 lowercase hex digits or null")
    return Payload(root, list(files), incident)
