"""Call-frame information from an ELF file's `.eh_frame`, found through `.eh_frame_hdr`.

Only the one FDE covering a pc is parsed (binary search in the header's sorted table),
so a 100 MB node binary with 100,000 FDEs costs nothing up front. The row for a pc is
computed by running the CIE's and the FDE's CFA programs up to that pc; expressions
(PLT entries, glibc's signal trampoline) go through a small DWARF stack machine.
Anything malformed or unsupported yields None: the caller falls back to frame pointers.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np

from triage.coredump import ElfFile

RA = 16  # DWARF register number of the return address (rip) on x86-64
RSP = 7

# rule kinds of a register
UNDEFINED, SAME, OFFSET, VAL_OFFSET, REGISTER, EXPRESSION, VAL_EXPRESSION = range(7)


class CfiError(ValueError):
    """Malformed or unsupported CFI; the frame is unwound another way."""


@dataclass
class Row:
    """CFA rule (register+offset or an expression) and the rule of each saved register."""

    cfa_reg: int = RSP
    cfa_offset: int = 8
    cfa_expr: bytes | None = None
    rules: dict[int, tuple[int, object]] = field(default_factory=dict)
    signal_frame: bool = False

    def copy(self) -> Row:
        return Row(self.cfa_reg, self.cfa_offset, self.cfa_expr, dict(self.rules), self.signal_frame)


@dataclass
class _Cie:
    code_align: int
    data_align: int
    ra_reg: int
    fde_enc: int
    signal: bool
    has_aug: bool
    initial: bytes


class _Buf:
    """A cursor over bytes that knows the virtual address of position 0."""

    def __init__(self, data: bytes | memoryview, pos: int, vaddr0: int):
        self.d, self.p, self.v0 = data, pos, vaddr0

    def u8(self) -> int:
        if self.p >= len(self.d):
            raise CfiError("CFI runs past its section")
        v = self.d[self.p]
        self.p += 1
        return v

    def fixed(self, fmt: str) -> int:
        size = struct.calcsize(fmt)
        if self.p + size > len(self.d):
            raise CfiError("CFI runs past its section")
        (v,) = struct.unpack_from(fmt, self.d, self.p)
        self.p += size
        return v

    def uleb(self) -> int:
        result = shift = 0
        while True:
            b = self.u8()
            result |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return result
            if shift > 63:
                raise CfiError("LEB128 too long")

    def sleb(self) -> int:
        result = shift = 0
        while True:
            b = self.u8()
            result |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                if b & 0x40:
                    result -= 1 << shift
                return result
            if shift > 63:
                raise CfiError("LEB128 too long")

    def encoded(self, enc: int, datarel: int = 0) -> int:
        if enc == 0xFF:  # DW_EH_PE_omit
            return 0
        here = self.v0 + self.p
        fmt = enc & 0x0F
        if fmt == 0x00:
            v = self.fixed("<Q")
        elif fmt == 0x01:
            v = self.uleb()
        elif fmt == 0x02:
            v = self.fixed("<H")
        elif fmt == 0x03:
            v = self.fixed("<I")
        elif fmt == 0x04:
            v = self.fixed("<Q")
        elif fmt == 0x09:
            v = self.sleb()
        elif fmt == 0x0A:
            v = self.fixed("<h")
        elif fmt == 0x0B:
            v = self.fixed("<i")
        elif fmt == 0x0C:
            v = self.fixed("<q")
        else:
            raise CfiError(f"pointer encoding 0x{enc:x}")
        app = enc & 0x70
        if app == 0x10:
            v += here
        elif app == 0x30:
            v += datarel
        elif app != 0:
            raise CfiError(f"pointer application 0x{enc:x}")
        return v & 0xFFFFFFFFFFFFFFFF


class EhFrame:
    """`.eh_frame` of one ELF file; `row_for(vaddr)` gives the unwind row at a file vaddr."""

    def __init__(self, elf: ElfFile):
        self.elf = elf
        hdr = elf.section(".eh_frame_hdr")
        frame = elf.section(".eh_frame")
        self.ok = hdr is not None and frame is not None and hdr.size >= 12
        self._cies: dict[int, _Cie] = {}
        if not self.ok:
            return
        if frame.offset + frame.size > elf.size or hdr.offset + hdr.size > elf.size:
            self.ok = False
            return
        self.frame_data = memoryview(elf.data)[frame.offset: frame.offset + frame.size]
        self.frame_addr = frame.addr
        raw = memoryview(elf.data)[hdr.offset: hdr.offset + hdr.size]
        version, _ptr_enc, count_enc, table_enc = raw[0], raw[1], raw[2], raw[3]
        b = _Buf(raw, 4, hdr.addr)
        try:
            b.encoded(_ptr_enc, hdr.addr)
            count = b.encoded(count_enc, hdr.addr)
        except CfiError:
            self.ok = False
            return
        if version != 1 or table_enc != 0x3B or b.p + 8 * count > len(raw):  # datarel sdata4
            self.ok = False
            return
        table = np.frombuffer(raw, dtype="<i4", count=2 * count, offset=b.p).reshape(-1, 2)
        self._starts = table[:, 0].astype(np.int64) + hdr.addr
        self._fdes = table[:, 1].astype(np.int64) + hdr.addr

    def row_for(self, vaddr: int) -> Row | None:
        """The unwind row at `vaddr`, or None when no FDE covers it."""
        if not self.ok:
            return None
        i = int(np.searchsorted(self._starts, vaddr, side="right")) - 1
        if i < 0:
            return None
        try:
            return self._row(int(self._fdes[i]), vaddr)
        except (CfiError, struct.error, IndexError):
            return None

    def _row(self, fde_vaddr: int, pc: int) -> Row | None:
        pos = fde_vaddr - self.frame_addr
        if not 0 <= pos < len(self.frame_data):
            raise CfiError("FDE outside .eh_frame")
        b = _Buf(self.frame_data, pos, self.frame_addr)
        length = b.fixed("<I")
        if length in (0, 0xFFFFFFFF):
            raise CfiError("unsupported FDE length")
        end = b.p + length
        cie_ptr_pos = b.p
        cie_rel = b.fixed("<I")
        if cie_rel == 0:
            raise CfiError("a CIE where an FDE was expected")
        cie = self._cie(cie_ptr_pos - cie_rel)
        start = b.encoded(cie.fde_enc)
        size = b.encoded(cie.fde_enc & 0x0F)
        if not start <= pc < start + size:
            return None
        if cie.has_aug:
            b.p += b.uleb()
        row = Row(signal_frame=cie.signal)
        initial = _run(cie.initial, cie, row, None, start, pc)
        _run(bytes(self.frame_data[b.p:end]), cie, row, initial, start, pc)
        return row

    def _cie(self, pos: int) -> _Cie:
        cached = self._cies.get(pos)
        if cached is not None:
            return cached
        b = _Buf(self.frame_data, pos, self.frame_addr)
        length = b.fixed("<I")
        if length in (0, 0xFFFFFFFF):
            raise CfiError("unsupported CIE length")
        end = b.p + length
        if b.fixed("<I") != 0:
            raise CfiError("not a CIE")
        version = b.u8()
        aug_end = bytes(self.frame_data[b.p:end]).find(b"\0")
        if aug_end < 0:
            raise CfiError("CIE augmentation string")
        aug = bytes(self.frame_data[b.p:b.p + aug_end]).decode("ascii", "replace")
        b.p += aug_end + 1
        code_align, data_align = b.uleb(), b.sleb()
        ra = b.u8() if version == 1 else b.uleb()
        fde_enc, signal = 0, False
        if aug.startswith("z"):
            aug_len = b.uleb()
            aug_stop = b.p + aug_len
            for ch in aug[1:]:
                if ch == "R":
                    fde_enc = b.u8()
                elif ch == "P":
                    b.encoded(b.u8() & 0x7F)
                elif ch == "L":
                    b.u8()
                elif ch == "S":
                    signal = True
                else:
                    break
            b.p = aug_stop
        elif aug:
            raise CfiError(f"CIE augmentation {aug!r}")
        cie = _Cie(code_align, data_align, ra, fde_enc, signal, aug.startswith("z"),
                   bytes(self.frame_data[b.p:end]))
        self._cies[pos] = cie
        return cie


def _run(program: bytes, cie: _Cie, row: Row, initial: Row | None, loc: int, pc: int) -> Row:
    """Execute CFA instructions until the location passes `pc`; returns the state reached
    (the CIE's initial state when run on the CIE's program)."""
    b = _Buf(program, 0, 0)
    stack: list[Row] = []
    init = initial or row
    ca, da = cie.code_align, cie.data_align
    while b.p < len(program):
        op = b.u8()
        hi, low = op & 0xC0, op & 0x3F
        if hi == 0x40:
            loc += low * ca
            if loc > pc:
                break
            continue
        if hi == 0x80:
            row.rules[low] = (OFFSET, b.uleb() * da)
            continue
        if hi == 0xC0:
            _restore(row, init, low)
            continue
        if op == 0x00:
            continue
        if op in (0x02, 0x03, 0x04):
            loc += (b.u8() if op == 0x02 else b.fixed("<H") if op == 0x03 else b.fixed("<I")) * ca
            if loc > pc:
                break
        elif op == 0x01:
            raise CfiError("DW_CFA_set_loc")
        elif op == 0x05:
            reg = b.uleb()
            row.rules[reg] = (OFFSET, b.uleb() * da)
        elif op == 0x06:
            _restore(row, init, b.uleb())
        elif op == 0x07:
            row.rules[b.uleb()] = (UNDEFINED, None)
        elif op == 0x08:
            row.rules[b.uleb()] = (SAME, None)
        elif op == 0x09:
            reg = b.uleb()
            row.rules[reg] = (REGISTER, b.uleb())
        elif op == 0x0A:
            stack.append(row.copy())
        elif op == 0x0B:
            if not stack:
                raise CfiError("DW_CFA_restore_state without remember")
            saved = stack.pop()
            row.cfa_reg, row.cfa_offset, row.cfa_expr, row.rules = (
                saved.cfa_reg, saved.cfa_offset, saved.cfa_expr, saved.rules)
        elif op == 0x0C:
            row.cfa_reg, row.cfa_offset, row.cfa_expr = b.uleb(), b.uleb(), None
        elif op == 0x0D:
            row.cfa_reg, row.cfa_expr = b.uleb(), None
        elif op == 0x0E:
            row.cfa_offset = b.uleb()
        elif op == 0x0F:
            n = b.uleb()
            row.cfa_expr = bytes(program[b.p:b.p + n])
            b.p += n
        elif op in (0x10, 0x16):
            reg, n = b.uleb(), b.uleb()
            row.rules[reg] = (EXPRESSION if op == 0x10 else VAL_EXPRESSION, bytes(program[b.p:b.p + n]))
            b.p += n
        elif op == 0x11:
            reg = b.uleb()
            row.rules[reg] = (OFFSET, b.sleb() * da)
        elif op == 0x12:
            row.cfa_reg, row.cfa_offset, row.cfa_expr = b.uleb(), b.sleb() * da, None
        elif op == 0x13:
            row.cfa_offset = b.sleb() * da
        elif op == 0x14:
            reg = b.uleb()
            row.rules[reg] = (VAL_OFFSET, b.uleb() * da)
        elif op == 0x15:
            reg = b.uleb()
            row.rules[reg] = (VAL_OFFSET, b.sleb() * da)
        elif op == 0x2E:  # DW_CFA_GNU_args_size
            b.uleb()
        elif op == 0x2F:  # DW_CFA_GNU_negative_offset_extended
            reg = b.uleb()
            row.rules[reg] = (OFFSET, -b.uleb() * da)
        else:
            raise CfiError(f"CFA instruction 0x{op:x}")
    return row.copy()


def _restore(row: Row, init: Row, reg: int) -> None:
    if reg in init.rules:
        row.rules[reg] = init.rules[reg]
    else:
        row.rules.pop(reg, None)


def evaluate(expr: bytes, regs: dict[int, int], read_u64, push: int | None = None) -> int:
    """Value of a DWARF expression (the subset CFI uses); `push` starts the stack."""
    b = _Buf(expr, 0, 0)
    stack: list[int] = [] if push is None else [push]
    mask = 0xFFFFFFFFFFFFFFFF

    def pop() -> int:
        if not stack:
            raise CfiError("DWARF expression stack underflow")
        return stack.pop()

    while b.p < len(expr):
        op = b.u8()
        if 0x70 <= op <= 0x8F:  # DW_OP_bregN
            reg = op - 0x70
            if reg not in regs:
                raise CfiError(f"register {reg} unknown")
            stack.append((regs[reg] + b.sleb()) & mask)
        elif 0x30 <= op <= 0x4F:  # DW_OP_litN
            stack.append(op - 0x30)
        elif 0x50 <= op <= 0x6F:  # DW_OP_regN
            reg = op - 0x50
            if reg not in regs:
                raise CfiError(f"register {reg} unknown")
            stack.append(regs[reg])
        elif op == 0x06:  # deref
            value = read_u64(pop())
            if value is None:
                raise CfiError("expression reads unmapped memory")
            stack.append(value)
        elif op == 0x08:
            stack.append(b.u8())
        elif op == 0x09:
            stack.append(b.fixed("<b") & mask)
        elif op == 0x0A:
            stack.append(b.fixed("<H"))
        elif op == 0x0B:
            stack.append(b.fixed("<h") & mask)
        elif op == 0x0C:
            stack.append(b.fixed("<I"))
        elif op == 0x0D:
            stack.append(b.fixed("<i") & mask)
        elif op == 0x10:
            stack.append(b.uleb())
        elif op == 0x11:
            stack.append(b.sleb() & mask)
        elif op == 0x12:  # dup
            v = pop()
            stack += [v, v]
        elif op == 0x1A:
            stack.append(pop() & pop())
        elif op == 0x1C:
            top = pop()
            stack.append((pop() - top) & mask)
        elif op == 0x22:
            stack.append((pop() + pop()) & mask)
        elif op == 0x23:
            stack.append((pop() + b.uleb()) & mask)
        elif op == 0x24:
            top = pop()
            stack.append((pop() << top) & mask)
        elif 0x29 <= op <= 0x2E:  # eq ge gt le lt ne (unsigned compare is enough here)
            top, nxt = pop(), pop()
            res = {0x29: nxt == top, 0x2A: nxt >= top, 0x2B: nxt > top,
                   0x2C: nxt <= top, 0x2D: nxt < top, 0x2E: nxt != top}[op]
            stack.append(int(res))
        else:
            raise CfiError(f"DWARF expression op 0x{op:x}")
    return pop()
