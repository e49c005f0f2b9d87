"""Native stacks of every thread of a core, without a debugger.

lldb 19 spends seconds per thread disassembling frame-0 functions before it unwinds
(`GetNumFrames`); the CFI in `.eh_frame` and V8's frame pointers give the same frames in
milliseconds. `unwind_threads` returns `ThreadInfo`s with function names from the ELF
symbol tables (the separate debug file where one is installed), demangled like lldb.
What it cannot do (source file:line, code without CFI or frame pointer) is stated in
the capability it returns; lldb stays the cross-check (tests) and the fallback.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from triage.coredump import CoreFile, ElfFile
from triage.crashmodel import Capability, NativeFrame, ThreadInfo
from triage.unwind.demangle import demangle_all, demangler
from triage.unwind.lldb_names import LldbNames, Place
from triage.unwind.modules import ModuleMap
from triage.unwind.stack import MAX_FRAMES, RawStack, Unwinder

__all__ = ["MAX_FRAMES", "NativeStacks", "unwind_threads"]

ENGINE = "triage.unwind"
CAPPED = f"{MAX_FRAMES} frames"  # a deliberate limit (deep recursion), not a failed walk
_COMPLETE = ("outermost frame", CAPPED)


@dataclass
class NativeStacks:
    threads: list[ThreadInfo]  # faulting thread first
    capability: Capability
    warnings: list[str]
    incomplete: dict[int, str] = field(default_factory=dict)  # tid -> why its walk stopped early


def unwind_threads(core: CoreFile, binary: ElfFile, faulting_tid: int | None,
                   *, use_lldb_names: bool = True) -> NativeStacks:
    """Every thread's native frames, the capability, warnings and the threads whose walk
    stopped before the outermost frame (for the caller's lldb fallback)."""
    modules = ModuleMap.build(core, binary)
    unwinder = Unwinder(core, modules)
    raws = [unwinder.unwind(t.tid, t.registers) for t in core.threads]
    dwarf = LldbNames() if use_lldb_names else None
    located = {}
    for raw in raws:
        for i, f in enumerate(raw.frames):
            loc = modules.locate(f.pc if f.how in ("context", "signal") else f.pc - 1)
            if loc is not None and dwarf is not None:
                module, vaddr = loc
                if dwarf.covers(module, vaddr):
                    dwarf.want(module, vaddr)
                    loc = (module, vaddr, dwarf.place)
                elif dwarf.has_dwarf(module):
                    dwarf.want(module, vaddr, need_cu=True)
                    loc = (module, vaddr, dwarf.probe)
            located[(raw.tid, i)] = loc
    if dwarf is not None:
        dwarf.resolve()  # lldb, in a child process, only for pcs its cache has not seen
    places: dict[tuple[int, int], object] = {}
    for key, loc in located.items():
        if loc is None:
            places[key] = None
            continue
        module, vaddr = loc[0], loc[1]
        place = loc[2](module, vaddr) if len(loc) == 3 else None
        places[key] = place or module.symbols.lookup(vaddr)
    if dwarf is not None:
        dwarf.save()
    readable = demangle_all({p for p in places.values() if isinstance(p, str)})
    threads = []
    for raw in raws:
        frames: list[NativeFrame] = []
        for i, f in enumerate(raw.frames):
            frames += _frames(len(frames), f, places[(raw.tid, i)], readable, unwinder, modules)
        threads.append(ThreadInfo(tid=raw.tid, faulting=raw.tid == faulting_tid, frames=frames))
    threads.sort(key=lambda t: (not t.faulting, t.tid))
    incomplete = {r.tid: f"ends after {len(r.frames)} frames ({r.stop})" for r in raws
                  if r.stop not in _COMPLETE}
    return NativeStacks(threads, _capability(raws, modules, dwarf), list(modules.problems), incomplete)


def _frames(index: int, raw, place, readable: dict[str, str], unwinder: Unwinder,
            modules: ModuleMap) -> list[NativeFrame]:
    """One NativeFrame, or one per inlined function at this pc (innermost first)."""
    module = raw.module
    if isinstance(place, Place):
        out = [NativeFrame(index=index + k, pc=raw.pc, function=name, module=module)
               for k, name in enumerate(place.functions)]
        out[0].file, out[0].line = place.file, place.line
        return out
    function = readable.get(place, place) if place else None
    if module is None:
        path = modules.mapped_file(raw.pc)
        if path is not None:
            module = path.rsplit("/", 1)[-1]
        elif unwinder.executable(raw.pc):
            function = "(JIT code)"
    return [NativeFrame(index=index, pc=raw.pc, function=function, module=module)]


def _capability(raws: list[RawStack], modules: ModuleMap, dwarf: LldbNames | None) -> Capability:
    cut = [r for r in raws if r.stop not in _COMPLETE]
    capped = [r for r in raws if r.stop == CAPPED]
    reason = "frames from .eh_frame CFI and frame pointers (JIT code); names from ELF symbol tables"
    lacking = False
    if dwarf is not None and dwarf.error is None:
        reason += ", and from DWARF through lldb where the code has it (inlined frames, file:line)"
    elif dwarf is not None and dwarf.missed:
        lacking = True
        reason += (f"; {dwarf.missed} frames in code with DWARF are named from symbol tables, "
                   f"without inlined functions or file:line ({dwarf.error})")
    if demangler() is None:
        lacking = True
        reason += "; C++ names are shown mangled (no llvm-cxxfilt or c++filt on PATH)"
    if cut:
        reason += "; " + ", ".join(f"thread {r.tid} ends after {len(r.frames)} frames ({r.stop})"
                                   for r in cut[:4])
    if capped:
        reason += "; " + ", ".join(f"thread {r.tid}: first {MAX_FRAMES} frames shown" for r in capped[:4])
    if modules.problems:
        reason += "; " + "; ".join(modules.problems)
    return Capability("degraded" if cut or lacking else "full", reason, engine=ENGINE)
