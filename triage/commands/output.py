"""Where a command's text goes: stdout, or a new regular file written whole, mode 0600.

`--output` is checked before the (long) analysis and again just before the file is put
in place: it must be a new path or an existing regular file (with `--force`), never a
symlink, a device node such as /dev/null, a FIFO or a directory (replacing those breaks
the machine or blocks forever), and never one of the inputs - a dump, the `--node`
binary, the `--redact-policy` file or a file inside an input directory. The text is
written to a 0600 temp file in the same directory and renamed (or hard-linked, for a
new path, so that nothing that appeared meanwhile is replaced). Every refusal is one
line and exit 9 (OUTPUT_PROBLEM, docs/exit-codes.md).
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from triage.errors import OutputProblem
from triage.render.escape import escape_name

# the file each checked --output was when check_output approved it: None for a new path
_approved: dict[str, tuple[int, int] | None] = {}


def check_output(output: Path, inputs: Iterable[Path | None], force: bool) -> None:
    """Refuse (OutputProblem) an --output that is not a new path or a regular file we may
    replace; `inputs` are every file or directory the command reads (None entries skipped)."""
    shown = escape_name(output)
    key = os.path.abspath(output)
    parent = os.path.dirname(key)
    if not os.path.isdir(parent):
        raise OutputProblem(f"--output {shown}: directory {escape_name(parent)} does not exist")
    st = _lstat(key)
    if st is not None and stat.S_ISLNK(st.st_mode):
        raise OutputProblem(f"--output {shown} is a symbolic link; refusing to write through or replace it")
    if st is not None and not stat.S_ISREG(st.st_mode):
        from triage.batch.safeopen import kind_of

        raise OutputProblem(f"--output {shown} is {kind_of(st.st_mode)}; only a new path or a regular "
                            "file can be written (even with --force)")
    if st is not None:
        _check_not_input(shown, key, st, [p for p in inputs if p is not None])
        if not force:
            raise OutputProblem(f"--output {shown} already exists; pass --force to replace it")
    _approved[key] = None if st is None else (st.st_dev, st.st_ino)


def _check_not_input(shown: str, key: str, st: os.stat_result, inputs: list[Path]) -> None:
    real = os.path.realpath(key)
    for path in inputs:
        try:
            ist = os.stat(path)
        except OSError:
            continue
        if stat.S_ISDIR(ist.st_mode):
            inside = os.path.realpath(path)
            if os.path.commonpath([real, inside]) == inside:
                raise OutputProblem(f"--output {shown} is inside the input directory {escape_name(path)}; "
                                    "refusing to overwrite it")
        elif (ist.st_dev, ist.st_ino) == (st.st_dev, st.st_ino):
            raise OutputProblem(f"--output {shown} is an input ({escape_name(path)}); "
                                "refusing to overwrite it")


def write_output(text: str, output: Path | None) -> None:
    """`text` to stdout, or to `output` (checked by `check_output`; checked now as a new
    path without --force when it was not), through the same checked writer as a stream."""
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    with streamed_output(output) as f:
        f.write(text.encode("utf-8"))


@contextmanager
def streamed_output(output: Path) -> Iterator[IO[bytes]]:
    """`write_output` for output too big to hold as text (a heap export): a binary stream to
    the same 0600 temp file, put in place by the same checks only when the block ends
    without an error (an interrupted export never leaves a file under the final name)."""
    key = os.path.abspath(output)
    if key not in _approved:
        check_output(output, (), force=False)
    approved = _approved[key]
    shown = escape_name(output)
    try:
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(key), prefix=f".{os.path.basename(key)}.",
                                   suffix=".tmp")  # mode 0600
    except OSError as e:
        raise OutputProblem(f"cannot write {shown}: {e.strerror}") from e
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        _put_in_place(tmp, key, approved, shown)
    except OSError as e:
        raise OutputProblem(f"cannot write {shown}: {e.strerror}") from e
    finally:
        if os.path.lexists(tmp):
            os.unlink(tmp)


def _put_in_place(tmp: str, key: str, approved: tuple[int, int] | None, shown: str) -> None:
    """Rename over the approved regular file, or link to a path that must still be new."""
    st = _lstat(key)
    if approved is None:
        if st is not None:
            raise OutputProblem(f"--output {shown} appeared while triage was running; not replaced")
        try:
            os.link(tmp, key)  # fails with EEXIST: never replaces what appeared meanwhile
            return
        except OSError as e:
            if e.errno == errno.EEXIST:
                raise OutputProblem(f"--output {shown} appeared while triage was running; "
                                    "not replaced") from None
            if e.errno not in (errno.EPERM, errno.ENOTSUP, errno.EXDEV, errno.EMLINK):
                raise
        os.replace(tmp, key)  # a file system without hard links
        return
    if st is None or not stat.S_ISREG(st.st_mode) or (st.st_dev, st.st_ino) != approved:
        raise OutputProblem(f"--output {shown} was replaced while triage was running; not overwritten")
    os.replace(tmp, key)


def _lstat(path: str) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise OutputProblem(f"--output {escape_name(path)}: {e.strerror}") from e
