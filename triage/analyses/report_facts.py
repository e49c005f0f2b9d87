"""The `report` section of the summary: what a diagnostic report says beyond the crash model.

Heap spaces against the limit (which space ran out), external memory, libuv handles,
workers, resource usage, user limits, shared objects and network data, each with
findings in plain words. Shape: `triage/schemas/section-report.schema.json`.

Strings from the report (endpoint hosts, interface addresses, paths) are kept raw in
clearly named fields; the redaction stage handles them later.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from triage.crashmodel import CrashKind
from triage.loaders.report import DiagnosticReport, crash_kind

MIB = 1024 * 1024
# resourceUsage.constrained_memory is 2^64-1 or 2^63-4096 when no cgroup limit applies.
NO_CGROUP_LIMIT = 1 << 62
# Spaces outside the old generation: a full one of these is not what an OOM means.
YOUNG_OR_READONLY = {"new_space", "new_large_object_space", "read_only_space"}
_OLD_SPACE_FLAG = re.compile(r"^--max[-_]old[-_]space[-_]size=(\d+)$")
FEW_OPEN_FILES = 1024


def report_facts(report: DiagnosticReport) -> dict[str, Any]:
    """Build the summary's `report` section (plain JSON types only, raw strings)."""
    findings: list[dict[str, str]] = []
    heap = heap_facts(report, findings)
    handles = handle_facts(report.libuv, findings)
    resources = resource_facts(report, findings)
    limits = user_limit_facts(report, findings)
    workers = [worker_facts(w) for w in report.workers]
    if workers:
        findings.append(_finding("workers", f"{_plural(len(workers), 'worker thread')} "
                                 "running when the report was written"))
    shared = report.shared_objects
    addons = [s for s in shared if s.endswith(".node")]
    if addons:
        findings.append(_finding("native", f"{_plural(len(addons), 'native addon')} loaded"))
    ifaces = report.network_interfaces
    return {
        "report_version": report.version,
        "event": report.event,
        "trigger": report.trigger,
        "filename": report.filename,
        "dump_time": report.time,
        "thread_id": report.thread_id,
        "node_version": report.node_version,
        "platform": report.header.get("platform"),
        "arch": report.header.get("arch"),
        "excluded": {
            "environment": report.environment is None,
            "network": ifaces is None,
        },
        "heap": heap,
        "handles": handles,
        "workers": workers,
        "resource_usage": resources,
        "user_limits": limits,
        "shared_objects": {"count": len(shared), "native_addon_paths": addons},
        "network_interfaces": None if ifaces is None else [_iface(i) for i in ifaces],
        "findings": findings,
    }


# --- heap --------------------------------------------------------------------------------------


def heap_facts(report: DiagnosticReport, findings: list[dict[str, str]]) -> dict[str, Any] | None:
    """Heap use against the limit, per space; for an OOM, which space filled up."""
    heap = report.heap
    if heap is None:
        return None
    limit = int(heap.get("memoryLimit") or 0)
    used = int(heap.get("usedMemory") or 0)
    spaces = []
    for name, s in report.heap_spaces.items():
        cap, u = int(s.get("capacity", 0)), int(s.get("used", 0))
        spaces.append({
            "name": name,
            "used": u,
            "capacity": cap,
            "available": int(s.get("available", 0)),
            "committed": int(s.get("committedMemory", 0)),
            "size": int(s.get("memorySize", 0)),
            "used_percent_of_capacity": _pct(u, cap),
            "used_percent_of_limit": _pct(u, limit),
        })
    old_gen = [s for s in spaces if s["name"] not in YOUNG_OR_READONLY]
    old_used = sum(s["used"] for s in old_gen)
    flag_limit = old_space_flag(report)
    is_oom = crash_kind(report) is CrashKind.HEAP_OOM
    exhausted = None
    if is_oom and old_gen:
        top = max(old_gen, key=lambda s: s["used"])
        if top["used"] > 0:
            exhausted = top["name"]
            share = _pct(top["used"], old_used)
            text = (f"the heap ran out in {exhausted}: it holds {_mb(top['used'])} "
                    f"({share}% of the old generation's {_mb(old_used)})")
            if flag_limit:
                text += (f"; the old-generation limit is {_mb(flag_limit)} "
                         "(--max-old-space-size)")
                if limit > flag_limit:
                    text += f"; the report's heap limit of {_mb(limit)} also counts the young generation"
                    if _near_heap_limit_snapshots(report):
                        text += (" and was raised by --heapsnapshot-near-heap-limit, which grows the "
                                 "limit so that it can write its snapshots")
            findings.append(_finding("heap", text))
    elif limit and _pct(used, limit) >= 90:
        findings.append(_finding("heap", f"the JS heap is at {_pct(used, limit)}% of its limit "
                                 f"({_mb(used)} of {_mb(limit)})"))
    external = heap.get("externalMemory")
    if isinstance(external, int) and external >= 64 * MIB and external > used:
        findings.append(_finding("memory", f"external memory ({_mb(external)}, mostly ArrayBuffer "
                                 f"and Buffer backing stores) exceeds the JS heap ({_mb(used)})"))
    detached = int(heap.get("detachedContextCount") or 0)
    if detached:
        findings.append(_finding("heap", f"{_plural(detached, 'detached context')}: a vm "
                                 "context or realm that is no longer used is still retained"))
    return {
        "memory_limit": limit,
        "used": used,
        "total": int(heap.get("totalMemory") or 0),
        "committed": int(heap.get("totalCommittedMemory") or 0),
        "available": int(heap.get("availableMemory") or 0),
        "used_percent_of_limit": _pct(used, limit),
        "old_generation_used": old_used,
        "old_generation_limit": flag_limit,
        "old_generation_used_percent_of_limit": _pct(old_used, flag_limit) if flag_limit else None,
        "exhausted_space": exhausted,
        "external_memory": external if isinstance(external, int) else None,
        # Not recorded in reports; V8's externalMemory includes ArrayBuffer backing stores.
        "array_buffers": None,
        "malloced_memory": heap.get("mallocedMemory"),
        "peak_malloced_memory": heap.get("peakMallocedMemory"),
        "native_context_count": heap.get("nativeContextCount"),
        "detached_context_count": heap.get("detachedContextCount"),
        "spaces": spaces,
    }


