"""triage's own unwinder against lldb's, thread by thread, on every scenario core.

The claim: every thread's native stack from `triage.unwind` (CFI + frame pointers) has
the same function names as lldb's `bt` of that thread. lldb's fallback unwinder
sometimes reports "frames" whose pc is not in executable memory (data addresses such as
`default_loop_struct`, a pointer into node's .rodata, or a stray pointer it calls JIT
code); those are lldb's errors, not frames, and are dropped from lldb's side before
comparing ("executable" means a PF_X part of a mapping, never a whole file mapping).
"""

from __future__ import annotations

import pytest

from tests.conftest import MAJORS
from tests.core.conftest import SCENARIOS, crash_of
from triage.loaders.core import load_core
from triage.unwind.stack import Unwinder


def _names(thread) -> list[str]:
    return [f.function or f"?{f.module}" for f in thread.frames]


_LLDB_SIDE = """
import json, sys
from triage.loaders.core import load_core
theirs = load_core(sys.argv[1], unwinder="lldb")
print(json.dumps([[t.tid, [[f.index, f.pc, f.function or f"?{f.module}"] for f in t.frames]]
                  for t in theirs.threads]))
"""


def _without_stale_runtime_callers(names: list[str]) -> list[str]:
    """lldb's names less a frame it puts between a V8 runtime function and the CEntry
    builtin that called it. V8 calls its runtime functions (`Runtime_*`) only through
    CEntry, so such a frame is a stale stack value lldb took for a return address: seen on
    an oom-24 core whose heap ran out in Runtime_AllocateInYoungGeneration, where lldb
    had `IterateElements` (0xcd5300, Array.prototype.concat's C++ helper) between them,
    and only on the runs whose heap ran out there."""
    return [name for i, name in enumerate(names)
            if not (0 < i < len(names) - 1 and names[i - 1].startswith("v8::internal::Runtime_")
                    and names[i + 1].startswith("Builtins_CEntry_")
                    and not name.startswith("Builtins_"))]


def _lldb_stacks(core) -> list[tuple[int, list]]:
    """lldb's stacks, from a fresh process. lldb keeps the modules (and their unwind
    plans) of earlier targets in one process-wide cache, and its answer for a core
    depends on what was loaded before: uncaught-20's main thread alone gives
    Runtime_Throw -> Builtins_CEntry_Return1_ArgvOnStack_NoBuiltinExit (as ours, and as
    V8 calls runtime functions), but after oom-20 was loaded in the same process lldb
    puts a stale stack value (0x18cd58f, in Builtins_JSBuiltinsConstructStub) between
    them. That is lldb's error, so each core gets its own lldb."""
    import json
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _LLDB_SIDE, str(core)], capture_output=True,
                         text=True, check=True, timeout=900).stdout
    return [(tid, frames) for tid, frames in json.loads(out.strip().splitlines()[-1])]


@pytest.mark.parametrize("major", MAJORS)
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_thread_matches_lldb(scenario: str, major: int) -> None:
    core = crash_of(scenario, major).core_path
    ours = load_core(core)
    theirs = _lldb_stacks(core)
    assert ours.capabilities["native_stacks"].engine == "triage.unwind"
    from triage.unwind.modules import ModuleMap

    code = Unwinder(ours.core, ModuleMap.build(ours.core, ours.binary))
    assert [t.tid for t in ours.threads] == [tid for tid, _ in theirs]
    for mine, (_, lldbs) in zip(ours.threads, theirs, strict=True):
        real = [name for index, pc, name in lldbs if index == 0 or code.executable(pc)]
        assert _names(mine) == _without_stale_runtime_callers(real), f"thread {mine.tid} ({mine.name})"


def test_thread_roles_come_from_our_frames() -> None:
    """Thread names are derived from frames: the fast path must still find each role."""
    loaded = load_core(crash_of("abort", 20).core_path)
    names = {t.name for t in loaded.threads}
    assert {"main", "V8 platform worker", "V8 delayed-task scheduler"} <= names


def test_a_stack_that_cannot_be_walked_is_reported_degraded_on_the_first_page(tmp_path) -> None:
    """A core whose crashed thread's stack is zeroed above the innermost frames (as a
    damaged dump would be): the walk stops early, lldb is asked for that thread, and the
    page says the native stacks are degraded and which thread."""
    import shutil

    from tests.conftest import run_triage
    from triage.coredump import CoreFile

    source = crash_of("abort", 20).core_path
    core = CoreFile.open(source)
    main = next((t for t in core.threads if t.signal), core.threads[0])
    rsp = main.registers["rsp"]
    seg = next(s for s in core.elf.segments
               if s.type == 1 and s.filesz and s.vaddr <= rsp < s.vaddr + s.filesz)
    start, end = rsp + 0x40, min(rsp + 0x10000, seg.vaddr + seg.filesz)
    damaged = tmp_path / "core"
    shutil.copyfile(source, damaged)
    with open(damaged, "r+b") as f:
        f.seek(seg.offset + (start - seg.vaddr))
        f.write(b"\0" * (end - start))
    result = run_triage(damaged, "--node", crash_of("abort", 20).node)
    assert result.code == 0, result.stderr
    assert "native_stacks: degraded" in result.stdout
    doc = run_triage(damaged, "--node", crash_of("abort", 20).node, "--format", "json").json
    cap = doc["capabilities"]["native_stacks"]
    assert cap["status"] == "degraded"
    assert f"thread {main.tid} ends after" in cap["reason"]
