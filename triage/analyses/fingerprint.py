"""A stable crash signature: the same bug on another host, pid or build address gives the same id.

Format-agnostic: it reads the (unredacted) summary document, so a core, a report or a
snapshot all feed it through the same keys. The rules follow Socorro's signature generation
and ABRT's duphash (docs/pipeline.md, "Fingerprint"):

* ``kind:<crash kind>`` always; ``signal:<name>`` for native faults (SIGSEGV vs SIGBUS);
* ``js:<function> (<script basename>)`` for the top user JS frames (no line, column or path,
  so an edit elsewhere in the file or another install directory keeps the id); Node's own
  ``node:*`` frames and builtins count only when no user frame exists;
* ``native:<function>`` for the top native frames of the crashing thread when the crash was
  decided in native code (fault, assertion, fatal error, signal) or no user JS frame exists
  (otherwise they are the runtime's plumbing and only split one bug by Node version), with argument
  lists, template arguments and return types stripped, skipping libc, abort/raise/signal
  plumbing, diagnostic-report machinery, JIT frames and V8 ``Builtins_*`` trampolines;
* ``heap:<type>`` for out-of-memory crashes when a heap was available: what filled the heap
  is the bug, while the allocation that happened to cross the limit is chance. For the same
  reason an OOM keeps only its outermost user JS frame (the code driving the allocations).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from triage.crashmodel import MARKER_KINDS

ALGORITHM = "triage-fp-1"
JS_FRAMES = 3
NATIVE_FRAMES = 3

_SKIP_MODULES = re.compile(r"(^|/)(libc|libpthread|libstdc\+\+|libgcc_s|ld-linux[^/]*)([.-][^/]*)?$")
_SKIP_FUNCTIONS = re.compile(
    r"^(__GI_|__pthread_kill|pthread_kill|raise$|abort$|__restore_rt|__libc_|_start$|"
    r"start_thread$|clone3?$|__clone|<signal handler|\(JIT code|.* \(JS, \w+\)$|Builtins_|"
    r"node::TriggerNodeReport|node::report::|node::OnFatalError|node::DumpNativeBacktrace|"
    r"node::DumpJavaScriptBacktrace|node::PrintCaughtException|node::Assert$|"
    r"v8::base::OS::Abort|V8_Fatal|v8::internal::Builtin_)"
)
# Crashes decided in native code; for the others (abort, uncaught exception, OOM) with a user JS
# frame, the native frames are the runtime's plumbing, the same for every such crash of one Node
# version and different across versions, so they would split one bug into one group per Node.
_NATIVE_KINDS = ("native_fault", "assertion", "fatal_error", "external_signal", "unknown")
# Generic heap-graph categories tell nothing about which code leaked.
_GENERIC_TYPES = re.compile(r"^(\(.*\)|Array|Object|system / .*|Map|Set|String|Number)$")


def fingerprint(document: dict[str, Any]) -> dict[str, Any]:
    """`{"id", "components", "algorithm"}` for a summary document (before redaction)."""
    crash = document.get("crash") or {}
    kind = crash.get("kind") or "unknown"
    components = [f"kind:{kind}"]
    signal = crash.get("signal") or {}
    if kind == "native_fault" and signal.get("name"):
        components.append(f"signal:{signal['name']}")
    js, has_user_frame = _js_components(document.get("js_stack") or {})
    if kind == "heap_oom" and js:
        js = js[-1:]
    components += js
    if kind in _NATIVE_KINDS or not has_user_frame:
        components += _native_components(document.get("threads") or [])
    heap_type = _heap_type(document) if kind in ("heap_oom", "none", "unknown") else None
    if heap_type:
        components.append(f"heap:{heap_type}")
    digest = hashlib.sha256("\n".join([ALGORITHM, *components]).encode()).hexdigest()[:16]
    return {"id": digest, "components": components, "algorithm": ALGORITHM}


def _js_components(js_stack: dict[str, Any]) -> tuple[list[str], bool]:
    frames = [f for f in js_stack.get("frames") or [] if (f.get("function") or f.get("script"))
              and f.get("kind") not in MARKER_KINDS]  # `<exit>` / `<entry>` are no JS function
    user = [f for f in frames if _is_user_frame(f)]
    chosen = (user or frames)[:JS_FRAMES]
    return [f"js:{_js_name(f)}" for f in chosen], bool(user)


def _is_user_frame(frame: dict[str, Any]) -> bool:
    script = frame.get("script") or ""
    if frame.get("kind") in ("builtin", "native") or not script:
        return False
    return not script.startswith(("node:", "internal/", "native "))


def _js_name(frame: dict[str, Any]) -> str:
    function = frame.get("function") or "(anonymous)"
    # Reports say `Timeout.onTimer`, cores `onTimer`: the receiver type is a runtime detail.
    if "." in function and not function.startswith(("(", "<")):
        function = function.rsplit(".", 1)[1] or function
    script = frame.get("script")
    return f"{function} ({_basename(script)})" if script else function


def _basename(script: str) -> str:
    if script.startswith("node:"):
        return script
    script = re.sub(r"^file://", "", script).split("?", 1)[0]
    return script.rstrip("/").rsplit("/", 1)[-1]


def _native_components(threads: list[dict[str, Any]]) -> list[str]:
    thread = next((t for t in threads if t.get("faulting")), None)
    if thread is None:
        return []
    names: list[str] = []
    for frame in thread.get("frames") or []:
        function, module = frame.get("function"), frame.get("module") or ""
        if not function or _SKIP_MODULES.search(module) or _SKIP_FUNCTIONS.match(function):
            continue
        name = normalize_native(function)
        if name and not _SKIP_FUNCTIONS.match(name) and name not in names:
            names.append(name)
        if len(names) == NATIVE_FRAMES:
            break
    return [f"native:{n}" for n in names]


def normalize_native(function: str) -> str:
    """`T ns::f<A>(args) const` -> `ns::f`: what stays the same across builds and compilers."""
    out, depth = [], 0
    for ch in function:  # drop template arguments
        if ch == "<":
            depth += 1
        elif ch == ">" and depth:
            depth -= 1
        elif not depth:
            out.append(ch)
    text = "".join(out).replace("(anonymous namespace)", "{anon}").strip()
    text = re.sub(r"\s+const$", "", text)
    if text.endswith(")"):  # drop the argument list
        depth = 0
        for i in range(len(text) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(text[i], 0)
            if depth == 0:
                text = text[:i]
                break
    text = text.strip().rsplit(" ", 1)[-1]  # drop the return type
    return re.sub(r"\.(cold|isra|part|constprop|lto_priv)(\.\d+)*$", "", text)


def _heap_type(document: dict[str, Any]) -> str | None:
    """The top leak suspect, else the largest non-generic type in the histogram."""
    for suspect in document.get("suspects") or []:
        if suspect.get("type"):
            return str(suspect["type"])
    rows = document.get("histogram") or []
    ranked = sorted(rows, key=lambda r: -(r.get("retained_bytes") or r.get("shallow_bytes") or 0))
    for row in ranked:
        if row.get("type") and not _GENERIC_TYPES.match(str(row["type"])):
            return str(row["type"])
    return None
