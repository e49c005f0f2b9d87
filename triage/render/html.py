"""A self-contained HTML report: the page pasted into an incident channel.

One file, no network: inline CSS, one inline script and inline SVG only, locked by a Content
Security Policy whose script and style sources are the SHA-256 hashes of the page's own
blocks (nothing a dump string could add runs or styles anything). Every dump string goes
through `escape_html`. Like every renderer it computes nothing: the treemap draws the
summary's `dominators` section, the graphs draw the suspects' retainer paths; laying boxes
out is all it does.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any

from triage.render.escape import escape_html as h
from triage.render.facts import (
    headline,
    held_types_text,
    human_bytes,
    isolates_line,
    js_frame_text,
    native_frame_text,
    signal_text,
    suspect_path_text,
)

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:16px;color:#1d2330}
h1{font-size:20px;margin:0 0 8px}h2{font-size:16px;margin:24px 0 8px;border-bottom:1px solid #ccd}
table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left;vertical-align:top}
th{background:#eef0f5}tr:nth-child(even) td{background:#f7f8fb}td.n{text-align:right}
pre{background:#f4f5f8;padding:8px;overflow-x:auto;font-size:12.5px;white-space:pre}
.warn{background:#fff4d6;border-left:4px solid #e0a800;padding:4px 8px;margin:4px 0}
.off{background:#ffe0e0;border-left:4px solid #d00;padding:4px 8px;font-weight:bold}
.muted{color:#667}code{background:#eef0f5;padding:0 3px}
svg text{font:11px system-ui,sans-serif}
"""

# Runs once: marks the page as rendered (the headless-browser test waits for it) and counts
# the scripts in the DOM, which must be this one only.
SCRIPT = """
document.documentElement.setAttribute('data-scripts', String(document.scripts.length));
document.documentElement.setAttribute('data-rendered', 'ok');
"""

_PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1",
            "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d4a6c8")


def _csp_hash(block: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(block.encode()).digest()).decode() + "'"


def render_html(doc: dict[str, Any]) -> str:
    """The redacted summary (or diff) `doc` as one HTML page."""
    body = _summary_body(doc) if "crash" in doc else _diff_body(doc)
    csp = (f"default-src 'none'; style-src {_csp_hash(STYLE)}; script-src {_csp_hash(SCRIPT)}; "
           "base-uri 'none'; form-action 'none'")
    title = h(headline(doc)) if "crash" in doc else "heap growth"
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>triage: {title}</title>",
        f"<style>{STYLE}</style>",
        "</head><body>",
        *body,
        f"<script>{SCRIPT}</script>",
        "</body></html>",
        "",
    ])


# ------------------------------------------------------------------------------ summary
def _summary_body(doc: dict[str, Any]) -> list[str]:
    proc, crash = doc.get("process") or {}, doc.get("crash") or {}
    out = [f"<h1>Crash: {h(headline(doc))}</h1>"]
    red = doc.get("redaction") or {}
    if not red.get("enabled"):
        out.append('<p class="off">Redaction DISABLED (--no-redact): this page may contain '
                   "secrets. Do not share it.</p>")
    facts = [("Node", proc.get("node_version")), ("V8", proc.get("v8_version")),
             ("signal", signal_text(crash)), ("faulting thread", crash.get("faulting_thread")),
             ("faulting frame", crash.get("faulting_frame")), ("message", crash.get("message")),
             ("isolates", isolates_line(doc.get("isolates"))),
             ("pid", proc.get("pid")),
             ("command", " ".join(proc.get("command_line") or []) or None)]
    out.append("<table>")
    out += [f"<tr><th>{h(k)}</th><td>{h(str(v))}</td></tr>" for k, v in facts if v not in (None, "")]
    out.append("</table>")
    for warning in doc.get("warnings") or []:
        out.append(f'<p class="warn">warning: {h(warning)}</p>')
    out += _not_full(doc)
    out += _exception(doc)
    out += _js_stack(doc)
    out += _native_stack(doc)
    out += _text_sections(doc, ("event_loop",))
    out += _heap_table(doc)
    out += _treemap(doc)
    out += _text_sections(doc, ("memory",))
    out += _suspects(doc)
    out += _text_sections(doc, ("isolates", "retainers", "referrers", "objects"))
    out.append("<h2>Redaction</h2>")
    out.append(f"<p>{int(red.get('total') or 0)} values redacted.</p>" if red.get("enabled")
               else '<p class="off">DISABLED (--no-redact)</p>')
    tool = doc.get("tool") or {}
    out.append(f'<p class="muted">triage {h(str(tool.get("version", "")))}, schema '
               f'{h(str(doc.get("schema_version", "")))}</p>')
    return out


