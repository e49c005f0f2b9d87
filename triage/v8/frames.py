"""What a JS frame holds besides its position: receiver, arguments, function, context.

V8 lays every JS frame out the same way (interpreted, baseline, Maglev and TurboFan
alike): context at `off_fp_context`, the JSFunction at `off_fp_function` (both exported),
the actual argument count at `frame_argc_offset` (`versions.py`), and the caller's
pushed arguments above the return address: receiver at `off_fp_args`, argument i one
word per index above it. A call with fewer arguments than parameters has `undefined` in
the missing slots (the caller pads them), so max(argc, formal) slots belong to the frame.

Each value is a small dict in llnode's vocabulary (`type` Smi, Number, String, undefined,
null, Object, Global proxy, function, Array ...) with the untagged address of heap values,
which `--inspect` accepts. A value that cannot be read says so in `error`, never guessed.
Strings are returned raw (bounded): the summary's redaction stage sees them as heap data.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from triage.v8.reader import is_heap_object, is_smi, smi

if TYPE_CHECKING:
    from triage.v8.heap import V8Heap

ARG_LIMIT = 32  # argument values read per frame (the count is always given)
STRING_LIMIT = 256  # characters of a string argument
_ODDBALLS = {"undefined", "null", "true", "false", "hole", "the_hole"}


def frame_values(heap: V8Heap, fp: int, fn: int) -> dict[str, Any]:
    """`receiver`, `args`, `argc`, `function_address`, `context_address` of the JS frame at fp."""
    r = heap.reader
    c = heap.constants
    facts = heap.facts
    out: dict[str, Any] = {"function_address": hex(fn - 1)}
    ctx = r.u64(fp + c.get("off_fp_context", -8))
    out["context_address"] = hex(ctx - 1) if ctx is not None and is_heap_object(ctx) else None
    argc_word = r.u64(fp + facts.frame_argc_offset)
    formal = _formal_count(heap, fn)
    argc = None
    if argc_word is not None and argc_word < 1 << 16:
        argc = argc_word - (1 if facts.frame_argc_includes_receiver else 0)
        if argc < 0:
            argc = None
    out["argc"] = argc
    base = fp + c.get("off_fp_args", 16)
    out["receiver"] = describe(heap, r.u64(base))
    if argc is None:
        out["args"] = None
        out["receiver"]["note"] = "argument count unreadable: arguments not shown"
        return out
    slots = max(argc, formal or 0)
    out["args"] = [describe(heap, r.u64(base + 8 * (i + 1))) for i in range(min(slots, ARG_LIMIT))]
    if slots > ARG_LIMIT:
        out["args"].append({"error": f"{slots - ARG_LIMIT} more arguments not read"})
    return out


def _formal_count(heap: V8Heap, fn: int) -> int | None:
    """Declared parameters of the function, without the receiver (None when unreadable or
    V8's 'do not adapt' sentinel 0 of builtins)."""
    r = heap.reader
    sfi = r.function_sfi(fn)
    at = heap.constants.field("SharedFunctionInfo", "internal_formal_parameter_count")
    if sfi is None or at is None:
        return None
    raw = heap.core.try_read(sfi - 1 + at, 2)
    if raw is None:
        return None
    n = int.from_bytes(raw, "little")
    if heap.facts.frame_argc_includes_receiver:
        return n - 1 if n > 0 else None
    return n


def describe(heap: V8Heap, word: int | None) -> dict[str, Any]:
    """One tagged value as llnode names it; heap values carry their untagged address."""
    if word is None:
        return {"error": "stack slot not in the core"}
    if is_smi(word):
        return {"type": "Smi", "value": smi(word)}
    if not is_heap_object(word):
        return {"raw": hex(word), "error": "not a tagged value"}
    r = heap.reader
    address = hex(word - 1)
    t = r.type_of(word)
    if t is None:
        return {"address": address, "error": "not a readable heap object"}
    name = r.type_name(t)
    if r.is_string_type(t):
        text = r.string(word, STRING_LIMIT)
        out: dict[str, Any] = {"address": address, "type": "String", "length": r.u32(word - 1 + 12)}
        if text is None:
            out["error"] = "string text not readable"
        else:
            out["value"] = text
        return out
    if t == r.heap_number_type:
        return {"address": address, "type": "Number", "value": r.number(word)}
    if t == r.oddball_type or name == "HOLE_TYPE":
        oname = r.oddball_name(word) if t == r.oddball_type else "hole"
        return {"address": address, "type": oname if oname in _ODDBALLS else (oname or "oddball")}
    if name == "JS_GLOBAL_PROXY_TYPE":
        return {"address": address, "type": "Global proxy"}
    if r.is_js_function_type(t):
        return {"address": address, "type": "function", "function": r.function_name(word) or "(anonymous)"}
    if name == "JS_ARRAY_TYPE":
        n = r.field(word, 24)  # JSArray::length
        length = smi(n) if n is not None and is_smi(n) else None
        return {"address": address, "type": "Array", "length": length}
    if r.is_js_receiver_type(t):
        return {"address": address, "type": "Object", "class": heap.class_name_of(word) or name}
    return {"address": address, "type": heap.class_name_of(word) or name}
