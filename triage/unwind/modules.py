"""The code a core's threads ran: each mapped ELF file, read from this machine.

A pc is placed by the core's NT_FILE mappings (start, end, file offset, path), so the
node binary's second mapping of its embedded builtins (V8 12+) resolves like any other.
A library is used only when its GNU build-id matches the one in the core's memory; its
symbols come from its own .symtab/.dynsym or, when installed, the separate debug file
(`/usr/lib/debug/.build-id/xx/yyyy.debug`, as lldb and gdb find it).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from triage.coredump import CoreFile, ElfFile
from triage.coredump.elf import SHT_DYNSYM, SHT_SYMTAB, read_build_id_from_memory
from triage.errors import TriageError
from triage.unwind.cfi import EhFrame

DEBUG_ROOTS = (Path("/usr/lib/debug/.build-id"),)
_SYM_DTYPE = np.dtype([("name", "<u4"), ("info", "u1"), ("other", "u1"), ("shndx", "<u2"),
                       ("value", "<u8"), ("size", "<u8")])
_STT_FUNC, _STT_GNU_IFUNC, _STB_LOCAL = 2, 10, 0


class SymbolTable:
    """Function symbols of one ELF file by address; aliases resolved once per lookup."""

    def __init__(self, elves: list[ElfFile]):
        rows = []
        self._names: list[memoryview] = []
        for elf in elves:
            for kind in (SHT_SYMTAB, SHT_DYNSYM):
                table = next((s for s in elf.sections if s.type == kind), None)
                if table is None or table.link >= len(elf.sections):
                    continue
                strtab = elf.sections[table.link]
                if table.offset + table.size > elf.size or strtab.offset + strtab.size > elf.size:
                    continue
                syms = np.frombuffer(elf.data, dtype=_SYM_DTYPE, count=table.size // 24, offset=table.offset)
                kind_ = syms["info"] & 0xF
                keep = ((kind_ == _STT_FUNC) | (kind_ == _STT_GNU_IFUNC)) & (syms["shndx"] != 0) \
                    & (syms["value"] != 0) & (syms["name"] != 0)
                s = syms[keep]
                rows.append((s["value"], s["size"], s["name"], (s["info"] >> 4) == _STB_LOCAL,
                             np.full(len(s), len(self._names), dtype=np.int32)))
                self._names.append(memoryview(elf.data)[strtab.offset: strtab.offset + strtab.size])
        if rows:
            value, size, name, local, table_ix = (np.concatenate(c) for c in zip(*rows, strict=True))
            order = np.lexsort((~local, value))
            self.value, self.size, self.name = value[order], size[order], name[order]
            self.local, self.table = local[order], table_ix[order]
        else:
            self.value = np.zeros(0, dtype=np.uint64)

    def lookup(self, vaddr: int) -> str | None:
        """Name of the function covering `vaddr` (mangled); among aliases at one address
        the file-local symbol wins (glibc's `__GI_raise` over `raise`, as lldb shows)."""
        if not len(self.value):
            return None
        i = int(np.searchsorted(self.value, np.uint64(vaddr), side="right")) - 1
        if i < 0:
            return None
        start = int(self.value[i])
        j = int(np.searchsorted(self.value, np.uint64(start), side="left"))
        # aliases are sorted local first; prefer a sized symbol that covers vaddr
        for k in range(j, i + 1):
            size = int(self.size[k])
            if size and vaddr < start + size:
                return self._name(k)
        if int(self.size[j]) == 0:
            return self._name(j)
        return None

    def _name(self, k: int) -> str:
        strtab = self._names[int(self.table[k])]
        off = int(self.name[k])
        end = bytes(strtab[off: off + 4096]).find(b"\0")
        return bytes(strtab[off: off + (end if end >= 0 else 4096)]).decode("utf-8", "replace")


@dataclass
class Module:
    path: str
    elf: ElfFile
    debug: ElfFile | None = None
    _cfi: EhFrame | None = None
    _symbols: SymbolTable | None = None

    @property
    def name(self) -> str:
        return Path(self.path).name

    @property
    def cfi(self) -> EhFrame:
        if self._cfi is None:
            self._cfi = EhFrame(self.elf)
        return self._cfi

    @property
    def symbols(self) -> SymbolTable:
        if self._symbols is None:
            self._symbols = SymbolTable([e for e in (self.elf, self.debug) if e is not None])
        return self._symbols


@dataclass
class ModuleMap:
    """pc -> (module, file vaddr) for every file-backed mapping of the core."""

    core: CoreFile
    modules: dict[str, Module] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    _starts: list[int] = field(default_factory=list)
    _maps: list = field(default_factory=list)

    @classmethod
    def build(cls, core: CoreFile, binary: ElfFile) -> ModuleMap:
        mm = cls(core)
        exe = core.executable_mapping()
        by_path: dict[str, list] = {}
        for m in core.mappings:
            by_path.setdefault(m.path, []).append(m)
        for path, maps in by_path.items():
            if exe is not None and path == exe.path:
                mm.modules[path] = Module(path, binary, _debug_file(binary))
                continue
            elf = _open_matching(core, path, min(maps, key=lambda m: m.file_offset), mm.problems)
            if elf is not None:
                mm.modules[path] = Module(path, elf, _debug_file(elf))
        mm._maps = sorted((m for m in core.mappings if m.path in mm.modules), key=lambda m: m.start)
        mm._starts = [m.start for m in mm._maps]
        return mm

    def locate(self, pc: int) -> tuple[Module, int] | None:
        i = bisect.bisect_right(self._starts, pc) - 1
        if i < 0 or pc >= self._maps[i].end:
            return None
        m = self._maps[i]
        module = self.modules[m.path]
        vaddr = module.elf.vaddr_of_offset(m.file_offset + pc - m.start)
        return (module, vaddr) if vaddr is not None else None

    def mapped_file(self, pc: int) -> str | None:
        """Path of the file mapped at pc, used or not (for naming frames we cannot read)."""
        for m in self.core.mappings:
            if m.start <= pc < m.end:
                return m.path
        return None


def _open_matching(core: CoreFile, path: str, first, problems: list[str]) -> ElfFile | None:
    local = Path(path)
    if not local.is_file() or local.stat().st_size < 64:
        return None
    try:
        with open(local, "rb") as f:
            if f.read(4) != b"\x7fELF":
                return None
        elf = ElfFile(local)
    except (TriageError, OSError):
        return None
    in_core = read_build_id_from_memory(core.try_read, first.start) if first.file_offset == 0 else None
    if in_core is not None and elf.build_id is not None and in_core != elf.build_id:
        problems.append(f"{local.name} on this machine is not the build the process used "
                        "(build-ids differ); its frames are unwound by frame pointers and not named")
        elf.close()
        return None
    return elf


def _debug_file(elf: ElfFile) -> ElfFile | None:
    build_id = elf.build_id
    if not build_id or len(build_id) < 4:
        return None
    for root in DEBUG_ROOTS:
        candidate = root / build_id[:2] / f"{build_id[2:]}.debug"
        if candidate.is_file():
            try:
                return ElfFile(candidate)
            except TriageError:
                return None
    return None
