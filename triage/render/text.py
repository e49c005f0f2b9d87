"""The terminal page: what an on-call engineer reads first.

Rich draws it; with no TTY (or `color=False`) it is plain text. Every string
from the document goes through `escape_terminal` and is handed to rich as a
`Text`, never as markup, so a crafted heap string cannot style or steer the
terminal.
"""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from triage.render.escape import clip, escape_terminal
from triage.render.facts import (
    from_garbage_text,
    headline,
    held_types_text,
    human_bytes,
    isolates_line,
    js_frame_full_text,
    js_frame_text,
    memory_row_text,
    native_frame_text,
    referrer_text,
    signal_text,
    suspect_path_text,
    worker_report_text,
)

OTHER_THREAD_FRAMES = 12
HISTOGRAM_ROWS = 15
ISOLATE_ROWS = 6


def _t(value: Any, style: str = "") -> Text:
    return Text(escape_terminal(clip(str(value))), style=style)


def render_text(document: dict[str, Any], *, color: bool = False, width: int = 100) -> str:
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=color, color_system="standard" if color else None,
                      highlight=False, markup=False, emoji=False, soft_wrap=False)
    if "crash" not in document:  # a `triage diff` document
        console.print(Text.assemble(("triage diff ", "bold"),
                                    _t(" → ".join(i["path"] for i in document.get("inputs", [])))))
        _diff(console, document.get("diff"))
        _footer(console, document)
        return _strip_line_ends(out.getvalue())
    _header(console, document)
    _js_stack(console, document)
    _report(console, document.get("report"))
    _event_loop(console, document.get("event_loop"))
    _heap(console, document)
    _memory(console, document.get("memory"))
    _suspects(console, document.get("suspects") or [], document.get("isolates"))
    _isolates(console, document.get("isolates"))
    _retainers(console, document.get("retainers"))
    _referrers(console, document.get("referrers"))
    _diff(console, document.get("diff"), (document.get("sources") or {}).get("growth"))
    _objects(console, document.get("objects"))
    _threads(console, document.get("threads") or [])
    _capabilities(console, document.get("capabilities") or {})
    _footer(console, document)
    return _strip_line_ends(out.getvalue())


def section_lines(name: str, document: dict[str, Any]) -> list[str]:
    """One section of the text page (`event_loop`, `memory`, `isolates`, `retainers`,
    `referrers`, `objects`), uncoloured, as lines: the HTML page shows these in the same words
    rather than wording them a second time. Titles are the lines without indentation."""
    draw = {"event_loop": _event_loop, "memory": _memory, "isolates": _isolates,
            "retainers": _retainers, "referrers": _referrers, "objects": _objects}[name]
    out = io.StringIO()
    console = Console(file=out, width=10_000, force_terminal=False, color_system=None,
                      highlight=False, markup=False, emoji=False, soft_wrap=True)  # never wrap
    draw(console, document.get(name))
    return [line for line in _strip_line_ends(out.getvalue()).split("\n") if line]


def _strip_line_ends(text: str) -> str:
    """Tables pad every cell to its column's width; the padding at a line's end is noise."""
    return "\n".join(line.rstrip() for line in text.split("\n"))


def _section(console: Console, title: str) -> None:
    console.print()
    console.print(Text(title, style="bold cyan"))


EXCEPTION_FRAMES = 5  # frames of the thrown Error's own stack on the first page


