"""The thrown exception of an uncaught-exception core, like dotnet-dump's `pe`.

Under `--abort-on-uncaught-exception` the process aborts inside `Isolate::Throw`, right
after V8 made its message for the uncaught exception (a JSMessageObject, whose `argument`
is the thrown value and whose position is the throw's). The heap may hold older messages
too (V8 makes one per throw when no C++ TryCatch is active, caught or not), so a message
counts only when its thrown value is also held by the crashing thread's stack, directly or
through a handle (a stack word pointing to a handle slot). One such value is the answer,
Error or not (`throw 'rejected'`, `throw {code}`; until December 2026 no exception was
found in 9 of 10 cores of five uncaught crashes of programs nobody here wrote).

Failing that, the older check: a single distinct Error on the stack whose captured top
frame names the crash's top JS frame. Anything else is reported as not found, with why:
never a nearby Error presented as the thrown one.

The stack text is the Error's own: the formatted string when `.stack` was read,
else V8's raw frames (CallSiteInfo list) formatted the way V8 prints them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from triage.crashmodel import Capability, CrashInfo, CrashKind, ExceptionInfo
from triage.v8.positions import bytecode_source_position, line_column
from triage.v8.reader import is_heap_object, is_smi, smi
from triage.v8.stack import crashing_thread
from triage.v8.versions import MESSAGE_ARGUMENT, MESSAGE_SCRIPT, MESSAGE_START, MESSAGE_TYPE

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
    exc, reason = find_thrown(heap, tid, top_function)
    if exc is None:
        return Capability("unavailable", reason, engine=ENGINE)
    crash.exception = exc
    crash.message = crash.message or header(exc)
    return Capability("full", reason, engine=ENGINE)


def header(exc: ExceptionInfo) -> str:
    """`TypeError: message`, as V8 starts the stack text; `Uncaught VALUE`, as V8 prints a
    thrown value that is no Error."""
    if exc.stack and exc.stack.startswith(_NOT_AN_ERROR):
        return exc.stack.splitlines()[0]
    return f"{exc.type}: {exc.message}" if exc.message else exc.type


_NOT_AN_ERROR = "Uncaught "
_BY_MESSAGE = ("the thrown value: the argument of V8's message for the uncaught exception, "
               "also held by the crashing thread's stack")
_ERROR_LIKE = (f"{_BY_MESSAGE}; not an Error but a plain object with an Error's name, message "
               "and stack (as an error thrown in a Worker reaches the main thread), shown as "
               "that Error")
_ON_STACK = ("the thrown Error, found on the crashing thread's stack and captured at the "
             "crash's top JS frame")


def find_thrown(heap: V8Heap, tid: int | None,
                top_function: str | None) -> tuple[ExceptionInfo | None, str]:
    """The checked thrown value of thread `tid` and how it was found, or None and why it
    was not found (either is the `exception` capability's reason)."""
    thread = crashing_thread(heap, tid)
    if thread is None or not thread.registers.get("rsp"):
        return None, "the crashing thread's registers are not in the core"
    words = _stack_words(heap, thread.registers)
    thrown = _thrown_by_message(heap, words)
    if thrown is not None:
        exc, error_like = thrown
        return exc, _ERROR_LIKE if error_like else _BY_MESSAGE
    candidates = _errors_on_stack(heap, words)
    if not candidates:
        return None, ("no Error object on the crashing thread's stack (a non-Error value may "
                      "have been thrown, or the frames holding it were not in the core)")
    found = [_describe(heap, obj) for obj in candidates]
    if top_function:
        matching = [e for e, top in found if top == top_function]
        if len(matching) == 1:
            return matching[0], _ON_STACK
        if not matching:
            return None, (f"{len(found)} Error object(s) on the crashing thread's stack, none "
                          f"captured at the crash's top JS frame {top_function}")
        return None, (f"{len(matching)} Error objects on the crashing thread's stack were "
                      f"captured at {top_function}: which one was thrown is ambiguous")
    if len(found) == 1:
        return found[0][0], _ON_STACK
    return None, (f"{len(found)} Error objects on the crashing thread's stack and no JS stack "
                  "to tell which one was thrown")


def _thrown_by_message(heap: V8Heap, words: list[int]) -> tuple[ExceptionInfo, bool] | None:
    """The thrown value of V8's message for this uncaught exception, when exactly one value
    is both a message's `argument` and held by the stack (see the module's docstring), and
    whether it is a plain object standing for an Error."""
    r = heap.reader
    held = set(words)
    held |= _through_handles(heap, held)
    live: dict[int, int] = {}  # thrown value -> its message
    for message in heap.objects_of_instance_type("JS_MESSAGE_OBJECT_TYPE"):
        kind, value = r.field(message, MESSAGE_TYPE), r.field(message, MESSAGE_ARGUMENT)
        if kind is not None and is_smi(kind) and value is not None and is_heap_object(value) \
                and value in held:
            live.setdefault(value, message)
    if len(live) != 1:
        return None
    ((value, message),) = live.items()
    t = r.type_of(value)
    if t is not None and r.type_name(t) == "JS_ERROR_TYPE":
        return _describe(heap, value)[0], False
    like = _error_like(heap, value)
    if like is not None:
        return like, True
    exc = _not_an_error(heap, value)
    site = _throw_site(heap, message)
    exc.stack = f"{_NOT_AN_ERROR}{exc.message}" + (f"\n    at {site}" if site else "")
    return exc, False


def _error_like(heap: V8Heap, value: int) -> ExceptionInfo | None:
    """A plain object with an Error's string `message` and `stack` (and `name`), as an error
    thrown in a Worker is re-thrown in the main thread: shown as that Error, whose stack
    says where in the Worker it was thrown; else None."""
    r = heap.reader
    if heap.class_name_of(value) != "Object":
        return None
    props = {key: v for key, v, where in (r.own_properties(value, limit=64) or [])
             if where != "descriptor"}
    message, stack = (_string(heap, props.get(k), lim) for k, lim in
                      (("message", MESSAGE_LIMIT), ("stack", STACK_LIMIT)))
    if message is None or stack is None:
        return None
    name = _string(heap, props.get("name"), 128) or "Error"
    return ExceptionInfo(type=name, message=message, stack=stack, address=value - 1)


def _stack_words(heap: V8Heap, registers: dict[str, int]) -> list[int]:
    """The registers, then the stack words from rsp up (SCAN_BYTES, or less where the
    stack's mapping ends)."""
    rsp = registers["rsp"] & ~7
    raw = None
    size = SCAN_BYTES
    while raw is None and size >= 4096:
        raw = heap.core.try_read(rsp, size)
        size //= 2
    words = list(registers.values())
    if raw is not None:
        words += [int.from_bytes(raw[i:i + 8], "little") for i in range(0, len(raw) - 7, 8)]
    return words


def _through_handles(heap: V8Heap, words: set[int]) -> set[int]:
    """What the words that point to 8-byte slots hold: a Handle is the address of a slot
    in a handle block, and `Isolate::Throw` holds the thrown value only so."""
    out = set()
    for w in words:
        if w & 7 or w < 1 << 16 or w >= 1 << 47:
            continue
        raw = heap.core.try_read(w, 8)
        if raw is not None:
            out.add(int.from_bytes(raw, "little"))
    return out


def _not_an_error(heap: V8Heap, value: int) -> ExceptionInfo:
    """A thrown value that is no Error: a string's text, an object's first properties."""
    r = heap.reader
    t = r.type_of(value)
    if t is not None and r.is_string_type(t):
        return ExceptionInfo(type="string", message=r.string(value, MESSAGE_LIMIT), stack=None,
                             address=value - 1)
    name = heap.class_name_of(value) or (r.type_name(t) if t is not None else "value")
    props = r.own_properties(value, limit=_SHOWN_PROPERTIES + 1) or []
    shown = [f"{key}: {_brief(heap, v)}" for key, v, where in props[:_SHOWN_PROPERTIES]
             if where != "descriptor" and not key.startswith("Symbol(")]
    more = ", …" if len(props) > _SHOWN_PROPERTIES else ""
    text = f"{name} {{ {', '.join(shown)}{more} }}" if shown else f"#<{name}>"
    return ExceptionInfo(type=name, message=text, stack=None, address=value - 1)


_SHOWN_PROPERTIES = 8


def _brief(heap: V8Heap, v: int) -> str:
    """A property's value in a line: a string quoted (cut at 80), a Smi, else its class."""
    if is_smi(v):
        return str(smi(v))
    text = _string(heap, v, 81)
    if text is not None:
        return repr(text if len(text) <= 80 else text[:80] + "…")
    t = heap.reader.type_of(v)
    return f"<{heap.class_name_of(v) or (heap.reader.type_name(t) if t is not None else '?')}>"


def _throw_site(heap: V8Heap, message: int) -> str | None:
    """`script:line:column` of the throw, from the message's Script and start position."""
    r = heap.reader
    script, start = r.field(message, MESSAGE_SCRIPT), r.field(message, MESSAGE_START)
    if script is None or not is_heap_object(script) or start is None or not is_smi(start):
        return None
    t = r.type_of(script)
    if t is None or r.type_name(t) != "SCRIPT_TYPE":
        return None
    name = r.script_name(script) or "<anonymous>"
    lc = line_column(heap, script, smi(start))
    return f"{name}:{lc[0]}:{lc[1]}" if lc else name


def _errors_on_stack(heap: V8Heap, words: list[int]) -> list[int]:
    """Distinct tagged JS_ERROR_TYPE objects in registers and stack words, nearest first."""
    r = heap.reader
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
