"""Capabilities: whether histogram, inspect and js_stack run fully, degraded or not at all.

Decided from cheap facts (constants present, per-version facts from the table or derived
from the core, pages and meta maps found as expected, threads present), so a caller can
report what it cannot answer before running anything expensive. A V8 without a table entry
is `full` when every fact it needs was derived (`calibrate.py`), and names each fact it
could not derive otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from triage.coredump import CoreFile, ElfFile
from triage.crashmodel import Capability
from triage.errors import TriageError
from triage.v8.code import INLINED_NOTE

if TYPE_CHECKING:
    from triage.v8.heap import V8Heap

ENGINE = "triage.v8"
GARBAGE_NOTE = ("counts include objects that are unreachable but not yet collected; "
                "new-space from-pages (stale copies) are skipped")


def probe(core: CoreFile, binary: ElfFile) -> dict[str, Capability]:
    """Open the heap reader on `core` with `binary` and report what it can do."""
    from triage.v8.heap import V8Heap

    try:
        heap = V8Heap.open(core, binary)
    except TriageError as e:
        why = str(e)
        return {k: Capability("unavailable", why, ENGINE) for k in ("histogram", "inspect",
                                                                     "js_stack")}
    return capabilities(heap)


def capabilities(heap: V8Heap) -> dict[str, Capability]:
    out: dict[str, Capability] = {}
    from triage.v8.versions import IGNORE_ENV, ignored

    why = (f"the triage/v8/versions.py entry of V8 {heap.version} is ignored ({IGNORE_ENV})"
           if ignored(heap.constants.version) else
           f"V8 {heap.version} has no entry in triage/v8/versions.py")
    version_note = ""
    if heap.underived:
        version_note = (f"{why} and these facts could not be derived from the core: "
                        f"{', '.join(heap.underived)}")
    derived_note = ""
    if heap.facts.source == "derived":
        derived_note = f"{why}; its layout facts were derived from the binary and the core"
    if not heap.pages or not len(heap.maps):
        why = "; ".join(heap.problems) or "no V8 heap found in the core"
        out["histogram"] = Capability("unavailable", why, ENGINE)
        out["inspect"] = Capability("unavailable", why, ENGINE)
    else:
        problems = list(heap.problems)
        if version_note:
            problems.insert(0, version_note)
        status = "degraded" if problems else "full"
        info = [derived_note] if derived_note and not version_note else []
        out["histogram"] = Capability(status, "; ".join(problems + info + [GARBAGE_NOTE]),
                                      ENGINE)
        out["inspect"] = Capability(status, "; ".join(problems + info), ENGINE)
    if not heap.core.threads:
        out["js_stack"] = Capability("unavailable", "the core has no thread registers", ENGINE)
    else:
        frames = heap.js_stack()
        if not frames:
            out["js_stack"] = Capability(
                "degraded", "no JS frames on the crashing thread's frame-pointer chain "
                "(native-only crash, or the chain is broken)", ENGINE)
        else:
            # an optimized or baseline frame without a position says why (its position_note);
            # a builtin has no script, and V8 prints no position for it either
            positioned = all(f.line is not None for f in frames if not f.position_note
                             and f.kind not in ("exit", "entry")
                             and not (f.kind == "optimized" and f.script is None))
            unplaced = sorted({f.position_note for f in frames
                               if f.kind in ("optimized", "baseline", "inlined") and f.line is None
                               and f.position_note})
            notes = []
            unlisted = sorted({f.position_note for f in frames
                               if (f.position_note or "").startswith(INLINED_NOTE)})
            if unlisted:  # the frames V8 would print for them are missing from the stack
                notes.append("some optimized frames' inlined functions are not listed ("
                             + "; ".join(n.removeprefix(INLINED_NOTE).strip(" ()") for n in unlisted) + ")")
            if unplaced:
                notes.append("some optimized or baseline frames give function and script only ("
                             + "; ".join(n.removeprefix("no position: ") for n in unplaced) + ")")
            if not positioned:
                notes.append("some frames have no source position")
            if version_note:
                notes.append(version_note)
            elif derived_note:
                notes.append(derived_note)
            status = "full" if positioned and not version_note and not unlisted else "degraded"
            out["js_stack"] = Capability(status, "; ".join(notes), ENGINE)
    return out
