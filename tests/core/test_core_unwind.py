"""triage's own unwinder against lldb's, thread by thread, on every scenario core.

The claim: every thread's native stack from `triage.unwind` (CFI + frame pointers) has
the same function names as lldb's `bt` of that thread. lldb's fallback unwinder
sometimes reports "frames" whose pc is not in executable memory (data addresses such as
`default_loop_struct`, or a stray pointer it calls JIT code); those are lldb's errors,
not frames, and are dropped from lldb's side before comparing.
"""

from __future__ import annotations

import pytest

from tests.conftest import MAJORS
from tests.core.conftest import SCENARIOS, crash_of
from triage.loaders.core import load_core
from triage.unwind.stack import Unwinder


def _names(thread) -> list[str]:
    return [f.function or f"?{f.module}" for f in thread.frames]


@pytest.mark.parametrize("major", MAJORS)
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_every_thread_matches_lldb(scenario: str, major: int) -> None:
    core = crash_of(scenario, major).core_path
    ours = load_core(core)
    theirs = load_core(core, unwinder="lldb")
    assert ours.capabilities["native_stacks"].engine == "triage.unwind"
    from triage.unwind.modules import ModuleMap

    code = Unwinder(ours.core, ModuleMap.build(ours.core, ours.binary))
    assert [t.tid for t in ours.threads] == [t.tid for t in theirs.threads]
    for mine, lldbs in zip(ours.threads, theirs.threads, strict=True):
        real = [f for f in lldbs.frames if f.index == 0 or code.executable(f.pc)]
        lldbs.frames = real
        assert _names(mine) == _names(lldbs), f"thread {mine.tid} ({mine.name})"


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
