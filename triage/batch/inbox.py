"""Turn a directory of uploads into incidents: which files belong to one crash.

Uploads arrive as loose files (`core.1234`, `report.20240101.101500.1234.0.001.json.gz`,
`Heap.20240101.101500.1234.0.002.heapsnapshot.zst`) or as one subdirectory per incident.
A subdirectory is one incident. Loose files are grouped by process: the pid in Node's file
names, in `core.<pid>` and systemd-coredump names, in a report's header or in a core's own
notes; a host (report header) or a time (file name, report header) that disagrees splits a
pid reused elsewhere or later. An incident's id is a hash of its files' contents, so a
renamed or re-uploaded copy is recognised and the same work is never done twice.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from triage.batch.unpack import compression_of, strip_compression_suffix

IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".uploading")
SAME_INCIDENT_SECONDS = 3600  # artifacts of one pid further apart than this are a reused pid
_SYSTEMD_CORE = re.compile(r"^core\.[^.]+\.\d+\.[0-9a-f]{32}\.(\d+)\.(\d+)$")  # comm.uid.boot.pid.usec
_PLAIN_CORE = re.compile(r"^core\.(\d+)(\..*)?$")
_HASH_CHUNK = 1 << 20


@dataclass
class Upload:
    """One uploaded file and what its name or header says about its process."""

    path: Path
    sha256: str
    size: int
    compression: str | None = None
    pid: int | None = None
    host: str | None = None
    time: float | None = None  # seconds since the epoch, when the name or header tells


@dataclass
class Incident:
    """The uploads of one crash, keyed by a hash of their contents."""

    id: str
    uploads: list[Upload]
    duplicates: list[Upload] = field(default_factory=list)  # same content as a member

    @property
    def paths(self) -> list[Path]:
        return [u.path for u in self.uploads]


class Inbox:
    """Scans a directory; remembers file hashes so that polling (`--watch`) stays cheap."""

    def __init__(self, root: Path, settle_seconds: float = 0.0, exclude: Path | None = None):
        self.root = root
        self.settle_seconds = settle_seconds
        self.exclude = exclude  # the results directory, when it lives inside the inbox
        self._cache: dict[tuple[str, int, int], Upload] = {}

    def scan(self) -> list[Incident]:
        """Every incident currently in the inbox, in a stable order (oldest file first)."""
        groups: list[list[Upload]] = []
        loose: list[Upload] = []
        for entry in sorted(self.root.iterdir()):
            if _ignored(entry) or (self.exclude is not None and entry.resolve() == self.exclude):
                continue
            if entry.is_dir():
                files = [self._upload(p) for p in sorted(entry.rglob("*")) if p.is_file() and not _ignored(p)]
                files = [f for f in files if f is not None]
                if files and len(files) == len(list(_visible_files(entry))):
                    groups.append(files)
            elif entry.is_file():
                upload = self._upload(entry)
                if upload is not None:
                    loose.append(upload)
        groups += group_by_process(loose)
        return [make_incident(g) for g in groups]

    def _upload(self, path: Path) -> Upload | None:
        try:
            st = path.stat()
        except OSError:
            return None
        if self.settle_seconds and time.time() - st.st_mtime < self.settle_seconds:
            return None  # still being written
        key = (str(path), st.st_size, st.st_mtime_ns)
        if key not in self._cache:
            self._cache[key] = describe(path)
        return self._cache[key]


def _visible_files(directory: Path):
    return (p for p in directory.rglob("*") if p.is_file() and not _ignored(p))


def _ignored(path: Path) -> bool:
    return path.name.startswith(".") or path.name.endswith(IGNORED_SUFFIXES)


def describe(path: Path) -> Upload:
    """Hash a file and read what its name (and, for a report, its header) says."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_HASH_CHUNK):
            digest.update(chunk)
    compression = compression_of(path)
    upload = Upload(path, digest.hexdigest(), path.stat().st_size, compression)
    _from_name(upload, strip_compression_suffix(path.name))
    if upload.pid is None or upload.host is None:
        _from_content(upload)
    return upload


def _from_name(upload: Upload, name: str) -> None:
    parts = name.split(".")
    if len(parts) >= 6 and parts[3].isdigit():  # Node: <kind>.<date>.<time>.<pid>.<tid>.<seq>.<ext>
        upload.pid = int(parts[3])
        upload.time = _node_time(parts[1], parts[2])
        return
    if m := _SYSTEMD_CORE.match(name):
        upload.pid, upload.time = int(m[1]), int(m[2]) / 1e6
    elif m := _PLAIN_CORE.match(name):
        upload.pid = int(m[1])


def _node_time(date: str, clock: str) -> float | None:
    try:
        return datetime.strptime(date + clock, "%Y%m%d%H%M%S").timestamp()
    except ValueError:
        return None


def _from_content(upload: Upload) -> None:
    """A report's header names pid, host and time; a core's notes name its pid."""
    try:
        with _open(upload) as f:
            head = f.read(64)
            if head.lstrip()[:1] == b"{" and b'"header"' in head:
                header = json.loads(head + f.read(64 << 20)).get("header") or {}
                upload.pid = upload.pid or header.get("processId")
                upload.host = header.get("host")
                upload.time = upload.time or _iso_time(header.get("dumpEventTime"))
            elif head[:4] == b"\x7fELF" and upload.compression is None and upload.pid is None:
                from triage.coredump import CoreFile

                upload.pid = CoreFile.open(upload.path).pid
    except Exception:  # noqa: BLE001 - unreadable here means "ungrouped", the worker reports why
        return


def _open(upload: Upload):
    if upload.compression == "gzip":
        return gzip.open(upload.path, "rb")
    if upload.compression == "zstd":
        from triage.batch.unpack import zstd_reader

        return zstd_reader(upload.path)
    return open(upload.path, "rb")


def _iso_time(text: object) -> float | None:
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text).timestamp()
    except ValueError:
        return None


def group_by_process(uploads: list[Upload]) -> list[list[Upload]]:
    """Same pid, no conflicting host, times within an hour: one incident. No pid: alone."""
    clusters: list[list[Upload]] = []
    for upload in uploads:
        home = None
        if upload.pid is not None:
            home = next((c for c in clusters if _fits(c, upload)), None)
        if home is None:
            clusters.append([upload])
        else:
            home.append(upload)
    return clusters


def _fits(cluster: list[Upload], upload: Upload) -> bool:
    if cluster[0].pid != upload.pid:
        return False
    hosts = {u.host for u in cluster if u.host}
    if upload.host and hosts and upload.host not in hosts:
        return False
    times = [u.time for u in cluster if u.time is not None]
    return upload.time is None or all(abs(t - upload.time) <= SAME_INCIDENT_SECONDS for t in times)


def make_incident(uploads: list[Upload]) -> Incident:
    unique: dict[str, Upload] = {}
    duplicates = []
    for upload in sorted(uploads, key=lambda u: u.path.name):
        if upload.sha256 in unique:
            duplicates.append(upload)
        else:
            unique[upload.sha256] = upload
    digest = hashlib.sha256("\n".join(sorted(unique)).encode()).hexdigest()[:16]
    return Incident(digest, list(unique.values()), duplicates)
