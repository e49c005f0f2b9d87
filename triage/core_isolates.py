"""Per-isolate results of a core: the main thread's isolate and each Worker's.

The top-level histogram, suspects and JS stack of a summary are the main isolate's (the one
run by the thread whose tid is the pid). Every other isolate the core holds (`v8/isolates.py`)
is walked here, its graph built and analysed with the same code, and reported in the
`isolates` section under its own label (`worker 1 app.js`), so two isolates' objects are never
mixed. An isolate that is not walked (over `--max-isolates`) or cannot be read is listed with
its status and reason, and the `isolates` capability says so.

Each Worker's event loop is read with its isolate (its Environment is found through the
isolate's native contexts) and joins the main loop in the `event_loop` section's `workers`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from triage.coredump.malloc import malloc_heap
from triage.crashmodel import Capability
from triage.errors import TriageError
from triage.isolate_select import ALL, IsolateSelectionError, parse_selector
from triage.progress import stage
from triage.summary import Findings
from triage.v8.native_memory import blob_text, native_state_text

if TYPE_CHECKING:
    import numpy as np

    from triage.coredump.corefile import CoreFile
    from triage.heapgraph.model import HeapGraph
    from triage.pipeline import Options
    from triage.v8.heap import V8Heap
    from triage.v8.isolates import IsolateRef

ENGINE = "triage.v8 (isolates)"
_RANK = {"full": 0, "degraded": 1, "unavailable": 2}


def analyze_isolates(heap: V8Heap, findings: Findings, options: Options,
                     analyze_graph: Callable[..., None]) -> None:
    """Fill `findings.sections["isolates"]` and the `isolates` capability."""
    refs = list(heap.isolates)
    if not refs:
        findings.capabilities["isolates"] = Capability(
            "degraded", "no isolate's Heap was recognised; the heap read is the pages' "
            "largest group", ENGINE)
        caps = findings.model.capabilities if findings.model is not None else {}
        if "event_loop" in caps and "event_loop" in findings.sections:
            from triage.analyses.event_loop import loops_capability

            caps["event_loop"] = loops_capability(caps["event_loop"], None,
                                                  "no isolate's Heap was recognised")
        return
    threads = {t.tid: t for t in (findings.model.threads if findings.model else [])}
    entries: list[dict[str, Any]] = []
    limit = max(1, options.max_isolates)
    worker_no = 0
    selector = parse_selector(options.isolate)
    answers: dict[str, dict[str, Any]] = {}  # worker label -> its object-query answers
    loops: dict[str, dict[str, Any]] = {}  # worker label -> its `event_loop` entry
    read_loops = "event_loop" in findings.sections  # the main loop (and nodedbg) was found
    for ref in refs:
        if not ref.is_main:
            worker_no += 1
        base = _base_entry(ref, worker_no, threads)
        if ref.is_main:
            entries.append(_main_entry(base, heap, findings))
        elif len(entries) >= limit:
            entries.append({**base, "status": "unavailable",
                            "reason": f"not walked: over the limit of {limit} isolates "
                                      "(--max-isolates)"})
        else:
            with stage(f"Walking isolate {base['label']}"):
                asked = selector in (ALL, f"worker {worker_no}")
                entries.append(_worker_entry(base, heap, ref, options, analyze_graph,
                                             findings.evidence, answers if asked else None,
                                             loops if read_loops else None))
    unread = [e for e in entries if e["status"] != "full"]
    _object_queries(entries, answers, options, findings)
    if read_loops:
        _worker_loops(entries, loops, findings)
    _core_totals(entries, findings, heap.core)
    workers = len(entries) - 1
    findings.sections["isolates"] = {
        "count": len(entries),
        "top_level": "main",
        "note": ("the top-level histogram, suspects, retainers and js_stack are the main "
                 "isolate's; each Worker isolate's are in its own entry"
                 + (", and its event loop in event_loop.workers" if read_loops else "")),
        "isolates": entries,
    }
    if unread:
        worst = max((e["status"] for e in unread), key=_RANK.__getitem__)
        findings.capabilities["isolates"] = Capability(
            "degraded" if worst != "unavailable" or len(unread) < len(entries) else worst,
            "; ".join(f"{e['label']}: {e['status']} ({e['reason']})" for e in unread), ENGINE)
    else:
        findings.capabilities["isolates"] = Capability(
            "full", f"{len(entries)} isolate(s) found and walked: "
            + ", ".join(e["label"] for e in entries), ENGINE)
    if workers and findings.model is not None:
        cap = findings.model.capabilities.get("histogram")
        if cap is not None:
            findings.model.capabilities["histogram"] = replace(
                cap, reason=f"main isolate only ({workers} Worker isolate(s) in `isolates`); "
                + cap.reason)


def _base_entry(ref: IsolateRef, worker_no: int, threads: dict) -> dict[str, Any]:
    thread = threads.get(ref.tid) if ref.tid is not None else None
    return {
        "label": "main" if ref.is_main else f"worker {worker_no}",
        "role": "main" if ref.is_main else "worker",
        "tid": ref.tid,
        "thread_name": thread.name if thread is not None else None,
        "heap_pointer": f"0x{ref.heap_pointer:x}",
        "pages": ref.pages,
        "area_bytes": ref.area_bytes,
        "script": None,
        "status": "full",
        "reason": "",
    }


def _main_entry(base: dict[str, Any], heap: V8Heap, findings: Findings) -> dict[str, Any]:
    cap = findings.model.capabilities.get("histogram") if findings.model else None
    status = cap.status if cap is not None else "full"
    entry = {**base, "in_top_level": True, "status": status,
             "reason": "" if status == "full" else (cap.reason if cap else ""),
             "heap_bytes": findings.evidence.get("core_heap_bytes"),
             "external_bytes": (findings.evidence.get("core_external") or {}).get("bytes")}
    if base["tid"] is None:
        entry["status"] = "degraded"
        entry["reason"] = "no thread found whose stack holds this isolate"
    return entry


def _worker_entry(base: dict[str, Any], main: V8Heap, ref: IsolateRef, options: Options,
                  analyze_graph: Callable[..., None], evidence: dict[str, Any],
                  answers: dict[str, dict[str, Any]] | None,
                  loops: dict[str, dict[str, Any]] | None) -> dict[str, Any]:
    """One Worker isolate's entry; its answers to the object queries go to `answers` (when
    `--isolate` selects it) and its event loop to `loops`, under its final label; its
    native memory (ArrayBuffer stores, Blob data) to `evidence`, for the process totals."""
    entry: dict[str, Any] = {**base, "in_top_level": False, "heap_bytes": None,
                             "external_bytes": None, "histogram": [], "suspects": [],
                             "js_stack": []}
    try:
        h = main.open_isolate(ref.heap_pointer)
        caps = h.capabilities()
        hist = caps["histogram"]
        if hist.status == "unavailable":
            return {**entry, "status": "unavailable", "reason": hist.reason}
        script = worker_script(h.user_scripts(), main.user_scripts())
        if script:
            entry["script"] = script
            entry["label"] += f" {os.path.basename(script) or script}"
        problems = list(h.problems)
        if ref.tid is None:
            problems.append("no thread found whose stack holds this isolate: no JS stack, "
                            "no stack roots")
        else:
            from triage.summary import frame_document

            entry["js_stack"] = [frame_document(f) for f in h.js_stack(ref.tid)]
        entry["heap_bytes"] = int(h.walk().size.sum())
        if loops is not None:
            loops[entry["label"]] = _worker_loop(h, entry["label"])
        if answers is not None:
            answers.setdefault(entry["label"], {}).update(_worker_objects(h, options))
        if options.core_graph:
            graph = h.to_heap_graph()
            h.release_walk()
            sub = Findings()
            asked = answers is not None
            analyze_graph(graph, replace(options, keep=None,
                                         retainers=options.retainers if asked else None,
                                         referrers=options.referrers if asked else None), sub,
                          source_label=f"core heap graph of {entry['label']}")
            if asked:
                answers.setdefault(entry["label"], {}).update(
                    {k: sub.sections[k] for k in ("retainers", "referrers") if k in sub.sections})
            entry["histogram"] = sub.histogram[:options.histogram_limit]
            entry["suspects"] = sub.suspects
            entry["heap"] = sub.sections.get("heap")
            ext = graph.meta.get("external") or {}
            entry["external_bytes"] = ext.get("bytes")
            record_native_memory(graph, evidence)
            roots = graph.meta["capability"]
            if roots.status != "full":
                problems.append(roots.reason)
        else:
            entry["histogram"] = h.histogram(include_internal=False)[:options.histogram_limit]
    except (TriageError, ValueError, IndexError, OverflowError) as e:
        return {**entry, "status": "unavailable", "reason": f"could not be read: {e}"}
    if problems:
        entry["status"], entry["reason"] = "degraded", "; ".join(problems)
    return entry


_EVAL_WORKER = "[worker eval]"  # the script name of `new Worker(code, {eval: true})`


def worker_script(scripts: list[str], main_scripts: list[str]) -> str | None:
    """The script that names a Worker, from its isolate's scripts (in address order, which
    is not load order): its eval code, else its first script the main thread did not load,
    else its first. A module preloaded with `--require` (an APM agent's) is loaded by every
    isolate, and an eval worker also has its `[worker eval]-wrapper`: both named workers
    ("worker 1 _snap.js") until December 2026."""
    if _EVAL_WORKER in scripts:
        return _EVAL_WORKER
    loaded = set(main_scripts)
    own = [s for s in scripts if s not in loaded]
    return (own or scripts or [None])[0]


def _worker_loop(h: V8Heap, label: str) -> dict[str, Any]:
    """A Worker's `event_loop` entry, read through its isolate (before its walk is released:
    the Environment is found among its native contexts)."""
    from triage.analyses.event_loop import event_loop_section, unread_loop
    from triage.loaders.event_loop import read_worker_event_loop, socket_endpoints

    with stage(f"Reading the event loop of {label}"):
        try:
            ev = read_worker_event_loop(h.core, h.binary, h)
            section, _ = event_loop_section(ev, socket_endpoints(h, ev.handles), isolate=label)
        except (TriageError, ValueError, IndexError, OverflowError) as e:
            return unread_loop(label, f"could not be read: {e}")
    return section


def _worker_loops(entries: list[dict[str, Any]], loops: dict[str, dict[str, Any]],
                  findings: Findings) -> None:
    """Every Worker's loop (read, or why not) into `event_loop.workers`, and the capability
    that names the loops read and not read."""
    from triage.analyses.event_loop import loops_capability, unread_loop

    rows = [loops.get(e["label"]) or unread_loop(
        e["label"], f"the isolate was not read: {e['reason'] or e['status']}")
        for e in entries if e["role"] == "worker"]
    findings.sections["event_loop"]["workers"] = rows
    caps = findings.model.capabilities if findings.model is not None else {}
    main = caps.get("event_loop")
    if main is not None:
        caps["event_loop"] = loops_capability(main, rows)


def _worker_objects(h: V8Heap, options: Options) -> dict[str, Any]:
    """--instances and --inspect in a Worker's heap (an address only if it is on its pages)."""
    from triage.isolate_select import owns
    from triage.v8.reader import address_ref

    out: dict[str, Any] = {}
    if options.instances:
        out["instances"] = [address_ref(a) for a in h.instances(options.instances,
                                                          limit=options.instance_limit)]
        out["instances_total"] = h.instance_count(options.instances)
    out["inspected"] = {a: h.inspect(a, depth=options.inspect_depth)
                        for a in options.inspect if owns(h, a)}
    return out


