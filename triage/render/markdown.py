"""Markdown for pasting into a ticket.

Dump strings that are code or names (versions, frames, types, paths, commands) go into code
spans and fenced blocks, where they read exactly as they are and are inert; prose from a
dump (messages, reasons, warnings) is escaped. Either way a crafted string cannot open a
fence, a link, an HTML tag or break a table row.
"""

from __future__ import annotations

from typing import Any

from triage.render.escape import clip, escape_markdown, markdown_code, markdown_fence
from triage.render.facts import (
    from_garbage_text,
    headline,
    held_types_text,
    human_bytes,
    isolates_line,
    js_frame_text,
    memory_row_text,
    native_frame_text,
    referrer_text,
    signal_text,
    suspect_path_text,
)

CODE_FACTS = {"Node", "V8", "faulting frame", "command"}


def md(s: str) -> str:
    """Prose, escaped and bounded (`clip`): one dump string never makes a page of megabytes."""
    return escape_markdown(clip(s))


def code(s: str, *, in_table: bool = False) -> str:
    """A name or a piece of code from the dump, as a bounded inline code span."""
    return markdown_code(clip(s), in_table=in_table)


def fence(lines: list[str]) -> list[str]:
    """Stack lines as a fenced block, each line bounded."""
    return markdown_fence([clip(line) for line in lines])


def render_markdown(doc: dict[str, Any]) -> str:
    if "crash" not in doc:
        return _render_diff(doc)
    proc, crash = doc.get("process", {}), doc.get("crash", {})
    lines = [f"## Crash: {md(headline(doc))}", ""]
    facts = [
        ("Node", proc.get("node_version")), ("V8", proc.get("v8_version")),
        ("signal", signal_text(crash)), ("faulting thread", crash.get("faulting_thread")),
        ("faulting frame", crash.get("faulting_frame")), ("message", crash.get("message")),
        ("pid", proc.get("pid")), ("command", " ".join(proc.get("command_line") or []) or None),
    ]
    facts.append(("isolates", isolates_line(doc.get("isolates"))))
    facts.append(("heap from", (doc.get("sources") or {}).get("histogram")))
    lines += [f"- **{k}**: {code(str(v)) if k in CODE_FACTS else md(str(v))}"
              for k, v in facts if v not in (None, "")]
    exc = crash.get("exception") or {}
    if exc.get("stack"):
        lines += ["", "### Thrown exception", ""]
        lines += fence(exc["stack"].splitlines())
    js = doc.get("js_stack") or {}
    lines += ["", f"### JavaScript stack ({md(js.get('status', 'unavailable'))})", ""]
    if js.get("frames"):
        lines += fence([f"#{f['index']:<3} {js_frame_text(f)}" for f in js["frames"]])
    else:
        lines.append(f"_not available: {md(js.get('reason') or 'no source recorded it')}_")
    rows = doc.get("histogram") or []
    if rows:
        lines += ["", "### Heap by type", "", "| type | count | shallow | retained |", "|---|---:|---:|---:|"]
        lines += [f"| {code(r['type'], in_table=True)} | {r['count']:,} | "
                  f"{human_bytes(r['shallow_bytes'])} | {human_bytes(r.get('retained_bytes'))} |"
                  for r in rows[:20]]
    suspects = doc.get("suspects") or []
    if suspects:
        lines += ["", "### Leak suspects", ""]
        for i, s in enumerate(suspects, 1):
            lines.append(f"{i}. {code(s['type'])}: {md(s.get('reason') or '')}")
            held = held_types_text(s)
            if held:
                lines.append(f"    - {md(held)}")
            for path in (s.get("retainer_paths") or [])[:2]:
                lines.append(f"    - held by: {code(suspect_path_text(path))}")
    memory = (doc.get("memory") or {}).get("totals") or []
    if memory:
        lines += ["", "### Memory of the process (by source)", ""]
        lines += [f"- {md(memory_row_text(r))}" for r in memory]
        note = (doc.get("memory") or {}).get("note")
        if note:
            lines += ["", f"**{md(note)}**"]
    for entry in (doc.get("isolates") or {}).get("isolates") or []:
        if entry.get("in_top_level"):
            continue
        lines += ["", f"### Isolate {md(entry['label'])} ({md(entry['status'])}; not in the "
                  "sections above)", ""]
        if entry.get("reason"):
            lines.append(f"_{md(entry['reason'])}_")
        lines += [f"- {code(r['type'])}: {r['count']:,}" for r in (entry.get("histogram") or [])[:6]]
        lines += [f"- suspect {code(s['type'])}: {md(s.get('reason') or '')}"
                  for s in entry.get("suspects") or []]
    lines += _referrers(doc.get("referrers"))
    growth = (doc.get("diff") or {}).get("rows") or []
    if growth:
        between = (doc.get("sources") or {}).get("growth") or "between the inputs"
        lines += ["", f"### Growth {md(between)}", "", "| type | count +/- | bytes +/- |", "|---|---:|---:|"]
        lines += [f"| {code(r['type'], in_table=True)} | {r['count_delta']:+,} | {r['bytes_delta']:+,} |"
                  for r in growth[:10]]
    lines += _event_loop(doc.get("event_loop"))
    report = doc.get("report") or {}
    if report.get("findings"):
        lines += ["", "### Diagnostic report findings", ""]
        lines += [f"- {md(f.get('text', ''))}" for f in report["findings"]]
    faulting = next((t for t in doc.get("threads") or [] if t.get("faulting")), None)
    if faulting:
        lines += ["", f"### Crashed thread {faulting['tid']} ({md(faulting.get('name') or '')})", ""]
        lines += fence([f"#{f['index']:<3} {native_frame_text(f)}" for f in faulting["frames"][:40]])
    red = doc.get("redaction") or {}
    lines += ["", "### Redaction", ""]
    if red.get("enabled"):
        lines.append(f"{red.get('total', 0)} values redacted.")
    else:
        lines.append("**DISABLED (--no-redact): may contain secrets; do not share.**")
    for warning in doc.get("warnings") or []:
        lines.append(f"> warning: {md(warning)}")
    return "\n".join(lines) + "\n"


