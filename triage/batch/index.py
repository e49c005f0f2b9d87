"""The results directory: one JSON file per incident, an append-only index, the groups.

Layout (docs/pipeline.md):

* `<incident>.json` - the result, written to a temp file and renamed, so a reader (or a
  re-run after a crash) sees a whole result or none;
All of them are mode 0600: results are redacted, but they are still incident data.

* `index.jsonl` - one line per event (`ok`, `failed`, `duplicate`), each appended with a
  single `write` on an `O_APPEND` descriptor, so concurrent writers never interleave lines;
  a torn last line (power loss) is skipped on reading;
* `groups.json` - incidents per fingerprint, recomputed from the index and renamed into place.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from triage.errors import OutputProblem
from triage.render.escape import escape_name
from triage.render.json_out import json_safe

INDEX, GROUPS = "index.jsonl", "groups.json"
EXAMPLES_PER_GROUP = 5


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def result_path(out_dir: Path, incident_id: str) -> Path:
    return out_dir / f"{incident_id}.json"


def write_json_atomic(path: Path, document: Any) -> None:
    """Temp file (mode 0600) in the same directory + fsync + rename: never a half-written
    file, never readable by other users, and a symlink planted at `path` is replaced, not
    followed."""
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w") as f:
                # strict JSON: a heap number can be Infinity or NaN (json_out.json_safe)
                json.dump(json_safe(document), f, indent=1, sort_keys=False, allow_nan=False)
                f.write("\n")
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as e:
        raise OutputProblem(f"cannot write {escape_name(path)}: {e.strerror}") from e


def append_index(out_dir: Path, entry: dict[str, Any]) -> None:
    """One line, one `write` on an O_APPEND descriptor: atomic against other appenders."""
    line = (json.dumps(entry, separators=(",", ":"), sort_keys=True) + "\n").encode()
    try:
        fd = os.open(out_dir / INDEX, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC,
                     0o600)
        try:
            if os.fstat(fd).st_mode & 0o077:
                os.fchmod(fd, 0o600)  # an index an older version left readable by others
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as e:
        raise OutputProblem(f"cannot append to {escape_name(out_dir / INDEX)}: {e.strerror}") from e


def read_index(out_dir: Path) -> list[dict[str, Any]]:
    """Every complete line of the index; a torn or foreign line is skipped."""
    path = out_dir / INDEX
    if not path.exists():
        return []
    entries = []
    for line in path.read_text(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and "incident" in entry:
            entries.append(entry)
    return entries


def index_entry(result: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The index line for a result: enough to group and find it without opening it."""
    batch = result.get("batch") or {}
    fingerprint = result.get("fingerprint") or {}
    summary = result.get("summary") or {}
    return {
        "incident": result["incident"],
        "status": result["status"],
        "reason": result.get("reason"),
        "error_code": (result.get("error") or {}).get("code"),
        "fingerprint": fingerprint.get("id"),
        "components": fingerprint.get("components"),
        "crash_kind": (summary.get("crash") or {}).get("kind"),
        "result": f"{result['incident']}.json",
        "inputs": [i["name"] for i in batch.get("inputs", [])],
        "duplicates": [i["name"] for i in batch.get("duplicates", [])],
        "seconds": (batch.get("timings") or {}).get("seconds"),
        "peak_rss_mb": batch.get("peak_rss_mb"),
        "finished_at": (batch.get("timings") or {}).get("finished_at") or now_iso(),
        **extra,
    }


def write_groups(out_dir: Path, entries: Iterable[dict[str, Any]] | None = None) -> dict[str, Any]:
    """`groups.json`: per fingerprint, how many incidents, when, and a few examples."""
    latest: dict[str, dict[str, Any]] = {}
    for entry in read_index(out_dir) if entries is None else entries:
        if entry.get("status") in ("ok", "failed"):
            latest[entry["incident"]] = entry  # a retried incident counts once, as it ended
    groups: dict[str, dict[str, Any]] = {}
    failed = 0
    for entry in latest.values():
        if entry["status"] != "ok" or not entry.get("fingerprint"):
            failed += entry["status"] != "ok"
            continue
        group = groups.setdefault(entry["fingerprint"], {
            "fingerprint": entry["fingerprint"], "components": entry.get("components"),
            "crash_kind": entry.get("crash_kind"), "count": 0,
            "first_seen": entry["finished_at"], "last_seen": entry["finished_at"], "examples": [],
        })
        group["count"] += 1
        group["first_seen"] = min(group["first_seen"], entry["finished_at"])
        group["last_seen"] = max(group["last_seen"], entry["finished_at"])
        if len(group["examples"]) < EXAMPLES_PER_GROUP:
            group["examples"].append(entry["incident"])
    ordered = sorted(groups.values(), key=lambda g: (-g["count"], g["fingerprint"]))
    document = {"generated_at": now_iso(), "incidents": len(latest), "failed": failed,
                "groups": ordered}
    write_json_atomic(out_dir / GROUPS, document)
    return document


def load_result(out_dir: Path, incident_id: str) -> dict[str, Any] | None:
    try:
        return json.loads(result_path(out_dir, incident_id).read_text())
    except (OSError, ValueError):
        return None
