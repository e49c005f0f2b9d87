"""The thrown exception of an uncaught-exception core, like dotnet-dump's `pe`.

Under `--abort-on-uncaught-exception` the process aborts inside `Isolate::Throw`,
whose native frames still hold the thrown object. We scan the crashing thread's
stack words from rsp for tagged pointers to JS_ERROR_TYPE objects and accept one
only when it is checked: a single distinct Error whose captured top frame names
the crash's top JS frame (when the JS stack is known). Anything else is reported
as not found, with why: never a nearby Error presented as the thrown one.

The stack text is the Error's own: the formatted string when `.stack` was read,
else V8's raw frames (CallSiteInfo list) formatted the way V8 prints them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from triage.crashmodel import Capability, CrashInfo, CrashKind, ExceptionInfo
from triage.v8.positions import bytecode_source_position, line_column
from triage.v8.reader import is_heap_object, is_smi, smi
from triage.v8.stack import crashing_thread

if TYPE_CHECKING:
    from triage.v8.heap import V8Heap

SCAN_BYTES = 64 << 10  # Isolate::Throw and the abort path sit well within this of rsp
MESSAGE_LIMIT = 1024
STACK_LIMIT = 4096  # characters of stack text kept
FRAME_LIMIT = 32


ENGINE = "triage.v8"


def recover(heap: V8Heap, crash: CrashInfo, tid: int | None,
            top_function: str | None) -> Capability | None:
    """Set `crash.exception` and `crash.message` from the core when the thrown Error is
    found and checked; the `exception` capability either way (None: not an uncaught
    exception, nothing to look for)."""
    if crash.kind != CrashKind.UNCAUGHT_EXCEPTION:
        return None
    exc, why = find_thrown(heap, tid, top_function)
    if exc is None:
        return Capability("unavailable", why, engine=ENGINE)
    crash.exception = exc
    crash.message = crash.message or header(exc)
    return Capability("full", "the thrown Error, found on the crashing thread's stack and "
                      "captured at the crash's top JS frame", engine=ENGINE)


def header(exc: ExceptionInfo) -> str:
    """`TypeError: message`, as V8 starts the stack text."""
    return f"{exc.type}: {exc.message}" if exc.message else exc.type


def find_thrown(heap: V8Heap, tid: int | None,
                top_function: str | None) -> tuple[ExceptionInfo | None, str]:
    """The checked thrown Error of thread `tid`, or None and the reason it was not found."""
    thread = crashing_thread(heap, tid)
    if thread is None or not thread.registers.get("rsp"):
        return None, "the crashing thread's registers are not in the core"
    candidates = _errors_on_stack(heap, thread.registers)
    if not candidates:
        return None, ("no Error object on the crashing thread's stack (a non-Error value may "
                      "have been thrown, or the frames holding it were not in the core)")
    found = [_describe(heap, obj) for obj in candidates]
    if top_function:
        matching = [e for e, top in found if top == top_function]
        if len(matching) == 1:
            return matching[0], ""
        if not matching:
            return None, (f"{len(found)} Error object(s) on the crashing thread's stack, none "
                          f"captured at the crash's top JS frame {top_function}")
        return None, (f"{len(matching)} Error objects on the crashing thread's stack were "
                      f"captured at {top_function}: which one was thrown is ambiguous")
    if len(found) == 1:
        return found[0][0], ""
    return None, (f"{len(found)} Error objects on the crashing thread's stack and no JS stack "
                  "to tell which one was thrown")


def _errors_on_stack(heap: V8Heap, registers: dict[str, int]) -> list[int]:
    """Distinct tagged JS_ERROR_TYPE objects in registers and stack words, nearest first."""
    r = heap.reader
    rsp = registers["rsp"] & ~7
    raw = None
    size = SCAN_BYTES
    while raw is None and size >= 4096:  # the stack mapping may end before SCAN_BYTES
        raw = heap.core.try_read(rsp, size)
        size //= 2
    words = list(registers.values())
    if raw is not None:
        words += [int.from_bytes(raw[i:i + 8], "little") for i in range(0, len(raw) - 7, 8)]
    out: list[int] = []
    for w in words:
        if not w or w & 3 != 1 or w in out:
            continue
        t = r.type_of(w)
        if t is not None and r.type_name(t) == "JS_ERROR_TYPE":
            out.append(w)
    return out


def _describe(heap: V8Heap, obj: int) -> tuple[ExceptionInfo, str | None]:
    """The Error's type, message and stack text, and the function of its top captured frame."""
    r = heap.reader
    type_name = heap.class_name_of(obj) or "Error"
    props = r.own_properties(obj) or []
    message_v = next((v for k, v, _ in props if k == "message"), None)
    message = _string(heap, message_v, MESSAGE_LIMIT)
    exc = ExceptionInfo(type=type_name, message=message, stack=None, address=obj - 1)
    top = None
    for k, v, where in props:
        if k != "Symbol()" or where == "descriptor" or v == message_v or not is_heap_object(v):
            continue
        t = r.type_of(v)
        if t is None:
            continue
        if r.is_string_type(t):
            exc.stack = r.string(v, STACK_LIMIT)
            top = _top_of_text(exc.stack)
            break
        tname = r.type_name(t)
        if tname in ("FIXED_ARRAY_TYPE", "ERROR_STACK_DATA_TYPE"):
            frames = captured_frames(heap, v)
            if frames is None:
                continue
            lines = [header(exc)] + [f"    at {_frame_text(f)}" for f in frames]
            exc.stack = "\n".join(lines)[:STACK_LIMIT]
            top = frames[0][0] if frames else None
            break
    return exc, top


