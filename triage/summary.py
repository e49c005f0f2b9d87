"""Assemble analysis results into the summary document the schema describes.

The document is plain JSON-like data. Strings from artifacts are still raw
here: the redaction stage runs on the whole document right after this, and
renderers only ever see its output.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from triage import __version__
from triage.analyses.fingerprint import fingerprint
from triage.crashmodel import Capability, CrashInfo, CrashKind, CrashModel, JsFrame, ThreadInfo
from triage.schema import SCHEMA_VERSION
from triage.units import human_bytes

if TYPE_CHECKING:
    from triage.coredump.malloc import MallocHeap


@dataclass
class Findings:
    """Everything the analyses found about one incident, before formatting."""

    inputs: list[dict[str, Any]] = field(default_factory=list)
    model: CrashModel | None = None
    histogram: list[dict[str, Any]] = field(default_factory=list)
    suspects: list[dict[str, Any]] = field(default_factory=list)
    sections: dict[str, Any] = field(default_factory=dict)  # report, heap, diff, ...
    capabilities: dict[str, Capability] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # What each source said about facts several sources know (heap size, JS stack), kept
    # for cross-checks; not output as such.
    evidence: dict[str, Any] = field(default_factory=dict)


def build_summary(findings: Findings) -> dict[str, Any]:
    model = findings.model
    capabilities = {**(model.capabilities if model else {}), **findings.capabilities}
    warnings = [*(model.warnings if model else []), *findings.warnings]
    document: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "triage", "version": __version__},
        "inputs": findings.inputs,
        "process": asdict(model.process) if model else {},
        "crash": _crash(model.crash if model else None),
        "threads": _threads(model.threads if model else []),
        "js_stack": _js_stack(model, capabilities.get("js_stack")),
        "histogram": findings.histogram,
        "suspects": findings.suspects,
        "redaction": {"enabled": False},  # replaced by the redaction stage
        "warnings": list(dict.fromkeys(warnings)),
        "capabilities": {name: asdict(cap) for name, cap in sorted(capabilities.items())},
    }
    document.update(findings.sections)
    memory = memory_section(findings)
    if memory is not None:
        document["memory"] = memory
    document["fingerprint"] = fingerprint(document)  # dedup signature (analyses/fingerprint.py)
    return document


def _crash(crash: CrashInfo | None) -> dict[str, Any]:
    if crash is None:
        return {"kind": CrashKind.NONE.value, "reason": "no artifact recorded a crash"}
    out: dict[str, Any] = {
        "kind": crash.kind.value,
        "reason": crash.reason,
        "signal": None,
        "faulting_thread": crash.faulting_thread,
        "faulting_frame": crash.faulting_frame,
        "message": crash.message,
    }
    if crash.exception is not None:
        exc = asdict(crash.exception)
        exc["address"] = None if exc["address"] is None else f"0x{exc['address']:x}"
        out["exception"] = exc
    if crash.signal is not None:
        sig = asdict(crash.signal)
        if sig["fault_address"] is not None:
            sig["fault_address"] = f"0x{sig['fault_address']:x}"
        out["signal"] = sig
    return out


def _threads(threads: list[ThreadInfo]) -> list[dict[str, Any]]:
    """Every thread; a thread whose role and native stack (function names) equal an earlier
    one's says so in `same_stack_as`, so pages can show idle pools once."""
    out, first_of = [], {}
    for thread in threads:
        entry = _thread(thread)
        if not thread.faulting and thread.frames:
            key = (thread.name, tuple(f.function for f in thread.frames))
            leader = first_of.setdefault(key, thread.tid)
            if leader != thread.tid:
                entry["same_stack_as"] = leader
        out.append(entry)
    return out


def _thread(thread: ThreadInfo) -> dict[str, Any]:
    return {
        "tid": thread.tid,
        "name": thread.name,
        "faulting": thread.faulting,
        "frames": [{**asdict(f), "pc": f"0x{f.pc:x}"} for f in thread.frames],
    }


def _js_stack(model: CrashModel | None, capability: Capability | None) -> dict[str, Any]:
    frames: list[JsFrame] = model.js_stack if model else []
    cap = capability or Capability("unavailable", "no artifact with a JavaScript stack")
    return {
        "status": cap.status,
        "engine": cap.engine or (model.js_stack_source if model else None),
        "reason": cap.reason,
        "frames": [frame_document(f) for f in frames],
    }


