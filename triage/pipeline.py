"""Run every loader and analysis that applies to a set of artifacts.

This is the one place that knows which artifact feeds which part of the
answer: cores give threads, native stacks and (through our V8 reader) the JS
stack and heap; reports give the JS stack at the throw site, heap spaces and
handles; snapshots give the heap graph. Analyses themselves never know.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from triage import llnode
from triage.analyses.classify import classify
from triage.analyses.cross_checks import cross_checks
from triage.artifacts import CORE, REPORT, SNAPSHOT, Artifact, discover
from triage.crashmodel import MARKER_KINDS, Capability, CrashInfo, CrashKind, CrashModel, ProcessInfo
from triage.errors import InputUnrecognized, TriageError
from triage.progress import stage
from triage.summary import Findings

if TYPE_CHECKING:
    from triage.heapgraph.model import HeapGraph


@dataclass
class Options:
    node: Path | None = None
    histogram_limit: int = 50
    retainers: str | None = None  # TYPE, hex ADDRESS or @snapshot-id
    referrers: str | None = None  # same forms: every direct referrer (llnode's findrefs)
    referrer_limit: int = 50
    llnode_cross_check: bool = False  # loads the core into lldb (~1 s): on request (--llnode)
    core_graph: bool = True  # build a core's reference graph (suspects, retainers) when no snapshot
    instances: str | None = None
    instance_limit: int = 20
    inspect: list[int] = field(default_factory=list)
    inspect_depth: int = 1
    keep: dict | None = None  # set by analyze(): where a session keeps what was loaded
    native_unwinder: str = "triage"  # "triage" (CFI + frame pointers) or "lldb" (slow, the cross-check)
    max_isolates: int = 8  # isolates of a core walked (main first); the rest are listed unread
    isolate: str = "all"  # where object queries look: main, worker N, all (isolate_select.py)


def analyze(paths: list[Path], options: Options, keep: dict | None = None) -> Findings:
    """`keep`, when given, receives the loaded objects for later queries (`triage.session`):
    "loaded" (LoadedCore), "heap" (V8Heap), "graph" (HeapGraph)."""
    artifacts = discover(paths)
    options.keep = keep
    findings = Findings(inputs=[_input(a) for a in artifacts])
    cores = [a for a in artifacts if a.kind == CORE]
    reports = [a for a in artifacts if a.kind == REPORT]
    if len(cores) > 1:
        findings.warnings.append(
            f"{len(cores)} cores given; only {cores[0].path.name} is analysed (one incident per run)"
        )
    if len(reports) > 1:
        findings.warnings.append(
            f"{len(reports)} reports given; only {reports[0].path.name} is analysed (one incident per run)"
        )
    snapshots = [a for a in artifacts if a.kind == SNAPSHOT]
    heap = _analyze_core(cores[0], options, findings) if cores else None
    if reports:
        _analyze_report(reports[0], findings)
    # The core is the heap at death, a snapshot an earlier moment (near the heap limit, or
    # on request): the core feeds the heap sections when its graph can be built, and the
    # snapshot becomes the baseline of the growth up to the crash.
    core_graph = None
    if heap is not None and options.core_graph:
        core_graph = _analyze_core_graph(cores[0], heap, options, findings)
    if snapshots and core_graph is not None:
        _growth_since_snapshot(snapshots, core_graph, findings)
    elif snapshots:
        _analyze_snapshots(snapshots, options, findings)
    findings.sections["sources"] = _section_sources(findings, core_graph is not None, snapshots)
    if heap is not None:
        from triage.core_isolates import analyze_isolates

        analyze_isolates(heap, findings, options, analyze_graph=_analyze_graph)
    if findings.model is None:
        pid = _pid_from_name(snapshots[0].path) if snapshots else None
        no_crash = CrashInfo(CrashKind.NONE, "a heap snapshot records the heap, not a crash")
        findings.model = CrashModel(ProcessInfo(pid=pid), no_crash)
    _check_one_incident(findings, artifacts)
    checks = cross_checks(findings.evidence)
    if checks:
        findings.sections["cross_checks"] = checks
        findings.warnings += [f"sources disagree: {c['check']} ({c['detail']})"
                              for c in checks if c["status"] == "differ"]
    if not any(a.kind in (CORE, REPORT, SNAPSHOT) for a in artifacts):
        findings.warnings.append("no core, report or snapshot among the inputs")
    return findings


def _input(artifact: Artifact) -> dict:
    return {"path": str(artifact.path), "kind": artifact.kind, "size_bytes": artifact.size, "used_for": []}


def _mark_used(findings: Findings, artifact: Artifact, *uses: str) -> None:
    for entry in findings.inputs:
        if entry["path"] == str(artifact.path):
            entry["used_for"].extend(u for u in uses if u not in entry["used_for"])


def _analyze_core(artifact: Artifact, options: Options, findings: Findings):
    """Threads, signal, JS stack and heap walk of a core; returns its V8Heap (or None)."""
    from triage.loaders.core import load_core

    with stage(f"Loading {artifact.path.name} and unwinding its threads"):
        loaded = load_core(artifact.path, options.node, unwinder=options.native_unwinder)
    if options.keep is not None:
        options.keep["loaded"] = loaded
    faulting = next((t for t in loaded.threads if t.faulting), None)
    crash = classify(loaded.signal, faulting, loaded.process.pid)
    model = CrashModel(process=loaded.process, crash=crash, threads=loaded.threads,
                       capabilities=dict(loaded.capabilities), warnings=list(loaded.warnings))
    findings.inputs.append({"path": str(loaded.binary_path), "kind": "binary",
                            "size_bytes": loaded.binary.size, "used_for": ["symbols", "v8 metadata"]})
    _mark_used(findings, artifact, "crash", "threads")
    findings.evidence.setdefault("pids", {})["core"] = loaded.process.pid
    heap = _open_v8_heap(loaded, model)
    if heap is not None and options.keep is not None:
        options.keep["heap"] = heap
    if heap is not None:
        _core_js_stack(heap, loaded, model)
        _core_exception(heap, loaded, model)
        findings.evidence["core_js_functions"] = [f.function for f in model.js_stack
                                                  if f.kind not in MARKER_KINDS]
        _core_histogram(heap, findings)
        _core_objects(heap, options, findings)
        _mark_used(findings, artifact, "js_stack", "histogram")
    _core_event_loop(loaded, heap, model, findings)
    if options.llnode_cross_check:  # a cross-check on request, not a reading: absent when not run
        _llnode_cross_check(loaded, model)
    findings.model = _merge(findings.model, model)
    return heap


def _open_v8_heap(loaded, model: CrashModel):
    from triage.v8 import V8Heap

    try:
        with stage("Finding the V8 heap"):
            heap = V8Heap.open(loaded.core, loaded.binary)
    except TriageError as e:
        for name in ("js_stack", "histogram", "inspect"):
            model.capabilities[name] = Capability("unavailable", str(e), engine="triage.v8")
        return None
    for name, cap in heap.capabilities().items():
        model.capabilities[name] = cap
    model.warnings.extend(heap.problems)
    return heap


def _core_js_stack(heap, loaded, model: CrashModel) -> None:
    from triage.v8.stack import name_jit_frames

    with stage("Decoding the JavaScript stack"):
        frames = heap.js_stack(loaded.faulting_tid, markers=True)
        name_jit_frames(heap, model.threads)
    model.js_stack, model.js_stack_source = frames, "triage.v8"
    if not any(f.kind not in MARKER_KINDS for f in frames):
        frames = model.js_stack = []  # marker frames alone are no JS stack
    cap = model.capabilities.get("js_stack")
    if frames or cap is None or cap.status == "unavailable":
        return
    main_or_faulting = loaded.faulting_tid if loaded.faulting_tid is not None else model.process.pid
    if _idle_in_event_loop(model, main_or_faulting):
        model.capabilities["js_stack"] = Capability(
            "full", "the thread was waiting in the event loop (uv__io_poll): no JavaScript was running",
            engine="triage.v8")
    elif cap.status == "full":
        model.capabilities["js_stack"] = Capability(
            "full", "no JavaScript frame was on the crashing thread's stack", engine="triage.v8")


def _core_exception(heap, loaded, model: CrashModel) -> None:
    from triage.v8.exception import recover

    top = next((f.function for f in model.js_stack if f.kind not in MARKER_KINDS), None)
    with stage("Finding the thrown exception"):
        cap = recover(heap, model.crash, loaded.faulting_tid, top)
    if cap is not None:
        model.capabilities["exception"] = cap


_EVENT_LOOP_WAIT = ("uv__io_poll", "epoll_wait", "epoll_pwait")


def _idle_in_event_loop(model: CrashModel, tid: int | None) -> bool:
    """A live capture of an idle process stops its main thread in libuv's poll: having no JS
    frame is then the answer, not a failure to read the stack."""
    thread = next((t for t in model.threads if t.tid == tid), None)
    return thread is not None and any(
        f.function and any(w in f.function for w in _EVENT_LOOP_WAIT) for f in thread.frames[:8])


def _core_histogram(heap, findings: Findings) -> None:
    """JS-visible types only; V8's own (system) objects stay out of the engineer's way."""
    with stage("Walking the V8 heap"):
        findings.histogram = heap.histogram(include_internal=False)
        findings.evidence["core_heap_bytes"] = int(heap.walk().size.sum())


def _core_objects(heap, options: Options, findings: Findings) -> None:
    """`--instances TYPE` and `--inspect ADDR`: objects the engineer asked to see."""
    from triage.v8.reader import address_ref

    objects: dict = {}
    if options.instances:
        addresses = heap.instances(options.instances, limit=options.instance_limit)
        objects["instances"] = {"type": options.instances,
                                "addresses": [address_ref(a) for a in addresses],
                                "total": heap.instance_count(options.instances)}
    if options.inspect:
        objects["inspected"] = [heap.inspect(address, depth=options.inspect_depth)
                                for address in options.inspect]
    if objects:
        findings.sections["objects"] = objects


def _core_event_loop(loaded, heap, model: CrashModel, findings: Findings) -> None:
    """The main loop's libuv handles and Node's pending requests (llnode's getactivehandles /
    getactiverequests); without a heap, handles are listed without their JS objects."""
    from triage.analyses.event_loop import event_loop_section, loops_capability
    from triage.loaders.event_loop import read_event_loop, socket_endpoints

    with stage("Reading the event loop's handles and requests"):
        ev = read_event_loop(loaded.core, loaded.binary, heap)
        section, cap = event_loop_section(ev, socket_endpoints(heap, ev.handles))
    # with a heap, each Worker's loop is read with its isolate (core_isolates.py), which
    # completes this capability; without one, no Worker's Environment can be found
    model.capabilities["event_loop"] = cap if heap is not None else loops_capability(
        cap, None, "each is found through its Worker's V8 heap, which was not read")
    if ev.loop is not None:
        findings.sections["event_loop"] = {**section, "workers": None}  # None: not looked for


def _llnode_cross_check(loaded, model: CrashModel) -> None:
    """Compare llnode's JS function names with ours where llnode can decode frames."""
    try:
        debugger = loaded.lldb()
    except TriageError as e:
        model.capabilities["llnode_cross_check"] = Capability("unavailable", str(e), engine="llnode")
        return
    frames, note = llnode.js_stack(debugger)
    if not frames:
        model.capabilities["llnode_cross_check"] = Capability("unavailable", note, engine="llnode")
        return
    theirs = [f.function for f in frames]
    if not model.js_stack:
        model.js_stack, model.js_stack_source = frames, "llnode"
        model.capabilities["js_stack"] = Capability("degraded", note, engine="llnode")
        return
    ours = [f.function for f in model.js_stack if f.kind not in MARKER_KINDS]
    agree, sentence = llnode.compare_function_names(ours, theirs)
    model.capabilities["llnode_cross_check"] = Capability("full" if agree else "degraded", sentence,
                                                          engine="llnode")
    if not agree:
        model.warnings.append(sentence)


