"""Load a Node core dump: check it, pair it with its node binary, read threads.

Threads are unwound by `triage.unwind` (the files' .eh_frame CFI and V8's frame
pointers; names from the symbol tables and, where the code has DWARF, through lldb's
symbol lookup): lldb's own unwinder spends seconds per thread disassembling frame-0
functions. `unwinder="lldb"` keeps lldb's unwinding (the cross-check in the tests);
lldb loads the core only when asked (`LoadedCore.lldb()`, for llnode). Our own ELF
reader checks what lldb would silently get wrong: a truncated core, a core of
something that is not Node, and a binary that is not the one the core was made with
(GNU build-id of the mapped executable against the file's).
"""

from __future__ import annotations

import os
import signal as signals
from dataclasses import dataclass, field
from pathlib import Path

from triage.coredump import CoreFile, ElfFile
from triage.coredump.corefile import UnmappedRead
from triage.crashmodel import (
    Capability,
    NativeFrame,
    ProcessInfo,
    SignalInfo,
    ThreadInfo,
)
from triage.errors import BinaryProblem, NotNode
from triage.lldb_support import import_lldb

NODE_METADATA_SYMBOL = "_ZN4node11per_process8metadataE"  # node::per_process::metadata
MAX_FRAMES = 200

# si_code names (siginfo.h): the generic ones, then per-signal ones.
_GENERIC_CODES = {0: "SI_USER", 0x80: "SI_KERNEL", -1: "SI_QUEUE", -2: "SI_TIMER",
                  -3: "SI_MESGQ", -4: "SI_ASYNCIO", -5: "SI_SIGIO", -6: "SI_TKILL"}
_SIGNAL_CODES = {
    signals.SIGSEGV: {1: "SEGV_MAPERR", 2: "SEGV_ACCERR", 3: "SEGV_BNDERR", 4: "SEGV_PKUERR"},
    signals.SIGBUS: {1: "BUS_ADRALN", 2: "BUS_ADRERR", 3: "BUS_OBJERR"},
    signals.SIGILL: {1: "ILL_ILLOPC", 2: "ILL_ILLOPN", 3: "ILL_ILLADR", 4: "ILL_ILLTRP",
                     5: "ILL_PRVOPC", 6: "ILL_PRVREG", 7: "ILL_COPROC", 8: "ILL_BADSTK"},
    signals.SIGFPE: {1: "FPE_INTDIV", 2: "FPE_INTOVF", 3: "FPE_FLTDIV", 4: "FPE_FLTOVF",
                     5: "FPE_FLTUND", 6: "FPE_FLTRES", 7: "FPE_FLTINV", 8: "FPE_FLTSUB"},
    signals.SIGTRAP: {1: "TRAP_BRKPT", 2: "TRAP_TRACE"},
}

# What a thread is, recognised from a frame on its stack (first match wins).
_THREAD_ROLES = (
    ("node::worker::Worker::StartThread", "Worker thread"),
    ("PlatformWorkerThread", "V8 platform worker"),
    ("DelayedTaskScheduler", "V8 delayed-task scheduler"),
    ("StartIoThreadMain", "inspector I/O"),
    ("SignalInspector", "signal watchdog"),
    ("uv__thread_start", "libuv thread"),
)
_LIBUV_POOL_FUNCTION = "worker"  # libuv's threadpool.c thread body


@dataclass
class LoadedCore:
    """A core paired with its binary, with lldb's view and our raw view of it."""

    core: CoreFile
    binary: ElfFile
    binary_path: Path
    process: ProcessInfo
    signal: SignalInfo | None
    threads: list[ThreadInfo]
    faulting_tid: int | None
    debugger: object = None
    lldb_target: object = None
    warnings: list[str] = field(default_factory=list)
    capabilities: dict[str, Capability] = field(default_factory=dict)
    core_path: Path | None = None

    def lldb(self):  # noqa: ANN201 - an lldb.SBDebugger
        """An lldb debugger with this core loaded (made on first use; no thread is unwound)."""
        if self.debugger is None:
            self.debugger, self.lldb_target = _lldb_load(self.core_path or self.core.path,
                                                         self.binary_path)
        return self.debugger