def _header(console: Console, doc: dict[str, Any]) -> None:
    proc, crash = doc.get("process", {}), doc.get("crash", {})
    versions = ", ".join(v for v in (
        f"Node {proc['node_version']}" if proc.get("node_version") else None,
        f"V8 {proc['v8_version']}" if proc.get("v8_version") else None,
    ) if v)
    console.print(Text.assemble(("triage ", "bold"), _t(doc.get("tool", {}).get("version", "")),
                                "  ", _t(versions, "dim")))
    console.print(Text.assemble(("CRASH  ", "bold red"), _t(headline(doc), "bold")))
    rows = []
    if signal_text(crash):
        rows.append(("signal", signal_text(crash)))
    if crash.get("faulting_thread") is not None:
        where = f"thread {crash['faulting_thread']}"
        if crash.get("faulting_frame"):
            where += f" in {crash['faulting_frame']}"
        rows.append(("where", where))
    if crash.get("message"):
        rows.append(("message", crash["message"]))
    exc = crash.get("exception") or {}
    # the frames only: a message may run over several lines (an AssertionError's diff)
    thrown_at = [line.strip() for line in (exc.get("stack") or "").splitlines()[1:]
                 if line.strip().startswith("at ")]
    if thrown_at:
        more = len(thrown_at) - EXCEPTION_FRAMES
        shown = thrown_at[:EXCEPTION_FRAMES] + ([f"… {more} more in --format json"] if more > 0 else [])
        rows += [("thrown" if i == 0 else "", line) for i, line in enumerate(shown)]
    exc_cap = (doc.get("capabilities") or {}).get("exception") or {}
    if not exc and exc_cap.get("status") == "unavailable":
        rows.append(("exception", f"not found: {exc_cap.get('reason') or 'no reason given'}"))
    if proc.get("pid") is not None:
        rows.append(("pid", proc["pid"]))
    if proc.get("command_line"):
        rows.append(("command", " ".join(proc["command_line"])))
    if proc.get("executable"):
        rows.append(("executable", proc["executable"]))
    for field in ("host", "cwd", "time"):
        if proc.get(field):
            rows.append((field, proc[field]))
    isolates = isolates_line(doc.get("isolates"))
    if isolates:
        rows.append(("isolates", isolates))
    sources = doc.get("sources") or {}
    if sources.get("histogram"):
        rows.append(("heap from", sources["histogram"]))
    table = Table.grid(padding=(0, 2))
    for key, value in rows:
        table.add_row(Text(key, style="dim"), _t(value))
    console.print(table)


def _js_stack(console: Console, doc: dict[str, Any], full: bool = False) -> None:
    """The first page shows name and position; `bt` (full) adds this, arguments, fn, context."""
    js = doc.get("js_stack") or {}
    engine = f" via {js['engine']}" if js.get("engine") else ""
    _section(console, f"JavaScript stack ({js.get('status', 'unavailable')}{engine})")
    if not js.get("frames"):
        console.print(_t(f"  not available: {js.get('reason') or 'no source recorded it'}", "yellow"))
        return
    for frame in js["frames"]:
        text = js_frame_full_text(frame) if full else js_frame_text(frame)
        console.print(Text.assemble(f"  #{frame['index']:<3}", _t(text)))
    if js.get("reason"):
        console.print(_t(f"  note: {js['reason']}", "dim"))


def _report(console: Console, report: dict[str, Any] | None) -> None:
    if not report:
        return
    _section(console, "Diagnostic report")
    heap = report.get("heap") or {}
    if heap:
        used, limit = heap.get("used"), heap.get("memory_limit")
        line = f"  heap used {human_bytes(used)} of limit {human_bytes(limit)}"
        if heap.get("exhausted_space"):
            line += f"; exhausted space: {heap['exhausted_space']}"
        console.print(_t(line))
    handles = (report.get("handles") or {}).get("by_type") or {}
    if handles:
        parts = [f"{name} {info.get('count', 0)} ({info.get('active', 0)} active)"
                 for name, info in sorted(handles.items())]
        console.print(_t("  libuv handles: " + ", ".join(parts)))
    workers = report.get("workers") or []
    if workers:
        console.print(_t(f"  workers: {len(workers)}"))
        for w in workers:
            console.print(_t(f"    {worker_report_text(w)}"))
    for finding in report.get("findings") or []:
        console.print(_t(f"  • {finding.get('text', finding)}"))


LOOP_ROWS = 12