def _analyze_report(artifact: Artifact, findings: Findings) -> None:
    from triage.analyses.report_facts import report_facts
    from triage.loaders.report import load_report, report_to_crash_model

    with stage(f"Reading {artifact.path.name}"):
        report = load_report(artifact.path)
    model = report_to_crash_model(report)
    findings.sections["report"] = report_facts(report)
    findings.evidence.setdefault("pids", {})["report"] = model.process.pid
    findings.evidence["report_heap_used"] = (findings.sections["report"].get("heap") or {}).get("used")
    findings.evidence["report_js_functions"] = [f.function for f in model.js_stack]
    findings.warnings.extend(report.warnings)
    _mark_used(findings, artifact, "report")
    findings.model = _merge(findings.model, model, artifact=artifact, findings=findings)


def _analyze_snapshots(snapshots: list[Artifact], options: Options, findings: Findings) -> None:
    """The last snapshot is the heap nearest the crash; with two or more, the first is
    the baseline for a growth diff (`--heapsnapshot-near-heap-limit` writes several)."""
    from triage.analyses import heap_diff
    from triage.loaders.snapshot import load_snapshot

    ordered = sorted(snapshots, key=lambda a: a.path.name)
    with stage(f"Loading {ordered[-1].path.name}"):
        graph = load_snapshot(ordered[-1].path)
    thread = _thread_id_from_name(ordered[-1].path)
    label = "heap snapshot" if not thread else f"heap snapshot of Worker thread {thread}"
    _analyze_graph(graph, options, findings, source_label=label)
    external = external_strings_capability(graph)
    if external is not None:
        findings.capabilities["external_strings"] = external
    queued = queued_messages_capability(graph)
    if queued is not None:
        findings.capabilities["port_messages"] = queued
    if thread:
        findings.warnings.append(
            f"{ordered[-1].path.name} was written by Worker thread {thread} (the file name's "
            "thread id), not the main thread: the histogram and suspects are that worker's heap")
    findings.evidence["snapshot_heap_bytes"] = findings.sections["heap"]["live_bytes"]
    findings.evidence.setdefault("pids", {})["snapshot"] = _pid_from_name(ordered[-1].path)
    _mark_used(findings, ordered[-1], "histogram", "suspects", "retainers")
    if len(ordered) > 1:
        with stage(f"Comparing with {ordered[0].path.name}"):
            baseline = load_snapshot(ordered[0].path)
            findings.sections["diff"] = heap_diff(baseline, graph)
        _mark_used(findings, ordered[0], "diff baseline")


