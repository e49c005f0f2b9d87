"""The JS stack from a core: frames found on the crashing thread's frame-pointer chain.

V8 keeps frame pointers in all JS and builtin frames, so `[fp]` is the caller's fp and
`[fp+8]` the return address. glibc's innermost frames (abort, raise) may not keep
rbp, so instead of trusting rbp we take the longest such chain found on the stack
above rsp. Each frame is classified from `[fp-8]` (`off_fp_context`): a small Smi-like
word is a frame-type marker (entry, exit, internal... frames), a Context means a JS
frame whose JSFunction is at `[fp-16]`. Interpreted frames (pc in the binary's
interpreter) keep their BytecodeArray at `[fp-32]` and the bytecode offset at `[fp-40]`,
which the bytecode's source position table maps to a script offset, then to line:column
in Script.source. A frame running JIT code gets its position from the Code at its pc
(`optimized.py`; Sparkplug code through the bytecode it runs, `baseline.py`).
Each JS frame also carries its receiver, arguments, function and context (`frames.py`).

With `markers=True` the stack also shows V8's exit frames (`<exit>`: JS called into C++,
a runtime function, builtin or API callback) and entry frames (`<entry>`: C++ called into
JS), as llnode does. Their `[fp-8]` is a frame-type marker (type << 1, `v8dbg_frametype_*`).
A native frame may hold any small even word there, so a marker frame is shown only when
it touches JS: an exit frame with a JS frame among the next two callers, an entry frame
with a JS frame among the two callees before it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from triage.crashmodel import MARKER_KINDS, JsFrame
from triage.v8 import versions as vf
from triage.v8.frames import frame_values
from triage.v8.positions import bytecode_position, line_column
from triage.v8.reader import is_heap_object, is_smi, smi

if TYPE_CHECKING:
    from triage.v8.heap import V8Heap

STACK_SCAN_BYTES = 8 << 20


def crashing_thread(heap: V8Heap, tid: int | None = None):  # noqa: ANN201
    threads = heap.core.threads
    if not threads:
        return None
    if tid is not None:
        return next((t for t in threads if t.tid == tid), None)
    return next((t for t in threads if t.signal), threads[0])


def js_stack(heap: V8Heap, tid: int | None = None, markers: bool = False) -> list[JsFrame]:
    """JS frames of thread `tid` (default: the one that got the fatal signal); with
    `markers`, V8's exit and entry frames between them."""
    thread = crashing_thread(heap, tid)
    if thread is None:
        return []
    return js_frames_from_fps(heap, fp_chain(heap, thread.registers), markers=markers)


def _exec_ranges(heap: V8Heap) -> np.ndarray:
    rows = [(s.vaddr, s.vaddr + s.memsz) for s in heap.core.elf.segments
            if s.type == 1 and s.flags & 1]
    return np.array(sorted(rows), dtype=np.uint64).reshape(-1, 2)


