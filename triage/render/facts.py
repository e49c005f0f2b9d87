"""Formatting helpers shared by the text and Markdown renderers (no escaping here)."""

from __future__ import annotations

from typing import Any

from triage.units import human_bytes as human_bytes  # renderers take it from here too


def js_frame_text(frame: dict[str, Any]) -> str:
    if frame.get("kind") in ("exit", "entry"):
        return frame["function"]  # `<exit>` / `<entry>`: V8's frames into and out of C++
    where = frame.get("script") or "?"
    if frame.get("line") is not None:
        where += f":{frame['line']}"
        if frame.get("column") is not None:
            where += f":{frame['column']}"
    kind = frame.get("kind")
    suffix = f"  [{kind}]" if kind and kind not in ("interpreted", "unknown") else ""
    if frame.get("position_note"):
        suffix += f" ({frame['position_note']})"
    return f"{frame['function']} ({where}){suffix}"


def js_frame_full_text(frame: dict[str, Any]) -> str:
    """A JS frame as llnode's `v8 bt` shows it: `name(this=..., arg0=...) at where fn=... context=...`."""
    if frame.get("kind") in ("exit", "entry"):
        return frame["function"]
    if frame.get("kind") == "inlined":  # no stack frame of its own: its receiver says why
        why = (frame.get("receiver") or {}).get("error") or "inlined"
        return js_frame_text(frame).replace("  [inlined]", f"  [{why}]", 1)
    parts = []
    if frame.get("receiver") is not None:
        parts.append(f"this={js_value_text(frame['receiver'])}")
    for i, arg in enumerate(frame.get("args") or []):
        parts.append(f"arg{i}={js_value_text(arg)}" if "type" in arg or "address" in arg
                     else f"({arg.get('error', '?')})")
    short = js_frame_text(frame)
    name, _, rest = short.partition(" (")
    text = f"{name}({', '.join(parts)}) ({rest}" if parts else short
    if frame.get("receiver") is not None and frame.get("args") is None:
        text += f"  [{frame['receiver'].get('note') or 'arguments not read'}]"
    if frame.get("function_address"):
        text += f" fn={frame['function_address']}"
    if frame.get("context_address"):
        text += f" context={frame['context_address']}"
    return text


def js_value_text(value: dict[str, Any]) -> str:
    """One frame value in llnode's form: `0x...:<Object: Foo>`, `<Smi: 1>`, `0x...:<null>`."""
    if "type" not in value:
        where = value.get("address") or value.get("raw")
        return f"{where + ':' if where else ''}<unreadable: {value.get('error', '?')}>"
    kind = value["type"]
    if kind == "String":
        text = value.get("value")
        shown = f'"{text[:STRING_SHOWN]}{"..." if len(text) > STRING_SHOWN else ""}"' \
            if isinstance(text, str) else f"({value.get('error', 'unreadable')})"
        inner = f"String: {shown}"
    elif kind in ("Smi", "Number"):
        inner = f"{kind}: {value.get('value')}"
    elif kind == "Object":
        inner = f"Object: {value.get('class') or '?'}"
    elif kind == "function":
        inner = f"function: {value.get('function') or '(anonymous)'}"
    elif kind == "Array":
        inner = f"Array: length={value.get('length')}"
    else:
        inner = kind
    return f"{value['address']}:<{inner}>" if value.get("address") else f"<{inner}>"


STRING_SHOWN = 40  # characters of a string argument in a frame line (the JSON has more)


def native_frame_text(frame: dict[str, Any]) -> str:
    name = frame.get("function") or "???"
    module = frame.get("module")
    text = f"{frame['pc']} {module + '`' if module else ''}{name}"
    if frame.get("file"):
        text += f" at {frame['file']}" + (f":{frame['line']}" if frame.get("line") else "")
    return text


def signal_text(crash: dict[str, Any]) -> str | None:
    sig = crash.get("signal")
    if not sig:
        return None
    text = sig["name"]
    if sig.get("code_name"):
        text += f" ({sig['code_name']})"
    if sig.get("fault_address"):
        text += f" at {sig['fault_address']}"
    if sig.get("sender_pid") is not None:
        text += f", sent by pid {sig['sender_pid']}"
    return text


def headline(document: dict[str, Any]) -> str:
    crash = document.get("crash", {})
    return f"{crash.get('kind', 'unknown').replace('_', ' ')}: {crash.get('reason', '')}"


