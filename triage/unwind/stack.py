"""Unwind one thread of a core: CFI where the code has it, frame pointers where it has not.

Registers come from the thread's NT_PRSTATUS note. A frame whose code has an FDE in its
file's `.eh_frame` is unwound by that FDE's row (glibc's signal trampoline included: its
FDE is marked `S`, so the interrupted frame is looked up at its exact pc). Code without CFI
(V8's JIT code and embedded builtins, which keep rbp frames) is unwound through rbp:
`[rbp]` is the caller's rbp, `[rbp+8]` the return address. Every step must move up the
stack and land in executable memory, or the walk ends there: a wrong frame is never
invented (lldb's own fallback sometimes does, e.g. data addresses as frames).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from triage.coredump import CoreFile
from triage.unwind.cfi import (
    EXPRESSION,
    OFFSET,
    RA,
    REGISTER,
    RSP,
    SAME,
    UNDEFINED,
    VAL_EXPRESSION,
    VAL_OFFSET,
    CfiError,
    evaluate,
)
from triage.unwind.modules import ModuleMap

MAX_FRAMES = 200
RBP = 6
_DWARF = {"rax": 0, "rdx": 1, "rcx": 2, "rbx": 3, "rsi": 4, "rdi": 5, "rbp": 6, "rsp": 7,
          "r8": 8, "r9": 9, "r10": 10, "r11": 11, "r12": 12, "r13": 13, "r14": 14, "r15": 15,
          "rip": 16}
_CALLEE_SAVED = (3, 6, 12, 13, 14, 15)  # rbx rbp r12-r15 keep their value unless a rule says


@dataclass
class RawFrame:
    pc: int
    how: str  # "context" (frame 0), "cfi", "fp" (frame pointer), "signal"
    module: str | None = None
    vaddr: int | None = None  # pc - 1 (pc for frame 0 and after signals) in its file


@dataclass
class RawStack:
    tid: int
    frames: list[RawFrame] = field(default_factory=list)
    stop: str = ""  # why the walk ended


class Unwinder:
    def __init__(self, core: CoreFile, modules: ModuleMap):
        self.core = core
        self.modules = modules
        rows = [(s.vaddr, s.vaddr + s.memsz) for s in core.elf.segments if s.type == 1 and s.flags & 1]
        rows += [r for m in core.mappings if m.path in modules.modules
                 for r in _code_of(m, modules.modules[m.path].elf)]
        ex = np.array(sorted(rows), dtype=np.uint64).reshape(-1, 2)
        self._ex_start, self._ex_end = ex[:, 0], ex[:, 1]

    def executable(self, pc: int) -> bool:
        i = int(np.searchsorted(self._ex_start, np.uint64(pc), side="right")) - 1
        return i >= 0 and pc < int(self._ex_end[i])

    def _read(self, addr: int) -> int | None:
        if not 0 <= addr < 1 << 64:
            return None
        raw = self.core.try_read(addr, 8)
        return int.from_bytes(raw, "little") if raw is not None else None

    def unwind(self, tid: int, registers: dict[str, int]) -> RawStack:
        regs = {_DWARF[n]: v for n, v in registers.items() if n in _DWARF}
        out = RawStack(tid)
        pc = regs.get(RA, 0)
        exact = True  # frame 0, or the frame a signal interrupted: look up pc itself
        how = "context"
        while len(out.frames) < MAX_FRAMES:
            lookup = pc if exact else pc - 1
            loc = self.modules.locate(lookup)
            frame = RawFrame(pc, how, loc[0].name if loc else None, loc[1] if loc else None)
            out.frames.append(frame)
            row = loc[0].cfi.row_for(loc[1]) if loc is not None else None
            step = self._step_cfi(row, regs) if row is not None else None
            if step is None:
                step, how = self._step_fp(regs), "fp"
            else:
                how = "signal" if row.signal_frame else "cfi"
            if step is None:
                out.stop = "no unwind rule or frame pointer"
                break
            new_regs, outermost = step
            if outermost:
                out.stop = "outermost frame"
                break
            new_pc = new_regs.get(RA, 0)
            if new_regs.get(RSP, 0) <= regs.get(RSP, 0) and not (row is not None and row.signal_frame):
                out.stop = "stack pointer did not move up"
                break
            if not new_pc or not self.executable(new_pc):
                out.stop = "return address outside code"
                break
            exact = row is not None and row.signal_frame
            regs, pc = new_regs, new_pc
        else:
            out.stop = f"{MAX_FRAMES} frames"
        return out

    def _step_cfi(self, row, regs: dict[int, int]) -> tuple[dict[int, int], bool] | None:
        try:
            if row.cfa_expr is not None:
                cfa = evaluate(row.cfa_expr, regs, self._read)
            else:
                if row.cfa_reg not in regs:
                    return None
                cfa = (regs[row.cfa_reg] + row.cfa_offset) & 0xFFFFFFFFFFFFFFFF
            new: dict[int, int] = {}
            for reg in set(_CALLEE_SAVED) | set(row.rules) | {RA}:
                kind, arg = row.rules.get(reg, (SAME, None) if reg in _CALLEE_SAVED else (None, None))
                if kind is None:
                    continue
                if kind == UNDEFINED:
                    if reg == RA:
                        return {}, True
                    continue
                if kind == SAME:
                    if reg in regs:
                        new[reg] = regs[reg]
                    continue
                if kind == OFFSET:
                    value = self._read(cfa + arg)
                elif kind == VAL_OFFSET:
                    value = (cfa + arg) & 0xFFFFFFFFFFFFFFFF
                elif kind == REGISTER:
                    value = regs.get(arg)
                elif kind == EXPRESSION:
                    value = self._read(evaluate(arg, regs, self._read, push=cfa))
                elif kind == VAL_EXPRESSION:
                    value = evaluate(arg, regs, self._read, push=cfa)
                else:
                    value = None
                if value is None:
                    if reg == RA:
                        return None
                    continue
                new[reg] = value
            if RA not in new:
                return None
            new.setdefault(RSP, cfa)
            return new, False
        except CfiError:
            return None

    def _step_fp(self, regs: dict[int, int]) -> tuple[dict[int, int], bool] | None:
        rbp, rsp = regs.get(RBP), regs.get(RSP)
        if not rbp or rsp is None or rbp < rsp or rbp & 7 or rbp - rsp > 64 << 20:
            return None
        saved, ret = self._read(rbp), self._read(rbp + 8)
        if saved is None or ret is None:
            return None
        new = {r: regs[r] for r in _CALLEE_SAVED if r in regs and r != RBP}
        new.update({RBP: saved, RSP: rbp + 16, RA: ret})
        return new, False


def _code_of(mapping, elf) -> list[tuple[int, int]]:
    """The parts of one file mapping that its file loads executable (PF_X). A mapping of
    a file is not all code: lldb's fallback "frames" in node's .rodata (e.g. at
    0x2c1b250 in Node 20's node, between ReportOOMFailure and FatalProcessOutOfMemory)
    are data, and neither a walk nor a comparison may take them for return addresses."""
    out = []
    for seg in elf.segments:
        if seg.type != 1 or not seg.flags & 1:
            continue
        lo = max(seg.offset, mapping.file_offset)
        hi = min(seg.offset + seg.filesz, mapping.file_offset + (mapping.end - mapping.start))
        if lo < hi:
            out.append((mapping.start + lo - mapping.file_offset, mapping.start + hi - mapping.file_offset))
    return out