def fp_chain(heap: V8Heap, registers: dict[str, int]) -> list[tuple[int, int]]:
    """(fp, pc) pairs, innermost first: the longest frame-pointer chain above rsp.

    `pc` of a frame is the return address its callee saved (the thread's rip for the
    innermost one), i.e. where that frame is executing.
    """
    rsp = registers.get("rsp", 0)
    core = heap.core
    segs = core.segments_array()
    i = int(np.searchsorted(segs[:, 0], np.uint64(rsp), side="right")) - 1
    if i < 0 or rsp >= int(segs[i, 1]):
        return []
    end = min(int(segs[i, 1]), rsp + STACK_SCAN_BYTES)
    start = rsp & ~7
    words = core.view(start, end)
    if words is None:
        return []
    w = words.view("<u8")
    n = len(w)
    addrs = np.uint64(start) + np.arange(n, dtype=np.uint64) * np.uint64(8)
    ex = _exec_ranges(heap)
    ret = np.zeros(n, dtype=bool)
    if n > 1 and len(ex):
        ra = w[1:]
        k = np.searchsorted(ex[:, 0], ra, side="right") - 1
        ok = k >= 0
        kk = np.where(ok, k, 0)
        ret[:-1] = ok & (ra < ex[kk, 1])
    up = (w > addrs) & (w < np.uint64(end)) & ((w & np.uint64(7)) == 0)
    cand = up & ret
    # chain length by dynamic programming from the top of the stack down
    length = np.zeros(n, dtype=np.int64)
    idx = np.flatnonzero(cand)
    for j in idx[::-1].tolist():
        nxt = (int(w[j]) - start) // 8
        length[j] = 1 + (length[nxt] if 0 <= nxt < n and cand[nxt] else 0)
    rbp = registers.get("rbp", 0)
    first = None
    if start <= rbp < end and cand[(rbp - start) // 8]:
        first = (rbp - start) // 8
    if len(idx):
        best = int(idx[np.argmax(length[idx])])
        if first is None or length[best] > length[first] + 2:
            first = best
    if first is None:
        return []
    out = []
    pc = registers.get("rip", 0)
    j = first
    seen = 0
    while 0 <= j < n and seen < 10_000:
        fp = start + 8 * j
        out.append((fp, pc))
        pc = int(w[j + 1]) if j + 1 < n else 0
        nxt = int(w[j])
        if nxt <= fp:
            break
        j = (nxt - start) // 8
        seen += 1
        if not (0 <= j < n and cand[j]):
            if 0 <= j < n:
                out.append((nxt, pc))
            break
    return out


def js_frames_from_fps(heap: V8Heap, frames: list[tuple[int, int]], markers: bool = False) -> list[JsFrame]:
    """Decode JS frames from (fp, pc) pairs, e.g. from lldb's unwinder. An optimized frame
    running inlined functions comes after their frames (kind "inlined"), as V8 prints them."""
    with_inlined = [decode_frames(heap, fp, pc) for fp, pc in frames]
    decoded = [d[-1] if d else None for d in with_inlined]
    kinds = _marker_kinds(heap) if markers else {}
    out: list[JsFrame] = []
    for i, (fp, _pc) in enumerate(frames):
        found = with_inlined[i]
        if not found and kinds:
            kind = kinds.get(_marker(heap, fp))
            near = decoded[i + 1:i + 3] if kind == "exit" else decoded[max(i - 2, 0):i]
            if kind is not None and any(f is not None and f.kind not in MARKER_KINDS for f in near):
                found = [JsFrame(index=0, function=f"<{kind}>", kind=kind)]
        for frame in found:
            frame.index = len(out)
            out.append(frame)
    return out


def _marker(heap: V8Heap, fp: int) -> int | None:
    """The frame type a marker word at `[fp-8]` names, None when it is not one."""
    word = heap.reader.u64(fp + heap.constants.get("off_fp_context_or_frame_type", -8))
    if word is None or word & 1 or word >= 256:
        return None
    return word >> 1


def _marker_kinds(heap: V8Heap) -> dict[int, str]:
    """Frame-type number -> "exit" / "entry" for this V8 (numbers change between versions)."""
    c = heap.constants
    out: dict[int, str] = {}
    for names, kind in ((vf.EXIT_FRAME_TYPES, "exit"), (vf.ENTRY_FRAME_TYPES, "entry")):
        for name in names:
            value = c.get(f"frametype_{name}")
            if value is not None:
                out[value] = kind
    return out


def _in_binary(heap: V8Heap, pc: int) -> bool:
    exe = heap.core.executable_mapping()
    if exe is None:
        return False
    return any(m.start <= pc < m.end for m in heap.core.mappings if m.path == exe.path)


def decode_frame(heap: V8Heap, fp: int, pc: int, index: int) -> JsFrame | None:
    """A JsFrame if `fp` is a JS frame, else None (entry, exit, native frames)."""
    return _decode_frame(heap, fp, pc, index, [])


def decode_frames(heap: V8Heap, fp: int, pc: int) -> list[JsFrame]:
    """The JS frame at `fp` after the frames of the functions inlined into it that its pc
    runs (innermost first); [] when `fp` is no JS frame."""
    inlined: list[JsFrame] = []
    frame = _decode_frame(heap, fp, pc, 0, inlined)
    return [] if frame is None else [*inlined, frame]


def _decode_frame(heap: V8Heap, fp: int, pc: int, index: int, inlined: list[JsFrame]) -> JsFrame | None:
    r = heap.reader
    c = heap.constants
    marker = r.u64(fp + c.get("off_fp_context", -8))
    if marker is None or not is_heap_object(marker):
        return None
    mt = r.type_of(marker)
    if mt is None or not r.is_context_type(mt):
        return None
    fn = r.u64(fp + c.get("off_fp_function", -16))
    if fn is None or not is_heap_object(fn):
        return None
    ft = r.type_of(fn)
    if ft is None or not r.is_js_function_type(ft):
        return None
    sfi = r.function_sfi(fn)
    name = (r.sfi_name(sfi) if sfi else None) or "(anonymous)"
    script = r.sfi_script(sfi) if sfi else None
    script_name = r.script_name(script) if script else None
    frame = JsFrame(index=index, function=name, script=script_name)
    values = frame_values(heap, fp, fn)
    frame.function_address = values["function_address"]
    frame.context_address = values["context_address"]
    frame.receiver, frame.args, frame.argc = values["receiver"], values["args"], values["argc"]
    bytecode = r.u64(fp + c.get("off_fp_bytecode_array", -32))
    offset_word = r.u64(fp + c.get("off_fp_bytecode_offset", -40))
    bytecode_type = c.type_id("BYTECODE_ARRAY_TYPE")
    if (bytecode is not None and is_heap_object(bytecode) and r.type_of(bytecode) == bytecode_type
            and offset_word is not None and is_smi(offset_word) and _in_binary(heap, pc)):
        frame.kind = "interpreted"
        data = c.field("BytecodeArray", "data", 56)
        # the frame holds the offset of the running bytecode from the tagged array
        pos = bytecode_position(heap, bytecode, smi(offset_word) - (data - 1))
        if pos is not None and script is not None:
            lc = line_column(heap, script, pos)
            if lc is not None:
                frame.line, frame.column = lc
    else:
        # JIT code: TurboFan or Maglev (an OSR frame keeps the interpreter's layout, its
        # bytecode offset stale at the loop it entered by: 14:3 where Node printed 17:14),
        # or Sparkplug (`optimized.py` tells them apart by the Code at the pc)
        frame.kind = "optimized"
        if script is not None:  # a builtin has no script: V8 prints no position either
            inlined += _optimized_position(heap, frame, pc, script, sfi)
    return frame


def _optimized_position(heap: V8Heap, frame: JsFrame, pc: int, script: int | None,
                        sfi: int | None) -> list[JsFrame]:
    """line:column of an optimized frame from its Code (`optimized.py`), or the reason why
    not; returns the frames of the functions inlined into it at the pc, innermost first."""
    from triage.v8.optimized import optimized_position

    found = optimized_position(heap, pc, sfi)
    frame.kind = found.kind  # "baseline": Sparkplug code (its frame keeps no bytecode offset slot)
    _place(heap, frame, script, found.offset, found.note)
    return [_inlined_frame(heap, sfi, offset, note) for sfi, offset, note in found.inlined]


def _place(heap: V8Heap, frame: JsFrame, script: int | None, offset: int | None, note: str | None) -> None:
    """Set the frame's line:column from a script offset, or its position note to why not."""
    if offset is not None and script is not None:
        lc = line_column(heap, script, offset)
        if lc is not None:
            frame.line, frame.column = lc
            frame.position_note = note
            return
        note = "the position is outside the script's source"
    frame.position_note = f"no position: {note or 'the function has no script'}"


def _inlined_frame(heap: V8Heap, sfi: int, offset: int | None, note: str | None) -> JsFrame:
    """A function TurboFan inlined, as a frame of its own: it has no stack frame, so no
    function object, context, receiver or arguments (its receiver says why)."""
    from triage.v8.code import INLINED_VALUES_NOTE

    r = heap.reader
    script = r.sfi_script(sfi)
    frame = JsFrame(index=0, function=r.sfi_name(sfi) or "(anonymous)", kind="inlined",
                    script=r.script_name(script) if script else None,
                    receiver={"error": INLINED_VALUES_NOTE})
    _place(heap, frame, script, offset, note)
    return frame


JIT_UNKNOWN = "(JIT code)"


def name_jit_frames(heap: V8Heap, threads: list) -> int:
    """Name native frames the unwinder could only call `(JIT code)` by what runs there.

    The unwinder sees an executable pc outside every mapped file; the V8 stack reader
    knows which of those pcs are JS frames (the same frame-pointer chain). A frame
    whose pc is a JS frame's pc on that thread becomes `fn (JS, optimized)` (its module
    the script's file name); a pc inside the V8 heap that is no JS frame (a stub, a
    compiled RegExp) is `(JIT code: no JS frame)`; any other pc stays `(JIT code)`,
    since nothing says what it is. Returns the number of frames named.
    """
    by_tid = {t.tid: t for t in heap.core.threads}
    areas = [(a, b) for a, b, _ in heap.areas()]
    named = 0
    for thread in threads:
        jit = [f for f in thread.frames if f.function == JIT_UNKNOWN]
        core_thread = by_tid.get(thread.tid)
        if not jit or core_thread is None:
            continue
        js = {}
        for fp, pc in fp_chain(heap, core_thread.registers):
            frame = decode_frame(heap, fp, pc, 0)
            if frame is not None:
                js.setdefault(pc, frame)
        for f in jit:
            frame = js.get(f.pc)
            if frame is not None:
                f.function = f"{frame.function} (JS, {frame.kind})"
                script = frame.script or ""
                f.module = script.rsplit("/", 1)[-1] if script.startswith(("/", "file:")) else (
                    script or None)
                named += 1
            elif any(a <= f.pc < b for a, b in areas):
                f.function = "(JIT code: no JS frame)"
                named += 1
    return named