def suspect_path_text(path: list[dict[str, Any]]) -> str:
    """A retainer path as `label:Type → label:Type …`, the synthetic root left out."""
    parts = []
    for step in path:
        edge, node = step.get("edge"), step.get("node") or {}
        if not edge:
            continue
        label = edge.get("label") or edge.get("type") or ""
        kind = node.get("type", "?")
        parts.append(f"{label}:{node.get('name') if kind == '(synthetic)' else kind}")
    return " → ".join(parts)


def held_types_text(suspect: dict[str, Any]) -> str | None:
    """`also held there: 24,999 Object (2.6 MiB)`: the other classes piled up in the same
    place (MAT's accumulated objects by class), or None."""
    held = [t for t in suspect.get("held_types") or [] if isinstance(t, dict)]
    if not held:
        return None
    parts = [f"{t.get('count', 0):,} {t.get('type', '?')} ({human_bytes(t.get('accumulated_bytes'))})"
             for t in held[:4]]
    more = f" and {len(held) - 4} more types" if len(held) > 4 else ""
    return "also held there: " + ", ".join(parts) + more


def isolates_line(isolates: dict[str, Any] | None) -> str | None:
    """First-page line: how many isolates the core holds, which one the page shows, and
    which could not be read (None for a single, fully read isolate)."""
    if not isolates:
        return None
    entries = isolates.get("isolates") or []
    unread = [e for e in entries if e.get("status") != "full"]
    if len(entries) <= 1 and not unread:
        return None
    text = f"{len(entries)}: " + ", ".join(
        e["label"] + (" (shown below)" if e.get("in_top_level") else _own_suspects_text(e))
        for e in entries)
    if unread:
        text += "; NOT FULLY READ: " + "; ".join(
            f"{e['label']} {e['status']} ({e.get('reason') or 'no reason given'})" for e in unread)
    return text


def _own_suspects_text(entry: dict[str, Any]) -> str:
    """A Worker's suspects are not in the sections the first page opens with: its line in
    `isolates` says it has some, or a leak only in a Worker reads as no leak at all."""
    suspects = entry.get("suspects") or []
    if not suspects:
        return ""
    first = suspects[0]
    size = human_bytes(first.get("retained_bytes") or first.get("shallow_bytes"))
    many = f"{len(suspects)} leak suspects" if len(suspects) > 1 else "1 leak suspect"
    return f" ({many}, first: {first.get('type')} {size}; in its own section below)"


def memory_row_text(row: dict[str, Any]) -> str:
    names = {"js_heap": "JS heap", "external": "external (array buffers, strings)",
             "blob_data": "Blob data (native)", "native": "native",
             "rss": "process RSS", "v8_malloc": "V8 malloc"}
    size = human_bytes(row.get("bytes")) if row.get("bytes") is not None else "unknown"
    return f"{names.get(row.get('kind'), row.get('kind'))}: {size}  [{row.get('source')}: " \
           f"{row.get('detail')}]"


def worker_report_text(worker: dict[str, Any]) -> str:
    name = worker.get("name") or "worker"
    text = f"{name} (thread id {worker.get('thread_id')})"
    if worker.get("heap_used") is not None:
        text += f": heap used {human_bytes(worker['heap_used'])}"
        if worker.get("heap_limit"):
            text += f" of {human_bytes(worker['heap_limit'])}"
    if not worker.get("js_stack_recorded"):
        text += ", no JS stack recorded"
    return text

def from_garbage_text(target: dict[str, Any]) -> str:
    """` (8 of them from garbage)` after a referrers count: those keep nothing alive."""
    n = target.get("strong_from_garbage") or 0
    return f" ({n} of them from garbage)" if n else ""


def referrer_text(row: dict[str, Any]) -> str:
    """One `--referrers` row: `Holder.owner  0x1234 [weak]` (the analysis built the words)."""
    flags = [f for f, on in (("weak", row.get("weak")), ("garbage", not row.get("reachable", True)))
             if on]
    via = row.get("via")
    via_text = f" (via {via['type']} {via['ref']})" if via else ""
    tail = f" [{', '.join(flags)}]" if flags else ""
    return f"{row['expression']}  {row['referrer']['ref']}{via_text}{tail}"
