"""Where a worker reads an incident's files: one small interface, a local/shared-filesystem reader.

Workers on many machines read uploads from storage they can all reach. Today that is a
shared file system mounted at the same path everywhere (NFS, CephFS, a Kubernetes volume);
an object-store reader (S3, GCS) implements the same two methods by downloading into the
scratch directory it is given.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath
from typing import Protocol


class StorageError(Exception):
    """The storage could not deliver a file now (missing, unmounted, I/O error): worth a retry."""


class BadLocation(Exception):
    """The payload names a file the store must never read (outside the root, a symlink): final."""


class IncidentStore(Protocol):
    """Turns the file names of a task payload into local paths a child process can read."""

    def fetch(self, root: str, files: list[str], scratch: Path) -> list[Path]:
        """Local paths of `files` (relative to `root`); may download into `scratch`."""
        ...

    def exists(self, root: str, files: list[str]) -> bool:
        """Whether every file is there now (used by `triage submit` to refuse typos early)."""
        ...


class LocalStore:
    """Files on a file system every worker mounts at the same path; read in place, never copied.

    Only regular files strictly inside `root` are read: no `..`, no absolute names, no
    symlinks anywhere below the root (a shared inbox must not become a way to read the host).
    """

    def fetch(self, root: str, files: list[str], scratch: Path) -> list[Path]:
        return [self._check(root, name) for name in files]

    def exists(self, root: str, files: list[str]) -> bool:
        try:
            self.fetch(root, files, Path("."))
        except StorageError:
            return False
        return True

    def _check(self, root: str, name: str) -> Path:
        relative = PurePosixPath(name)
        if not name or relative.is_absolute() or ".." in relative.parts:
            raise BadLocation(f"{name!r}: file names must be relative to the incident root, without '..'")
        path = Path(root)
        try:
            if not stat.S_ISDIR(os.stat(path).st_mode):
                raise StorageError(f"{root}: the incident root is not a directory")
            for part in relative.parts:
                path = path / part
                mode = os.lstat(path).st_mode
                if stat.S_ISLNK(mode):
                    raise BadLocation(f"{name}: a symbolic link; only regular files are read")
        except FileNotFoundError:
            raise StorageError(f"{name}: no such file under {root}") from None
        except OSError as e:
            raise StorageError(f"{name}: {e.strerror}") from None
        if not stat.S_ISREG(mode):
            raise BadLocation(f"{name}: not a regular file")
        return path