def _text_sections(doc: dict[str, Any], names: tuple[str, ...]) -> list[str]:
    """Sections the page shows in the text page's words (`text.section_lines`): each title a
    heading, its rows preformatted, so a Worker's rows keep their `[worker 1 …]` label."""
    from triage.render.text import section_lines

    out: list[str] = []
    rows: list[str] = []
    for name in names:
        for line in section_lines(name, doc) + [""]:
            if line.startswith(" ") and line.strip():
                rows.append(line)
                continue
            if rows:
                out.append(_pre(rows))
                rows = []
            if line:
                out.append(f"<h2>{h(line)}</h2>")
    return out


def _not_full(doc: dict[str, Any]) -> list[str]:
    """What was not read (or only partly): said on the first screen, never left out."""
    caps = doc.get("capabilities") or {}
    rows = [(name, c) for name, c in caps.items()
            if isinstance(c, dict) and c.get("status") != "full"]
    if not rows:
        return []
    out = ["<h2>Not fully available</h2>", "<table><tr><th>analysis</th><th>status</th>"
           "<th>reason</th></tr>"]
    out += [f"<tr><td>{h(name)}</td><td>{h(str(c.get('status')))}</td>"
            f"<td>{h(str(c.get('reason') or ''))}</td></tr>" for name, c in rows]
    out.append("</table>")
    return out


def _exception(doc: dict[str, Any]) -> list[str]:
    """The thrown error (type, message, its own stack) of an uncaught exception, as the
    text page shows it; or why it was not found."""
    exc = (doc.get("crash") or {}).get("exception") or {}
    cap = (doc.get("capabilities") or {}).get("exception") or {}
    if not exc:
        if cap.get("status") == "unavailable":
            return ["<h2>Thrown exception</h2>",
                    f"<p class=\"muted\">not found: {h(cap.get('reason') or 'no reason given')}</p>"]
        return []
    out = ["<h2>Thrown exception</h2>", "<table>"]
    out += [f"<tr><th>{k}</th><td>{h(str(v))}</td></tr>"
            for k, v in (("type", exc.get("type")), ("message", exc.get("message"))) if v]
    out.append("</table>")
    if exc.get("stack"):
        out.append(_pre(exc["stack"].splitlines()))
    return out


def _js_stack(doc: dict[str, Any]) -> list[str]:
    js = doc.get("js_stack") or {}
    out = [f"<h2>JavaScript stack ({h(str(js.get('status', 'unavailable')))})</h2>"]
    if js.get("frames"):
        lines = [f"#{f['index']:<3} {js_frame_text(f)}" for f in js["frames"]]
        out.append(_pre(lines))
    else:
        out.append(f"<p class=\"muted\">not available: {h(js.get('reason') or 'no source recorded it')}</p>")
    return out


def _native_stack(doc: dict[str, Any]) -> list[str]:
    faulting = next((t for t in doc.get("threads") or [] if t.get("faulting")), None)
    if faulting is None:
        return []
    lines = [f"#{f['index']:<3} {native_frame_text(f)}" for f in faulting.get("frames", [])[:60]]
    return [f"<h2>Crashed thread {h(str(faulting.get('tid')))} ({h(faulting.get('name') or '')})</h2>",
            _pre(lines)]


def _ref(node: dict[str, Any]) -> str:
    """The object's address as every format shows it (`ref`; results stored before it
    existed carry only the numeric id)."""
    return str(node.get("ref") or f"@{node.get('id')}")


def _pre(lines: list[str]) -> str:
    """Dump lines in a <pre>, each escaped alone (a newline inside one stays visible `\\n`)."""
    return "<pre>" + "\n".join(h(line) for line in lines) + "</pre>"


