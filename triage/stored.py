"""Documents triage wrote earlier (a summary, a diff, a batch result), read back to be
rendered again: a pipeline stores JSON and makes ticket text later.

They are untrusted input like any upload: size-capped, parsed, checked against the
shipped schema before a renderer sees them, and passed through redaction again on the way
out (a result written with --no-redact comes out redacted).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from triage.errors import InputDamaged, InputUnreadable, InputUnrecognized

MAX_STORED_BYTES = 64 * 1024 * 1024  # a summary is kilobytes; results are well under this
_PEEK = 4096


def looks_stored(path: Path) -> bool:
    """Whether `path` starts like a JSON document triage wrote (cheap: reads 4 KiB)."""
    try:
        with open(path, "rb") as f:
            head = f.read(_PEEK).lstrip()
    except OSError:
        return False
    return head[:1] == b"{" and (b'"result_version"' in head or b'"schema_version"' in head) \
        and b'"triage"' in head


def load_stored(path: Path) -> dict[str, Any]:
    """The summary or diff document in `path` (a batch result yields its summary, or a
    minimal document saying the incident failed), schema-checked."""
    from jsonschema import ValidationError

    from triage.schema import validate

    try:
        with open(path, "rb") as f:
            data = f.read(MAX_STORED_BYTES + 1)
    except OSError as e:
        raise InputUnreadable(f"cannot read {path}: {e.strerror}") from e
    if len(data) > MAX_STORED_BYTES:
        raise InputDamaged(f"{path} is larger than {MAX_STORED_BYTES >> 20} MiB; not a triage result")
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as e:
        raise InputDamaged(f"{path} is not valid JSON") from e
    if not isinstance(document, dict):
        raise InputUnrecognized(f"{path} is not a triage summary, diff or batch result")
    schema = ("batch-result.schema.json" if "result_version" in document
              else "summary.schema.json" if "crash" in document
              else "diff.schema.json" if "diff" in document else None)
    if schema is None:
        raise InputUnrecognized(f"{path} is not a triage summary, diff or batch result")
    try:
        validate(document, schema)
    except (ValidationError, RecursionError) as e:
        where = "/".join(map(str, getattr(e, "absolute_path", []))) or "(top level)"
        raise InputDamaged(f"{path} does not follow {schema} at {where}") from e
    if schema == "batch-result.schema.json":
        return document["summary"] if document["status"] == "ok" else _failed(document)
    return document


def _failed(result: dict[str, Any]) -> dict[str, Any]:
    """A batch result that failed has no summary: say which incident and why."""
    error = result.get("error") or {}
    return {"schema_version": "1.0", "tool": {"name": "triage", "version": ""}, "inputs": [],
            "process": {}, "crash": {"kind": "none", "reason": "the analysis of this incident failed"},
            "threads": [], "js_stack": {"status": "unavailable", "frames": []}, "histogram": [],
            "suspects": [], "redaction": {"enabled": True},
            "warnings": [f"incident {result['incident']} failed: {result.get('reason')} "
                         f"(exit {error.get('code')} {error.get('name')})"],
            "capabilities": {}}
