"""`inspect`: one V8 object as a plain dict (properties, elements, string text,
Map/Set entries, closure context variables, and per kind: RegExp source/flags, Date
value, buffer bytes, Error message/stack, Promise state/value, bound function and proxy
parts, API objects' internal fields).

Values nest up to `depth` levels; deeper objects appear as `{"address", "type"}`
references. Strings and buffer bytes are returned raw: the summary's redaction stage
decides what may be shown, so nothing here filters or prints.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from triage.v8 import versions as vf
from triage.v8.reader import is_heap_object, is_smi, smi

if TYPE_CHECKING:
    from triage.v8.heap import V8Heap

STRING_LIMIT = 4096
ELEMENT_LIMIT = 200
ENTRY_LIMIT = 200
BYTES_LIMIT = 64  # buffer bytes shown (hex)


def inspect_object(heap: V8Heap, address: int, depth: int = 1, source: bool = False) -> dict[str, Any]:
    """Describe the object at `address` (tagged or untagged); with `source`, a function's
    source text too (`source.py`, llnode's `v8 inspect -s`)."""
    obj = address | 1 if address & 3 == 0 else address
    r = heap.reader
    m = r.map_of(obj)
    if m is None:
        return {"address": hex(obj - 1), "error": "not a readable heap object"}
    it = m.instance_type
    tname = r.type_name(it)
    out: dict[str, Any] = {
        "address": hex(obj - 1),
        "type": heap.class_name_of(obj) or tname,
        "instance_type": tname,
    }
    if r.is_string_type(it):
        out["kind"] = "string"
        out.update(_string_info(heap, obj, it))
        return out
    if it == r.heap_number_type:
        out["kind"] = "number"
        out["value"] = r.number(obj)
        return out
    if it == r.oddball_type:
        out["kind"] = "oddball"
        out["value"] = r.oddball_name(obj)
        return out
    if not r.is_js_receiver_type(it):
        out["kind"] = "internal"
        if r.is_context_type(it):
            out["variables"] = _context_vars(heap, obj, depth, chain=1)
            prev = r.field(obj, 16 + 8 * heap.constants.get("context_idx_prev", 1))
            if prev is not None and is_heap_object(prev) and not _is_native_context(heap, obj):
                out["previous"] = hex(prev - 1)
        return out
    out["map"] = hex(m.address - 1)
    if is_heap_object(m.prototype) and r.type_of(m.prototype) != r.oddball_type:
        out["prototype"] = hex(m.prototype - 1)  # [[Prototype]]: where methods live
    if tname == "JS_PROXY_TYPE":  # a bare JSReceiver: no properties or elements of its own
        out["kind"] = "proxy"
        out.update(_proxy(heap, obj, depth))
        return out
    out["kind"] = "object"
    out["dictionary_mode"] = m.is_dictionary
    props = r.own_properties(obj)
    if props is not None:
        names = _unique_names([k for k, _, _ in props])
        out["properties"] = {n: _value(heap, v, depth) for n, (_, v, _) in zip(names, props, strict=True)}
        out["property_storage"] = {n: where for n, (_, _, where) in zip(names, props, strict=True)}
        inline = {n: hex(v - 1) for n, (_, v, _) in zip(names, props, strict=True)
                  if is_heap_object(v) and type(out["properties"][n]) in (str, float)}
        if inline:  # strings and heap numbers are shown as values: here is where they are
            out["property_addresses"] = inline
    if r.is_js_function_type(it):
        out["kind"] = "closure"
        out.update(_closure_info(heap, obj, depth))
        if source:
            from triage.v8.source import function_source

            out["source"] = {"_source": "heap_string", **function_source(heap, obj)}
        return out
    if tname in ("JS_MAP_TYPE", "JS_SET_TYPE"):
        out["kind"] = "map" if tname == "JS_MAP_TYPE" else "set"
        out.update(_collection_entries(heap, obj, tname == "JS_MAP_TYPE", depth))
    elif tname in ("JS_TYPED_ARRAY_TYPE", "JS_DATA_VIEW_TYPE", "JS_ARRAY_BUFFER_TYPE"):
        out["kind"] = "buffer" if tname != "JS_ARRAY_BUFFER_TYPE" else "array_buffer"
        out.update(_buffer_info(heap, obj, tname))
    elif tname in _KINDS:
        kind, decode = _KINDS[tname]
        out["kind"] = kind
        out.update(decode(heap, obj, depth))
    elif it == r.c.get("APIObjectType") or it == r.c.get("SpecialAPIObjectType"):
        out["kind"] = "api_object"
        out.update(_internal_fields(heap, obj, m))
    # a typed array's elements are its ByteArray (on-heap data), shown above as bytes
    is_view = out["kind"] in ("buffer", "array_buffer")
    elements = None if is_view else _elements(heap, obj, m, depth, is_array=tname == "JS_ARRAY_TYPE")
    if elements is not None:
        out.update(elements)
    if tname == "JS_ARRAY_TYPE":
        out["kind"] = "array"
    return out


def _ref(heap: V8Heap, v: int) -> dict[str, Any]:
    return {"address": hex(v - 1), "type": heap.class_name_of(v) or "?"}


def _value(heap: V8Heap, v: int, depth: int) -> Any:
    """A JS value as Python: int, float, str, bool, None, or a dict for objects."""
    r = heap.reader
    if is_smi(v):
        return smi(v)
    if not is_heap_object(v):
        return {"weak": hex(v & ~3)} if v & 3 == 3 else {"raw": hex(v)}
    t = r.type_of(v)
    if t is None:
        return {"address": hex(v - 1), "type": "(unreadable)"}
    if r.is_string_type(t):
        s = r.string(v, STRING_LIMIT)
        return s if s is not None else {"address": hex(v - 1), "type": "(string)"}
    if t == r.heap_number_type:
        return r.number(v)
    if t == r.oddball_type or r.type_names.get(t) == "HOLE_TYPE":
        name = r.oddball_name(v) if t == r.oddball_type else "hole"
        special = {"null": None, "true": True, "false": False}
        return special.get(name or "", {"type": name or "hole"})
    if depth > 0:
        return inspect_object(heap, v, depth - 1)
    return _ref(heap, v)


def _string_info(heap: V8Heap, obj: int, it: int) -> dict[str, Any]:
    r = heap.reader
    info: dict[str, Any] = {"representation": r.string_kind(it),
                            "length": r.u32(obj - 1 + 12), "value": r.string(obj, STRING_LIMIT)}
    rep = it & 7
    if rep == 1:
        info["parts"] = [hex((r.field(obj, 16) or 1) - 1), hex((r.field(obj, 24) or 1) - 1)]
    elif rep == 3:
        info["parent"] = hex((r.field(obj, 16) or 1) - 1)
        off = r.field(obj, 24)
        info["offset"] = smi(off) if off is not None else None
    elif rep == 5:
        info["actual"] = hex((r.field(obj, 16) or 1) - 1)
    return info


def _elements(heap: V8Heap, obj: int, m: Any, depth: int, is_array: bool) -> dict | None:
    r = heap.reader
    el = r.field(obj, r.off_elements)
    if el is None or not is_heap_object(el):
        return None
    et = r.type_of(el)
    ename = r.type_name(et or 0)
    length_field = r.field(el, 8)
    if length_field is None or not is_smi(length_field):
        return None
    n = smi(length_field)
    out: dict[str, Any] = {}
    if is_array:
        alen = r.field(obj, 24)
        out["length"] = smi(alen) if alen is not None and is_smi(alen) else None
        if out["length"] is not None:
            n = min(n, out["length"])
    kind = m.elements_kind
    if kind == heap.constants.get("elements_dictionary_elements", 12) or "DICTIONARY" in ename:
        out["elements_kind"] = "dictionary"
        out["elements"] = {}
        return out
    if n <= 0:
        return out if is_array else None
    vals = []
    double = ename == "FIXED_DOUBLE_ARRAY_TYPE"
    for i in range(min(n, ELEMENT_LIMIT)):
        if double:
            raw = r.u64(el - 1 + 16 + 8 * i)
            hole = raw is None or raw == 0xFFF7FFFFFFF7FFFF  # the hole NaN of holey doubles
            vals.append(None if hole else r.f64(el - 1 + 16 + 8 * i))
        else:
            v = r.field(el, 16 + 8 * i)
            vals.append(None if v is None else _value(heap, v, depth))
    out["elements_kind"] = "double" if double else "tagged"
    out["elements"] = vals
    if n > ELEMENT_LIMIT:
        out["elements_truncated"] = n
    return out


def _collection_entries(heap: V8Heap, obj: int, is_map: bool, depth: int) -> dict[str, Any]:
    """JS Map / Set contents from their OrderedHashMap / OrderedHashSet table."""
    r = heap.reader
    table = r.field(obj, 24)
    if table is None or not is_heap_object(table):
        return {"entries": None}
    head = [r.field(table, 16 + 8 * i) for i in range(3)]
    if any(h is None or not is_smi(h) for h in head):
        return {"entries": None}
    nof, deleted, buckets = (smi(h) for h in head)  # type: ignore[arg-type]
    entry_size = 3 if is_map else 2
    first = 16 + 8 * (3 + buckets)
    entries = []
    hole_names = ("hole", "the_hole")
    for i in range(min(nof + deleted, ENTRY_LIMIT * 4)):
        key = r.field(table, first + 8 * entry_size * i)
        if key is None:
            break
        t = r.type_of(key) if is_heap_object(key) else None
        if t is not None and (r.type_names.get(t) == "HOLE_TYPE" or t == r.oddball_type
                              and r.oddball_name(key) in hole_names):
            continue
        item: dict[str, Any] = {"key": _value(heap, key, depth)}
        if is_map:
            v = r.field(table, first + 8 * entry_size * i + 8)
            item["value"] = None if v is None else _value(heap, v, depth)
        entries.append(item)
        if len(entries) >= ENTRY_LIMIT:
            break
    return {"size": nof, "entries": entries}


def _buffer_info(heap: V8Heap, obj: int, tname: str) -> dict[str, Any]:
    """Byte length, offset, backing store and the first BYTES_LIMIT bytes (hex)."""
    r = heap.reader
    c = heap.constants
    if tname == "JS_ARRAY_BUFFER_TYPE":
        bl = r.u64(obj - 1 + c.field("JSArrayBuffer", "byte_length", 32))
        bs = r.u64(obj - 1 + c.field("JSArrayBuffer", "backing_store", 48))
        out = {"byte_length": bl, "backing_store": hex(bs) if bs is not None else None}
        out.update(_bytes(heap, bs, bl))
        return out
    bo_off = c.field("JSArrayBufferView", "byte_offset", 32)
    bl = r.u64(obj - 1 + c.field("JSArrayBufferView", "byte_length", 40))
    bo = r.u64(obj - 1 + bo_off)
    out = {"byte_length": bl, "byte_offset": bo}
    buf = _view_buffer(heap, obj, bo_off)
    if buf is not None:
        out["buffer"] = hex(buf - 1)
    data = None
    if tname == "JS_TYPED_ARRAY_TYPE":
        # data = base_pointer + external_pointer: an on-heap ByteArray plus the offset of
        # its data, or Smi 0 plus the off-heap address (backing store + byte offset)
        ext = r.u64(obj - 1 + c.field("JSTypedArray", "external_pointer", 64))
        base = r.field(obj, c.field("JSTypedArray", "base_pointer", 72))
        if ext is not None and base is not None:
            data = (ext + (0 if is_smi(base) else base)) & (1 << 64) - 1
    elif buf is not None and bo is not None:  # DataView: its buffer's store + offset
        bs = r.u64(buf - 1 + c.field("JSArrayBuffer", "backing_store", 48))
        data = bs + bo if bs else None
    out.update(_bytes(heap, data, bl))
    return out


def _view_buffer(heap: V8Heap, obj: int, byte_offset_at: int) -> int | None:
    """A view's JSArrayBuffer: the first field after the JSObject header that holds one
    (+24 up to V8 12, +32 from 13 where cpp_heap_wrappable comes first; not exported)."""
    r = heap.reader
    want = r.c.type_id("JS_ARRAY_BUFFER_TYPE")
    for off in range(24, byte_offset_at, 8):
        v = r.field(obj, off)
        if v is not None and is_heap_object(v) and r.type_of(v) == want:
            return v
    return None


def _bytes(heap: V8Heap, data: int | None, length: int | None) -> dict[str, Any]:
    """The first bytes at `data` as hex: raw content, redacted downstream like a string."""
    if not length:
        return {"bytes": ""} if length == 0 else {}
    if not data or length < 0:
        return {"bytes": None}
    n = min(length, BYTES_LIMIT)
    raw = heap.core.try_read(data, n)
    if raw is None:
        return {"bytes": None}
    out: dict[str, Any] = {"bytes": raw.hex()}
    if length > n:
        out["bytes_truncated"] = length
    return out


def _regexp(heap: V8Heap, obj: int, depth: int) -> dict[str, Any]:
    r = heap.reader
    src_at = heap.constants.field("JSRegExp", "source", 32)
    src = r.field(obj, src_at)
    flags = r.field(obj, src_at + 8)
    out: dict[str, Any] = {"source": r.string(src, STRING_LIMIT) if src is not None else None}
    if flags is not None and is_smi(flags):
        bits = smi(flags)
        out["flags"] = "".join(ch for ch, bit in vf.REGEXP_FLAG_BITS if bits & bit)
    else:
        out["flags"] = None
    return out


def _date(heap: V8Heap, obj: int, depth: int) -> dict[str, Any]:
    """Milliseconds since the epoch (NaN for an invalid date, shown as None)."""
    r = heap.reader
    at = heap.constants.field("JSDate", "value", 24)
    if r.facts.date_value_raw:
        v = r.f64(obj - 1 + at)
    else:
        raw = r.field(obj, at)
        v = None if raw is None else _value(heap, raw, 0)
    if isinstance(v, float) and v == v and v.is_integer():
        v = int(v)
    return {"value": v if isinstance(v, (int, float)) and v == v else None}


def _error(heap: V8Heap, obj: int, depth: int) -> dict[str, Any]:
    """message (own property) and stack: V8 keeps the stack under a private symbol, as
    frames (ErrorStackData / FixedArray) until `.stack` is read, then as the string. V8 13+
    has a second private symbol holding the message, so the stack is the private-symbol
    value that is not the message itself."""
    r = heap.reader
    props = r.own_properties(obj) or []
    message = next((v for k, v, _ in props if k == "message"), None)
    out: dict[str, Any] = {"message": None if message is None else _value(heap, message, 0)}
    stack = None
    for k, v, where in props:
        if k != "Symbol()" or where == "descriptor" or v == message:
            continue
        t = r.type_of(v) if is_heap_object(v) else None
        if t is not None and (r.is_string_type(t) or r.type_name(t) in (
                "ERROR_STACK_DATA_TYPE", "FIXED_ARRAY_TYPE")):
            stack = v
            break
    if stack is None:
        out["stack"] = None
    else:
        t = r.type_of(stack)
        if t is not None and r.is_string_type(t):
            out["stack"] = r.string(stack, STRING_LIMIT)
            out["stack_length"] = r.u32(stack - 1 + 12)
        else:
            from triage.v8.exception import captured_frames  # the exception's own decoder

            out["stack"] = {"address": hex(stack - 1), "type": r.type_name(t or 0),
                            "note": "not formatted (.stack never read)"}
            frames = captured_frames(heap, stack)
            if frames is not None:
                out["stack"]["frames"] = [{"function": f, "script": s, "line": ln, "column": col}
                                          for f, s, ln, col in frames]
    return out


def _promise(heap: V8Heap, obj: int, depth: int) -> dict[str, Any]:
    r = heap.reader
    flags = r.field(obj, vf.PROMISE_FLAGS)
    if flags is None or not is_smi(flags):
        return {"state": None}
    state = vf.PROMISE_STATES.get(smi(flags) & 3)
    out: dict[str, Any] = {"state": state}
    if state in ("fulfilled", "rejected"):
        v = r.field(obj, vf.PROMISE_RESULT)
        out["value"] = None if v is None else _value(heap, v, depth)
    return out


def _bound_function(heap: V8Heap, obj: int, depth: int) -> dict[str, Any]:
    r = heap.reader
    target = r.field(obj, vf.BOUND_TARGET)
    this = r.field(obj, vf.BOUND_THIS)
    args = r.field(obj, vf.BOUND_ARGS)
    out: dict[str, Any] = {
        "target": None if target is None else _value(heap, target, depth),
        "bound_this": None if this is None else _value(heap, this, depth),
        "bound_args": None,
    }
    if target is not None and is_heap_object(target):
        t = r.type_of(target)
        if t is not None and r.is_js_function_type(t):
            out["target_function"] = r.function_name(target) or "(anonymous)"
    n = r.field(args, 8) if args is not None and is_heap_object(args) else None
    if n is not None and is_smi(n) and 0 <= smi(n) <= ELEMENT_LIMIT:
        vals = [r.field(args, 16 + 8 * i) for i in range(smi(n))]
        out["bound_args"] = [None if v is None else _value(heap, v, depth) for v in vals]
    return out


def _proxy(heap: V8Heap, obj: int, depth: int) -> dict[str, Any]:
    r = heap.reader
    target = r.field(obj, vf.PROXY_TARGET)
    handler = r.field(obj, vf.PROXY_HANDLER)
    return {"target": None if target is None else _value(heap, target, depth),
            "handler": None if handler is None else _value(heap, handler, depth)}


def _internal_fields(heap: V8Heap, obj: int, m: Any) -> dict[str, Any]:
    """An API object's embedder fields: the words between the header and the in-object
    properties, as raw values (aligned C++ pointers, or tagged values)."""
    r = heap.reader
    start = r.facts.api_object_header
    end = 8 * m.inobject_start
    if end < start or end > (m.instance_size or end):
        return {"internal_field_count": None, "internal_fields": None}
    raw = heap.core.try_read(obj - 1 + start, end - start)
    if raw is None:
        return {"internal_field_count": (end - start) // 8, "internal_fields": None}
    words = [int.from_bytes(raw[i:i + 8], "little") for i in range(0, len(raw), 8)]
    return {"internal_field_count": len(words), "internal_fields": [hex(w) for w in words]}


_KINDS = {
    "JS_REG_EXP_TYPE": ("regexp", _regexp),
    "JS_DATE_TYPE": ("date", _date),
    "JS_ERROR_TYPE": ("error", _error),
    "JS_PROMISE_TYPE": ("promise", _promise),
    "JS_BOUND_FUNCTION_TYPE": ("bound_function", _bound_function),
}


def _unique_names(names: list[str | None]) -> list[str]:
    """Property names as dict keys: private symbols all read `Symbol()`, so a repeated
    name gets ` #2`, ` #3` (one used to hide the other: an Error's stack under the message)."""
    seen: dict[str, int] = {}
    out = []
    for k in names:
        name = k if k is not None else "?"
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} #{seen[name]}")
    return out


def _closure_info(heap: V8Heap, fn: int, depth: int) -> dict[str, Any]:
    r = heap.reader
    out: dict[str, Any] = {"function": r.function_name(fn) or "(anonymous)"}
    sfi = r.function_sfi(fn)
    script = r.sfi_script(sfi) if sfi else None
    out["script"] = r.script_name(script) if script else None
    ctx = r.field(fn, r.off_fn_context)
    if ctx is not None and is_heap_object(ctx):
        out["context"] = _context_vars(heap, ctx, depth)
        out["context_address"] = hex(ctx - 1)
    return out


def _context_vars(heap: V8Heap, ctx: int, depth: int, chain: int = 4) -> dict[str, Any]:
    """Variables of a closure's context and its outer contexts (up to the native context)."""
    r = heap.reader
    c = heap.constants
    si_idx = c.get("context_idx_scope_info", 0)
    prev_idx = c.get("context_idx_prev", 1)
    out: dict[str, Any] = {}
    for _ in range(chain):
        t = r.type_of(ctx)
        if t is None or not r.is_context_type(t):
            break
        if r.type_name(t) in ("NATIVE_CONTEXT_TYPE",) or _is_native_context(heap, ctx):
            break
        si = r.field(ctx, 16 + 8 * si_idx)
        names = r.scope_info_locals(si) if si is not None and is_heap_object(si) else None
        for i, name in enumerate(names or []):
            if name in out:
                continue
            v = r.field(ctx, 16 + 8 * (r.context_header_slots(t) + i))
            if v is not None:
                v = r.context_slot_value(v)
                out[name] = _value(heap, v, max(depth - 1, 0))
        prev = r.field(ctx, 16 + 8 * prev_idx)
        if prev is None or not is_heap_object(prev):
            break
        ctx = prev
    return out


def _is_native_context(heap: V8Heap, ctx: int) -> bool:
    """A native context is its own native_context: slot `previous` is not a context."""
    r = heap.reader
    prev = r.field(ctx, 16 + 8 * heap.constants.get("context_idx_prev", 1))
    if prev is None or not is_heap_object(prev):
        return True
    t = r.type_of(prev)
    return t is None or not r.is_context_type(t)