def _heap_table(doc: dict[str, Any]) -> list[str]:
    rows = doc.get("histogram") or []
    if not rows:
        return []
    out = ["<h2>Heap by type</h2>", "<table><tr><th>type</th><th>count</th><th>shallow</th>"
           "<th>retained</th></tr>"]
    out += [f"<tr><td><code>{h(r['type'])}</code></td><td class=\"n\">{r['count']:,}</td>"
            f"<td class=\"n\">{h(human_bytes(r['shallow_bytes']))}</td>"
            f"<td class=\"n\">{h(human_bytes(r.get('retained_bytes')))}</td></tr>" for r in rows[:30]]
    out.append("</table>")
    if len(rows) > 30:
        out.append(f'<p class="muted">{len(rows) - 30} more types in the JSON summary.</p>')
    return out


# ------------------------------------------------------------------------------ treemap
def _squarify(values: list[float], x: float, y: float, w: float, h_: float) -> list[tuple]:
    """Squarified treemap layout (Bruls et al.) of `values` (biggest first) in a rectangle."""
    rects: list[tuple] = []
    total = sum(values)
    if total <= 0 or w <= 0 or h_ <= 0:
        return [(x, y, 0.0, 0.0) for _ in values]
    scale = w * h_ / total
    areas = [v * scale for v in values]
    i = 0
    while i < len(areas):
        side = min(w, h_)
        row = [areas[i]]
        j = i + 1
        while j < len(areas) and _worst(row + [areas[j]], side) <= _worst(row, side):
            row.append(areas[j])
            j += 1
        s = sum(row)
        if w >= h_:  # a column on the left
            cw = s / h_ if h_ else 0
            cy = y
            for a in row:
                rh = a / cw if cw else 0
                rects.append((x, cy, cw, rh))
                cy += rh
            x, w = x + cw, w - cw
        else:  # a row on top
            rh = s / w if w else 0
            cx = x
            for a in row:
                rw = a / rh if rh else 0
                rects.append((cx, y, rw, rh))
                cx += rw
            y, h_ = y + rh, h_ - rh
        i = j
    return rects


def _worst(row: list[float], side: float) -> float:
    s = sum(row)
    if s <= 0 or side <= 0:
        return float("inf")
    return max(max(side * side * r / (s * s), (s * s) / (side * side * r)) for r in row if r > 0)


def _fit(text: str, width: float) -> str:
    """Cut a label to what fits `width` px at ~6.2 px a character (before escaping)."""
    n = int(width / 6.2)
    if n < 3:
        return ""
    return text if len(text) <= n else text[: n - 1] + "…"


def _label(node: dict[str, Any]) -> str:
    name, kind = node.get("name") or "", node.get("type") or "?"
    return kind if not name or name == kind else f"{kind} {name}"


