"""Formatting helpers shared by the text and Markdown renderers (no escaping here)."""

from __future__ import annotations

from typing import Any


def human_bytes(n: int | None) -> str:
    if n is None:
        return "-"
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"


def js_frame_text(frame: dict[str, Any]) -> str:
    where = frame.get("script") or "?"
    if frame.get("line") is not None:
        where += f":{frame['line']}"
        if frame.get("column") is not None:
            where += f":{frame['column']}"
    kind = frame.get("kind")
    suffix = f"  [{kind}]" if kind and kind not in ("interpreted", "unknown") else ""
    return f"{frame['function']} ({where}){suffix}"


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


def referrer_text(row: dict[str, Any]) -> str:
    """One `--referrers` row: `Holder.owner  0x1234 [weak]` (the analysis built the words)."""
    flags = [f for f, on in (("weak", row.get("weak")), ("garbage", not row.get("reachable", True)))
             if on]
    via = row.get("via")
    via_text = f" (via {via['type']} {via['ref']})" if via else ""
    tail = f" [{', '.join(flags)}]" if flags else ""
    return f"{row['expression']}  {row['referrer']['ref']}{via_text}{tail}"
