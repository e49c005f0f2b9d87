"""Decompress gzip and zstd uploads into a scratch directory before analysis.

Loaders read plain files (cores are mapped, not streamed), so a compressed upload is
expanded once, next to nothing else, and removed with the scratch directory. Detection is
by magic bytes, as everywhere in triage; the suffix is only dropped from the name so that
Node's `<kind>.<date>.<time>.<pid>...` names still say which process wrote the file.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path
from typing import BinaryIO

from triage.errors import DependencyMissing, InputDamaged, InputUnreadable, LimitExceeded
from triage.render.escape import escape_name

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_SUFFIXES = (".gz", ".gzip", ".zst", ".zstd")
_CHUNK = 1 << 20


def compression_of(path: Path) -> str | None:
    """`"gzip"`, `"zstd"` or None, from the first bytes (the file is opened without following
    a symlink, and only a regular file is read)."""
    from triage.batch.safeopen import open_regular

    try:
        fd, _ = open_regular(path)
    except InputUnreadable:
        return None
    try:
        return compression_from_magic(os.pread(fd, 4, 0))
    except OSError:
        return None
    finally:
        os.close(fd)


def compression_from_magic(head: bytes) -> str | None:
    if head[:2] == GZIP_MAGIC:
        return "gzip"
    if head[:4] == ZSTD_MAGIC:
        return "zstd"
    return None


def strip_compression_suffix(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def zstd_reader(path: Path) -> BinaryIO:
    return zstd_stream(open(path, "rb"))


def zstd_stream(raw: BinaryIO) -> BinaryIO:
    """A decompressing reader over `raw` (closed with it)."""
    try:
        import zstandard
    except ImportError as e:  # pragma: no cover - an install without its dependencies
        raw.close()
        raise DependencyMissing("zstd uploads need the `zstandard` package: pip install zstandard") from e
    return zstandard.ZstdDecompressor().stream_reader(raw, closefd=True)


class DecompressBudget:
    """How many decompressed bytes one incident may still write to the results disk.

    A 0.5 MB gzip bomb expands to gigabytes; without a cap every worker could fill the
    disk the results live on. One budget is shared by all uploads of an incident."""

    def __init__(self, limit_mb: float | None):
        self.limit_mb = limit_mb
        self.left = None if not limit_mb else int(limit_mb * (1 << 20))

    def spend(self, n: int, name: str) -> None:
        if self.left is None:
            return
        self.left -= n
        if self.left < 0:
            raise LimitExceeded(f"decompressed size limit exceeded: {escape_name(name)} expands past "
                                f"{self.limit_mb:g} MB (--max-decompressed)")


def materialize(path: Path, scratch: Path, *, name: str | None = None,
                budget: DecompressBudget | None = None, kind: str | None = "detect") -> Path:
    """The path to analyse: `path` itself, or its decompressed copy inside `scratch`.

    With `name` (the upload's name) a plain upload is given that name inside `scratch` as a
    link to `path`, so that loaders see the upload's name, never the descriptor path
    `/proc/self/fd/N` the worker opened it as. `kind`: the compression when the caller
    read the magic bytes itself (a descriptor path is a magic link O_NOFOLLOW refuses)."""
    name = name or path.name
    if kind == "detect":
        kind = compression_of(path)
    if kind is None or _is_snapshot_gzip(path, kind):
        if name == path.name:
            return path
        link = _unique(scratch, name)
        link.symlink_to(path)
        return link
    target = _unique(scratch, strip_compression_suffix(name))
    budget = budget or DecompressBudget(None)
    try:
        source = gzip.open(path, "rb") if kind == "gzip" else zstd_reader(path)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        with source as src, os.fdopen(fd, "wb") as dst:
            while chunk := src.read(_CHUNK):
                budget.spend(len(chunk), name)
                dst.write(chunk)
    except (EOFError, zlib.error, gzip.BadGzipFile) as e:
        raise InputDamaged(f"{escape_name(name)} is a damaged {kind} file: {e}") from e
    except OSError as e:
        if e.errno is None:  # a decoder error, not the file system
            raise InputDamaged(f"{escape_name(name)} is a damaged {kind} file: {e}") from e
        raise InputUnreadable(f"cannot decompress {escape_name(name)}: {e.strerror}") from e
    except Exception as e:  # zstandard.ZstdError derives from Exception only
        if type(e).__name__ == "ZstdError":
            raise InputDamaged(f"{escape_name(name)} is a damaged zstd file: {e}") from e
        raise
    return target


def _unique(scratch: Path, name: str) -> Path:
    """`scratch/<name>`, numbered when two uploads of an incident share a name."""
    target = scratch / name
    if os.path.lexists(target):
        target = scratch / f"{len(list(scratch.iterdir()))}-{name}"
    return target


def _is_snapshot_gzip(path: Path, kind: str) -> bool:
    """The snapshot loader streams gzip itself: no need to spend the disk."""
    if kind != "gzip":
        return False
    try:
        with gzip.open(path, "rb") as f:
            head = f.read(512)
    except (OSError, EOFError, zlib.error):
        return False
    return b'"snapshot"' in head[:256] and b'"meta"' in head
