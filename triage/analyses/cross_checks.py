"""Cross-checks between artifacts of one incident: do the sources tell one story?

When a crash leaves a core, a report and a snapshot, each section of the summary comes
from the best source; these checks compare what several sources know, so an engineer
learns when they disagree (artifacts from different moments or processes, a decoding
problem) instead of silently trusting one.
"""

from __future__ import annotations

from typing import Any

# Heap sizes from different moments of one OOM differ; beyond this ratio they disagree.
HEAP_RATIO_TOLERANCE = 1.5


def cross_checks(evidence: dict[str, Any]) -> list[dict[str, str]]:
    checks: list[dict[str, str]] = []
    _pids(evidence, checks)
    _heap_size(evidence, checks)
    _js_stack(evidence, checks)
    return checks


def _pids(evidence: dict[str, Any], checks: list[dict[str, str]]) -> None:
    pids = {src: pid for src, pid in (evidence.get("pids") or {}).items() if pid is not None}
    if len(pids) < 2:
        return
    same = len(set(pids.values())) == 1
    detail = ", ".join(f"{src} {pid}" for src, pid in sorted(pids.items()))
    checks.append({"check": "same process", "status": "agree" if same else "differ", "detail": detail})


def _heap_size(evidence: dict[str, Any], checks: list[dict[str, str]]) -> None:
    sizes = {src: evidence[key] for src, key in (("core heap walk", "core_heap_bytes"),
                                                ("report heap used", "report_heap_used"),
                                                ("snapshot", "snapshot_heap_bytes"))
             if evidence.get(key)}
    if "report heap used" not in sizes or len(sizes) < 2:
        return
    reference = sizes["report heap used"]
    for src, size in sizes.items():
        if src == "report heap used":
            continue
        if src == "snapshot":
            # A near-heap-limit snapshot is written before the OOM: it may be smaller, never
            # much bigger, than the heap the report saw.
            agree = size <= reference * HEAP_RATIO_TOLERANCE
            note = " (a snapshot written near the heap limit precedes the OOM)"
        else:
            # The walk counts every object in the heap's pages, garbage not yet swept included,
            # so it is normally larger than V8's used size. Much smaller means pages were
            # missed: that, and only that, is worth an alarm.
            agree = size * HEAP_RATIO_TOLERANCE >= reference
            note = " (the walk includes garbage not yet swept)" if agree else \
                " (the core walk found much less than V8 had in use: part of the heap was not read)"
        checks.append({
            "check": f"heap size: {src} vs report",
            "status": "agree" if agree else "differ",
            "detail": f"{src} {size / 2**20:.1f} MiB, report heap used {reference / 2**20:.1f} MiB{note}",
        })


def _js_stack(evidence: dict[str, Any], checks: list[dict[str, str]]) -> None:
    core, report = evidence.get("core_js_functions"), evidence.get("report_js_functions")
    if not core or not report:
        return
    agree = core[0] == report[0]
    checks.append({
        "check": "innermost JS function: core vs report",
        "status": "agree" if agree else "differ",
        "detail": f"core {core[0]}, report {report[0]}",
    })