def _malloc_row(heap: MallocHeap | None, blobs: bool,
                zlib: dict[str, int] | None = None) -> dict[str, Any]:
    """The core's `native` figure: glibc malloc's chunks in use less the ArrayBuffer stores
    and external strings' characters in them (the `external` figure), with what was walked,
    what may be missing, and the part that objects' retained sizes include (zlib state)."""
    if heap is None:
        return {"kind": "native", "bytes": None, "source": "core",
                "detail": "no glibc malloc heap was recognised in the core's anonymous memory "
                          "(another allocator, or a damaged core)"}
    detail = (f"glibc malloc's chunks in use (main arena, {heap.thread_heaps} thread "
              f"heap(s), {heap.mmapped_chunks:,} mmapped chunk(s)), less the ArrayBuffer "
              f"stores and external strings in them ({human_bytes(heap.stores_in_use)}, "
              "counted as external): C++ objects of Node and V8, queued messages, zlib, TLS and ICU state"
              + ("; Blob data is in it" if blobs else ""))
    system_mem = heap.main_arena_system_mem
    if system_mem is None:
        detail += "; glibc's own size of its main arena was not found to check the walk"
    elif heap.main_arena < system_mem:
        detail += (f"; at least: the walk covered {human_bytes(heap.main_arena)} of the "
                   f"main arena's {human_bytes(system_mem)}")
    if heap.unvalidated:
        detail += f"; {heap.unvalidated} region(s) that began like malloc's did not walk"
    if heap.message_bytes >= QUEUED_MESSAGES_MIN:
        detail += f"; of it, {queued_messages_text(heap, short=True)}"
    if zlib:
        detail += (f"; of it, {human_bytes(zlib['bytes'])} is the state of "
                   f"{zlib['streams']:,} compression stream(s) (zlib, Brotli), in their "
                   "objects' retained sizes")
    return {"kind": "native", "bytes": max(heap.in_use - heap.stores_in_use, 0),
            "source": "core", "detail": detail}


#: serialized messages worth a word: below this, a few messages in flight
QUEUED_MESSAGES_MIN = 1 << 20


def queued_messages_text(heap: MallocHeap, *, short: bool = False) -> str:
    """`3,000 serialized messages (29.4 MiB): postMessage payloads ...`: blocks of malloc'd
    memory that begin as V8's ValueSerializer writes a value (triage/coredump/malloc.py).
    50 MB queued on a busy Worker's port were "C++ objects of Node and V8, queued messages,
    zlib, TLS and ICU state", which did not say which."""
    what = f"{heap.messages:,} serialized messages ({human_bytes(heap.message_bytes)})"
    if short:
        return f"{what} not yet read by their MessagePort"
    return (f"{what}: postMessage payloads that the receiving MessagePort (a Worker, a "
            "MessageChannel, a BroadcastChannel) has not read yet; a receiver that is busy "
            "or blocked, or slower than its sender, lets them pile up")


def frame_document(frame: JsFrame) -> dict[str, Any]:
    """A JS frame as the document holds it: its receiver and argument values are heap data
    (redacted as heap strings, like `--inspect` output), the rest the stack's own facts."""
    out = asdict(frame)
    if out.get("receiver") is not None:
        out["receiver"] = {"_source": "heap_string", **out["receiver"]}
    if out.get("args") is not None:
        out["args"] = [{"_source": "heap_string", **a} for a in out["args"]]
    return out