def _growth_since_snapshot(snapshots: list[Artifact], core_graph, findings: Findings) -> None:
    """Growth from the latest snapshot to the core (per type, live objects). Type names of
    the two follow slightly different conventions (docs/heap-analysis.md), said once."""
    from triage.analyses.heapdiff import compare_counts, live_class_counts
    from triage.loaders.snapshot import load_snapshot

    latest = sorted(snapshots, key=lambda a: a.path.name)[-1]
    with stage(f"Comparing {latest.path.name} with the core"):
        before = live_class_counts(load_snapshot(latest.path))
        findings.sections["diff"] = compare_counts(before, live_class_counts(core_graph))
    findings.evidence["snapshot_heap_bytes"] = sum(b for _, b in before.values())
    findings.evidence.setdefault("pids", {})["snapshot"] = _pid_from_name(latest.path)
    _mark_used(findings, latest, "growth baseline (written before the crash)")


def _section_sources(findings: Findings, core_graph: bool, snapshots: list[Artifact]) -> dict:
    """Which artifact each heap section came from, so no reader mistakes an earlier
    snapshot for the heap at death."""
    if core_graph:
        heap = "core (the heap at death)"
    elif snapshots:
        heap = "heap snapshot (written before the crash; no core graph)"
    elif findings.histogram:
        heap = "core heap walk (no reference graph)"
    else:
        heap = None
    out = {"histogram": heap, "suspects": heap if findings.suspects or core_graph or snapshots else None}
    if "diff" in findings.sections:
        out["growth"] = ("from the heap snapshot to the core" if core_graph
                         else "from the first heap snapshot to the last")
    return {k: v for k, v in out.items() if v}


