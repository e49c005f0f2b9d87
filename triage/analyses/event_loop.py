"""The `event_loop` section: each loop's libuv handles and Node's pending requests.

Built from `triage.loaders.event_loop.EventLoop` (read from a core). Handles are listed
as a diagnostic report lists them (libuv's internal handles, which uv_walk skips, are
counted, not listed), each with the JS object and constructor of its Node wrap when one
was proven; requests are Node's ReqWraps (llnode's `getactiverequests`). What could not
be read is in `problems` and in the `event_loop` capability.

The section is the main thread's loop (`isolate: main`); each Worker's loop, read through
its isolate, is an entry of the same shape in `workers`, labelled like the `isolates` rows
(`worker 1 app.js`). The capability names the loops read and those not read, with why.
Shape: `triage/schemas/section-event_loop.schema.json`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from triage.crashmodel import Capability
from triage.loaders.event_loop import EventLoop, LoopHandle
from triage.v8.reader import address_ref

ENGINE = "triage.node"


def event_loop_section(ev: EventLoop, endpoints: dict[int, dict] | None = None,
                       isolate: str = "main") -> tuple[dict[str, Any], Capability]:
    """One loop's section (labelled `isolate`) and its capability. `endpoints`: TCP
    endpoints by JS object, where the heap recorded them (the kernel keeps socket addresses,
    a core does not)."""
    endpoints = endpoints or {}
    shown = [h for h in ev.handles if not h.internal]
    in_loop = {h.wrap for h in ev.handles if h.wrap is not None}
    requests = None if ev.requests is None else [_wrap_row(r) for r in ev.requests]
    unmatched = None if ev.node_wraps is None else [
        _wrap_row(w) for w in ev.node_wraps if w.wrap not in in_loop]
    problems = list(ev.problems)
    note = None
    if (ev.requests is not None and ev.active_requests is not None
            and ev.active_requests != len(ev.requests)):
        note = (f"libuv counts {ev.active_requests} active requests, Node's request list holds "
                f"{len(ev.requests)}: a ReqWrap stays listed until its callback returns (libuv "
                "has let go of it by then), and thread-pool work that is no ReqWrap (Node 26's "
                "fs.readFile ReadFileJob, zlib, crypto) is counted by libuv only")
    section = {
        "_source": "heap_string",
        "isolate": isolate,
        "loop": None if ev.loop is None else f"0x{ev.loop:x}",
        "active_handles": ev.active_handles,
        "active_requests": ev.active_requests,
        "handles": [_handle_row(h, endpoints.get(h.object) if h.object else None) for h in shown],
        "internal_handles": sum(h.internal for h in ev.handles),
        "handles_complete": ev.handles_complete,
        "by_type": _by_type(shown),
        "requests": requests,
        "wraps_without_loop_handle": unmatched,
        "environment": None if ev.environment is None else f"0x{ev.environment:x}",
        "requests_note": note,
        "problems": problems,
    }
    return section, _capability(ev, problems)


def _handle_row(h: LoopHandle, endpoint: dict | None) -> dict[str, Any]:
    row: dict[str, Any] = {
        "address": f"0x{h.address:x}",
        "type": h.type,
        "active": h.active,
        "referenced": h.referenced,
        "closing": h.closing,
        "object": None if h.object is None else address_ref(h.object),
        "constructor": h.constructor,
    }
    if h.signal is not None:
        row["signal"] = h.signal
    if h.type == "fs_event":
        row["filename"] = h.path
    if h.type in ("tcp", "udp", "pipe"):  # None: the heap recorded none (the kernel has them)
        row["endpoints"] = None if endpoint is None else {"_source": "network", **endpoint}
    return row


def _wrap_row(w: Any) -> dict[str, Any]:
    return {"wrap": f"0x{w.wrap:x}",
            "object": None if w.object is None else address_ref(w.object),
            "constructor": w.constructor}


def _by_type(handles: list[LoopHandle]) -> dict[str, dict[str, int]]:
    groups: dict[str, Counter] = {}
    for h in handles:
        g = groups.setdefault(h.type, Counter())
        g["count"] += 1
        g["active"] += h.active
        g["referenced"] += h.referenced
        g["active_and_referenced"] += h.active and h.referenced
    keys = ("count", "active", "referenced", "active_and_referenced")
    return {t: {k: int(g[k]) for k in keys} for t, g in sorted(groups.items())}


def _capability(ev: EventLoop, problems: list[str]) -> Capability:
    if ev.loop is None:
        return Capability("unavailable", "; ".join(problems) or "the event loop was not found",
                          engine=ENGINE)
    if not problems:
        return Capability("full", "handles from libuv's loop, requests from Node's request list "
                          "(ReqWraps: thread-pool work without one, such as Node 26's fs.readFile, "
                          "zlib or crypto, is counted, not listed)", engine=ENGINE)
    return Capability("degraded", "; ".join(problems), engine=ENGINE)


def unread_loop(isolate: str, reason: str) -> dict[str, Any]:
    """A Worker's entry when its loop was not read: the section's shape, nothing listed."""
    section, _ = event_loop_section(EventLoop(problems=[reason]), isolate=isolate)
    return section


def loops_capability(main: Capability, workers: list[dict[str, Any]] | None,
                     why_not: str = "") -> Capability:
    """The `event_loop` capability over every loop of the process: the main thread's (`main`,
    from `event_loop_section`) and each Worker's entry (`None`: the Workers were not looked
    for, `why_not` says why). Full only when every loop found was read in full."""
    if main.status == "unavailable":
        return main
    if workers is None:
        return Capability("degraded", f"main loop: {main.reason}; Worker threads' loops were not "
                          f"read ({why_not})", engine=ENGINE)
    if not workers:
        return Capability(main.status, f"{main.reason}; the core holds no Worker isolate",
                          engine=ENGINE)
    read = [w["isolate"] for w in workers if w["loop"] is not None and not w["problems"]]
    partly = [w for w in workers if w["loop"] is not None and w["problems"]]
    unread = [w for w in workers if w["loop"] is None]
    parts = [f"main loop: {main.reason}"]
    if read:
        parts.append("Worker loops read (found through each Worker's Environment): "
                     + ", ".join(read))
    parts += [f"{w['isolate']}: loop read in part ({'; '.join(w['problems'])})" for w in partly]
    parts += [f"{w['isolate']}: loop not read ({'; '.join(w['problems'])})" for w in unread]
    status = "degraded" if partly or unread else main.status
    return Capability(status, "; ".join(parts), engine=ENGINE)