def _event_loop(console: Console, loop: dict[str, Any] | None, *, full: bool = False) -> None:
    """Handles and pending requests read from the core (`event_loop` section): the main
    thread's loop, then each Worker's under its label. The first page lists only handles
    with a JS object, `full` (the `handles` query) every one."""
    if not loop:
        return
    _section(console, "Event loop (from the core)")
    workers = loop.get("workers") or []
    if workers or loop.get("isolate", "main") != "main":  # one Worker's loop, asked for alone
        console.print(_t(f"  {loop.get('isolate') or 'main'}:", "bold"))
    if loop.get("loop") is None:
        for problem in loop.get("problems") or []:
            console.print(_t(f"  not read: {problem}", "yellow"))
    else:
        _one_loop(console, loop, full=full)
    for worker in workers:
        console.print(_t(f"  {worker['isolate']}:", "bold"))
        if worker.get("loop") is None:
            for problem in worker.get("problems") or []:
                console.print(_t(f"  not read: {problem}", "yellow"))
            continue
        _one_loop(console, worker, full=full)


def _one_loop(console: Console, loop: dict[str, Any], *, full: bool) -> None:
    rows = 10_000 if full else LOOP_ROWS
    handles = loop.get("handles") or []
    alive = sum(1 for h in handles if h.get("active") and h.get("referenced"))
    console.print(_t(f"  {len(handles)} handles ({alive} active and referenced: they keep the loop "
                     f"alive), {loop.get('internal_handles', 0)} libuv-internal not listed"))
    by_type = loop.get("by_type") or {}
    if len(handles) > rows and by_type:  # the list is cut: say what the rest are
        console.print(_t("    by type: " + ", ".join(
            f"{t} {c['count']:,}" + (f" ({c['active_and_referenced']:,} keeping the loop alive)"
                                     if c["active_and_referenced"] else "")
            for t, c in sorted(by_type.items(), key=lambda kv: -kv[1]["count"])), "dim"))
    internal = Counter(h["type"] for h in handles if not h.get("object"))
    if internal and not full:
        console.print(_t("    Node-internal (no JS object): "
                         + ", ".join(f"{t} {n}" for t, n in sorted(internal.items())), "dim"))
        handles = [h for h in handles if h.get("object")]
    for h in handles[:rows]:
        flags = ",".join(f for f, on in (("active", h.get("active")), ("ref", h.get("referenced")),
                                         ("closing", h.get("closing"))) if on) or "-"
        what = f"{h.get('constructor')} {h['object']}" if h.get("object") else "(Node-internal)"
        extra = ""
        ends = h.get("endpoints") or {}
        local = ends.get("local") or {}
        if local:
            ip = local.get("ip")
            ip = f"[{ip}]" if ip and ":" in ip else ip
            extra = "  " + (local.get("path") or f"{ip}:{local.get('port')}")
        if h.get("signal"):
            extra = f"  signal {h['signal']}"
        if h.get("filename"):
            extra = f"  {h['filename']}"
        console.print(_t(f"    {h['type']:<9} {h['address']}  [{flags}]  {what}{extra}"))
    if len(handles) > rows:
        console.print(_t(f"    … {len(handles) - rows} more in --format json", "dim"))
    requests = loop.get("requests")
    if requests is None:
        console.print(_t("  pending requests: not read (see capabilities)", "yellow"))
    else:
        names = ", ".join(f"{r.get('constructor') or '?'} {r.get('object') or r['wrap']}"
                          for r in requests[:rows])
        console.print(_t(f"  {len(requests)} pending Node requests" + (f": {names}" if names else "")
                         + f"; libuv counts {loop.get('active_requests')} active"))
    if loop.get("requests_note") and full:
        console.print(_t(f"  note: {loop['requests_note']}", "dim"))
    for problem in loop.get("problems") or []:
        console.print(_t(f"  note: {problem}", "yellow"))


