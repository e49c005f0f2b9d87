"""A Linux x86-64 core file: its notes (threads, signal, mappings) and its memory.

Memory is read straight from the mmap of the core (PT_LOAD segments). Pages the
kernel did not dump because they are file-backed and unmodified (code, rodata)
are read from the mapped file itself when the caller attaches it, e.g. the node
binary. Heap analyses use `segments_array()` and `view()` for zero-copy bulk
access; single reads go through `read()`.
"""

from __future__ import annotations

import bisect
import errno
import mmap
import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from triage.coredump.elf import EM_X86_64, ET_CORE, PT_LOAD, ElfFile, read_build_id_from_memory
from triage.errors import InputDamaged, InputUnrecognized

NT_PRSTATUS, NT_PRPSINFO, NT_AUXV = 1, 3, 6
NT_SIGINFO, NT_FILE = 0x53494749, 0x46494C45
AT_EXECFN = 31

# user_regs_struct, in the order the kernel writes it into NT_PRSTATUS.
REGISTER_NAMES = (
    "r15 r14 r13 r12 rbp rbx r11 r10 r9 r8 rax rcx rdx rsi rdi orig_rax "
    "rip cs eflags rsp ss fs_base gs_base ds es fs gs"
).split()
_PRSTATUS_REGS = 112
# Smallest descriptor each note we read must have (x86-64 kernel layouts): a shorter one is a
# damaged core (exit 5), never a struct.error.
_MIN_DESC = {NT_PRSTATUS: _PRSTATUS_REGS + 27 * 8, NT_PRPSINFO: 136, NT_SIGINFO: 24, NT_FILE: 16}
_NOTE_NAMES = {NT_PRSTATUS: "NT_PRSTATUS", NT_PRPSINFO: "NT_PRPSINFO", NT_SIGINFO: "NT_SIGINFO",
               NT_FILE: "NT_FILE"}


class UnmappedRead(LookupError):
    """The address is not in the core's memory (nor in an attached file)."""


@dataclass(frozen=True)
class FileMapping:
    start: int
    end: int
    file_offset: int
    path: str


@dataclass
class ThreadStatus:
    tid: int
    signal: int
    registers: dict[str, int]


@dataclass
class SigInfo:
    signo: int
    errno: int
    code: int
    address: int | None  # si_addr for fault signals
    sender_pid: int | None  # si_pid for signals sent by a process


@dataclass
class PsInfo:
    pid: int
    ppid: int
    uid: int
    fname: str
    psargs: str


@dataclass
class _Backing:
    start: int
    end: int
    data: object  # mmap or bytes-like
    offset: int