def _object_queries(entries: list[dict[str, Any]], answers: dict[str, dict[str, Any]],
                    options: Options, findings: Findings) -> None:
    """The top-level `retainers`, `referrers` and `objects` sections from every isolate
    `--isolate` selects, each row labelled with its isolate. The main isolate's answers were
    computed by the pipeline; they are dropped when only a Worker is asked about."""
    from triage.isolate_select import merge_answers, merge_instances

    selector = parse_selector(options.isolate)
    main = entries[0]["label"]
    workers = [e["label"] for e in entries[1:]]
    if selector != ALL and selector != "main" and not any(
            e["label"].startswith(selector + " ") or e["label"] == selector for e in entries[1:]):
        raise IsolateSelectionError(f"--isolate {selector}: no such isolate here (this core "
                                    f"has: main{''.join(', ' + w for w in workers)})")
    with_main = selector in (ALL, "main")
    searched = ([main] if with_main else []) + [w for w in workers if w in answers]
    unread = [f"{e['label']}: {e['reason']}" for e in entries[1:]
              if e["label"] not in answers and e["status"] == "unavailable"
              and (selector == ALL or e["label"] == selector
                   or e["label"].startswith(selector + " "))]
    for key in ("retainers", "referrers"):
        if not getattr(options, key):
            continue
        parts = [(main, findings.sections[key])] if with_main and key in findings.sections else []
        parts += [(w, answers[w][key]) for w in workers if key in answers.get(w, {})]
        if parts or key in findings.sections:
            # only a Worker asked about, and none had it: the main answer's shape, no targets
            shape = [] if parts else [(main, {**findings.sections[key], "matched": 0, "targets": []})]
            findings.sections[key] = merge_answers(parts or shape, searched, unread)
    objects = findings.sections.get("objects") or {}
    if options.instances:
        per = ([{"isolate": main, "addresses": objects.get("instances", {}).get("addresses", [])}]
               if with_main else [])
        per += [{"isolate": w, "addresses": answers[w]["instances"]} for w in workers
                if "instances" in answers.get(w, {})]
        total = (objects.get("instances", {}).get("total", 0) if with_main else 0) + sum(
            answers[w].get("instances_total", 0) for w in workers if "instances" in answers.get(w, {}))
        objects["instances"] = merge_instances(options.instances, per, total,
                                               options.instance_limit, unread)
    if options.inspect:
        main_rows = objects.get("inspected") or []
        rows = []
        for i, address in enumerate(options.inspect):
            owner = next((w for w in workers if address in answers.get(w, {}).get("inspected", {})),
                         None)
            if owner is not None:
                rows.append({**answers[owner]["inspected"][address], "isolate": owner})
            elif with_main and i < len(main_rows):  # main's own, read-only, or unknown
                rows.append({**main_rows[i], "isolate": main})
            else:
                rows.append({"address": f"0x{address & ~3:x}", "isolate": ", ".join(searched),
                             "error": "not an object of the isolate(s) asked about"})
        objects["inspected"] = rows
    if objects:
        findings.sections["objects"] = objects


