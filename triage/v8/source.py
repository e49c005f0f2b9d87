"""A function's source text, cut from its Script's source (llnode's `v8 inspect -s`).

A SharedFunctionInfo knows where its function lies in the script: the ScopeInfo of a
compiled function holds `position_info {start, end}` (two Smis), a function never
compiled holds them in its UncompiledData (int32 `start_position` / `end_position`,
exported). `start` is where the parameters begin; `raw_function_token_offset` (exported)
goes back to the `function` keyword, so the text reads as written: `function name() {...}`.

From V8 13 position_info sits at a fixed offset (`VersionFacts.scope_info_position`). Up
to V8 12 it follows optional fields whose presence is coded in flag bits that move
between versions, so the pair is found by what it must satisfy instead: two Smis in
the window after the context locals (`versions.SCOPE_INFO_POSITION_WINDOW`) with
0 <= start - token offset <= start < end <= the source's length; a start on `(` is
preferred (a function variable's slot index followed by `start` also forms a pair, but
never one that starts on `(` with the token before it). The text is returned raw and
bounded; redaction runs on it downstream like on every other heap string.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from triage.v8 import versions as vf
from triage.v8.reader import is_heap_object, is_smi, smi

if TYPE_CHECKING:
    from triage.v8.heap import V8Heap

SOURCE_LIMIT = 8000  # characters of function source returned
_TOKEN_OUT_OF_RANGE = 0xFFFF  # SharedFunctionInfo::kFunctionTokenOutOfRange (uint16 -1)


def function_source(heap: V8Heap, fn: int) -> dict[str, Any]:
    """{"text", "script", "start_line", "start_column", "end_line", "truncated"} of a
    JSFunction (tagged), or {"error": why} when the source cannot be read."""
    r = heap.reader
    sfi = r.function_sfi(fn)
    if sfi is None:
        return {"error": "the function's SharedFunctionInfo is not readable"}
    script = r.sfi_script(sfi)
    if script is None:
        return {"error": "no Script: a native or API function has no source text"}
    src = r.field(script, r.off_script_source)
    t = r.type_of(src) if src is not None and is_heap_object(src) else None
    if t is None or not r.is_string_type(t):
        return {"error": "the Script's source is not a readable string"}
    length = r.u32(src - 1 + 12) or 0
    token = _token_offset(heap, sfi)
    span = _positions(heap, sfi, src, length, token)
    if span is None:
        return {"error": "the function's start and end positions were not found"}
    start, end = span
    first = start - token if token is not None else start
    text = r.string(src, min(end, first + SOURCE_LIMIT))
    if text is None:
        return {"error": "the Script's source text is not readable"}
    head = r.string(src, first) or ""
    line = head.count("\n") + 1
    body = text[first:end]
    return {"text": body, "script": r.script_name(script), "start_line": line,
            "start_column": first - (head.rfind("\n") + 1) + 1,
            "end_line": line + body.count("\n") if end - first <= SOURCE_LIMIT else None,
            "truncated": end - first > SOURCE_LIMIT}


def _token_offset(heap: V8Heap, sfi: int) -> int | None:
    at = heap.constants.field("SharedFunctionInfo", "raw_function_token_offset")
    raw = heap.core.try_read(sfi - 1 + at, 2) if at is not None else None
    if raw is None:
        return None
    value = int.from_bytes(raw, "little")
    return None if value == _TOKEN_OUT_OF_RANGE else value


def _positions(heap: V8Heap, sfi: int, src: int, length: int, token: int | None) -> tuple[int, int] | None:
    r = heap.reader
    candidates: list[tuple[int, int]] = []
    si = r.field(sfi, r.off_sfi_name)
    if si is not None and is_heap_object(si) and r.type_of(si) == r.scope_info_type:
        at = heap.facts.scope_info_position
        if at is not None:
            a, b = r.field(si, at), r.field(si, at + 8)
            if a is not None and b is not None and is_smi(a) and is_smi(b):
                candidates.append((smi(a), smi(b)))
        else:
            candidates += _scope_info_pairs(heap, si)
    candidates += _uncompiled_pair(heap, sfi)
    ok = [(s, e) for s, e in candidates if 0 <= s < e <= length and (token is None or token <= s)]
    if not ok:
        return None
    text = r.string(src, max(s for s, _ in ok) + 1) or ""
    return next(((s, e) for s, e in ok if text[s:s + 1] == "("), ok[0])


def _scope_info_pairs(heap: V8Heap, si: int) -> list[tuple[int, int]]:
    """Consecutive Smi pairs in the window after a ScopeInfo's context locals."""
    r = heap.reader
    n = r.field(si, 8 * (heap.constants.get("scopeinfo_idx_ncontextlocals", 2) + 1))
    if n is None or not is_smi(n) or not 0 <= smi(n) < 1 << 16:
        return []
    count = smi(n)
    names = count if count < vf.SCOPE_INFO_INLINED_LOCALS_MAX else 1
    base = r.scope_info_slot_base() + 8 * (names + count)
    words = [r.field(si, base + 8 * i) for i in range(vf.SCOPE_INFO_POSITION_WINDOW + 1)]
    return [(smi(a), smi(b)) for a, b in zip(words, words[1:], strict=False)
            if a is not None and b is not None and is_smi(a) and is_smi(b)]


def _uncompiled_pair(heap: V8Heap, sfi: int) -> list[tuple[int, int]]:
    """(start, end) from the UncompiledData of a function V8 has not compiled yet."""
    r = heap.reader
    c = heap.constants
    data_at = next((v for k, v in sorted(c.values.items())
                    if k.startswith("class_SharedFunctionInfo__") and "function_data" in k), None)
    s_at = c.field("UncompiledData", "start_position")
    e_at = c.field("UncompiledData", "end_position")
    if data_at is None or s_at is None or e_at is None:
        return []
    data = r.field(sfi, data_at)
    if data is None or not is_heap_object(data) or "UNCOMPILED_DATA" not in r.type_name(r.type_of(data) or 0):
        return []
    s, e = r.u32(data - 1 + s_at), r.u32(data - 1 + e_at)
    return [] if s is None or e is None else [(s, e)]