def load_core(core_path: str | Path, node_path: str | Path | None = None, *,
              unwinder: str = "triage") -> LoadedCore:
    """`unwinder`: "triage" (default, our CFI unwinder) or "lldb" (lldb's, slow)."""
    core = CoreFile.open(core_path)
    warnings: list[str] = []
    binary_path = choose_binary(core, node_path)
    binary = ElfFile(binary_path)
    _check_is_node(core, binary, binary_path)
    _check_same_build(core, binary, binary_path, warnings)
    exe = core.executable_mapping()
    if exe is not None:
        core.attach_file(exe.path, binary)
    process = _process_info(core, binary)
    sig = _signal_info(core)
    faulting = core.threads[0].tid if core.threads and sig and core.threads[0].signal else None
    if unwinder == "lldb":
        debugger, target, threads = _unwind_with_lldb(core_path, binary_path, faulting)
        is_code = _code_check(core, binary)
        for thread in threads:
            thread.frames = _code_frames(thread.frames, is_code)
            _symbolize_remapped_code(thread, core, binary)
        capability = Capability("full", engine="lldb")
    else:
        from triage.unwind import unwind_threads

        debugger = target = None
        stacks = unwind_threads(core, binary, faulting)
        threads, capability = stacks.threads, stacks.capability
        warnings.extend(stacks.warnings)
        if stacks.incomplete:
            debugger, target = _lldb_fallback(core_path, binary_path, stacks, core, binary)
    for thread in threads:
        thread.name = _thread_name(thread, core, process)
    loaded = LoadedCore(core, binary, Path(binary_path), process, sig, threads, faulting,
                        debugger, target, warnings, core_path=Path(core_path))
    loaded.capabilities["native_stacks"] = capability
    return loaded


def check_core_binary(core: CoreFile, binary: ElfFile, binary_path: Path) -> list[str]:
    """`load_core`'s checks without the unwind (for commands that only read the heap): raises
    when the binary is not Node; returns warnings (a different build)."""
    warnings: list[str] = []
    _check_is_node(core, binary, binary_path)
    _check_same_build(core, binary, binary_path, warnings)
    return warnings


def choose_binary(core: CoreFile, node_path: str | Path | None) -> Path:
    """`--node` if given, else the executable path recorded in the core, if it exists."""
    if node_path is not None:
        path = Path(node_path)
        if not path.is_file():
            raise BinaryProblem(f"--node {path}: no such file")
        return path
    exe = core.executable_mapping()
    if exe is None:
        raise BinaryProblem(
            f"{core.path} records no executable mapping; pass the node binary with --node PATH"
        )
    recorded = Path(exe.path)
    if not recorded.is_file():
        raise BinaryProblem(
            f"the core was made by {recorded}, which is not on this machine: "
            "pass the same node binary with --node PATH"
        )
    return recorded


def _check_is_node(core: CoreFile, binary: ElfFile, binary_path: Path) -> None:
    if binary.symbol(NODE_METADATA_SYMBOL) or binary.symbols_with_prefix("v8dbg_"):
        return
    name = core.psinfo.fname if core.psinfo else "unknown"
    raise NotNode(
        f"{core.path} is a core of `{name}` (pid {core.pid}) run from {binary_path}, "
        "not of a Node.js process"
    )


def _check_same_build(core: CoreFile, binary: ElfFile, path: Path, warnings: list[str]) -> None:
    in_core = core.executable_build_id()
    in_file = binary.build_id
    if in_core is None or in_file is None:
        warnings.append(
            f"could not compare build-ids of the core and {path}; results assume they match"
        )
        return
    if in_core != in_file:
        raise BinaryProblem(
            f"{path} (build-id {in_file[:12]}) is not the binary this core was made with "
            f"(build-id {in_core[:12]}); pass the matching node binary with --node PATH"
        )


