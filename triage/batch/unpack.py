"""Decompress gzip and zstd uploads into a scratch directory before analysis.

Loaders read plain files (cores are mapped, not streamed), so a compressed upload is
expanded once, next to nothing else, and removed with the scratch directory. Detection is
by magic bytes, as everywhere in triage; the suffix is only dropped from the name so that
Node's `<kind>.<date>.<time>.<pid>...` names still say which process wrote the file.
"""

from __future__ import annotations

import gzip
import shutil
import zlib
from pathlib import Path
from typing import BinaryIO

from triage.errors import DependencyMissing, InputDamaged, InputUnreadable

GZIP_MAGIC = b"\x1f\x8b"
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_SUFFIXES = (".gz", ".gzip", ".zst", ".zstd")


def compression_of(path: Path) -> str | None:
    """`"gzip"`, `"zstd"` or None, from the first bytes."""
    try:
        with open(path, "rb") as f:
            head = f.read(4)
    except OSError:
        return None
    if head[:2] == GZIP_MAGIC:
        return "gzip"
    if head == ZSTD_MAGIC:
        return "zstd"
    return None


def strip_compression_suffix(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.lower().endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def zstd_reader(path: Path) -> BinaryIO:
    try:
        import zstandard
    except ImportError as e:  # pragma: no cover - an install without its dependencies
        raise DependencyMissing("zstd uploads need the `zstandard` package: pip install zstandard") from e
    return zstandard.ZstdDecompressor().stream_reader(open(path, "rb"), closefd=True)


def materialize(path: Path, scratch: Path) -> Path:
    """The path to analyse: `path` itself, or its decompressed copy inside `scratch`."""
    kind = compression_of(path)
    if kind is None or _is_snapshot_gzip(path, kind):
        return path
    target = scratch / strip_compression_suffix(path.name)
    if target.exists():
        target = scratch / f"{len(list(scratch.iterdir()))}-{target.name}"
    try:
        source = gzip.open(path, "rb") if kind == "gzip" else zstd_reader(path)
        with source as src, open(target, "wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
    except (EOFError, zlib.error, gzip.BadGzipFile) as e:
        raise InputDamaged(f"{path.name} is a damaged {kind} file: {e}") from e
    except OSError as e:
        if e.errno is None:  # a decoder error, not the file system
            raise InputDamaged(f"{path.name} is a damaged {kind} file: {e}") from e
        raise InputUnreadable(f"cannot decompress {path.name}: {e.strerror}") from e
    except Exception as e:  # zstandard.ZstdError derives from Exception only
        if type(e).__name__ == "ZstdError":
            raise InputDamaged(f"{path.name} is a damaged zstd file: {e}") from e
        raise
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