def _near_heap_limit_snapshots(report: DiagnosticReport) -> bool:
    """Whether Node was asked to write snapshots near the heap limit (which raises the limit)."""
    args = list(report.command_line) + (report.environment or {}).get("NODE_OPTIONS", "").split()
    return any(a.startswith("--heapsnapshot-near-heap-limit") for a in args)


def old_space_flag(report: DiagnosticReport) -> int | None:
    """`--max-old-space-size` in bytes, from the command line or NODE_OPTIONS; None when unset."""
    args = list(report.command_line)
    env = report.environment or {}
    args += env.get("NODE_OPTIONS", "").split()
    value = None
    for arg in args:  # the last one wins, as in Node
        m = _OLD_SPACE_FLAG.match(arg)
        if m:
            value = int(m.group(1)) * MIB
    return value


# --- libuv handles -----------------------------------------------------------------------------


def handle_facts(libuv: list[dict[str, Any]], findings: list[dict[str, str]] | None = None
                 ) -> dict[str, Any]:
    """libuv handles grouped by type, the loop entry, and the network endpoints."""
    groups: dict[str, dict[str, int]] = {}
    loop = None
    endpoints = []
    for h in libuv:
        kind = str(h.get("type", "unknown"))
        if kind == "loop":
            loop = {"is_active": h.get("is_active"), "idle_seconds": h.get("loopIdleTimeSeconds")}
            continue
        g = groups.setdefault(kind, {"count": 0, "active": 0, "referenced": 0,
                                     "active_and_referenced": 0})
        g["count"] += 1
        g["active"] += bool(h.get("is_active"))
        g["referenced"] += bool(h.get("is_referenced"))
        g["active_and_referenced"] += bool(h.get("is_active") and h.get("is_referenced"))
        if "localEndpoint" in h or "remoteEndpoint" in h:
            local, remote = _endpoint(h.get("localEndpoint")), _endpoint(h.get("remoteEndpoint"))
            if local or remote:
                endpoints.append({
                    "type": kind,
                    "role": _role(kind, local, remote),
                    "local_endpoint": local,
                    "remote_endpoint": remote,
                })
    total = sum(g["count"] for g in groups.values())
    alive = sum(g["active_and_referenced"] for g in groups.values())
    if findings is not None and libuv:
        tcp = groups.get("tcp")
        if tcp:
            roles = Counter(e["role"] for e in endpoints if e["type"] == "tcp")
            findings.append(_finding("handles", f"{_plural(tcp['count'], 'TCP handle')} open ("
                                     f"{roles.get('listening', 0)} listening, "
                                     f"{roles.get('connected', 0)} connected)"))
        if alive:
            findings.append(_finding("handles", f"{alive} of {_plural(total, 'libuv handle')} "
                                     "are active and referenced: they keep the event loop alive"))
        else:
            findings.append(_finding("handles", f"none of the {_plural(total, 'libuv handle')} is both "
                                     "active and referenced: nothing keeps the event loop alive"))
    elif findings is not None:
        findings.append(_finding("handles", "the report lists no libuv handles (an OOM handler "
                                 "without a Node environment writes none)"))
    return {
        "total": total,
        "active_and_referenced": alive,
        "by_type": dict(sorted(groups.items())),
        "loop": loop,
        "endpoints": endpoints,
        "recorded": bool(libuv),
    }


def _endpoint(ep: Any) -> dict[str, Any] | None:
    if not isinstance(ep, dict):
        return None
    return {"host": ep.get("host"), "ip": ep.get("ip4") or ep.get("ip6"), "port": ep.get("port")}


def _role(kind: str, local: dict | None, remote: dict | None) -> str:
    if kind == "udp":
        return "connected" if remote else "bound"
    return "connected" if remote else "listening" if local else "unknown"


# --- workers -----------------------------------------------------------------------------------