def _heap(console: Console, doc: dict[str, Any]) -> None:
    rows = doc.get("histogram") or []
    if not rows:
        return
    _section(console, "Heap by type (top by size)")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    table.add_column("type", overflow="fold")
    table.add_column("count", justify="right")
    table.add_column("shallow", justify="right")
    has_retained = any(r.get("retained_bytes") is not None for r in rows)
    if has_retained:
        table.add_column("retained", justify="right")
    for row in rows[:HISTOGRAM_ROWS]:
        cells = [_t(row["type"]), _t(f"{row['count']:,}"), _t(human_bytes(row["shallow_bytes"]))]
        if has_retained:
            cells.append(_t(human_bytes(row.get("retained_bytes"))))
        table.add_row(*cells)
    console.print(table)
    if len(rows) > HISTOGRAM_ROWS:
        console.print(_t(f"  … {len(rows) - HISTOGRAM_ROWS} more types in --format json", "dim"))


def _memory(console: Console, memory: dict[str, Any] | None) -> None:
    if not memory or not memory.get("totals"):
        return
    _section(console, "Memory of the process (by source)")
    for row in memory["totals"]:
        console.print(_t(f"  {memory_row_text(row)}"))
    if memory.get("note"):
        console.print(_t(f"  {memory['note']}", "yellow"))


def _isolates(console: Console, isolates: dict[str, Any] | None) -> None:
    """Each Worker isolate's own heap, suspects and JS stack (the main one is above)."""
    if not isolates:
        return
    others = [e for e in isolates.get("isolates") or [] if not e.get("in_top_level")]
    if not others:
        return
    _section(console, f"Other isolates ({len(others)}; everything above is the main isolate's)")
    for entry in others:
        thread = f"thread {entry['tid']}" if entry.get("tid") is not None else "no thread found"
        head = f"  {entry['label']}  ({thread}, {entry['status']}"
        if entry.get("heap_bytes") is not None:
            head += f", heap {human_bytes(entry['heap_bytes'])}"
        if entry.get("external_bytes"):
            head += f", external {human_bytes(entry['external_bytes'])}"
        console.print(_t(head + ")", "bold"))
        if entry.get("reason"):
            console.print(_t(f"     {entry['reason']}", "yellow"))
        rows = [r for r in entry.get("histogram") or []][:ISOLATE_ROWS]
        if rows:
            console.print(_t("     types: " + ", ".join(
                f"{r['type']} {r['count']:,}" for r in rows)))
        _suspects_lines(console, entry.get("suspects") or [], indent="     ")
        frames = entry.get("js_stack") or []
        if frames:
            console.print(_t("     JS stack: " + " < ".join(
                js_frame_text(f) for f in frames[:4])))


def _suspects(console: Console, suspects: list[dict[str, Any]],
              isolates: dict[str, Any] | None = None) -> None:
    elsewhere = [e for e in (isolates or {}).get("isolates") or []
                 if not e.get("in_top_level") and e.get("suspects")]
    if not suspects and not elsewhere:
        return
    _section(console, "Leak suspects (most suspect first)")
    if not suspects:  # the leak is in a Worker: say so where a reader looks for it
        console.print(_t("  none in the main isolate; "
                         + "; ".join(f"{e['label']}: {len(e['suspects'])}" for e in elsewhere)
                         + " (under Other isolates below)", "yellow"))
    _suspects_lines(console, suspects)


def _suspects_lines(console: Console, suspects: list[dict[str, Any]], indent: str = "") -> None:
    for i, suspect in enumerate(suspects, 1):
        count = suspect.get("count")
        retained = suspect.get("retained_bytes")
        size = f"{human_bytes(retained)} retained" if retained else \
            f"{human_bytes(suspect.get('shallow_bytes'))} shallow"
        pattern = f"  [{suspect['pattern']}]" if suspect.get("pattern") else ""
        console.print(Text.assemble(f"{indent}  {i}. ", _t(suspect["type"], "bold"),
                                    _t(f"  {count:,} object{'s' if count != 1 else ''}, {size}{pattern}"
                                       if count else pattern)))
        if suspect.get("reason"):
            console.print(_t(f"{indent}     {suspect['reason']}"))
        point = suspect.get("accumulation_point")
        if point and suspect.get("pattern") != "big-object":  # the object is its own point
            console.print(_t(f"{indent}     accumulates in: {point['holder']} ({point['node']['type']}, "
                             f"{point['count']:,} of them)"))
        held = held_types_text(suspect)
        if held:
            console.print(_t(f"{indent}     {held}"))
        for path in (suspect.get("retainer_paths") or [])[:1]:
            console.print(_t(f"{indent}     path: {suspect_path_text(path)}", "dim"))