def _string(heap: V8Heap, v: int | None, limit: int) -> str | None:
    if v is None or not is_heap_object(v):
        return None
    t = heap.reader.type_of(v)
    return heap.reader.string(v, limit) if t is not None and heap.reader.is_string_type(t) else None


def _top_of_text(text: str | None) -> str | None:
    """Function name of the first `    at NAME (` line of a formatted stack."""
    for line in (text or "").splitlines()[1:]:
        line = line.strip()
        if line.startswith("at "):
            name = line[3:].split(" (")[0]
            return name.split(".")[-1].split(" [")[0] if "(" in line else None
    return None


def captured_frames(heap: V8Heap, holder: int) -> list[tuple[str, str | None, int | None, int | None]] | None:
    """(function, script, line, column) of V8's captured frames (`.stack` never read).

    The holder is a FixedArray of CallSiteInfo (V8 10-13), the same fields flattened
    into the FixedArray (V8 14, Node 26), or an ErrorStackData holding such an array.
    The fields' order moved between versions, so they are told apart by type
    (`_call_site`). Frames are printed as `function (script:line:col)`: V8's receiver
    and method names (`Timeout.handleRequest [as _onTimeout]`) are not rebuilt.
    """
    r = heap.reader
    arr = holder
    if r.type_name(r.type_of(holder) or 0) == "ERROR_STACK_DATA_TYPE":
        arr = next((f for f in (r.field(holder, 8 * i) for i in (1, 2))
                    if f and is_heap_object(f)
                    and r.type_name(r.type_of(f) or 0) == "FIXED_ARRAY_TYPE"), None)
        if arr is None:
            return None
    n = r.field(arr, 8)
    if n is None or not is_smi(n) or not 0 <= smi(n) <= 100_000:
        return None
    items = [r.field(arr, 16 + 8 * i) for i in range(min(smi(n), FRAME_LIMIT * 8))]
    if any(v is None for v in items):
        return None
    if items and all(_type(heap, v) == "CALL_SITE_INFO_TYPE" for v in items):
        rows = [[r.field(info, 8 * i) for i in range(1, 8)] for info in items[:FRAME_LIMIT]]
    else:  # V8 14 (Node 26): the frames' fields flattened into the array, one run per frame
        rows = _flattened_rows(heap, items, smi(n))
        if rows is None:
            return None
    return [_call_site(heap, row) for row in rows]


def _flattened_rows(heap: V8Heap, items: list, n: int) -> list[list] | None:
    """V8 14's flattened frames as runs, each starting at its function: the smallest run
    length dividing `n` with one column where every run holds a JSFunction followed by a Smi
    (its code offset). The receiver, one column earlier, can be a function too (a static
    method's: `Module._load`'s receiver is `Module`), so counting functions does not work."""
    for stride in range(2, 33):
        if n % stride or len(items) < stride:
            continue
        rows = [items[i:i + stride] for i in range(0, len(items) - stride + 1, stride)][:FRAME_LIMIT]
        for col in range(stride - 1):
            if all(_is_function(heap, row[col]) and is_smi(row[col + 1]) for row in rows):
                return [row[col:] + row[:col] for row in rows]
    return None


def _type(heap: V8Heap, v: int | None) -> str | None:
    if v is None or not is_heap_object(v):
        return None
    t = heap.reader.type_of(v)
    return None if t is None else heap.reader.type_name(t)


def _is_function(heap: V8Heap, v: int | None) -> bool:
    if v is None or not is_heap_object(v):
        return False
    t = heap.reader.type_of(v)
    return t is not None and heap.reader.is_js_function_type(t)


def _call_site(heap: V8Heap, fields: list) -> tuple[str, str | None, int | None, int | None]:
    """One frame from its fields (CallSiteInfo's, or one flattened run): the JSFunction, the
    BytecodeArray (or BytecodeWrapper around it) and the first Smi after the function."""
    r = heap.reader
    fn = bytecode = offset = None
    for v in fields:
        if v is None:
            break
        if is_smi(v):
            if fn is not None and offset is None:
                offset = smi(v)
            continue
        tname = _type(heap, v)
        if fn is None and _is_function(heap, v):
            fn = v
        elif tname == "BYTECODE_ARRAY_TYPE":
            bytecode = v
        elif tname == "BYTECODE_WRAPPER_TYPE":
            inner = r.field(v, 8)
            if _type(heap, inner) == "BYTECODE_ARRAY_TYPE":
                bytecode = inner
    if fn is None:
        return "(unknown)", None, None, None
    sfi = r.function_sfi(fn)
    name = (r.sfi_name(sfi) if sfi else None) or "<anonymous>"
    script = r.sfi_script(sfi) if sfi else None
    script_name = r.script_name(script) if script else None
    line = column = None
    if bytecode is not None and offset is not None and script is not None:
        # +1 as for live frames (stack.py): the offset names the call's bytecode, whose
        # position entry is keyed one further (checked: Node prints 6:11 for `new TypeError`
        # where the unadjusted lookup gives the argument's 6:40)
        pos = bytecode_source_position(heap, bytecode, offset + 1)
        lc = line_column(heap, script, pos) if pos is not None else None
        if lc is not None:
            line, column = lc
    return name, script_name, line, column


def _frame_text(frame: tuple[str, str | None, int | None, int | None]) -> str:
    name, script, line, column = frame
    where = script or "<anonymous>"
    if line is not None:
        where += f":{line}:{column}"
    return f"{name} ({where})"
