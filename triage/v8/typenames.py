"""Names of the instance types a node binary does not export as `v8dbg_type_*`.

V8 exports most instance types by name, but not all of them: embedder (API) objects,
the internal prototype objects, Map/Set iterators, contexts and a few others have a
number only, and a heap table would show them as `(object type 1058)`. Torque assigns
the numbers in a fixed order (each class range in declaration order, leaves sorted by
name), so every such type sits at a known place next to exported ones; the rules below
place it there and name it only when the neighbours it is placed by are exported and
the gap has exactly the expected width. A type no rule covers stays unnamed (the
caller says so) instead of getting a guessed name. The rules and the versions they were
checked on are in `versions.UNEXPORTED_TYPE_RULES`.
"""

from __future__ import annotations

from triage.v8.versions import (
    COLLECTION_ITERATOR_TYPES,
    CONTEXT_TYPES,
    INTERNAL_PROTOTYPE_TYPES,
    UNEXPORTED_TYPE_RULES,
)


def derive_type_names(types: dict[str, int], function_range: tuple[int | None, int | None],
                      context_range: tuple[int, int]) -> dict[int, str]:
    """{instance type: NAME_TYPE} for unexported types placed by their exported neighbours."""
    by_number = {v: k for k, v in types.items()}
    out: dict[int, str] = {}

    def free(t: int) -> bool:
        return t not in by_number and t not in out

    for name, anchor, offset, check, check_offset in UNEXPORTED_TYPE_RULES:
        a = types.get(anchor)
        if a is None or types.get(name) is not None:
            continue
        t = a + offset
        if free(t) and (check is None or types.get(check) == t + check_offset):
            out[t] = name
    api_first, api_last = types.get("JS_OBJECT_TYPE"), types.get("JS_DATA_VIEW_TYPE")
    if api_first is not None and api_last is not None and "JS_API_OBJECT_TYPE" not in types:
        # JS_API_OBJECT_TYPE .. JS_LAST_DUMMY_API_OBJECT_TYPE: one type, plus the embedder's
        # own instance types (FunctionTemplate instance types) after it
        for t in range(api_first + 1, api_last):
            if free(t):
                out[t] = "JS_API_OBJECT_TYPE"
    first_ctx, last_ctx = context_range
    if 0 <= first_ctx and last_ctx - first_ctx + 1 == len(CONTEXT_TYPES):
        for t, name in zip(range(first_ctx, last_ctx + 1), CONTEXT_TYPES, strict=True):
            if free(t):
                out[t] = name
    last_fn = function_range[1]
    if last_fn is not None:
        start = last_fn + 1
        while by_number.get(start) in ("JS_BOUND_FUNCTION_TYPE", "JS_WRAPPED_FUNCTION_TYPE"):
            start += 1
        both = INTERNAL_PROTOTYPE_TYPES + COLLECTION_ITERATOR_TYPES
        if _gap(start, by_number, out) == len(both):  # V8 10-11: no iterator helpers between
            _name(start, both, out)
        elif _gap(start, by_number, out) == len(INTERNAL_PROTOTYPE_TYPES):
            start = _name(start, INTERNAL_PROTOTYPE_TYPES, out)
            while by_number.get(start, "").startswith("JS_ITERATOR_"):
                start += 1  # the iterator helpers (exported) sit between the two runs
            if _gap(start, by_number, out) == len(COLLECTION_ITERATOR_TYPES):
                _name(start, COLLECTION_ITERATOR_TYPES, out)
    return out


def _gap(start: int, by_number: dict[int, str], out: dict[int, str]) -> int:
    """How many consecutive types from `start` are neither exported nor named yet."""
    t = start
    while t not in by_number and t not in out and t - start < 64:
        t += 1
    return t - start


def _name(start: int, names: tuple[str, ...], out: dict[int, str]) -> int:
    for t, name in enumerate(names, start):
        out[t] = name
    return start + len(names)