def _retainers(console: Console, retainers: dict[str, Any] | None) -> None:
    if not retainers:
        return
    _section(console, f"Why is it alive: {retainers['query']} ({retainers['matched']} matched)"
             + _isolates_note(retainers))
    if not retainers["targets"]:
        console.print(_t("  no object matched this type or address"))
    for target in retainers["targets"]:
        node = target["node"]
        state = "reachable" if target["reachable"] else "unreachable (garbage, not a leak)"
        console.print(_t(f"  {_in_isolate(retainers, target)}{node['type']} {node['ref']}: {state}, "
                         f"{human_bytes(target['retained_bytes'])} retained"))
        if target.get("holder"):
            console.print(_t(f"     held by: {target['holder']}"))
        for path in target["paths"]:
            console.print(_t(f"     path: {suspect_path_text(path)}", "dim"))


def _isolates_note(answer: dict[str, Any]) -> str:
    """` in main, worker 1 app.js` when the answer looked at several isolates (or left one
    unread): which heaps were searched is part of the answer."""
    searched = answer.get("isolates") or []
    unread = answer.get("isolates_unread") or []
    if (len(searched) < 2 and searched in ([], ["main"])) and not unread:
        return ""  # the main isolate alone: as without Workers
    note = f" in {', '.join(searched)}"
    return note + (f"; not read: {'; '.join(unread)}" if unread else "")


def _in_isolate(answer: dict[str, Any], row: dict[str, Any]) -> str:
    searched = answer.get("isolates") or []
    return f"[{row['isolate']}] " if row.get("isolate") and searched not in ([], ["main"]) \
        else ""


def _referrers(console: Console, referrers: dict[str, Any] | None) -> None:
    if not referrers:
        return
    _section(console, f"What points at it: {referrers['query']} ({referrers['matched']} matched)"
             + _isolates_note(referrers))
    if not referrers["targets"]:
        console.print(_t("  no object matched this type or address"))
    for target in referrers["targets"]:
        node = target["node"]
        state = "" if target["reachable"] else ", unreachable (garbage, not a leak)"
        console.print(_t(f"  {_in_isolate(referrers, target)}{node['type']} {node['ref']}: "
                         f"{target['total']} referrers, "
                         f"{target['strong']} strong{from_garbage_text(target)}{state}"))
        for row in target["referrers"]:
            console.print(_t(f"     {referrer_text(row)}", "dim" if row["weak"] else ""))
        if target["more"]:
            console.print(_t(f"     ... and {target['more']} more (--referrers-limit)"))


def _diff(console: Console, diff: dict[str, Any] | None, between: str | None = None) -> None:
    if not diff:
        return
    _section(console, f"Growth {between or 'from the first input to the second'} (by bytes)")
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column, justify in (("type", "left"), ("count +/-", "right"), ("bytes +/-", "right"),
                            ("new", "right")):
        table.add_column(column, justify=justify, overflow="fold")
    for row in diff.get("rows", [])[:HISTOGRAM_ROWS]:
        table.add_row(_t(row["type"] + (" (new type)" if row.get("is_new_type") else "")),
                      _t(f"{row['count_delta']:+,}"), _t(f"{row['bytes_delta']:+,}"),
                      _t("-" if row.get("new_count") is None else f"{row['new_count']:,}"))
    console.print(table)


