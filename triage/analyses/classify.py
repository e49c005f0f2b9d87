"""Classify a crash from its signal and the faulting thread's native stack.

The native frames say which code path raised the signal: Node's OOM handler,
the uncaught-exception path, `process.abort()`'s binding, a CHECK or assert.
Rules are ordered from most to least specific; the first match wins, and the
matching frame is named in the result so the engineer can check the verdict.
"""

from __future__ import annotations

import signal as signals

from triage.crashmodel import CrashInfo, CrashKind, SignalInfo, ThreadInfo

# (substring of a native function name, kind, reason); checked top to bottom.
_FRAME_RULES: tuple[tuple[str, CrashKind, str], ...] = (
    ("OOMErrorHandler", CrashKind.HEAP_OOM, "V8 ran out of JavaScript heap memory"),
    ("FatalProcessOutOfMemory", CrashKind.HEAP_OOM, "V8 ran out of memory"),
    ("TriggerUncaughtException", CrashKind.UNCAUGHT_EXCEPTION,
     "an uncaught JavaScript exception ended the process"),
    ("Isolate::Throw", CrashKind.UNCAUGHT_EXCEPTION,
     "an exception was thrown with --abort-on-uncaught-exception"),
    ("node::Assert", CrashKind.ASSERTION, "a Node.js internal assertion (CHECK) failed"),
    ("__assert_fail", CrashKind.ASSERTION, "a C/C++ assertion failed"),
    ("V8_Fatal", CrashKind.ASSERTION, "a V8 internal check (CHECK/DCHECK) failed"),
    ("node::OnFatalError", CrashKind.FATAL_ERROR, "Node.js reported a fatal error"),
    ("node::FatalError", CrashKind.FATAL_ERROR, "Node.js reported a fatal error"),
    ("ReportApiFailure", CrashKind.FATAL_ERROR, "a V8 API was misused (fatal API failure)"),
    ("node::Abort(v8::FunctionCallbackInfo", CrashKind.ABORT,
     "JavaScript called process.abort()"),
)
_FAULT_SIGNALS = {signals.SIGSEGV, signals.SIGBUS, signals.SIGILL, signals.SIGFPE}
# process.kill() from JavaScript: node::Kill -> uv_kill -> kill(2). A fatal signal a process
# sends itself this way looks like a fault re-raised by Node's SIGSEGV handler (si_code <= 0,
# sender = self); these frames under the handler tell the two apart.
_SELF_KILL_FRAMES = ("uv_kill", "node::Kill(")
_ABORT_PLUMBING = ("raise", "abort", "pthread_kill", "__GI_", "__pthread", "gsignal")


def classify(signal: SignalInfo | None, faulting: ThreadInfo | None, pid: int | None) -> CrashInfo:
    """Decide why a process died from its signal and faulting thread."""
    tid = faulting.tid if faulting else None
    frames = faulting.frames if faulting else []
    if signal is None:
        return CrashInfo(CrashKind.NONE, "the core records no fatal signal (taken from a live process?)",
                         faulting_thread=tid)
    for needle, kind, reason in _FRAME_RULES:
        frame = next((f for f in frames if f.function and needle in f.function), None)
        if frame is not None:
            return CrashInfo(kind, reason, signal, tid, frame.function)
    top = _first_meaningful_frame(frames)
    sent_from_outside = signal.code is not None and signal.code <= 0 and signal.sender_pid not in (None, pid)
    if sent_from_outside:
        return CrashInfo(CrashKind.EXTERNAL_SIGNAL,
                         f"{signal.name} was sent by another process (pid {signal.sender_pid})",
                         signal, tid, top)
    sender = _self_kill_frame(signal, frames, pid)
    if sender is not None:
        return CrashInfo(CrashKind.SELF_SIGNAL,
                         f"the process sent itself {signal.name} with process.kill() ({sender}); "
                         "not a native fault: see the JavaScript stack for the caller",
                         signal, tid, sender)
    if signal.number in _FAULT_SIGNALS:
        where = f" in {top}" if top else ""
        if signal.code is not None and signal.code <= 0:
            # Node's own SIGSEGV handler (for WebAssembly traps) re-raises faults it
            # does not own, so the kernel's fault details are replaced by a self-kill.
            detail = "re-raised by the process's own signal handler; fault address not recorded"
        else:
            detail = signal.code_name or str(signal.code)
            if signal.fault_address is not None:
                detail += f" at address 0x{signal.fault_address:x}"
        return CrashInfo(CrashKind.NATIVE_FAULT, f"native fault {signal.name}{where} ({detail})",
                         signal, tid, top)
    if signal.number == signals.SIGABRT:
        return CrashInfo(CrashKind.ABORT, "native code called abort()", signal, tid, top)
    return CrashInfo(CrashKind.EXTERNAL_SIGNAL, f"the process was killed by {signal.name}",
                     signal, tid, top)


def _self_kill_frame(signal: SignalInfo, frames, pid: int | None) -> str | None:
    """The process.kill() frame when the process signalled itself, else None."""
    if signal.code is None or signal.code > 0 or signal.sender_pid not in (None, pid):
        return None
    return next((f.function for f in frames
                 if f.function and any(n in f.function for n in _SELF_KILL_FRAMES)), None)


def _first_meaningful_frame(frames) -> str | None:
    for frame in frames:
        name = frame.function
        if name and not any(name.startswith(p) or p in name for p in _ABORT_PLUMBING):
            return name
    return None