def _analyze_core_graph(artifact: Artifact, heap, options: Options, findings: Findings):
    """Build the reference graph from the core's own heap and run the same suspect and
    retainer analyses a snapshot gets. Returns the graph, or None when it cannot be built."""
    with stage("Building the core's reference graph"):
        try:
            graph = heap.to_heap_graph()
        except TriageError as e:
            findings.capabilities["suspects"] = Capability("unavailable", str(e), engine="triage.v8")
            return None
    # the walk (about 20 bytes an object) has served the histogram, instances and the graph;
    # a big core's analysis must not carry it through dominators (walk() redoes it if asked)
    if options.keep is None:  # a session keeps the walk for `instances`
        heap.release_walk()
    findings.evidence["core_external"] = graph.meta.get("external")
    from triage.core_isolates import record_native_memory

    record_native_memory(graph, findings.evidence)
    _analyze_graph(graph, options, findings, source_label="core heap graph")
    findings.capabilities["suspects"] = graph.meta["capability"]
    findings.capabilities["roots"] = graph.meta["capability"]
    code = function_code_capability(graph.meta.get("function_code"))
    if code is not None:
        findings.capabilities["function_code"] = code
    _mark_used(findings, artifact, "suspects", "retainers")
    return graph


def external_strings_capability(graph: HeapGraph) -> Capability | None:
    """Say when a snapshot weighs external strings by their header only (V8 before 13):
    what holds them is smaller in the retained sizes than in the process."""
    from triage.analyses.string_sizes import unweighed_external_strings

    count = unweighed_external_strings(graph)
    if not count:
        return None
    return Capability("degraded", f"{count:,} strings keep their characters outside the JS "
                                  "heap (external strings, such as text decoded from a large "
                                  "Buffer), and this snapshot's V8 (before 13: Node 22 and "
                                  "older) weighs each by its header only: the retained sizes "
                                  "of what holds them leave their characters out, whose "
                                  "number the snapshot does not record (it shows the first "
                                  "1,024 of each); a core of the process counts them",
                      engine="triage")