def _event_loop(loop: dict[str, Any] | None) -> list[str]:
    """Each loop's handles with a JS object (Node's own are counted) and pending requests,
    from a core: the main thread's, then each Worker's under its label."""
    if not loop:
        return []
    lines = ["", "### Event loop (from the core)"]
    workers = loop.get("workers") or []
    if workers:
        lines += ["", f"#### {md(loop.get('isolate') or 'main')}"]
    lines += _one_loop(loop)
    for worker in workers:
        lines += ["", f"#### {md(worker['isolate'])}"]
        if worker.get("loop") is None:
            lines += [""] + [f"> not read: {md(p)}" for p in worker.get("problems") or []]
        else:
            lines += _one_loop(worker)
    return lines


def _one_loop(loop: dict[str, Any]) -> list[str]:
    handles = loop.get("handles") or []
    wrapped = [h for h in handles if h.get("object")]
    lines = ["",
             f"{len(handles)} handles, {len(handles) - len(wrapped)} of them Node-internal; "
             f"libuv counts {loop.get('active_requests')} active requests.", ""]
    for h in wrapped[:20]:
        flags = ", ".join(f for f, on in (("active", h.get("active")), ("ref", h.get("referenced"))) if on)
        lines.append(f"- {code(h['type'])} {code(str(h.get('constructor')))} {code(h['object'])}"
                     f"{f' ({flags})' if flags else ''}")
    requests = loop.get("requests")
    if requests is None:
        lines.append("- pending requests: not read (see capabilities)")
    for r in (requests or [])[:20]:
        lines.append(f"- request {code(str(r.get('constructor')))} {code(r.get('object') or r['wrap'])}")
    if loop.get("requests_note"):
        lines.append(f"> {md(loop['requests_note'])}")
    lines += [f"> {md(p)}" for p in loop.get("problems") or []]
    return lines


def _referrers(referrers: dict[str, Any] | None) -> list[str]:
    if not referrers:
        return []
    lines = ["", f"### What points at {code(referrers['query'])} ({referrers['matched']} matched)", ""]
    if not referrers["targets"]:
        lines.append("_no object matched this type or address_")
    for target in referrers["targets"]:
        node = target["node"]
        state = "" if target["reachable"] else ", unreachable (garbage, not a leak)"
        where = (f" in {code(target['isolate'])}" if target.get("isolate")
                 and (referrers.get("isolates") or []) not in ([], ["main"]) else "")
        lines.append(f"- {code(node['type'] + ' ' + node['ref'])}{where}: {target['total']} "
                     f"referrers, {target['strong']} strong{from_garbage_text(target)}{state}")
        lines += [f"    - {code(referrer_text(row))}" for row in target["referrers"]]
        if target["more"]:
            lines.append(f"    - … and {target['more']} more")
    return lines


def _render_diff(doc: dict[str, Any]) -> str:
    inputs = " → ".join(code(i["path"]) for i in doc.get("inputs", []))
    lines = [f"## Heap growth: {inputs}", "", "| type | count +/- | bytes +/- | new type |",
             "|---|---:|---:|---|"]
    for row in (doc.get("diff") or {}).get("rows", [])[:30]:
        lines.append(f"| {code(row['type'], in_table=True)} | {row['count_delta']:+,} | "
                     f"{row['bytes_delta']:+,} | {'yes' if row['is_new_type'] else ''} |")
    return "\n".join(lines) + "\n"
