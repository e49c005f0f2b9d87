"""Native frames are named by what runs there, never by a neighbouring data symbol.

The unwinder sees JIT code only as executable memory outside every file; the V8 stack
reader knows which of those pcs are JS frames. On the OOM core (death inside an
optimized JS function) the native stack of the crashing thread names each JIT frame by
its JS function, in the order of the JS stack, and leaves no bare `(JIT code)`. A pc
that is not code at all (lldb's fallback unwinder reads node's `default_loop_struct` data
as a return address) is never a frame: `test_core_unwind.py` compares our frames, which
stop at such a pc, with lldb's, and `loaders/core.py` drops them from lldb's.
"""

from __future__ import annotations

import pytest

from tests.conftest import MAJORS
from tests.core.conftest import crash_of, triage_json


@pytest.mark.parametrize("major", MAJORS)
def test_jit_frames_are_named_by_their_js_functions(major: int) -> None:
    doc = triage_json("oom", major)
    frames = [f["function"] or "" for f in next(t for t in doc["threads"] if t["faulting"])["frames"]]
    compiled = [f"{f['function']} (JS, {f['kind']})" for f in doc["js_stack"]["frames"]
                if f["kind"] in ("optimized", "baseline")]
    named = [f for f in frames if "(JS, " in f]
    in_order = iter(compiled)
    assert all(name in in_order for name in named)  # the JS stack's order
    # every compiled JS frame is named, but `Map.prototype.set`, a builtin in the node
    # binary (its native frame is `Builtins_MapPrototypeSet`, the JS reader calls it `set`)
    assert set(compiled) - set(named) <= {"set (JS, optimized)"}
    assert "(JIT code)" not in frames


def test_the_oom_core_has_compiled_js_frames_to_name() -> None:
    """The claim above is not empty: Node 20's OOM dies inside compiled `remember`
    (baseline or optimized: which one follows the JIT's timing)."""
    doc = triage_json("oom", 20)
    frames = [f["function"] for f in next(t for t in doc["threads"] if t["faulting"])["frames"]]
    assert {"remember (JS, baseline)", "remember (JS, optimized)"} & set(frames)


def test_lldbs_data_addresses_are_not_frames() -> None:
    """lldb's unwinder (`--lldb-unwind`, and the fallback for threads ours cannot walk)
    gives one of Node 22's idle threads a "frame" at 0x6b56420, which is node's
    `default_loop_struct` (a data object in .bss, not code). It used to be shown, named
    by that data symbol or as `(JIT code)`; it is no frame and is dropped."""
    from triage.loaders.core import _code_check, load_core

    loaded = load_core(crash_of("external_signal", 22).core_path, unwinder="lldb")
    is_code = _code_check(loaded.core, loaded.binary)
    data = loaded.binary.symbols()["default_loop_struct"].value
    frames = [f for t in loaded.threads for f in t.frames]
    assert [f for f in frames if f.index and not is_code(f.pc)] == []
    assert [f for f in frames if f.pc == data] == []
    assert all(f.function != "default_loop_struct" for f in frames)
