"""Errors users can act on, each with a documented exit code (docs/exit-codes.md).

Every failure the user can cause or fix is a `TriageError`: the CLI prints its
message as one line and exits with its code. Anything else is a bug and exits
with `INTERNAL` after one line, never a traceback (set TRIAGE_DEBUG=1 to see it).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    USAGE = 2  # bad command line (click's own code)
    INPUT_UNREADABLE = 3  # path missing, unreadable, or a directory where a file was needed
    INPUT_UNRECOGNIZED = 4  # not a core, report or heap snapshot we understand
    INPUT_DAMAGED = 5  # recognized but truncated or malformed
    BINARY_PROBLEM = 6  # node binary missing, or not the one the core was made with
    NOT_NODE = 7  # a valid core, but not of a Node.js process
    DEPENDENCY_MISSING = 8  # lldb bindings, llnode or another system part missing
    OUTPUT_PROBLEM = 9  # cannot write the output, or it would overwrite an input
    LIMIT_EXCEEDED = 10  # time or memory limit hit (pipeline mode)
    SOME_FAILED = 11  # `triage batch`: at least one incident of this run failed (see the index)
    CAPTURE_DENIED = 12  # `triage capture`: not permitted to attach to the process (ptrace)
    INTERNAL = 70  # a bug in triage


class TriageError(Exception):
    """An error with a one-line message and the exit code that classifies it."""

    code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, code: ExitCode | None = None):
        super().__init__(message)
        if code is not None:
            self.code = code


class InputUnreadable(TriageError):
    code = ExitCode.INPUT_UNREADABLE


class InputUnrecognized(TriageError):
    code = ExitCode.INPUT_UNRECOGNIZED


class InputDamaged(TriageError):
    code = ExitCode.INPUT_DAMAGED


class BinaryProblem(TriageError):
    code = ExitCode.BINARY_PROBLEM


class NotNode(TriageError):
    code = ExitCode.NOT_NODE


class DependencyMissing(TriageError):
    code = ExitCode.DEPENDENCY_MISSING


class OutputProblem(TriageError):
    code = ExitCode.OUTPUT_PROBLEM


class LimitExceeded(TriageError):
    code = ExitCode.LIMIT_EXCEEDED


class CaptureDenied(TriageError):
    code = ExitCode.CAPTURE_DENIED