def queued_messages_capability(graph: HeapGraph) -> Capability | None:
    """Say when a snapshot holds a backlog of messages posted to MessagePorts and not read:
    their serialized contents are outside the JS heap, and the snapshot weighs each by its
    C++ header only, so no retained size or suspect counts them."""
    from triage.analyses.port_queues import BACKLOG_MIN, queued_messages
    from triage.units import human_bytes

    count, weighed = queued_messages(graph)
    if count < BACKLOG_MIN:
        return None
    return Capability("degraded", f"{count:,} messages posted to MessagePorts wait unread in "
                                  "their queues (no 'message' listener, or a port never "
                                  "started), and this snapshot weighs them by their C++ "
                                  f"objects only ({human_bytes(weighed)} in all): what they "
                                  "hold is serialized outside the JS heap, in no retained "
                                  "size and no suspect; a core of the process counts it in "
                                  "its native memory", engine="triage")


def function_code_capability(meta: dict | None) -> Capability | None:
    """Say when closures could not be linked to their compiled code (V8 13+ dispatch
    table): their retained sizes then leave the code out (about 10 % less than a snapshot)."""
    if not meta:
        return None
    functions, resolved = meta.get("functions", 0), meta.get("resolved", 0)
    if "reason" not in meta and resolved >= 0.95 * functions:
        return Capability("full", f"{resolved:,} of {functions:,} functions linked to their code "
                                  "through the dispatch table", engine="triage.v8")
    why = meta.get("reason") or f"only {resolved:,} of {functions:,} functions were linked"
    return Capability("degraded", f"functions' compiled code is not in their retained sizes "
                                  f"(about 10 % less than a heap snapshot): {why}",
                      engine="triage.v8")


def _analyze_graph(graph, options: Options, findings: Findings, *, source_label: str) -> None:
    """Histogram, suspects and retainer queries: the same code for every heap source."""
    from triage.analyses import find_suspects, heap_section, histogram
    from triage.analyses.dominator_tree import top_dominators
    from triage.analyses.retainer_query import answer

    if options.keep is not None:
        options.keep["graph"] = graph
    with stage("Computing dominators and retained sizes"):
        findings.sections["heap"] = heap_section(graph)
        findings.sections["dominators"] = top_dominators(graph)  # the HTML report's treemap
        findings.histogram = histogram(graph, limit=options.histogram_limit)
    with stage("Ranking leak suspects"):
        findings.suspects = find_suspects(graph)
    findings.capabilities["suspects"] = Capability("full", f"from the {source_label}", engine="triage")
    if options.retainers:
        findings.sections["retainers"] = answer(graph, options.retainers)
    if options.referrers:
        from triage.analyses.referrer_query import answer as referrers

        findings.sections["referrers"] = referrers(graph, options.referrers, limit=options.referrer_limit)


def _pid_from_name(path: Path) -> int | None:
    """Node names snapshots and reports `<kind>.<date>.<time>.<pid>.<tid>.<seq>.<ext>`."""
    parts = path.name.split(".")
    return int(parts[3]) if len(parts) >= 6 and parts[3].isdigit() else None


def _thread_id_from_name(path: Path) -> int | None:
    """Node's thread id in a snapshot's or report's default name (0: main thread)."""
    parts = path.name.split(".")
    return int(parts[4]) if len(parts) >= 6 and parts[4].isdigit() else None