def worker_facts(worker: DiagnosticReport) -> dict[str, Any]:
    """One worker sub-report, summarised (recursively for nested workers)."""
    heap = worker.heap or {}
    lines = worker.js_stack_lines
    return {
        "thread_id": worker.thread_id,
        "name": worker.worker_name,
        "event": worker.event,
        "heap_used": heap.get("usedMemory"),
        "heap_limit": heap.get("memoryLimit"),
        "js_stack_recorded": bool(lines) and lines != ["Unavailable."],
        "handles": handle_facts(worker.libuv),
        "workers": [worker_facts(w) for w in worker.workers],
    }


# --- resource usage and limits -----------------------------------------------------------------


def resource_facts(report: DiagnosticReport, findings: list[dict[str, str]]) -> dict[str, Any]:
    """Process resource usage; the cgroup memory limit only when one applies."""
    ru = report.resource_usage
    faults = ru.get("pageFaults") or {}
    fs = ru.get("fsActivity") or {}
    constrained = _num(ru.get("constrained_memory"))
    if constrained is not None and constrained >= NO_CGROUP_LIMIT:
        constrained = None
    rss = _num(ru.get("rss"))
    if constrained and rss:
        pct = _pct(int(rss), int(constrained))
        if pct >= 80:
            findings.append(_finding("memory", f"RSS is {pct}% of the container memory limit "
                                     f"({_mb(int(rss))} of {_mb(int(constrained))})"))
    thread = report.thread_resource_usage or {}
    return {
        "rss": rss,
        "max_rss": _num(ru.get("maxRss")),
        "user_cpu_seconds": _num(ru.get("userCpuSeconds")),
        "kernel_cpu_seconds": _num(ru.get("kernelCpuSeconds")),
        "cpu_percent": _num(ru.get("cpuConsumptionPercent")),
        "page_faults_major": _num(faults.get("IORequired")),
        "page_faults_minor": _num(faults.get("IONotRequired")),
        "fs_reads": _num(fs.get("reads")),
        "fs_writes": _num(fs.get("writes")),
        "free_memory": _num(ru.get("free_memory")),
        "total_memory": _num(ru.get("total_memory")),
        "available_memory": _num(ru.get("available_memory")),
        "constrained_memory": constrained,
        "js_thread_cpu_seconds": _sum(thread.get("userCpuSeconds"), thread.get("kernelCpuSeconds")),
    }


def user_limit_facts(report: DiagnosticReport, findings: list[dict[str, str]]
                     ) -> dict[str, Any] | None:
    """User limits under version-5 names ("unlimited" as null) with findings in plain words."""
    limits = report.user_limits()
    if limits is None:
        return None
    out = {name: {"soft": lim.soft, "hard": lim.hard, "report_key": lim.raw_key}
           for name, lim in limits.items()}
    core = limits.get("core_file_size_blocks")
    if core is not None and core.soft == 0:
        text = "core file size limit is 0: no core will be written"
        if core.hard != 0:
            text += " (the hard limit allows more: run `ulimit -c unlimited` before starting node)"
        findings.append(_finding("limits", text))
    files = limits.get("open_files")
    if files is not None and files.soft is not None and files.soft <= FEW_OPEN_FILES:
        findings.append(_finding("limits", f"open files limit is {files.soft}: a busy server can "
                                 "run out of file descriptors (EMFILE)"))
    for key, what in (("virtual_memory_bytes", "virtual memory"),
                      ("data_seg_size_bytes", "data segment size"),
                      ("max_memory_size_bytes", "resident memory")):
        lim = limits.get(key)
        if lim is not None and lim.soft is not None:
            findings.append(_finding("limits", f"{what} is limited to {_mb(lim.soft)}: "
                                     "allocations (including V8's heap) fail beyond it"))
    cpu = limits.get("cpu_time_seconds")
    if cpu is not None and cpu.soft is not None:
        findings.append(_finding("limits", f"CPU time is limited to {cpu.soft} s: the kernel "
                                 "kills the process with SIGXCPU beyond it"))
    return out


# --- helpers -----------------------------------------------------------------------------------


def _iface(i: dict[str, Any]) -> dict[str, Any]:
    return {k: i.get(k) for k in ("name", "internal", "family", "address", "netmask", "mac",
                                  "scopeid")}


def _finding(area: str, text: str) -> dict[str, str]:
    return {"area": area, "text": text}


def _pct(part: int | float, whole: int | float | None) -> float | None:
    if not whole:
        return None
    return round(100.0 * part / whole, 1)


def _mb(n: int | float) -> str:
    return f"{n / MIB:.1f} MiB"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _num(v: Any) -> int | float | None:
    """Numbers as written; numeric strings (old doc examples) converted; anything else None."""
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int | float):
        return v
    if isinstance(v, str) and v.strip().lstrip("-").isdigit():
        return int(v)  # exact even above 2^53
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f


def _sum(*values: Any) -> float | None:
    nums = [_num(v) for v in values]
    if any(n is None for n in nums):
        return None
    return round(float(sum(nums)), 6)
