"""Assemble analysis results into the summary document the schema describes.

The document is plain JSON-like data. Strings from artifacts are still raw
here: the redaction stage runs on the whole document right after this, and
renderers only ever see its output.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from triage import __version__
from triage.analyses.fingerprint import fingerprint
from triage.crashmodel import Capability, CrashInfo, CrashKind, CrashModel, JsFrame, ThreadInfo
from triage.schema import SCHEMA_VERSION


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
        "threads": [_thread(t) for t in (model.threads if model else [])],
        "js_stack": _js_stack(model, capabilities.get("js_stack")),
        "histogram": findings.histogram,
        "suspects": findings.suspects,
        "redaction": {"enabled": False},  # replaced by the redaction stage
        "warnings": list(dict.fromkeys(warnings)),
        "capabilities": {name: asdict(cap) for name, cap in sorted(capabilities.items())},
    }
    document.update(findings.sections)
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
    if crash.signal is not None:
        sig = asdict(crash.signal)
        if sig["fault_address"] is not None:
            sig["fault_address"] = f"0x{sig['fault_address']:x}"
        out["signal"] = sig
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
        "frames": [asdict(f) for f in frames],
    }