def _check_one_incident(findings: Findings, artifacts: list[Artifact]) -> None:
    pids = {p for p in (_pid_from_name(a.path) for a in artifacts) if p is not None}
    if findings.model and findings.model.process.pid is not None:
        pids.add(findings.model.process.pid)
    if len(pids) > 1:
        findings.warnings.append(
            f"the inputs come from different processes (pids {sorted(pids)}); "
            "they are summarised together as one incident")


def _merge(primary: CrashModel | None, other: CrashModel, *, artifact: Artifact | None = None,
           findings: Findings | None = None) -> CrashModel:
    """Combine two views of one crash, each section from the better source.

    A core knows threads, registers and the exact signal; a report knows the
    JS stack at the throw site, the environment and the cwd even when the core
    does not. The first model given wins every field both have.
    """
    if primary is None:
        return other
    p, o = primary.process, other.process
    for name in ("pid", "executable", "cwd", "host", "node_version", "v8_version", "time"):
        if getattr(p, name) is None:
            setattr(p, name, getattr(o, name))
    if not p.command_line:
        p.command_line = o.command_line
    if p.environment is None:
        p.environment = o.environment
    if primary.crash.kind.value in ("abort", "unknown") and other.crash.kind.value not in (
        "report_request", "none", "unknown",
    ):
        primary.crash.kind, primary.crash.reason = other.crash.kind, other.crash.reason
    primary.crash.message = primary.crash.message or other.crash.message
    primary.crash.exception = primary.crash.exception or other.crash.exception
    ours = primary.capabilities.get("js_stack")
    theirs = other.capabilities.get("js_stack")
    if other.js_stack and (not primary.js_stack or (ours and ours.status != "full")):
        primary.js_stack, primary.js_stack_source = other.js_stack, other.js_stack_source
        if theirs:
            primary.capabilities["js_stack"] = theirs
        if artifact is not None and findings is not None:
            _mark_used(findings, artifact, "js_stack")
    primary.warnings.extend(other.warnings)
    return primary


def _load_heap(path: Path, node: Path | None):
    """One heap for `triage diff`: a HeapGraph for a snapshot, a type table for a core."""
    from triage.artifacts import identify

    kind = identify(path)
    entry = {"path": str(path), "kind": kind, "size_bytes": path.stat().st_size, "used_for": ["diff"]}
    if kind == SNAPSHOT:
        from triage.loaders.snapshot import load_snapshot

        with stage(f"Loading {path.name}"):
            return load_snapshot(path), entry
    if kind == CORE:
        from triage.coredump import CoreFile, ElfFile
        from triage.loaders.core import choose_binary
        from triage.v8 import V8Heap

        core = CoreFile.open(path)
        binary = ElfFile(choose_binary(core, node))
        with stage(f"Walking the V8 heap in {path.name}"):
            rows = V8Heap.open(core, binary).histogram(include_internal=False)
        return {r["type"]: (r["count"], r["shallow_bytes"]) for r in rows}, entry
    raise InputUnrecognized(f"{path} is a {kind}; `triage diff` compares heap snapshots or cores")


def diff_heaps(old: Path, new: Path, node: Path | None, limit: int) -> dict:
    """The `triage diff` document: per-type growth from OLD to NEW (unredacted).

    Two snapshots are diffed as graphs, which also counts objects that are new by identity;
    otherwise (cores, or a mix) the per-type tables are compared.
    """
    from triage import __version__
    from triage.analyses.heapdiff import compare_counts, heap_diff, live_class_counts
    from triage.schema import SCHEMA_VERSION

    before, old_entry = _load_heap(old, node)
    after, new_entry = _load_heap(new, node)
    warnings = []
    if isinstance(before, dict) and isinstance(after, dict):
        diff = compare_counts(before, after, limit=limit)
    elif not isinstance(before, dict) and not isinstance(after, dict):
        diff = heap_diff(before, after, limit=limit)
    else:
        warnings.append("comparing a core with a snapshot: their type names follow different "
                        "conventions, so some rows may not line up")
        tables = [t if isinstance(t, dict) else live_class_counts(t) for t in (before, after)]
        diff = compare_counts(*tables, limit=limit)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "triage", "version": __version__},
        "inputs": [old_entry, new_entry],
        "diff": diff,
        "redaction": {"enabled": False},
        "warnings": warnings,
    }
