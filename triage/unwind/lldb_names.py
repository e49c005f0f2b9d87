"""Names, inlined frames and file:line from DWARF, through lldb, for code that has DWARF.

Only lldb's symbol lookup is used, on the files themselves (no core, no process), so
none of its unwinding runs: a file target costs 0.2-0.3 s and a lookup microseconds.
Asked only for pcs inside a DWARF compile unit (`.debug_aranges`), i.e. glibc with its
debug file installed and libuv inside node; everything else is named from the ELF
symbol tables. Without lldb, names come from the symbol tables and inlined frames are
not shown (said in the capability).
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass

import numpy as np

from triage.coredump import ElfFile
from triage.unwind.modules import Module


@dataclass
class Place:
    """What lldb knows at one pc: functions innermost first (inlined ones, then the
    concrete one) and the innermost line."""

    functions: list[str]
    file: str | None = None
    line: int | None = None


def dwarf_ranges(elf: ElfFile | None) -> np.ndarray | None:
    """(n, 2) sorted [start, end) file vaddrs covered by DWARF CUs, from .debug_aranges."""
    if elf is None:
        return None
    sec = elf.section(".debug_aranges")
    if sec is None or sec.type == 8 or sec.offset + sec.size > elf.size:  # 8: SHT_NOBITS
        return None
    data = _section_bytes(memoryview(elf.data)[sec.offset: sec.offset + sec.size])
    if data is None:
        return None
    rows = []
    pos = 0
    while pos + 12 <= len(data):
        length = struct.unpack_from("<I", data, pos)[0]
        if length == 0 or length >= 0xFFFFFFF0:
            break
        end = pos + 4 + length
        addr_size = data[pos + 10]
        if addr_size != 8:
            pos = end
            continue
        p = pos + 12
        p += (-p) % 16  # tuples are aligned to twice the address size
        while p + 16 <= min(end, len(data)):
            start, size = struct.unpack_from("<QQ", data, p)
            p += 16
            if start == 0 and size == 0:
                break
            if size:
                rows.append((start, start + size))
        pos = end
    if not rows:
        return None
    return np.array(sorted(rows), dtype=np.uint64)


def _section_bytes(raw: memoryview) -> memoryview | None:
    """A section's bytes, decompressed when it is SHF_COMPRESSED (debug files are).

    An uncompressed .debug_aranges starts with a unit length far above 2, so a first
    word of 1 (zlib) or 2 (zstd) can only be an Elf64_Chdr."""
    if len(raw) < 24:
        return raw
    kind, _, size = struct.unpack_from("<IIQ", raw, 0)
    if kind not in (1, 2):
        return raw
    if size > 256 << 20:
        return None
    try:
        if kind == 1:
            import zlib

            out = zlib.decompressobj().decompress(bytes(raw[24:]), size)
        else:
            import zstandard

            out = zstandard.ZstdDecompressor().decompress(bytes(raw[24:]), max_output_size=size)
    except Exception:  # noqa: BLE001 - any malformed stream only costs the DWARF names
        return None
    return memoryview(out)


class LldbNames:
    """Lazily made lldb file targets, one per module that has DWARF."""

    def __init__(self) -> None:
        self._lldb = None
        self._debugger = None
        self._targets: dict[str, object] = {}
        self._ranges: dict[str, np.ndarray | None] = {}
        self.error: str | None = None

    def covers(self, module: Module, vaddr: int) -> bool:
        if module.path not in self._ranges:
            ranges = dwarf_ranges(module.debug)
            own = dwarf_ranges(module.elf)
            both = [r for r in (ranges, own) if r is not None]
            self._ranges[module.path] = np.concatenate(both) if both else None
            if len(both) == 2:
                self._ranges[module.path] = np.sort(self._ranges[module.path], axis=0)
        ranges = self._ranges[module.path]
        if ranges is None or not len(ranges):
            return False
        i = int(np.searchsorted(ranges[:, 0], np.uint64(vaddr), side="right")) - 1
        return i >= 0 and vaddr < int(ranges[i, 1])

    def place(self, module: Module, vaddr: int) -> Place | None:
        target = self._target(module)
        if target is None:
            return None
        lldb = self._lldb
        addr = target.ResolveFileAddress(vaddr)
        ctx = target.ResolveSymbolContextForAddress(addr, lldb.eSymbolContextEverything)
        names = []
        block = ctx.GetBlock()
        while block and block.IsValid():
            if block.IsInlined() and block.GetInlinedName():
                names.append(block.GetInlinedName())
            block = block.GetParent()
        fn = ctx.GetFunction()
        concrete = fn.GetName() if fn.IsValid() else None
        if not concrete and ctx.GetSymbol().IsValid():
            concrete = ctx.GetSymbol().GetName()
        if not concrete:
            return None
        names.append(concrete)
        line = ctx.GetLineEntry()
        file = line.GetFileSpec().GetFilename() if line.IsValid() else None
        number = line.GetLine() if line.IsValid() and 0 < line.GetLine() < 1 << 31 else None
        return Place(names, file, number)

    def _target(self, module: Module):  # noqa: ANN202
        if self.error is not None:
            return None
        if module.path in self._targets:
            return self._targets[module.path]
        if self._debugger is None:
            from triage.errors import TriageError
            from triage.lldb_support import import_lldb

            try:
                self._lldb = import_lldb()
            except TriageError as e:
                self.error = str(e)
                return None
            self._debugger = self._lldb.SBDebugger.Create()
            self._debugger.SetAsync(False)
        target = self._debugger.CreateTarget(os.fspath(module.elf.path))
        self._targets[module.path] = target if target.IsValid() else None
        return self._targets[module.path]