def memory_section(findings: Findings) -> dict[str, Any] | None:
    """JS heap vs external (ArrayBuffer backing stores) vs native memory of the process, each
    figure with its source (`triage/schemas/section-memory.schema.json`); None when no input
    says anything about memory."""
    ev = findings.evidence
    rows: list[dict[str, Any]] = []
    js = ev.get("core_js_heap")
    if js is not None:
        detail = f"objects walked on the pages of {len(js['isolates'])} isolate(s): " \
                 + ", ".join(js["isolates"])
        if js["unread"]:
            detail += "; not read: " + ", ".join(js["unread"])
        rows.append({"kind": "js_heap", "bytes": js["bytes"], "source": "core", "detail": detail})
    ext = ev.get("core_external_total")
    if ext is not None:
        strings = (f" and the characters of {ext['strings']:,} external strings in malloc'd "
                   f"memory ({human_bytes(ext['string_bytes'])})") if ext.get("strings") else ""
        rows.append({"kind": "external", "bytes": ext["bytes"], "source": "core",
                     "detail": f"ArrayBuffer backing stores ({ext['stores']:,}){strings} held "
                               "by the walked isolates' heaps, each counted once"})
    elif js is not None:
        rows.append({"kind": "external", "bytes": None, "source": "core",
                     "detail": "not counted: the core's heap graph was not built"})
    blobs = ev.get("core_blob_total")
    if blobs is not None:
        rows.append({"kind": "blob_data", "bytes": blobs["bytes"], "source": "core",
                     "detail": blobs["detail"]})
    if "core_malloc" in ev:
        rows.append(_malloc_row(ev["core_malloc"], blobs is not None, ev.get("core_zlib_total")))
    report = findings.sections.get("report") or {}
    heap = report.get("heap") or {}
    usage = report.get("resource_usage") or {}
    if heap.get("used") is not None:
        rows.append({"kind": "js_heap", "bytes": heap["used"], "source": "report",
                     "detail": "javascriptHeap.usedMemory (the reporting thread's isolate)"})
    if heap.get("external_memory") is not None:
        rows.append({"kind": "external", "bytes": heap["external_memory"], "source": "report",
                     "detail": "javascriptHeap.externalMemory (V8's external-memory count: "
                               "ArrayBuffers and external strings)"})
    rss = usage.get("rss")
    if rss is not None:
        rows.append({"kind": "rss", "bytes": int(rss), "source": "report",
                     "detail": "resourceUsage.rss (resident memory of the whole process)"})
        committed, external = heap.get("committed"), heap.get("external_memory")
        if committed is not None and external is not None:
            rows.append({"kind": "native", "bytes": max(int(rss) - committed - external, 0),
                         "source": "report",
                         "detail": "resourceUsage.rss minus javascriptHeap.totalCommittedMemory "
                                   "and externalMemory: malloc, code, thread stacks, Workers' "
                                   "heaps"})
    if heap.get("malloced_memory") is not None:
        rows.append({"kind": "v8_malloc", "bytes": int(heap["malloced_memory"]),
                     "source": "report", "detail": "javascriptHeap.mallocedMemory (V8's own "
                                                   "malloc)"})
    if not rows:
        return None
    if not any(r["kind"] == "native" for r in rows):
        rows.append({"kind": "native", "bytes": None, "source": "none",
                     "detail": "needs a diagnostic report (resourceUsage.rss); a core does not "
                               "record which of its mappings are resident"})
    unmeasured = ev.get("core_native_unmeasured")
    if unmeasured:  # on the first page, not only in capabilities
        native = next(r for r in rows if r["kind"] == "native")
        native["detail"] += f"; {unmeasured}"
    out: dict[str, Any] = {"totals": rows}
    attributed = sum((ev.get(k) or {}).get("bytes", 0)
                     for k in ("core_zlib_total", "core_blob_total"))
    note = _mostly_native(rows, ev.get("core_malloc"), attributed)
    if note:
        out["note"] = note
    return out


#: native memory that is worth a sentence of its own: at least this much, and most of all
MOSTLY_NATIVE_MIN = 16 << 20


def _mostly_native(rows: list[dict[str, Any]], messages: MallocHeap | None = None,
                   attributed: int = 0) -> str | None:
    """When a core's malloc memory outweighs the JS heap and ArrayBuffers, say so: the
    suspects rank objects by what they retain, and no object retains this (a native leak,
    messages queued in C++, compression or ICU state). `attributed`: malloc'd bytes that
    objects do retain (zlib state, Blob data), left out of the claim."""
    core = {r["kind"]: r["bytes"] for r in rows if r["source"] == "core"}
    native, js, ext = core.get("native"), core.get("js_heap"), core.get("external")
    if native is None or js is None or ext is None:
        return None
    total = native + js + ext
    native = max(native - attributed, 0)
    if native < MOSTLY_NATIVE_MIN or native * 2 < total:
        return None
    note = (f"most of this process's memory is native: {human_bytes(native)} of "
            f"{human_bytes(total)} (JS heap, ArrayBuffers and malloc) is malloc'd memory "
            "that no object's retained size includes, so the suspects' sizes do not account "
            "for it")
    if messages is not None and messages.message_bytes * 2 >= native:
        note += f"; most of it is {queued_messages_text(messages)}"
    return note