def _process_info(core: CoreFile, binary: ElfFile) -> ProcessInfo:
    info = ProcessInfo(pid=core.pid)
    exe = core.executable_mapping()
    info.executable = exe.path if exe else None
    start = core.argv_and_environ()
    if start is not None:
        info.command_line, info.environment = start
    elif core.psinfo:
        info.command_line = core.psinfo.psargs.split()  # kernel's copy: first 80 bytes only
    info.node_version, info.v8_version = _versions(core, binary)
    if info.environment is not None:
        info.cwd = info.environment.get("PWD")
        info.host = info.environment.get("HOSTNAME")
    return info


def _versions(core: CoreFile, binary: ElfFile) -> tuple[str | None, str | None]:
    """node and V8 versions from node::per_process::metadata (two std::strings).

    The structure is filled at start-up, so it is read from the core, not the file.
    A libstdc++ std::string is {char* data; size_t size; ...} (32 bytes).
    """
    sym = binary.symbol(NODE_METADATA_SYMBOL)
    if sym is None:
        return None, None
    out = []
    for i in range(2):
        try:
            ptr, size = core.u64(sym.value + 32 * i), core.u64(sym.value + 32 * i + 8)
            text = core.read(ptr, size).decode("ascii") if 0 < size < 64 else None
        except (UnmappedRead, UnicodeDecodeError):
            text = None
        out.append(text)
    node, v8 = out
    return (f"v{node}" if node else None), v8


def _signal_info(core: CoreFile) -> SignalInfo | None:
    si = core.siginfo
    if si is None or si.signo == 0:
        cursig = core.threads[0].signal if core.threads else 0
        if not cursig:
            return None
        return SignalInfo(cursig, _signal_name(cursig))
    code_name = _SIGNAL_CODES.get(si.signo, {}).get(si.code) if si.code > 0 else None
    code_name = code_name or _GENERIC_CODES.get(si.code)
    return SignalInfo(si.signo, _signal_name(si.signo), si.code, code_name, si.address, si.sender_pid)


def _signal_name(number: int) -> str:
    try:
        return signals.Signals(number).name
    except ValueError:
        return f"SIG{number}"


def _lldb_load(core_path, binary_path):  # noqa: ANN001, ANN202
    lldb = import_lldb()
    debugger = lldb.SBDebugger.Create()
    debugger.SetAsync(False)
    target = debugger.CreateTarget(os.fspath(binary_path))
    if not target.IsValid():
        raise BinaryProblem(f"lldb could not load {binary_path} as a target")
    process = target.LoadCore(os.fspath(core_path))
    if not process.IsValid():
        raise BinaryProblem(f"lldb could not load {core_path} with {binary_path}")
    return debugger, target


def _lldb_fallback(core_path, binary_path, stacks, core: CoreFile, binary: ElfFile):  # noqa: ANN001, ANN202
    """Threads our unwinder could not walk to their outermost frame get lldb's frames when
    lldb finds more (slow, but only for those threads); the capability says which."""
    from triage.errors import TriageError

    cap = stacks.capability
    try:
        debugger, target = _lldb_load(core_path, binary_path)
    except TriageError as e:
        cap.reason += f"; lldb fallback unavailable ({e})"
        return None, None
    by_tid = {t.tid: t for t in stacks.threads}
    is_code = _code_check(core, binary)
    for th in target.GetProcess():
        tid = th.GetThreadID()
        if tid not in stacks.incomplete or tid not in by_tid:
            continue
        frames = _code_frames(_lldb_frames(th), is_code)
        for frame in frames:
            if not frame.function:
                _symbolize_remapped_code(ThreadInfo(tid, frames=[frame]), core, binary)
        ours = by_tid[tid]
        if len(frames) > len(ours.frames):
            ours.frames = frames
            cap.reason += f"; thread {tid}: frames from lldb's unwinder (triage's {stacks.incomplete[tid]})"
        else:
            cap.reason += f"; thread {tid}: lldb found no more frames"
    return debugger, target


