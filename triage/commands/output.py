"""Where a command's text goes: stdout, or a new regular file written whole."""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO

from triage.errors import OutputProblem


def check_output(output: Path, inputs: tuple[Path, ...], force: bool) -> None:
    target = output.resolve()
    for path in inputs:
        if path.exists() and path.resolve() == target:
            raise OutputProblem(f"--output {output} is one of the inputs; refusing to overwrite it")
    if target.exists() and not force:
        raise OutputProblem(f"--output {output} already exists; pass --force to replace it")
    if not target.parent.is_dir():
        raise OutputProblem(f"--output {output}: directory {target.parent} does not exist")


def write_output(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:  # write then rename: a crash mid-write never leaves a half-written file
        fd, tmp = tempfile.mkstemp(dir=output.resolve().parent, prefix=f".{output.name}.")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        os.replace(tmp, output)
    except OSError as e:
        raise OutputProblem(f"cannot write {output}: {e.strerror}") from e




@contextmanager
def streamed_output(output: Path) -> Iterator[IO[bytes]]:
    """A binary stream for output too big to hold as text: it goes to a 0600 temp file in the
    target's directory, renamed over `output` only when the block ends without an error (an
    interrupted export never leaves a half-written file under the final name)."""
    try:
        fd, tmp = tempfile.mkstemp(dir=output.resolve().parent, prefix=f".{output.name}.")
    except OSError as e:
        raise OutputProblem(f"cannot write {output}: {e.strerror}") from e
    done = False
    try:
        with os.fdopen(fd, "wb", buffering=1 << 20) as f:
            yield f
        os.replace(tmp, output)
        done = True
    except OSError as e:
        raise OutputProblem(f"cannot write {output}: {e.strerror}") from e
    finally:
        if not done:
            with suppress(OSError):
                os.unlink(tmp)
