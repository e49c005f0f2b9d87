"""Recognise what each input path is: a core, a diagnostic report, a heap snapshot.

Recognition looks at content, never at file names: uploads get renamed. gzip
files are peeked through. A directory stands for the artifacts inside it.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

from triage.errors import InputDamaged, InputUnreadable, InputUnrecognized
from triage.loaders.safeio import BoundedReader, decompress_limit, describe_mode, open_regular

CORE, REPORT, SNAPSHOT, BINARY = "core", "report", "snapshot", "binary"
_PEEK = 4096


@dataclass(frozen=True)
class Artifact:
    path: Path
    kind: str
    size: int


def discover(paths: list[Path]) -> list[Artifact]:
    """Artifacts named by `paths`; directories contribute the artifacts they hold."""
    found: list[Artifact] = []
    for path in paths:
        if not path.exists():
            raise InputUnreadable(f"{path}: no such file or directory")
        if path.is_dir():
            inside = [p for p in sorted(path.iterdir()) if p.is_file()]
            kinds = [(p, _kind_or_none(p)) for p in inside]
            found += [Artifact(p, k, p.stat().st_size) for p, k in kinds if k in (CORE, REPORT, SNAPSHOT)]
            continue
        if not path.is_file():  # a FIFO would block the open below; devices never end
            raise InputUnrecognized(f"{path}: is {describe_mode(path.stat().st_mode)}, "
                                    "not a regular file")
        kind = identify(path)
        if kind == BINARY:  # named explicitly: saying nothing about it would read as "no crash"
            raise InputUnrecognized(
                f"{path}: an ELF executable or library, not a core dump "
                "(a node binary is given with --node PATH)")
        found.append(Artifact(path, kind, path.stat().st_size))
    if not found:
        named = ", ".join(map(str, paths))
        raise InputUnrecognized(f"no core, diagnostic report or heap snapshot in {named}")
    return found


def _kind_or_none(path: Path) -> str | None:
    try:
        return identify(path)
    except (InputUnrecognized, InputUnreadable, InputDamaged):
        return None


def identify(path: Path) -> str:
    try:
        with open_regular(path) as f:
            head = f.read(_PEEK)
    except OSError as e:
        raise InputUnreadable(f"cannot read {path}: {e.strerror}") from e
    if not head:
        raise InputUnrecognized(f"{path} is empty")
    if head[:2] == b"\x1f\x8b":
        head = _gunzip_head(path)
    if head[:4] == b"\x7fELF":
        if len(head) < 18:
            raise InputDamaged(f"{path} is a truncated ELF file")
        e_type = struct.unpack_from("<H", head, 16)[0]
        return CORE if e_type == 4 else BINARY
    text = head.lstrip()
    if text[:1] == b"{":
        if b'"snapshot"' in text[:256] and b'"meta"' in text[:512]:
            return SNAPSHOT
        if b'"header"' in text[:64] or b'"reportVersion"' in text:
            return REPORT
    raise InputUnrecognized(f"{path} is not a core dump, a diagnostic report or a heap snapshot")


def _gunzip_head(path: Path) -> bytes:
    with open_regular(path) as raw:
        size = os.fstat(raw.fileno()).st_size
        return BoundedReader(raw, str(path), decompress_limit(size)).read(_PEEK)