def _treemap(doc: dict[str, Any]) -> list[str]:
    section = doc.get("dominators") or {}
    items = [i for i in section.get("items") or [] if i.get("retained_bytes", 0) > 0]
    if not items:
        return []
    width, height = 1060.0, 420.0
    out = ["<h2>Retained size: the biggest objects held by the roots</h2>",
           '<p class="muted">Each box is an object and what it alone keeps alive '
           f'({h(str(section.get("convention")))} dominators), inner boxes its biggest parts; '
           "live heap "
           f"{h(human_bytes(section.get('live_bytes')))}.</p>",
           f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="retained size treemap">']
    rects = _squarify([float(i["retained_bytes"]) for i in items], 0, 0, width, height)
    for k, (item, (x, y, w, hh)) in enumerate(zip(items, rects, strict=True)):
        color = _PALETTE[k % len(_PALETTE)]
        title = f"{_label(item)} {_ref(item)}: {human_bytes(item['retained_bytes'])} retained"
        out.append(f'<g><title>{h(title)}</title>'
                   f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{hh:.1f}" fill="{color}" '
                   f'fill-opacity="0.35" stroke="#fff" stroke-width="2"/>')
        label = _fit(f"{_label(item)} {human_bytes(item['retained_bytes'])}", w - 6)
        if label and hh >= 16:
            out.append(f'<text x="{x + 4:.1f}" y="{y + 13:.1f}">{h(label)}</text>')
        out.append("</g>")
        inner_y, inner_h = y + 18, hh - 20
        kids = [c for c in item.get("children") or [] if c.get("retained_bytes", 0) > 0]
        if kids and inner_h > 12 and w > 12:
            # children take their share of the parent's box; the rest is its own and small parts
            share = min(1.0, sum(c["retained_bytes"] for c in kids) / item["retained_bytes"])
            values = [float(c["retained_bytes"]) for c in kids]
            sub = _squarify(values, x + 3, inner_y, (w - 6) * share, inner_h)
            for c, (cx, cy, cw, ch) in zip(kids, sub, strict=True):
                ctitle = f"{_label(c)} {_ref(c)}: {human_bytes(c['retained_bytes'])} retained"
                out.append(f'<g><title>{h(ctitle)}</title><rect x="{cx:.1f}" y="{cy:.1f}" '
                           f'width="{cw:.1f}" height="{ch:.1f}" fill="{color}" fill-opacity="0.6" '
                           f'stroke="#fff"/>')
                clabel = _fit(_label(c), cw - 4)
                if clabel and ch >= 14:
                    out.append(f'<text x="{cx + 3:.1f}" y="{cy + 12:.1f}">{h(clabel)}</text>')
                out.append("</g>")
    out.append("</svg>")
    return out


# ------------------------------------------------------------------------------ suspects
def _suspects(doc: dict[str, Any]) -> list[str]:
    suspects = doc.get("suspects") or []
    if not suspects:
        return []
    out = ["<h2>Leak suspects</h2>"]
    for i, s in enumerate(suspects[:5], 1):
        out.append(f"<h3>{i}. <code>{h(str(s.get('type', '?')))}</code></h3>")
        out.append(f"<p>{h(s.get('reason') or '')}</p>")
        held = held_types_text(s)
        if held:
            out.append(f"<p>{h(held)}</p>")
        for path in (s.get("retainer_paths") or [])[:1]:
            out.append(_path_graph(path))
            out.append(f'<p class="muted">held by: <code>{h(suspect_path_text(path))}</code></p>')
    return out


def _path_graph(path: list[dict[str, Any]]) -> str:
    """A retainer path as a top-down chain of boxes (GC root first) with labelled edges."""
    steps = [s for s in path if isinstance(s, dict)]
    box_w, box_h, gap, x = 440.0, 26.0, 30.0, 20.0
    height = len(steps) * (box_h + gap) - gap + 8
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{x * 2 + box_w + 320:.0f}" '
           f'height="{max(height, box_h):.0f}" role="img" aria-label="retainer path">']
    for k, step in enumerate(steps):
        node = step.get("node") or {}
        y = 4 + k * (box_h + gap)
        if k:
            edge = step.get("edge") or {}
            label = _fit(str(edge.get("label") or edge.get("type") or ""), 300)
            top = y - gap
            out.append(f'<line x1="{x + box_w / 2:.1f}" y1="{top:.1f}" x2="{x + box_w / 2:.1f}" '
                       f'y2="{y - 2:.1f}" stroke="#667" stroke-width="1.5"/>')
            out.append(f'<polygon points="{x + box_w / 2 - 4:.1f},{y - 8:.1f} {x + box_w / 2 + 4:.1f},'
                       f'{y - 8:.1f} {x + box_w / 2:.1f},{y - 2:.1f}" fill="#667"/>')
            out.append(f'<text x="{x + box_w / 2 + 10:.1f}" y="{top + gap / 2 + 4:.1f}" '
                       f'fill="#445">{h(label)}</text>')
        last = k == len(steps) - 1
        fill = "#fde2e1" if last else "#e8edf7"
        text = _fit(f"{_label(node)} {_ref(node)}", box_w - 12)
        out.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{box_w:.1f}" height="{box_h:.1f}" rx="4" '
                   f'fill="{fill}" stroke="#8893a8"/>')
        out.append(f'<text x="{x + 8:.1f}" y="{y + 17:.1f}">{h(text)}</text>')
    out.append("</svg>")
    return "".join(out)


# ------------------------------------------------------------------------------ diff
def _diff_body(doc: dict[str, Any]) -> list[str]:
    inputs = " → ".join(str(i.get("path", "")) for i in doc.get("inputs") or [])
    out = [f"<h1>Heap growth: {h(inputs)}</h1>", "<table><tr><th>type</th><th>count +/-</th>"
           "<th>bytes +/-</th><th>new type</th></tr>"]
    for row in ((doc.get("diff") or {}).get("rows") or [])[:50]:
        out.append(f"<tr><td><code>{h(str(row.get('type')))}</code></td>"
                   f"<td class=\"n\">{int(row.get('count_delta') or 0):+,}</td>"
                   f"<td class=\"n\">{int(row.get('bytes_delta') or 0):+,}</td>"
                   f"<td>{'yes' if row.get('is_new_type') else ''}</td></tr>")
    out.append("</table>")
    return out
