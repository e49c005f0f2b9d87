"""Open an uploaded file only if it is what it claims to be: a regular file, right here.

An inbox is written by other people. A name in it can be a symlink to `/etc/shadow` or to
a directory elsewhere, a FIFO that blocks a reader forever, a device node, or (through a
bind mount or an inbox pointed at `/proc`) a pseudo-file such as `/proc/self/pagemap` that
claims to be a regular file and reads for minutes. Everything here opens with `O_NOFOLLOW`
(a symlink is refused by the kernel, not by a check that can race) and `O_NONBLOCK` (a
FIFO swapped in after listing does not block the open), and decides on `fstat` of the
descriptor it will read - never on a stat of the name, which may have changed since.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

from triage.errors import InputUnreadable
from triage.render.escape import escape_name

OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
# Kernel-made files: regular by `stat`, but their size and content are not an upload's.
PSEUDO_FILESYSTEMS = frozenset({
    "proc", "sysfs", "debugfs", "tracefs", "securityfs", "configfs", "cgroup", "cgroup2", "bpf",
    "pstore", "efivarfs", "fusectl", "devpts", "mqueue", "binfmt_misc", "rpc_pipefs", "nsfs",
    "autofs", "selinuxfs", "hugetlbfs",
})
_mounts: dict[int, str] = {}


class Refused(InputUnreadable):
    """Not a regular file of an ordinary file system (exit 3, INPUT_UNREADABLE)."""


def kind_of(mode: int) -> str:
    """What a file is, in words, for a refusal message."""
    for test, word in ((stat.S_ISLNK, "a symbolic link"), (stat.S_ISDIR, "a directory"),
                       (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return word
    return "a regular file" if stat.S_ISREG(mode) else "a special file"


def filesystem_type(dev: int) -> str | None:
    """The file system type of device `dev`, from /proc/self/mountinfo (None when unknown)."""
    if dev not in _mounts:
        try:
            for line in Path("/proc/self/mountinfo").read_text().splitlines():
                fields = line.split()
                major, minor = fields[2].split(":")
                _mounts[os.makedev(int(major), int(minor))] = fields[fields.index("-") + 1]
        except (OSError, ValueError, IndexError):
            return None
    return _mounts.get(dev)


def check_regular(st: os.stat_result, name: object) -> None:
    """Refuse anything but a regular file on an ordinary file system."""
    if not stat.S_ISREG(st.st_mode):
        raise Refused(f"{escape_name(name)} is {kind_of(st.st_mode)}, not a regular file; not read")
    fstype = filesystem_type(st.st_dev)
    if fstype in PSEUDO_FILESYSTEMS:
        raise Refused(f"{escape_name(name)} is a {fstype} pseudo-file, not an upload; not read")


def open_regular(path: str | Path, *, dir_fd: int | None = None, display: object = None,
                 expect: tuple[int, int] | None = None) -> tuple[int, os.stat_result]:
    """An open descriptor and its `fstat`, for a regular file only (else `Refused`).

    `expect` is the (st_dev, st_ino) the file had when the inbox was scanned: a name
    that now points at another file (renamed over, swapped for a symlink) is refused."""
    display = path if display is None else display
    try:
        fd = os.open(path, OPEN_FLAGS, dir_fd=dir_fd)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise Refused(f"{escape_name(display)} is a symbolic link; not followed") from None
        raise InputUnreadable(f"cannot open {escape_name(display)}: {e.strerror}") from None
    try:
        st = os.fstat(fd)
        check_regular(st, display)
        if expect is not None and (st.st_dev, st.st_ino) != tuple(expect):
            raise Refused(f"{escape_name(display)} was replaced after the inbox was scanned; not read")
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def open_directory(name: str, dir_fd: int | None = None) -> int:
    """A directory descriptor; a symlink in its place is refused by the kernel (ELOOP/ENOTDIR)."""
    return os.open(name, DIR_FLAGS, dir_fd=dir_fd)


def fd_path(fd: int) -> Path:
    """A path that opens exactly this descriptor's file, whatever happens to its name."""
    return Path(f"/proc/self/fd/{fd}")
