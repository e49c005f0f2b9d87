"""Names, inlined frames and file:line from DWARF, through lldb, for code that has DWARF.

Only lldb's symbol lookup is used, on the files themselves (no core, no process), so
none of its unwinding runs: a file target costs 0.2-0.3 s and a lookup microseconds. The
pcs are collected first (`want`) and asked all at once (`resolve`) from a child process
(`triage.lldb_symbols`), so lldb's memory never stays in the analysing process.
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
        self._pending: dict[tuple[str, int], tuple[Module, bool]] = {}
        self._answers: dict[tuple[str, int], Place | None] = {}
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

    def want(self, module: Module, vaddr: int, need_cu: bool = False) -> None:
        """Note a pc to name; `resolve()` asks lldb about every noted pc the cache lacks.
        `need_cu`: a pc outside .debug_aranges, whose answer counts only if lldb places it
        in a compile unit (else the symbol table names it, as lldb would)."""
        if self._known(module, vaddr) is None and (module.path, vaddr) not in self._pending:
            self._pending[(module.path, vaddr)] = (module, need_cu)

    def resolve(self) -> None:
        """Ask lldb, in one child process (`triage.lldb_symbols`), about the pending pcs."""
        if not self._pending or self.error is not None:
            return
        from triage.lldb_symbols import lookup

        pending = list(self._pending.items())
        requests = [{"path": os.fspath(module.elf.path), "vaddr": vaddr, "need_cu": need_cu}
                    for (_, vaddr), (module, need_cu) in pending]
        answers, self.error = lookup(requests)
        if self.error is not None:
            return
        self._pending.clear()
        for ((path, vaddr), (module, _)), hit in zip(pending, answers, strict=True):
            place = _as_place(hit)
            self._answers[(path, vaddr)] = place
            build_id = module.elf.build_id
            known = self._cached(build_id) if build_id else None
            if known is not None:
                known[f"{vaddr:x}"] = asdict(place) if place else None
                self._dirty.add(build_id)

    def place(self, module: Module, vaddr: int) -> Place | None:
        """The answer for a pc inside .debug_aranges (after `resolve()`); a pc lldb could not
        be asked about is counted as named from the symbol table instead."""
        found = self._known(module, vaddr)
        if found is None:
            self.missed += self.error is not None
            return None
        return found[0]

    def probe(self, module: Module, vaddr: int) -> Place | None:
        """The answer for a pc outside .debug_aranges: None unless lldb placed it in a CU
        (without lldb nothing is counted missing: we cannot tell it is DWARF)."""
        found = self._known(module, vaddr)
        return None if found is None else found[0]

    def _known(self, module: Module, vaddr: int) -> tuple[Place | None] | None:
        """(answer,) when this run or the cache has one, else None."""
        if (module.path, vaddr) in self._answers:
            return (self._answers[(module.path, vaddr)],)
        build_id = module.elf.build_id
        known = self._cached(build_id) if build_id else None
        if known is not None and f"{vaddr:x}" in known:
            hit = known[f"{vaddr:x}"]
            if hit is None:
                return (None,)
            place = _as_place(hit)
            if place is not None:
                return (place,)  # a damaged entry falls through: ask lldb again
        return None

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


def _as_place(hit: object) -> Place | None:
    """A Place from a cached or fresh answer; None for no answer or a damaged one."""
    if not isinstance(hit, dict):
        return None
    try:
        place = Place(**hit)
    except TypeError:
        return None
    ok = isinstance(place.functions, list) and place.functions and all(
        isinstance(f, str) for f in place.functions)
    return place if ok else None
