"""Positions of baseline (Sparkplug) frames (`triage/v8/baseline.py`), against the stack Node
itself printed on abort (Node 20+; Node 18 prints none, so there the same position is
checked against the script text).

port_baseline has a baseline frame calling the function that aborts; port_baseline_wide
the same with Wide-prefixed bytecodes before the call (the walk must scale operands). The
bytecode sizes come from the node binary's table, checked here against Node's own
bytecode printout. A damaged table or bytecode, in the bytes or in a core, a pc in the
prologue and a binary without the size table give "no position: <why>", never an offset
or an exception.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from dumps.crash import Crash, run_scenario
from tests.conftest import MAJORS, patch_core
from tests.v8.conftest import printed_position, source_has
from triage.coredump import CoreFile, ElfFile
from triage.v8 import V8Heap
from triage.v8 import baseline as bl
from triage.v8 import versions as vf
from triage.v8.baseline import BASELINE_ENTRY_NOTE, BASELINE_PREFIX
from triage.v8.code import byte_array, code_at
from triage.v8.reader import smi
from triage.v8.stack import decode_frame, fp_chain

majors = pytest.mark.parametrize("major", MAJORS, ids=[f"node{m}" for m in MAJORS])
NOTE = f"no position: {BASELINE_PREFIX}"


def _crash(scenario: str, major: int) -> Crash:
    return run_scenario(scenario, major, node_flags=("--allow-natives-syntax",))


def _warm(core: Path | str, node: str) -> tuple[V8Heap, object]:
    heap = V8Heap.open(CoreFile.open(core), ElfFile(node))
    return heap, next(f for f in heap.js_stack() if f.function == "warm")


@majors
def test_baseline_frame_position_is_what_node_printed(major: int) -> None:
    crash = _crash("port_baseline", major)
    _, warm = _warm(crash.core_path, crash.node)
    assert warm.kind == "baseline" and warm.position_note is None
    assert (warm.line, warm.column) == (14, 10) and source_has(crash, 14, 10, "stopAt(n)")
    if major >= 20:
        assert printed_position(crash, "warm") == (14, 10)


@majors
def test_wide_prefixed_bytecode_is_walked_with_scaled_operands(major: int) -> None:
    crash = _crash("port_baseline_wide", major)
    _, warm = _warm(crash.core_path, crash.node)
    assert warm.kind == "baseline" and warm.position_note is None
    assert (warm.line, warm.column) == (24, 10) and source_has(crash, 24, 10, "stopAt(n)")
    if major >= 20:
        assert printed_position(crash, "warm") == (24, 10)


def test_capabilities_say_nothing_is_missing_for_a_placed_baseline_frame() -> None:
    crash = _crash("port_baseline", MAJORS[-1])
    heap, _ = _warm(crash.core_path, crash.node)
    cap = heap.capabilities()["js_stack"]
    assert cap.status == "full" and "baseline" not in cap.reason


_BYTECODE_LINE = re.compile(r"@\s*(\d+) : ((?:[0-9a-f]{2} )+)\s*([A-Z]\w*(?:\.\w+)?)")
_WIDE_PROGRAM = ("function wide(n) { const o = {}; "
                 + " ".join(f"o.q{i} = n;" for i in range(300))
                 + " return o; }\nwide(1);\n")


@majors
def test_bytecode_sizes_from_the_binary_are_the_ones_node_prints(major: int, tmp_path: Path) -> None:
    """Every bytecode Node's own disassembler prints for a function with Wide-prefixed
    bytecodes has the length our size table gives (prefix + scaled row)."""
    node = run_scenario("port_baseline", major, node_flags=("--allow-natives-syntax",)).node
    sizes = bl.bytecode_sizes(ElfFile(node))
    assert not isinstance(sizes, str), sizes
    script = tmp_path / "wide.js"
    script.write_text(_WIDE_PROGRAM)
    out = subprocess.run([node, "--print-bytecode", "--print-bytecode-filter=wide", str(script)],
                         capture_output=True, text=True, timeout=60).stdout
    rows = [(int(at), bytes.fromhex(hx.replace(" ", "")), name)
            for at, hx, name in _BYTECODE_LINE.findall(out)]
    assert len(rows) > 600
    assert any(name.endswith(".Wide") for _, _, name in rows)  # the prefixed claim is not empty
    for (at, raw, name), (nxt, _, _) in zip(rows, rows[1:], strict=False):
        scale = vf.BYTECODE_PREFIXES.get(raw[0], 0)
        expected = 1 + sizes[scale][raw[1]] if scale else sizes[0][raw[0]]
        assert len(raw) == expected == nxt - at, (at, name, raw.hex())


def _warm_bytes(major: int) -> tuple[tuple[bytes, bytes, bytes], bytes, bytes, int, int]:
    """(size table, offset table, bytecode, pc offset, tagged BytecodeArray) of port_baseline's
    warm frame, read from the core."""
    crash = _crash("port_baseline", major)
    heap = V8Heap.open(CoreFile.open(crash.core_path), ElfFile(crash.node))
    thread = next(t for t in heap.core.threads if t.signal)
    pc = next(pc for fp, pc in fp_chain(heap, thread.registers)
              if (f := decode_frame(heap, fp, pc, 0)) is not None and f.function == "warm")
    found = code_at(heap, pc)
    assert not isinstance(found, str), found
    code, start = found
    bytecode = heap.reader.field(code, heap.facts.code_deopt_data)
    data = heap.constants.field("BytecodeArray", "data")
    length = smi(heap.reader.field(bytecode, 8))
    raw = heap.core.try_read(bytecode - 1 + data, length)
    sizes = bl.bytecode_sizes(heap.binary)
    table = byte_array(heap, code, heap.facts.code_position_table)
    assert not isinstance(sizes, str) and table is not None and raw is not None
    return sizes, table, raw, pc - start, bytecode


@pytest.mark.parametrize("damage, why", [
    ("cut_vlq", "does not decode"),
    ("huge_vlq", "does not decode"),
    ("extra_entry", "entries for"),
    ("unknown_bytecode", "unknown bytecode"),
    ("trailing_prefix", "ends with an operand-scale prefix"),
    ("cut_operand", "runs past the array's end"),
    ("pc_past_table", "past the code"),
])
def test_damaged_table_or_bytecode_gives_a_reason(damage: str, why: str) -> None:
    sizes, table, code, pc_offset, _ = _warm_bytes(MAJORS[-1])
    assert bl.bytecode_offset(sizes, table, code, pc_offset)[1] is None  # intact: an offset
    if damage == "cut_vlq":
        table += b"\x80"
    elif damage == "huge_vlq":
        table = b"\xff" * 20 + b"\x01"
    elif damage == "extra_entry":
        table += b"\x05"
    elif damage == "unknown_bytecode":
        code = bytes([len(sizes[0])]) + code[1:]
    elif damage == "trailing_prefix":
        code += b"\x00"
    elif damage == "cut_operand":
        code = code[:-1] + bytes([next(b for b in range(len(sizes[0])) if sizes[0][b] > 2)])
    else:
        pc_offset = 1 << 20
    offset, note = bl.bytecode_offset(sizes, table, code, pc_offset)
    assert offset is None and note is not None and why in note


@pytest.mark.parametrize("major", [MAJORS[0], MAJORS[-1]], ids=lambda m: f"node{m}")
def test_damaged_bytecode_in_a_core_gives_no_position(major: int, tmp_path: Path) -> None:
    """A core whose baseline function's bytecode was overwritten: the frame keeps function
    and script, says why, and capabilities name it."""
    crash = _crash("port_baseline", major)
    sizes, _, _, _, bytecode = _warm_bytes(major)
    copy = tmp_path / "core"
    shutil.copy(crash.core_path, copy)
    data = V8Heap.open(CoreFile.open(crash.core_path), ElfFile(crash.node)).constants.field(
        "BytecodeArray", "data")
    patch_core(copy, CoreFile.open(crash.core_path), bytecode - 1 + data, bytes([len(sizes[0])]))
    heap, warm = _warm(copy, crash.node)
    assert warm.kind == "baseline" and (warm.line, warm.column) == (None, None)
    assert warm.position_note.startswith(NOTE + "its bytecode has an unknown bytecode")
    cap = heap.capabilities()["js_stack"]
    assert "give function and script only (baseline (Sparkplug) code: its bytecode has an unknown" \
        in cap.reason


@pytest.mark.parametrize("major", [24, 26], ids=lambda m: f"node{m}")
def test_binary_without_the_size_table_says_so(major: int, tmp_path: Path) -> None:
    """Node 24/26 keep kBytecodeSizes in .symtab only: a stripped binary has no size table,
    and the baseline frame says so rather than guessing sizes."""
    crash = _crash("port_baseline", major)
    stripped = tmp_path / "node"
    subprocess.run(["objcopy", "--strip-all", crash.node, str(stripped)], check=True)
    heap, warm = _warm(crash.core_path, str(stripped))
    assert warm.kind == "baseline" and (warm.line, warm.column) == (None, None)
    assert warm.position_note == NOTE + "the node binary has no bytecode size table " \
                                        "(Bytecodes::kBytecodeSizes)"
    assert "kBytecodeSizes" in heap.capabilities()["js_stack"].reason


def test_interpreted_frames_native_stack_keeps_the_baseline_position() -> None:
    """With --interpreted-frames-native-stack (profilers) the baseline Code still holds its
    BytecodeArray, and the frame is placed as without the flag."""
    crash = run_scenario("port_baseline", MAJORS[-1],
                         node_flags=("--allow-natives-syntax", "--interpreted-frames-native-stack"))
    _, warm = _warm(crash.core_path, crash.node)
    assert warm.kind == "baseline" and (warm.line, warm.column) == (14, 10)
    assert printed_position(crash, "warm") == (14, 10)


@pytest.mark.parametrize("major", [MAJORS[0], MAJORS[-1]], ids=lambda m: f"node{m}")
def test_pc_in_the_prologue_gives_no_position(major: int, tmp_path: Path) -> None:
    """A return address moved into the baseline code's prologue (before its first bytecode,
    V8's function-entry offset) is said, not given a bytecode's position."""
    crash = _crash("port_baseline", major)
    heap = V8Heap.open(CoreFile.open(crash.core_path), ElfFile(crash.node))
    thread = next(t for t in heap.core.threads if t.signal)
    chain = fp_chain(heap, thread.registers)
    i = next(i for i, (fp, pc) in enumerate(chain)
             if (f := decode_frame(heap, fp, pc, 0)) is not None and f.function == "warm")
    found = code_at(heap, chain[i][1])
    assert i > 0 and not isinstance(found, str), found
    copy = tmp_path / "core"
    shutil.copy(crash.core_path, copy)
    # the frame's pc is the return address its callee saved at [callee fp + 8]
    patch_core(copy, heap.core, chain[i - 1][0] + 8, (found[1] + 1).to_bytes(8, "little"))
    _, warm = _warm(copy, crash.node)
    assert warm.kind == "baseline" and (warm.line, warm.column) == (None, None)
    assert warm.position_note == f"no position: {BASELINE_ENTRY_NOTE}"