def record_native_memory(graph: HeapGraph, evidence: dict[str, Any]) -> None:
    """One isolate's native memory, from its core graph, for the process totals below: its
    ArrayBuffer stores (deduplicated across isolates there), external strings' characters
    in malloc'd memory, Blob data, zlib state, unmeasured state."""
    for key, meta in (("core_external_stores", "external_stores"),
                      ("core_external_strings", "external_strings"),
                      ("core_blob_data", "blob_data"), ("core_zlib_memory", "zlib_memory"),
                      ("core_native_state", "native_state")):
        evidence.setdefault(key, []).append(graph.meta.get(meta))


def _distinct_blocks(parts: list | None) -> tuple[np.ndarray, np.ndarray]:
    """(pointer, bytes) of native blocks over all isolates, each block once: a store shared
    between isolates is counted by its largest length."""
    import numpy as np

    parts = [p for p in parts or [] if p is not None]
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    uniq, inv = np.unique(np.concatenate([p[0] for p in parts]).astype(np.int64),
                          return_inverse=True)
    best = np.zeros(len(uniq), dtype=np.int64)
    np.maximum.at(best, inv, np.concatenate([p[1] for p in parts]).astype(np.int64))
    return uniq, best


def _core_totals(entries: list[dict[str, Any]], findings: Findings, core: CoreFile) -> None:
    """Process-wide JS heap, external and native (malloc) bytes (for `memory`)."""
    import numpy as np

    walked = [e for e in entries if e.get("heap_bytes") is not None]
    findings.evidence["core_js_heap"] = {
        "bytes": sum(e["heap_bytes"] for e in walked),
        "isolates": [e["label"] for e in walked],
        "unread": [e["label"] for e in entries if e.get("heap_bytes") is None],
    }
    blobs = [b for b in findings.evidence.get("core_blob_data") or [] if b is not None]
    counts = ("bytes", "blobs", "file_backed", "unread", "over_limit")
    if any(b[k] for b in blobs for k in counts[1:]):  # any Blob at all, counted or not
        total = {k: sum(b[k] for b in blobs) for k in counts}
        findings.evidence["core_blob_total"] = {**total, "detail": blob_text(total)}
    zlib = [z for z in findings.evidence.get("core_zlib_memory") or [] if z is not None]
    if any(z["streams"] for z in zlib):
        findings.evidence["core_zlib_total"] = {
            k: sum(z[k] for z in zlib) for k in ("bytes", "streams")}
    stores = _distinct_blocks(findings.evidence.get("core_external_stores"))
    strings = _distinct_blocks(findings.evidence.get("core_external_strings"))
    uniq, best = (np.concatenate([stores[0], strings[0]]), np.concatenate([stores[1], strings[1]]))
    if any(p is not None for p in findings.evidence.get("core_external_stores") or []):
        findings.evidence["core_external_total"] = {
            "bytes": int(best.sum()), "stores": int(len(stores[0])),
            "strings": int(len(strings[0])), "string_bytes": int(strings[1].sum())}
    with stage("Walking malloc's heap"):
        findings.evidence["core_malloc"] = malloc_heap(core, uniq.astype(np.int64), best)
    in_total = findings.evidence["core_malloc"] is not None
    unmeasured: dict[str, int] = {}
    for part in findings.evidence.get("core_native_state") or []:
        for cls, n in (part or {}).items():
            unmeasured[cls] = unmeasured.get(cls, 0) + n
    if unmeasured:
        findings.capabilities["native_memory"] = Capability(
            "degraded", native_state_text(unmeasured, in_total=in_total), ENGINE)
        findings.evidence["core_native_unmeasured"] = native_state_text(
            unmeasured, short=True, in_total=in_total)
