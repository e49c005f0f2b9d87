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

import errno
import gzip
import hashlib
import json
import os
import re
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from triage.batch.safeopen import fd_path, kind_of, open_directory, open_regular
from triage.batch.unpack import compression_from_magic, strip_compression_suffix
from triage.errors import InputUnreadable
from triage.render.escape import escape_name

IGNORED_SUFFIXES = (".tmp", ".part", ".partial", ".crdownload", ".uploading")
SAME_INCIDENT_SECONDS = 3600  # artifacts of one pid further apart than this are a reused pid
_SYSTEMD_CORE = re.compile(r"^core\.[^.]+\.\d+\.[0-9a-f]{32}\.(\d+)\.(\d+)$")  # comm.uid.boot.pid.usec
_PLAIN_CORE = re.compile(r"^core\.(\d+)(\..*)?$")
_HASH_CHUNK = 1 << 20
_HEADER_BYTES = 1 << 20  # a report's header is looked for in this much (decompressed) JSON
_NOTE_SCAN_BYTES = 1 << 20
_NT_PRPSINFO = 3
_HEADER_KEY = re.compile(rb'^\s*\{\s*"header"\s*:\s*')


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
    identity: tuple[int, int] | None = None  # (st_dev, st_ino) when scanned: a worker checks it


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
    """Scans a directory; remembers file hashes so that polling (`--watch`) stays cheap.

    Only regular files are read, each through a descriptor opened relative to its
    directory's descriptor with `O_NOFOLLOW` (safeopen.py): a symlink (to a file or a
    directory), a FIFO, a device or a pseudo-file is never opened, hashed or published,
    only listed in `refused` with the reason. Reads stop at the size `fstat` gave when the
    file was opened, so a file that keeps growing cannot keep the scan busy."""

    def __init__(self, root: Path, settle_seconds: float = 0.0, exclude: Path | None = None):
        self.root = root
        self.settle_seconds = settle_seconds
        self.exclude = exclude  # a directory never to enter (kept for callers; batch refuses overlap)
        self.refused: list[tuple[str, str]] = []  # (inbox-relative name, reason) of the last scan
        self._cache: dict[tuple[str, int, int, int, int], Upload] = {}

    def scan(self) -> list[Incident]:
        """Every incident currently in the inbox, in a stable order (oldest file first)."""
        self.refused = []
        groups: list[list[Upload]] = []
        loose: list[Upload] = []
        try:
            root_fd = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as e:
            raise InputUnreadable(f"cannot read {escape_name(self.root)}: {e.strerror}") from None
        try:
            excluded = _identity(self.exclude)
            for name, st in _entries(root_fd):
                if stat.S_ISDIR(st.st_mode):
                    if (st.st_dev, st.st_ino) != excluded:
                        files = self._directory(root_fd, name, Path(name), 0)
                        if files:
                            groups.append(files)
                elif upload := self._file(root_fd, name, Path(name), st):
                    loose.append(upload)
        finally:
            os.close(root_fd)
        groups += group_by_process(loose)
        return [make_incident(g) for g in groups]

    def _directory(self, parent_fd: int, name: str, rel: Path, depth: int) -> list[Upload] | None:
        """The uploads of a subdirectory incident; None while any of them is still arriving."""
        if depth >= MAX_DEPTH:
            self._refuse(rel, f"deeper than {MAX_DEPTH} directory levels; not read")
            return []
        try:
            fd = open_directory(name, parent_fd)
        except OSError as e:  # replaced by a symlink since listing: ELOOP / ENOTDIR
            self._refuse(rel, "a symbolic link; not followed" if e.errno in (errno.ELOOP, errno.ENOTDIR)
                         else f"cannot be read: {e.strerror}")
            return []
        files: list[Upload] = []
        pending = False
        try:
            for child, st in _entries(fd):
                if stat.S_ISDIR(st.st_mode):
                    inner = self._directory(fd, child, rel / child, depth + 1)
                    pending |= inner is None
                    files += inner or []
                else:
                    upload = self._file(fd, child, rel / child, st)
                    settling = upload is None and stat.S_ISREG(st.st_mode)
                    pending |= settling and not self._was_refused(rel / child)
                    if upload is not None:
                        files.append(upload)
                if len(files) > MAX_FILES_PER_INCIDENT:
                    self._refuse(rel, f"more than {MAX_FILES_PER_INCIDENT} files; not an incident")
                    return []
        finally:
            os.close(fd)
        return None if pending else files

    def _file(self, dir_fd: int, name: str, rel: Path, st: os.stat_result) -> Upload | None:
        if stat.S_ISLNK(st.st_mode) or not stat.S_ISREG(st.st_mode):
            self._refuse(rel, f"{kind_of(st.st_mode)}, not a regular file; not read")
            return None
        if self.settle_seconds and time.time() - st.st_mtime < self.settle_seconds:
            return None  # still being written
        key = (str(rel), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)
        if key not in self._cache:
            try:
                fd, opened = open_regular(name, dir_fd=dir_fd, display=rel)
            except InputUnreadable as e:
                self._refuse(rel, _reason(str(e), rel))
                return None
            try:
                self._cache[key] = describe_fd(fd, opened, self.root / rel)
            except OSError as e:
                self._refuse(rel, f"cannot be read: {e.strerror}")
                return None
            finally:
                os.close(fd)
        return self._cache[key]

    def _refuse(self, rel: Path, reason: str) -> None:
        self.refused.append((str(rel), reason))

    def _was_refused(self, rel: Path) -> bool:
        return any(name == str(rel) for name, _ in self.refused)