def _lldb_frames(th) -> list[NativeFrame]:  # noqa: ANN001 - an lldb.SBThread
    """lldb's frames, without the artificial ones: from DWARF call-site records lldb adds a
    frame for a function that left by a tail call (`uv__io_cb` ending in `jmp
    uv__async_io`). It has no stack frame, so no unwinder can see it, and whether a core
    shows one depends on where the process was when it died (a heap OOM inside a GC task
    run from libuv's async handle)."""
    frames: list[NativeFrame] = []
    for frame in th:
        if len(frames) >= MAX_FRAMES:
            break
        if frame.IsArtificial():
            continue
        i = len(frames)
        module = frame.GetModule().GetFileSpec().GetFilename()
        line = frame.GetLineEntry()
        frames.append(NativeFrame(
            index=i,
            pc=frame.GetPC(),
            function=frame.GetFunctionName() or None,
            module=module or None,
            file=line.GetFileSpec().GetFilename() if line.IsValid() else None,
            line=line.GetLine() if line.IsValid() and line.GetLine() < 1 << 31 else None,
        ))
    return frames


def _code_check(core: CoreFile, binary: ElfFile):  # noqa: ANN202 - pc -> bool
    from triage.unwind.modules import ModuleMap
    from triage.unwind.stack import Unwinder

    return Unwinder(core, ModuleMap.build(core, binary)).executable


def _code_frames(frames: list[NativeFrame], is_code) -> list[NativeFrame]:  # noqa: ANN001
    """lldb's frames without its non-frames: a return address outside executable memory
    (lldb's fallback unwinder reads data such as node's `default_loop_struct` as one and
    names it by the data symbol). A frame-0 pc outside code is kept, but never named by
    a symbol: the process jumped there, which is the finding."""
    out = []
    for frame in frames:
        if not is_code(frame.pc):
            if frame.index:
                continue
            frame.function, frame.file, frame.line = "(pc outside executable memory)", None, None
        frame.index = len(out)
        out.append(frame)
    return out


def _unwind_with_lldb(core_path, binary_path, faulting_tid):
    debugger, target = _lldb_load(core_path, binary_path)
    process = target.GetProcess()
    # Unwinding the faulting (JS) thread first makes lldb ~10x slower on the
    # others (measured on lldb 19), so it goes last.
    lldb_threads = sorted(process, key=lambda t: t.GetThreadID() == faulting_tid)
    threads = [ThreadInfo(tid=th.GetThreadID(), faulting=th.GetThreadID() == faulting_tid,
                          frames=_lldb_frames(th)) for th in lldb_threads]
    threads.sort(key=lambda t: (not t.faulting, t.tid))
    return debugger, target, threads


def _symbolize_remapped_code(thread: ThreadInfo, core: CoreFile, binary: ElfFile) -> None:
    """Name frames in V8's embedded builtins, which V8 12+ runs from a second mapping
    of the node binary that lldb does not know; anything else unnamed is JIT code."""
    exe = core.executable_mapping()
    copies = [m for m in core.mappings if exe and m.path == exe.path]
    for frame in thread.frames:
        if frame.function:
            continue
        mapping = next((m for m in copies if m.start <= frame.pc < m.end), None)
        if mapping is None:
            frame.function = "(JIT code)"
            continue
        vaddr = binary.vaddr_of_offset(mapping.file_offset + frame.pc - mapping.start)
        name = binary.symbol_at(vaddr) if vaddr is not None else None
        if name:
            frame.function, frame.module = name, Path(exe.path).name


def _thread_name(thread: ThreadInfo, core: CoreFile, process: ProcessInfo) -> str:
    if thread.tid == process.pid:
        return "main"
    for frame in thread.frames:
        if frame.function == _LIBUV_POOL_FUNCTION:
            return "libuv threadpool"
        for needle, role in _THREAD_ROLES:
            if frame.function and needle in frame.function:
                return role
    return "thread"
