"""Class names for maps, following DevTools' `JSReceiver::GetConstructorName` rules.

A map names its instances through its constructor (the end of the back-pointer chain).
That is wrong for derived classes and subclassed built-ins: `new Admin()` with
`class Admin extends Base` gets a map whose constructor is `Base`, and a Buffer's
is `Uint8Array`. V8 marks those maps by clearing `new_target_is_base`; for them (and
for prototype objects, whose map constructor is reset to Object) the name comes from
the `constructor` property found on the prototype chain, as DevTools does.
Prototype objects are named `<Ctor>.prototype` so that they do not inflate the count
of their class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from triage.v8.reader import MapInfo, is_heap_object

if TYPE_CHECKING:
    from triage.v8.heap import V8Heap

_STRING_CLASS = {0: "(string)", 1: "(concatenated string)", 2: "(string)", 3: "(sliced string)",
                 5: "(string)"}


def name_maps(heap: V8Heap) -> list[str]:
    r = heap.reader
    names: list[str] = []
    fn_names: dict[int, str | None] = {}
    proto_maps: list[int] = []

    def ctor_name(fn: int) -> str | None:
        if fn not in fn_names:
            t = r.type_of(fn)
            is_fn = t is not None and r.is_js_function_type(t)
            fn_names[fn] = r.function_name(fn) if is_fn else None
        return fn_names[fn]

    # map address -> (end of its back-pointer chain, steps to it): sibling maps share
    # their transition tree's chain, which is then read once instead of once per map
    chain_end: dict[int, tuple[int, int]] = {}

    def map_constructor(m: MapInfo) -> int:
        c = m.constructor_or_back_pointer
        path: list[int] = []
        for step in range(4096):
            hit = chain_end.get(c)
            if hit is not None and step + hit[1] < 4096:
                end, rest = hit
                break
            if not is_heap_object(c) or r.type_of(c) != r.map_type:
                end, rest = c, 0
                break
            info = r.map_info(c)
            if info is None:
                end, rest = c, 0
                break
            path.append(c)
            c = info.constructor_or_back_pointer
        else:
            return c  # 4096 maps deep (a cycle): not cached
        for k, addr in enumerate(reversed(path), 1):
            chain_end[addr] = (end, rest + k)
        return end

    for m in heap.maps:
        it = m.instance_type
        if r.is_string_type(it):
            names.append(_STRING_CLASS.get(it & 7, "(string)"))
            continue
        if it == heap.free_space_type:
            names.append("(free space)")
            continue
        tname = r.type_names.get(it)
        if tname is None and m.instance_size in (8, 16) and not r.is_js_receiver_type(it):
            names.append("(filler)")  # One/TwoPointerFiller: type never exported
            continue
        tname = tname or r.derived_type_names.get(it)
        if tname == "FILLER_TYPE":
            names.append("(filler)")
            continue
        if r.is_js_function_type(it):
            names.append("(closure)")
            continue
        if r.is_js_receiver_type(it):
            if m.is_prototype_map:
                names.append("")
                proto_maps.append(len(names) - 1)
                continue
            name = None
            ctor = map_constructor(m)
            if m.new_target_is_base:
                name = ctor_name(ctor)
            if not name:
                via = r.get_property(m.prototype, "constructor") if is_heap_object(
                    m.prototype) else None
                if via is not None:
                    name = ctor_name(via)
            if not name:
                name = ctor_name(ctor)
            names.append(name or _receiver_fallback(tname, it))
            continue
        if it == r.heap_number_type:
            names.append("(number)")
        elif tname == "SYMBOL_TYPE":
            names.append("(symbol)")
        elif tname == "BIGINT_TYPE":
            names.append("(bigint)")
        else:
            names.append(f"(system) {tname or f'type {it}'}")
    if proto_maps:
        _name_prototypes(heap, names, proto_maps, ctor_name)
    return names


def _receiver_fallback(tname: str | None, it: int) -> str:
    if tname is None:  # neither exported nor placed (typenames.py): say what is known
        return f"(JS object, unknown V8 type {it})"
    return "(" + tname.removesuffix("_TYPE").lower().replace("_", " ") + ")"


def _name_prototypes(heap: V8Heap, names: list[str], proto_maps: list[int], ctor_name) -> None:  # noqa: ANN001
    """Prototype maps belong to one object each: name it by its own `constructor`."""
    w = heap.walk()
    r = heap.reader
    want = np.array(proto_maps, dtype=np.int32)
    sel = np.flatnonzero(np.isin(w.map_index, want))
    first: dict[int, int] = {}
    for idx, addr in zip(w.map_index[sel].tolist(), w.address[sel].tolist(), strict=True):
        first.setdefault(idx, addr + 1)
    for i in proto_maps:
        name = None
        obj = first.get(i)
        if obj is not None:
            for key, value, _ in r.own_properties(obj) or ():
                if key == "constructor":
                    name = ctor_name(value)
                    break
        names[i] = f"{name}.prototype" if name else "(prototype object)"