MAX_DEPTH = 8  # directory levels below an incident's own directory
MAX_FILES_PER_INCIDENT = 1000


def _entries(dir_fd: int) -> list[tuple[str, os.stat_result]]:
    """Names in a directory (never followed), sorted, without hidden or partial uploads."""
    found = []
    with os.scandir(dir_fd) as it:
        for entry in it:
            if _ignored(entry.name):
                continue
            try:
                found.append((entry.name, os.stat(entry.name, dir_fd=dir_fd, follow_symlinks=False)))
            except OSError:
                continue  # gone since listing
    return sorted(found)


def _identity(path: Path | None) -> tuple[int, int] | None:
    try:
        st = os.stat(path) if path is not None else None
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if st else None


def _reason(message: str, rel: Path) -> str:
    """A refusal message without the name it starts with (the event carries the name)."""
    prefix = escape_name(rel) + " is "
    return message[len(prefix):] if message.startswith(prefix) else message


def _ignored(name: str) -> bool:
    return name.startswith(".") or name.endswith(IGNORED_SUFFIXES)


def describe(path: Path) -> Upload:
    """Hash a file and read what its name (and, for a report, its header) says.

    The file must be a regular file (a symlink or special file raises `Refused`)."""
    fd, st = open_regular(path)
    try:
        return describe_fd(fd, st, path)
    finally:
        os.close(fd)


def describe_fd(fd: int, st: os.stat_result, path: Path) -> Upload:
    """`describe` of an already opened and checked descriptor: reads at most `st_size` bytes."""
    digest = hashlib.sha256()
    remaining, head = st.st_size, b""
    offset = 0
    while remaining > 0:
        chunk = os.pread(fd, min(_HASH_CHUNK, remaining), offset)
        if not chunk:
            break  # shrank while read: what is there is what we hash
        if offset == 0:
            head = chunk[:4]
        digest.update(chunk)
        offset += len(chunk)
        remaining -= len(chunk)
    upload = Upload(path, digest.hexdigest(), offset, compression_from_magic(head),
                    identity=(st.st_dev, st.st_ino))
    _from_name(upload, strip_compression_suffix(path.name))
    if upload.pid is None or upload.host is None:
        _from_content(upload, fd)
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


def _from_content(upload: Upload, fd: int) -> None:
    """A report's header names pid, host and time; a core's notes name its pid."""
    try:
        with _open(upload, fd) as f:
            head = f.read(64)
            if head.lstrip()[:1] == b"{" and b'"header"' in head:
                header = _report_header(head + f.read(_HEADER_BYTES))
                upload.pid = upload.pid or header.get("processId")
                upload.host = header.get("host")
                upload.time = upload.time or _iso_time(header.get("dumpEventTime"))
            elif head[:4] == b"\x7fELF" and upload.compression is None and upload.pid is None:
                upload.pid = _core_pid(fd)
    except Exception:  # noqa: BLE001 - unreadable here means "ungrouped", the worker reports why
        return


def _core_pid(fd: int) -> int | None:
    """The pid in a core's NT_PRPSINFO note, from at most the first MiB of its note segments.

    The runner has no limits of its own, so it never parses a whole (possibly crafted) core:
    that is the worker's job."""
    from triage.coredump.elf import ET_CORE, PT_NOTE, ElfFile, parse_notes

    elf = ElfFile(fd_path(fd))
    try:
        if elf.type != ET_CORE:
            return None
        for segment in (s for s in elf.segments if s.type == PT_NOTE):
            end = min(segment.offset + segment.filesz, elf.size, segment.offset + _NOTE_SCAN_BYTES)
            for note in parse_notes(memoryview(elf.data[segment.offset:end])):  # a copy: mmap closes
                if note.type == _NT_PRPSINFO and note.name == b"CORE" and len(note.desc) >= 28:
                    return int.from_bytes(note.desc[24:28], "little", signed=True)
        return None
    finally:
        elf.close()


def _report_header(data: bytes) -> dict:
    """The `header` object of a report, decoded alone: the scan never parses a whole
    (possibly huge or hostile) report, only the first object of its first megabyte."""
    m = _HEADER_KEY.match(data)
    if not m:
        return {}
    text = data[m.end():].decode("utf-8", errors="replace")
    header, _ = json.JSONDecoder().raw_decode(text)
    return header if isinstance(header, dict) else {}


@contextmanager
def _open(upload: Upload, fd: int) -> Iterator[BinaryIO]:
    """A reader of the (decompressed) content of the open descriptor, from its start."""
    with os.fdopen(os.dup(fd), "rb") as raw:
        if upload.compression == "gzip":
            with gzip.GzipFile(fileobj=raw, mode="rb") as f:
                yield f
        elif upload.compression == "zstd":
            from triage.batch.unpack import zstd_stream

            with zstd_stream(raw) as f:
                yield f
        else:
            yield raw


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