def _objects(console: Console, objects: dict[str, Any] | None) -> None:
    if not objects:
        return
    if objects.get("instances"):
        inst = objects["instances"]
        per = inst.get("isolates") or []
        shown, total = len(inst["addresses"]), inst.get("total")
        count = f"{shown} of {total} listed" if total is not None and total > shown else f"{shown} listed"
        _section(console, f"Instances of {inst['type']} ({count})"
                 + _isolates_note({"isolates": [p["isolate"] for p in per],
                                   "isolates_unread": inst.get("isolates_unread")}))
        if [p["isolate"] for p in per] not in ([], ["main"]):
            for part in per:
                console.print(_t(f"  [{part['isolate']}] " + (" ".join(part["addresses"])
                                                              or "none")))
        else:
            console.print(_t("  " + " ".join(inst["addresses"]) if inst["addresses"] else "  none"))
    for obj in objects.get("inspected") or []:
        _section(console, f"Object {obj.get('address', '?')}")
        source = obj.get("source") if isinstance(obj.get("source"), dict) else None
        shown = {k: v for k, v in obj.items() if k != "source"} if source else obj
        for line in _object_lines(shown, indent="  "):
            console.print(_t(line))
        if source:
            _source_lines(console, source)


def _source_lines(console: Console, source: dict[str, Any]) -> None:
    """A function's source as llnode's `v8 source list` shows it: numbered lines."""
    if source.get("error"):
        console.print(_t(f"  source: not available: {source['error']}", "yellow"))
        return
    console.print(_t(f"  source ({source.get('script') or '?'}:{source.get('start_line')}):"))
    first = source.get("start_line") or 1
    for i, line in enumerate(str(source.get("text", "")).split("\n")):
        console.print(_t(f"  {first + i} {line}"))
    if source.get("truncated"):
        console.print(_t("  … (cut: the JSON has the same bounded text)", "dim"))


def _object_lines(obj: Any, indent: str) -> list[str]:
    """An inspected object as indented `key: value` lines (structure, not computation)."""
    lines: list[str] = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            if isinstance(value, (dict, list)) and value:
                lines.append(f"{indent}{key}:")
                lines.extend(_object_lines(value, indent + "  "))
            else:
                lines.append(f"{indent}{key}: {value}")
    elif isinstance(obj, list):
        for item in obj:
            if isinstance(item, (dict, list)):
                lines.append(f"{indent}-")
                lines.extend(_object_lines(item, indent + "  "))
            else:
                lines.append(f"{indent}- {item}")
    else:
        lines.append(f"{indent}{obj}")
    return lines


def _threads(console: Console, threads: list[dict[str, Any]], *, full: bool = False) -> None:
    if not threads:
        return
    followers: dict[int, list[int]] = {}
    for thread in threads:
        if thread.get("same_stack_as") is not None:
            followers.setdefault(thread["same_stack_as"], []).append(thread["tid"])
    _section(console, f"Threads ({len(threads)})")
    for thread in threads:
        if thread.get("same_stack_as") is not None and not full:
            continue  # shown once, with the first thread of that stack
        mark = " (crashed)" if thread.get("faulting") else ""
        same = followers.get(thread["tid"], [])
        also = f"  + {len(same)} more with this stack: {', '.join(map(str, same))}" \
            if same and not full else ""
        console.print(Text.assemble(("  thread ", "bold"), _t(thread["tid"]), " ",
                                    _t(thread.get("name") or ""), (mark, "bold red"), _t(also, "dim")))
        frames = thread.get("frames") or []
        limit = len(frames) if thread.get("faulting") or full else OTHER_THREAD_FRAMES
        for frame in frames[:limit]:
            console.print(Text.assemble(f"    #{frame['index']:<3}", _t(native_frame_text(frame))))
        if len(frames) > limit:
            console.print(_t(f"    … {len(frames) - limit} more frames", "dim"))


