"""Opening untrusted input files: regular files only, decompression bounded.

Uploads are hostile by default. Opening a FIFO blocks forever and a device node can be read
without end, so every loader opens through `open_regular` (non-blocking open, then `fstat`: only
a regular file is accepted, and the check is on the file actually opened, not on the name). A
0.5 MB gzip bomb inflates to ~500 MB, so gzip input is read through `BoundedReader`, which
stops with exit 5 once the output exceeds `decompress_limit()`:

* at most `RATIO` (100) times the compressed size, and at least `FLOOR` (64 MiB), capped at
  `CEILING` (16 GiB). Real snapshots and reports compress 4-10x, so the limit never trips on
  them; a bomb (up to ~1000x) stops after reading `RATIO` times its own size.
* `TRIAGE_DECOMPRESS_LIMIT` (bytes, `K`/`M`/`G` suffix allowed) replaces the rule with one
  fixed limit, for pipelines that know their uploads (documented in docs/exit-codes.md).
"""

from __future__ import annotations

import gzip
import os
import stat
import zlib
from pathlib import Path
from typing import BinaryIO

from triage.errors import InputDamaged, InputUnreadable, InputUnrecognized

RATIO = 100
FLOOR = 64 << 20
CEILING = 16 << 30
LIMIT_ENV = "TRIAGE_DECOMPRESS_LIMIT"
GZIP_MAGIC = b"\x1f\x8b"

_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a directory",
}


def describe_mode(mode: int) -> str:
    """`a FIFO (named pipe)`, `a character device`...: what a non-regular file is."""
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def open_regular(path: str | Path) -> BinaryIO:
    """Open `path` for binary reading, refusing anything that is not a regular file.

    The open itself never blocks (O_NONBLOCK: a FIFO without a writer would hang a plain
    `open`), and the type is checked on the opened descriptor. Raises `InputUnreadable` (exit
    3) for a missing or unreadable path or a directory, `InputUnrecognized` (exit 4) for a
    FIFO, device or socket.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except IsADirectoryError:
        raise InputUnreadable(f"{path}: is a directory, not a file") from None
    except FileNotFoundError:
        raise InputUnreadable(f"{path}: no such file or directory") from None
    except OSError as exc:
        raise InputUnreadable(f"{path}: cannot open: {exc.strerror or exc}") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputUnreadable(f"{path}: is a directory, not a file")
        if not stat.S_ISREG(mode):
            raise InputUnrecognized(f"{path}: is {describe_mode(mode)}, not a regular file")
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def decompress_limit(compressed_size: int) -> int:
    """Most bytes a gzip stream of `compressed_size` bytes may inflate to (module docstring)."""
    fixed = os.environ.get(LIMIT_ENV, "").strip()
    if fixed:
        return parse_size(fixed)
    return min(CEILING, max(FLOOR, RATIO * compressed_size))


def parse_size(text: str) -> int:
    """`"512M"` -> 536870912; a bad value is a usage error of the environment (exit 2)."""
    from triage.errors import ExitCode, TriageError

    units = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    t = text.strip().upper().removesuffix("B").removesuffix("I")
    num, unit = (t[:-1], t[-1]) if t and t[-1] in units else (t, "")
    if not num.isascii() or not num.isdigit() or int(num) <= 0:
        raise TriageError(f"{LIMIT_ENV}={text!r} is not a size such as 512M or 4G", ExitCode.USAGE)
    return int(num) * units[unit]


def human(n: int) -> str:
    for unit, shift in (("GiB", 30), ("MiB", 20), ("KiB", 10)):
        if n >= 1 << shift:
            return f"{n / (1 << shift):.1f} {unit}"
    return f"{n} B"


class BoundedReader:
    """A read-only stream over a gzip file that refuses to inflate past `limit` bytes.

    Read errors of the compressed stream (truncated, corrupt) become `InputDamaged` with the
    file name, so callers need no gzip-specific handling.
    """

    def __init__(self, raw: BinaryIO, name: str, limit: int):
        self._gz = gzip.GzipFile(fileobj=raw, mode="rb")
        self.name = name
        self.limit = limit
        self.total = 0

    def read(self, size: int = -1) -> bytes:
        cap = self.limit + 1 - self.total  # >= 1: reading one byte past the limit detects it
        want = cap if size is None or size < 0 else min(size, cap)
        try:
            data = self._gz.read(want)
        except EOFError:
            raise InputDamaged(f"{self.name}: truncated gzip stream") from None
        except (gzip.BadGzipFile, zlib.error, OSError) as exc:
            raise InputDamaged(f"{self.name}: damaged gzip stream ({exc})") from None
        self.total += len(data)
        if self.total > self.limit:
            raise InputDamaged(
                f"{self.name}: decompresses to more than {human(self.limit)} (the limit for a "
                f"gzip file of this size; set {LIMIT_ENV} to raise it)"
            )
        return data

    def close(self) -> None:
        self._gz.close()


def open_input(path: str | Path) -> tuple[BinaryIO, BinaryIO | BoundedReader, int]:
    """Open a (possibly gzip-compressed) input: `(raw file, stream to read, file size)`.

    The caller closes the raw file. gzip is recognised by its magic bytes, not the name.
    """
    raw = open_regular(path)
    try:
        size = os.fstat(raw.fileno()).st_size
        magic = raw.read(2)
        raw.seek(0)
    except OSError as exc:
        raw.close()
        raise InputUnreadable(f"{path}: read failed: {exc.strerror or exc}") from None
    if magic == GZIP_MAGIC:
        return raw, BoundedReader(raw, str(path), decompress_limit(size)), size
    return raw, raw, size
