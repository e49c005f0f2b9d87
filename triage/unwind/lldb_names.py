"""Names, inlined frames and file:line from DWARF, through lldb, for code that has DWARF.

Only lldb's symbol lookup is used, on the files themselves (no core, no process), so
none of its unwinding runs: a file target costs 0.2-0.3 s and a lookup microseconds.
Asked for pcs inside a DWARF compile unit (`.debug_aranges`), i.e. glibc with its
debug file installed and libuv inside node, and for other pcs of a file with
`.debug_info` (whose aranges may leave CUs out: Node 26's libuv thread.c), where lldb's
answer is used only if it finds a compile unit; everything else is named from the ELF
symbol tables. Without lldb, names come from the symbol tables and inlined frames are
not shown (said in the capability).

What lldb said about a pc of a file with a given GNU build-id never changes, so it is
kept in `~/.cache/triage/symbols/<build-id>.json` (0600; `$TRIAGE_SYMBOL_CACHE` moves it,
`off` disables it): a pipeline that sees the same node build again never imports lldb.
The cache holds only names from local binaries, nothing from a core.
"""

from __future__ import annotations

import json
import os
import struct
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

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


def cache_dir() -> Path | None:
    where = os.environ.get("TRIAGE_SYMBOL_CACHE")
    if where == "off":
        return None
    if where:
        return Path(where)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "triage" / "symbols"


class LldbNames:
    """Lazily made lldb file targets, one per module that has DWARF; answers cached."""

    def __init__(self) -> None:
        self._cache_dir = cache_dir()
        self._cache: dict[str, dict[str, dict]] = {}  # build-id -> {hex vaddr: Place}
        self._dirty: set[str] = set()
        self.missed = 0
        self._lldb = None
        self._debugger = None
        self._targets: dict[str, object] = {}
        self._ranges: dict[str, np.ndarray | None] = {}
        self._has_info: dict[str, bool] = {}
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

    def has_dwarf(self, module: Module) -> bool:
        """The file (or its debug file) has .debug_info: code outside .debug_aranges may
        still be in a compile unit (Node 26's node lists libuv's thread.c in .debug_info
        but not in .debug_aranges, and lldb finds it through the CU's own ranges)."""
        if module.path not in self._has_info:
            self._has_info[module.path] = any(
                e is not None and (s := e.section(".debug_info")) is not None and s.type != 8
                for e in (module.elf, module.debug))
        return self._has_info[module.path]

    def place(self, module: Module, vaddr: int) -> Place | None:
        place = self._place(module, vaddr)
        if place is None and self.error is not None:
            self.missed += 1  # DWARF code named from the symbol table instead
        return place

    def probe(self, module: Module, vaddr: int) -> Place | None:
        """lldb's answer for a pc outside .debug_aranges, only when lldb places it in a
        compile unit (else None: the symbol table names it, as lldb would). Cached like
        `place`; without lldb nothing is counted missing (we cannot tell it is DWARF)."""
        return self._place(module, vaddr, need_cu=True)

    def _place(self, module: Module, vaddr: int, need_cu: bool = False) -> Place | None:
        build_id = module.elf.build_id
        known = self._cached(build_id) if build_id else None
        if known is not None and f"{vaddr:x}" in known:
            hit = known[f"{vaddr:x}"]
            try:
                return Place(**hit) if hit else None
            except TypeError:
                pass  # a damaged cache entry: ask lldb again
        place = self._ask_lldb(module, vaddr, need_cu)
        if known is not None and (place is not None or self.error is None):
            known[f"{vaddr:x}"] = asdict(place) if place else None
            self._dirty.add(build_id)
        return place

    def _cached(self, build_id: str) -> dict | None:
        if self._cache_dir is None or not all(c in "0123456789abcdef" for c in build_id):
            return None
        if build_id not in self._cache:
            try:
                data = json.loads((self._cache_dir / f"{build_id}.json").read_text())
                self._cache[build_id] = data if isinstance(data, dict) else {}
            except (OSError, ValueError):
                self._cache[build_id] = {}
        return self._cache[build_id]

    def save(self) -> None:
        """Write back what lldb answered this run (best effort: a read-only home only
        costs the next run the lldb lookups again)."""
        if self._cache_dir is None:
            return
        for build_id in self._dirty:
            try:
                self._cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
                fd, tmp = tempfile.mkstemp(dir=self._cache_dir, prefix=".sym.")
                with os.fdopen(fd, "w") as f:
                    json.dump(self._cache[build_id], f)
                os.replace(tmp, self._cache_dir / f"{build_id}.json")
            except OSError:
                continue
        self._dirty.clear()

    def _ask_lldb(self, module: Module, vaddr: int, need_cu: bool = False) -> Place | None:
        target = self._target(module)
        if target is None:
            return None
        lldb = self._lldb
        addr = target.ResolveFileAddress(vaddr)
        ctx = target.ResolveSymbolContextForAddress(addr, lldb.eSymbolContextEverything)
        if need_cu and not ctx.GetCompileUnit().IsValid():
            return None
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