def _capabilities(console: Console, caps: dict[str, Any]) -> None:
    missing = {k: v for k, v in caps.items() if v.get("status") != "full"}
    if not missing:
        return
    _section(console, "What could not be answered fully")
    for name, cap in missing.items():
        console.print(_t(f"  {name}: {cap['status']} — {cap.get('reason') or 'no reason given'}"))


def _footer(console: Console, doc: dict[str, Any]) -> None:
    red = doc.get("redaction") or {}
    _section(console, "Redaction")
    if not red.get("enabled"):
        console.print(Text("  DISABLED (--no-redact): this output may contain secrets; do not share it",
                           style="bold red"))
    else:
        cats = red.get("counts_by_category") or {}
        detail = ", ".join(f"{k} {v}" for k, v in sorted(cats.items())) or "nothing found"
        console.print(_t(f"  {red.get('total', 0)} values redacted ({detail})"))
    for warning in doc.get("warnings") or []:
        console.print(_t(f"warning: {warning}", "yellow"))


def render_answer(document: dict[str, Any], *, color: bool = False, width: int = 100) -> str:
    """One query's answer (`triage shell`, `triage inspect CORE ADDR`): only the sections
    the answer document holds, no page header or footer."""
    out = io.StringIO()
    console = Console(file=out, width=width, force_terminal=color, color_system="standard" if color else None,
                      highlight=False, markup=False, emoji=False, soft_wrap=False)
    if document.get("histogram"):
        _heap(console, document)
    if "suspects" in document and not document["suspects"]:
        console.print(_t("no leak suspects"))
    _suspects(console, document.get("suspects") or [])
    _retainers(console, document.get("retainers"))
    _referrers(console, document.get("referrers"))
    _objects(console, document.get("objects"))
    _thread_groups(console, document.get("thread_groups"))
    if "threads" in document:
        _threads(console, document["threads"], full=bool(document.get("full_frames")))
    if "js_stack" in document:
        _js_stack(console, document, full=bool(document.get("full_frames")))
    _found(console, document.get("found"))
    if "event_loop" in document:
        _event_loop(console, document["event_loop"], full=True)
        if document["event_loop"] is None:
            console.print(_t("no event loop read from a core", "yellow"))
    for warning in document.get("warnings") or []:
        console.print(_t(f"  {warning}", "yellow"))
    return out.getvalue()


def _thread_groups(console: Console, groups: dict[str, Any] | None) -> None:
    if groups is None:
        return
    rows = groups.get("groups") or []
    if not rows:
        console.print(_t("no threads: none of the inputs records them (a core does)"))
        return
    _section(console, f"Threads ({sum(len(g['tids']) for g in rows)}, identical idle stacks grouped)")
    for group in rows:
        tids = group["tids"]
        count = f"{len(tids)} × " if len(tids) > 1 else ""
        mark = " (crashed)" if group.get("faulting") else ""
        ids = ", ".join(str(t) for t in tids[:8]) + (", …" if len(tids) > 8 else "")
        console.print(Text.assemble("  ", _t(f"{count}{group.get('name') or 'thread'}", "bold"),
                                    _t(f"  tid {ids}"), (mark, "bold red")))
        names = [f.get("function") or "??" for f in group.get("frames") or []]
        shown = names[:6]
        console.print(_t("    " + " ← ".join(shown) + (" ← …" if len(names) > 6 else ""), "dim"))


def _found(console: Console, found: dict[str, Any] | None) -> None:
    if found is None:
        return
    matches = found.get("matches") or []
    _section(console, f"Strings containing {found.get('query')!r} ({len(matches)} shown)")
    if not matches:
        console.print(_t("  none"))
    if found.get("unsearched"):
        console.print(_t(f"  {found['unsearched']:,} strings not searched (time limit); "
                         "narrow the text or raise the count", "yellow"))
    for m in matches:
        value = m["value"] if m["value"].startswith("[REDACTED:") else repr(m["value"])
        console.print(_t(f"  {m['ref']}  {m['type']}  {m['size']} B  {value}"))
