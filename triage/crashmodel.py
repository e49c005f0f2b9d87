"""The crash model: what happened to the process, independent of the artifact.

Loaders (core, diagnostic report) fill these dataclasses; analyses and the
summary read them. Nothing here knows whether a core or a report fed it.
Strings in here are raw dump data: they reach output only through the
redaction stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class CrashKind(StrEnum):
    """Why the process died (or why the artifact was written)."""

    HEAP_OOM = "heap_oom"  # V8 ran out of JS heap
    FATAL_ERROR = "fatal_error"  # V8/Node fatal error other than OOM
    UNCAUGHT_EXCEPTION = "uncaught_exception"  # abort (or report) after an uncaught exception
    ABORT = "abort"  # explicit process.abort() or abort() from native code
    ASSERTION = "assertion"  # a C/C++ assertion or CHECK failed
    NATIVE_FAULT = "native_fault"  # SIGSEGV, SIGBUS, SIGILL, SIGFPE
    EXTERNAL_SIGNAL = "external_signal"  # killed by a signal sent from outside
    SELF_SIGNAL = "self_signal"  # the process signalled itself (process.kill(process.pid, …))
    REPORT_REQUEST = "report_request"  # a diagnostic report written on request (API, signal)
    NONE = "none"  # the artifact does not record a crash (e.g. a snapshot on its own)
    UNKNOWN = "unknown"


@dataclass
class NativeFrame:
    index: int
    pc: int
    function: str | None = None
    module: str | None = None
    file: str | None = None
    line: int | None = None


@dataclass
class JsFrame:
    index: int
    function: str  # "(anonymous)" when the function has no name
    script: str | None = None
    line: int | None = None  # 1-based
    column: int | None = None  # 1-based
    kind: str = "unknown"  # interpreted | baseline | optimized | builtin | native | unknown
    #                        | exit | entry (V8's frames into C++ and from C++: MARKER_KINDS)
    #                        | inlined (a function TurboFan inlined into the optimized frame
    #                          after it: no stack frame, so no fp, function, context or values)
    # From a core only (None elsewhere): the JSFunction and its Context (untagged hex, each
    # accepted by `--inspect`), the receiver and the argument values (`triage.v8.frames`),
    # the actual argument count without the receiver, and why a value is missing.
    function_address: str | None = None
    context_address: str | None = None
    receiver: dict | None = None
    args: list[dict] | None = None
    argc: int | None = None
    # Why the frame has no position, or what its position means (an optimized frame whose
    # inlined functions could not be read: the call it makes, those not listed); else None.
    position_note: str | None = None


#: JsFrame kinds that are V8's marker frames, not JavaScript functions
MARKER_KINDS = ("exit", "entry")


@dataclass
class ThreadInfo:
    tid: int
    name: str | None = None
    faulting: bool = False
    frames: list[NativeFrame] = field(default_factory=list)


@dataclass
class SignalInfo:
    number: int
    name: str
    code: int | None = None
    code_name: str | None = None  # SI_USER, SEGV_MAPERR, ...
    fault_address: int | None = None
    sender_pid: int | None = None


@dataclass
class ExceptionInfo:
    """The thrown exception of an uncaught-exception crash, as read from the dump."""

    type: str  # constructor name: TypeError, Error, ...
    message: str | None
    stack: str | None  # the Error's own stack text, bounded
    address: int | None = None  # untagged address of the Error in a core


@dataclass
class CrashInfo:
    kind: CrashKind
    reason: str  # one sentence in plain words
    signal: SignalInfo | None = None
    faulting_thread: int | None = None
    faulting_frame: str | None = None
    message: str | None = None  # fatal error text, exception message
    exception: ExceptionInfo | None = None  # the thrown Error (cores: triage/v8/exception.py)


@dataclass
class ProcessInfo:
    pid: int | None = None
    executable: str | None = None
    command_line: list[str] = field(default_factory=list)
    environment: dict[str, str] | None = None
    cwd: str | None = None
    host: str | None = None
    node_version: str | None = None
    v8_version: str | None = None
    time: str | None = None  # ISO 8601 when known


@dataclass
class Capability:
    """Whether one analysis ran for this input: full, degraded or unavailable, and why."""

    status: str  # "full" | "degraded" | "unavailable"
    reason: str = ""
    engine: str | None = None


@dataclass
class CrashModel:
    process: ProcessInfo
    crash: CrashInfo
    threads: list[ThreadInfo] = field(default_factory=list)
    js_stack: list[JsFrame] = field(default_factory=list)
    js_stack_source: str | None = None
    capabilities: dict[str, Capability] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