@dataclass
class CoreFile:
    """Notes and memory of one core file."""

    path: Path
    elf: ElfFile
    threads: list[ThreadStatus] = field(default_factory=list)
    siginfo: SigInfo | None = None
    psinfo: PsInfo | None = None
    auxv: dict[int, int] = field(default_factory=dict)
    mappings: list[FileMapping] = field(default_factory=list)

    @classmethod
    def open(cls, path: str | Path) -> CoreFile:
        elf = ElfFile(path)
        if elf.type != ET_CORE:
            raise InputUnrecognized(f"{path} is an ELF file but not a core dump")
        if elf.machine != EM_X86_64:
            raise InputUnrecognized(f"{path} is a core dump of machine type {elf.machine}; "
                                    "triage reads x86-64 cores")
        core = cls(Path(path), elf)
        core._check_complete()
        core._read_notes()
        core._index_memory()
        return core

    def _check_complete(self) -> None:
        needed = max((s.offset + s.filesz for s in self.elf.segments), default=0)
        if needed > self.elf.size:
            raise InputDamaged(
                f"{self.path} is truncated: {self.elf.size} of {needed} bytes present "
                "(was the dump cut short by a size limit or an interrupted copy?)"
            )

    # -- notes -----------------------------------------------------------------

    def _read_notes(self) -> None:
        for note in self.elf.notes():
            desc = note.desc
            need = _MIN_DESC.get(note.type)
            if need is not None and len(desc) < need and (note.name == b"CORE" or
                                                          note.type in (NT_SIGINFO, NT_FILE)):
                raise InputDamaged(
                    f"{self.path} is damaged: its {_NOTE_NAMES[note.type]} note has {len(desc)} "
                    f"bytes, at least {need} expected")
            if note.type == NT_PRSTATUS and note.name == b"CORE":
                signal = struct.unpack_from("<h", desc, 12)[0]
                tid = struct.unpack_from("<I", desc, 32)[0]
                regs = struct.unpack_from("<27Q", desc, _PRSTATUS_REGS)
                self.threads.append(ThreadStatus(tid, signal, dict(zip(REGISTER_NAMES, regs, strict=True))))
            elif note.type == NT_PRPSINFO and note.name == b"CORE":
                uid, _, pid, ppid = struct.unpack_from("<IIii", desc, 16)
                fname = bytes(desc[40:56]).split(b"\0")[0].decode("utf-8", "replace")
                psargs = bytes(desc[56:136]).split(b"\0")[0].decode("utf-8", "replace")
                self.psinfo = PsInfo(pid, ppid, uid, fname, psargs.strip())
            elif note.type == NT_SIGINFO:
                signo, errno, code = struct.unpack_from("<iii", desc, 0)
                addr = struct.unpack_from("<Q", desc, 16)[0]
                pid = struct.unpack_from("<i", desc, 16)[0]
                fault = signo in (4, 7, 8, 11)  # SIGILL, SIGBUS, SIGFPE, SIGSEGV
                sent = code <= 0  # SI_USER, SI_TKILL, SI_QUEUE...: sent by a process
                self.siginfo = SigInfo(signo, errno, code, addr if fault and not sent else None,
                                       pid if sent else None)
            elif note.type == NT_AUXV:
                words = np.frombuffer(desc[: len(desc) // 16 * 16], dtype="<u8")
                self.auxv = {int(k): int(v) for k, v in zip(words[0::2], words[1::2], strict=True) if k}
            elif note.type == NT_FILE:
                self.mappings = _parse_nt_file(desc, self.path)

    @property
    def pid(self) -> int | None:
        if self.psinfo:
            return self.psinfo.pid
        return self.threads[0].tid if self.threads else None

    def executable_mapping(self) -> FileMapping | None:
        """The mapping of the main executable: the file mapped at offset 0 holding AT_ENTRY."""
        entry = self.auxv.get(9)  # AT_ENTRY
        by_path: dict[str, list[FileMapping]] = {}
        for m in self.mappings:
            by_path.setdefault(m.path, []).append(m)
        for maps in by_path.values():
            if entry is not None and any(m.start <= entry < m.end for m in maps):
                return min(maps, key=lambda m: m.start)
        return self.mappings[0] if self.mappings else None

    def executable_build_id(self) -> str | None:
        mapping = self.executable_mapping()
        if mapping is None:
            return None
        return read_build_id_from_memory(self.try_read, mapping.start)

    # -- memory ----------------------------------------------------------------

    def _index_memory(self) -> None:
        loads = sorted(
            (s for s in self.elf.segments if s.type == PT_LOAD and s.filesz), key=lambda s: s.vaddr
        )
        self._backings = [_Backing(s.vaddr, s.vaddr + s.filesz, self.elf.data, s.offset) for s in loads]
        self._starts = [b.start for b in self._backings]
        self._file_backings: list[_Backing] = []
        self._file_starts: list[int] = []
        # The V8 reader makes ~70,000 small reads of a small core, most in the segment of the
        # read before: `_locate` tries that one first. Only where dumped segments do not
        # overlap (a damaged core's may), so the answer is the one bisect would give.
        self._last: tuple[int, int, object, int] | None = None
        pairs = zip(self._backings, self._backings[1:], strict=False)
        self._last_ok = all(a.end <= b.start for a, b in pairs)

    def attach_file(self, core_path: str, local: ElfFile) -> int:
        """Serve undumped pages of `core_path`'s mappings from the local copy `local`."""
        added = 0
        for m in self.mappings:
            if m.path != core_path:
                continue
            self._file_backings.append(_Backing(m.start, m.end, local.data, m.file_offset))
            added += 1
        self._file_backings.sort(key=lambda b: b.start)
        self._file_starts = [b.start for b in self._file_backings]
        return added

    def _locate(self, addr: int, size: int) -> tuple[object, int] | None:
        last = self._last
        if last is not None and last[0] <= addr and addr + size <= last[1]:
            return last[2], last[3] + (addr - last[0])
        for starts, backings in ((self._starts, self._backings), (self._file_starts, self._file_backings)):
            i = bisect.bisect_right(starts, addr) - 1
            if i >= 0:
                b = backings[i]
                if addr + size <= b.end:
                    off = b.offset + (addr - b.start)
                    if off + size <= len(b.data):
                        if self._last_ok and backings is self._backings:
                            end = min(b.end, b.start + len(b.data) - b.offset)
                            self._last = (b.start, end, b.data, b.offset)
                        return b.data, off
        return None

    def read(self, addr: int, size: int) -> bytes:
        hit = self._locate(addr, size)
        if hit is None:
            raise UnmappedRead(f"0x{addr:x}+{size} is not in the core")
        data, off = hit
        return bytes(data[off : off + size])

    def try_read(self, addr: int, size: int) -> bytes | None:
        hit = self._locate(addr, size)
        if hit is None:
            return None
        data, off = hit
        return bytes(data[off : off + size])

    def u64(self, addr: int) -> int:
        hit = self._locate(addr, 8)
        if hit is None:
            raise UnmappedRead(f"0x{addr:x} is not in the core")
        data, off = hit
        return int.from_bytes(data[off : off + 8], "little")

    def cstring(self, addr: int, limit: int = 4096) -> str | None:
        """A NUL-terminated string, cut at `limit` bytes or at the end of its segment."""
        for starts, backings in ((self._starts, self._backings), (self._file_starts, self._file_backings)):
            i = bisect.bisect_right(starts, addr) - 1
            if i >= 0 and addr < backings[i].end:
                b = backings[i]
                off = b.offset + (addr - b.start)
                raw = bytes(b.data[off : off + min(limit, b.end - addr)])
                end = raw.find(b"\0")
                return (raw if end < 0 else raw[:end]).decode("utf-8", "replace")
        return None

    def segments_array(self) -> np.ndarray:
        """Dumped memory as an (n, 3) uint64 array of (start, end, file offset), sorted."""
        return np.array([(b.start, b.end, b.offset) for b in self._backings], dtype=np.uint64).reshape(-1, 3)

    def data_segments_array(self) -> np.ndarray:
        """`segments_array()` without the holes of a sparse core file, for whole-core scans.

        The kernel writes the pages of a mapping that the process never touched as holes
        (Node 24/26 reserve ~500 MiB that way): they read as zeros, which no scan matches,
        yet reading them through the mmap costs a page of RSS each. Holes shorter than
        `_MIN_HOLE` stay in (fewer, longer pieces). Where the file system cannot report
        holes, every dumped byte is data."""
        cached = self.__dict__.get("_data_segments")
        if cached is not None:
            return cached
        extents = _data_extents(self.elf._file.fileno(), self.elf.size)
        segs = self.segments_array()
        if extents is None:
            out = segs
        else:
            rows = []
            for start, end, off in segs.tolist():
                f0, f1 = off, off + (end - start)
                i = bisect.bisect_right(extents, (f0, 1 << 64)) - 1
                i = max(i, 0)
                while i < len(extents) and extents[i][0] < f1:
                    a, b = max(extents[i][0], f0), min(extents[i][1], f1)
                    if a < b:
                        rows.append((start + a - off, start + b - off, a))
                    i += 1
            out = np.array(rows, dtype=np.uint64).reshape(-1, 3)
        self.__dict__["_data_segments"] = out
        return out

    def drop_pages(self, offset: int, size: int) -> None:
        """Take [offset, offset+size) of the core file out of RSS after a one-pass scan of a
        big piece (`MADV_DONTNEED`; the mapping is read-only and file-backed, so a later read
        faults the same bytes back in). Pieces under `_DROP_MIN` are left alone."""
        data = self.elf.data
        if size < _DROP_MIN or not isinstance(data, mmap.mmap) or not hasattr(mmap, "MADV_DONTNEED"):
            return
        start = offset - offset % mmap.PAGESIZE
        length = min(size + offset - start, len(data) - start)
        if length > 0:
            try:
                data.madvise(mmap.MADV_DONTNEED, start, length)
            except (OSError, ValueError):
                pass

    def view(self, start: int, end: int) -> np.ndarray | None:
        """Zero-copy uint8 view of [start, end) if it lies inside one dumped segment."""
        hit = self._locate(start, end - start)
        if hit is None:
            return None
        data, off = hit
        return np.frombuffer(data, dtype=np.uint8, count=end - start, offset=off)

    # -- process start-up data ---------------------------------------------------

    def argv_and_environ(self) -> tuple[list[str], dict[str, str]] | None:
        """argv and environ as the kernel laid them out on the initial stack.

        The auxiliary vector in memory follows envp's terminating NULL, which follows
        argv's; finding the auxv (known from NT_AUXV) walks back to both arrays.
        """
        execfn = self.auxv.get(AT_EXECFN)
        if not execfn or not self.auxv:
            return None
        hit = self._locate(execfn, 1)
        if hit is None:
            return None
        seg = self._backings[bisect.bisect_right(self._starts, execfn) - 1]
        words = np.frombuffer(self.elf.data, dtype="<u8", count=(seg.end - seg.start) // 8, offset=seg.offset)
        first = next(iter(self.auxv.items()))
        candidates = np.flatnonzero((words[:-1] == first[0]) & (words[1:] == first[1]))
        for i in candidates:
            i = int(i)
            if i < 2 or words[i - 1] != 0:
                continue
            j = i - 2  # last envp entry
            envp = []
            while j >= 0 and words[j] != 0:
                envp.append(int(words[j]))
                j -= 1
            envp.reverse()
            k = j - 1
            argv = []
            while k >= 0 and words[k] != 0 and words[k] > 0xFFFF:
                argv.append(int(words[k]))
                k -= 1
            argv.reverse()
            if k < 0 or int(words[k]) != len(argv) or not argv:
                continue
            args = [self.cstring(p) or "" for p in argv]
            env: dict[str, str] = {}
            for p in envp:
                entry = self.cstring(p) or ""
                name, _, value = entry.partition("=")
                env[name] = value
            return args, env
        return None


_MIN_HOLE = 64 << 10
_DROP_MIN = 4 << 20


def _data_extents(fd: int, size: int) -> list[tuple[int, int]] | None:
    """Sorted (start, end) file ranges holding data (SEEK_DATA/SEEK_HOLE); None where the
    file system cannot tell (then the whole file counts as data)."""
    if not hasattr(os, "SEEK_DATA"):
        return None
    out: list[tuple[int, int]] = []
    pos = 0
    try:
        while pos < size:
            try:
                d = os.lseek(fd, pos, os.SEEK_DATA)
            except OSError as e:
                if e.errno == errno.ENXIO:  # no data after pos
                    break
                raise
            h = min(os.lseek(fd, d, os.SEEK_HOLE), size)
            if out and d - out[-1][1] < _MIN_HOLE:
                out[-1] = (out[-1][0], h)
            else:
                out.append((d, h))
            pos = h
    except OSError:
        return None
    return out


def _parse_nt_file(desc: memoryview, path: Path) -> list[FileMapping]:
    """The kernel's NT_FILE note: count, page size, count (start, end, page offset), names.

    Every count and bound is checked against the descriptor's own length first: a crafted
    count of 2^60 is a damaged core, not a 2^60-element unpack.
    """
    count, page_size = struct.unpack_from("<QQ", desc, 0)
    if count > (len(desc) - 16) // 24:
        raise InputDamaged(f"{path} is damaged: its NT_FILE note announces {count:,} mappings "
                           f"in {len(desc):,} bytes")
    if page_size == 0 or page_size & (page_size - 1) or page_size > 1 << 30:
        raise InputDamaged(f"{path} is damaged: NT_FILE page size {page_size:,}")
    table = struct.unpack_from(f"<{3 * count}Q", desc, 16)
    names = bytes(desc[16 + 24 * count :]).split(b"\0")
    if len(names) < count:
        raise InputDamaged(f"{path} is damaged: its NT_FILE note has {len(names):,} file names "
                           f"for {count:,} mappings")
    out = []
    for i in range(count):
        start, end, pgoff = table[3 * i : 3 * i + 3]
        if end < start:
            raise InputDamaged(f"{path} is damaged: NT_FILE mapping {i} ends before it starts")
        out.append(FileMapping(start, end, pgoff * page_size, names[i].decode("utf-8", "replace")))
    return out
