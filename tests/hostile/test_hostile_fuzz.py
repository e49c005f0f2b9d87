"""Property-based fuzzing of the snapshot, report and core-note parsers (Hypothesis).

In-process on purpose: the loaders and the numba kernels run in the test process, so an
out-of-bounds access that crashes the interpreter fails the run instead of hiding in a child.
The property, for every input: a result, or a `TriageError` whose code is 4 or 5.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import event, given, settings
from hypothesis import strategies as st

from tests.hostile import craft
from triage.analyses import find_suspects, heap_section, histogram
from triage.analyses.report_facts import report_facts
from triage.coredump import CoreFile
from triage.errors import ExitCode, TriageError
from triage.loaders import load_snapshot
from triage.loaders.report import load_report, report_to_crash_model

ACCEPTED = (ExitCode.INPUT_UNRECOGNIZED, ExitCode.INPUT_DAMAGED)
HOSTILE_INTS = st.sampled_from([-7, -1, 2**31 - 1, 2**31, 2**32 + 1, 2**53 + 1, 2**63 - 1,
                                2**63 + 2, 2**64 - 1, 10**19, 10**30])
SMALL_OR_HOSTILE = st.one_of(st.integers(0, 12), st.integers(0, 12), HOSTILE_INTS)


def _write(data: bytes | str, suffix: str) -> Path:
    f = tempfile.NamedTemporaryFile(suffix=suffix, delete=False)  # noqa: SIM115
    with f:
        f.write(data.encode() if isinstance(data, str) else data)
    return Path(f.name)


def _must_be_handled(call) -> object | None:
    try:
        result = call()
    except TriageError as e:
        assert e.code in ACCEPTED, f"exit {int(e.code)}: {e}"
        assert "\n" not in str(e)
        event(f"exit {int(e.code)}")
        return None
    event("loaded")
    return result


def _load_and_analyse(path: Path) -> None:
    try:
        g = _must_be_handled(lambda: load_snapshot(path))
    finally:
        path.unlink()
    if g is None:
        return
    g.validate()
    histogram(g)
    heap_section(g)
    find_suspects(g, top=3, min_count=1)


@st.composite
def snapshots(draw) -> str:
    """The small valid graph with some of its numbers, counts or strings made hostile."""
    nodes, edges, strings = craft.small_graph()
    for arr in (nodes, edges):
        for _ in range(draw(st.sampled_from([0, 0, 1, 2, 4]))):
            i = draw(st.integers(0, len(arr) - 1))
            if arr is edges and i % 3 == 2 and draw(st.booleans()):  # another node's offset
                arr[i] = craft.NFC * draw(st.integers(0, 5))
            else:
                arr[i] = draw(SMALL_OR_HOSTILE)
    header: dict = {}
    if draw(st.integers(0, 2)) == 0:
        key = draw(st.sampled_from(["node_count", "edge_count", "root_index", "root_index"]))
        header[key] = draw(st.one_of(SMALL_OR_HOSTILE, st.none(), st.text(max_size=3),
                                     st.floats(), st.booleans()))
    if draw(st.integers(0, 4)) == 0:
        strings[draw(st.integers(0, len(strings) - 1))] = draw(
            st.one_of(st.integers(), st.none(), st.lists(st.text(max_size=2), max_size=2)))
    locations = [v for row in draw(st.lists(st.tuples(*[SMALL_OR_HOSTILE] * 4), max_size=2))
                 for v in row]
    if draw(st.integers(0, 5)) == 0:  # arrays cut short, or the counts left as they were
        cut = draw(st.integers(1, 6))
        nodes, edges = nodes[: len(nodes) - (cut if cut < 3 else 0)], edges[: len(edges) - (cut % 3)]
    return craft.snapshot_text(nodes, edges, strings, header=header, locations=locations)


@settings(settings.get_profile("hostile"))
@given(snapshots())
def test_crafted_snapshot_loads_or_fails_cleanly(text):
    _load_and_analyse(_write(text, ".heapsnapshot"))


@settings(settings.get_profile("hostile"))
@given(st.data())
def test_mutated_snapshot_bytes_load_or_fail_cleanly(data):
    raw = bytearray(craft.snapshot_text(*craft.small_graph()).encode())
    for _ in range(data.draw(st.integers(1, 6))):
        i = data.draw(st.integers(0, len(raw) - 1))
        op = data.draw(st.sampled_from(["set", "insert", "delete"]))
        byte = data.draw(st.sampled_from(b'0123456789,[]{}":-. x\x00\xff'))
        if op == "set":
            raw[i] = byte
        elif op == "insert":
            raw[i:i] = bytes([byte]) * data.draw(st.integers(1, 25))
        else:
            del raw[i : i + data.draw(st.integers(1, 8))]
    _load_and_analyse(_write(bytes(raw), ".heapsnapshot"))


JSON_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), HOSTILE_INTS, st.integers(-5, 5), st.floats(),
              st.text(max_size=8), st.sampled_from(["0x", "0xZZ", "²", "5", "unlimited", ""])),
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.text(max_size=6), inner, max_size=3)),
    max_leaves=12,
)


def _paths(value, prefix=()):
    """Every (container, key) pair of a JSON document."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield value, k
            yield from _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield value, i
            yield from _paths(v, (*prefix, i))


@settings(settings.get_profile("hostile"))
@given(st.data())
def test_mutated_report_loads_or_fails_cleanly(data):
    doc = craft.report_doc()
    slots = list(_paths(doc))
    for _ in range(data.draw(st.sampled_from([1, 1, 2, 5]))):
        container, key = slots[data.draw(st.integers(0, len(slots) - 1))]
        op = data.draw(st.integers(0, 5))
        if op == 0 and isinstance(container, dict):
            container.pop(key, None)
        elif op <= 2 and isinstance(container[key], str):  # stays a string: passes the schema
            container[key] = data.draw(st.one_of(st.text(max_size=12), st.sampled_from(
                ["0x", "0xffffffffffffffffffff", "\x1b[2J", "at (", "at f (a:1:2", "9" * 40])))
        elif op <= 3 and isinstance(container[key], list) and container[key]:
            container[key] = container[key] * data.draw(st.integers(0, 700))
        else:
            try:
                container[key] = data.draw(JSON_VALUES)
            except IndexError:  # a list shortened by an earlier pop
                pass
        slots = list(_paths(doc))
        if not slots:
            break
    path = _write(json.dumps(doc), ".json")
    try:
        report = _must_be_handled(lambda: load_report(path))
    finally:
        path.unlink()
    if report is not None:
        report_to_crash_model(report)
        report_facts(report)


NOTE_TYPES = st.sampled_from([1, 3, 6, 0x53494749, 0x46494C45, 0x46494C45, 2, 0x202])
U64 = SMALL_OR_HOSTILE.map(lambda v: v % 2**64)


@st.composite
def notes(draw) -> bytes:
    """A core's notes: mostly the kernel's layouts with one field or size made hostile."""
    out = craft.note(b"CORE", 1, craft.prstatus()) if draw(st.integers(0, 3)) else b""
    for _ in range(draw(st.integers(1, 3))):
        type_ = draw(NOTE_TYPES)
        name = draw(st.sampled_from([b"CORE", b"CORE", b"LINUX", b"GNU", b""]))
        if type_ == 0x46494C45 and draw(st.integers(0, 3)):
            entries = draw(st.lists(st.tuples(U64, U64, U64, st.text(max_size=4)), max_size=3))
            desc = craft.nt_file(entries, page_size=draw(st.sampled_from([4096] * 4 + [0, 3, 2**63])),
                                 count=draw(st.one_of(st.none(), U64)))
            if draw(st.integers(0, 3)) == 0:
                desc = desc[: draw(st.integers(0, len(desc)))]
        elif type_ == 1 and draw(st.booleans()):
            desc = craft.prstatus()[: draw(st.sampled_from([336, 336, 0, 100, 327]))]
        else:
            desc = draw(st.binary(max_size=400))
        lie = draw(st.sampled_from([None] * 8 + [0, 3, 2**31, 2**32 - 1]))
        out += craft.note(name, type_, desc, descsz=lie)
    return out


@settings(settings.get_profile("hostile"))
@given(notes(), st.sampled_from([56] * 6 + [0, 32]), st.sampled_from([0] * 6 + [1, 3]))
def test_crafted_core_notes_load_or_fail_cleanly(blob, phentsize, cut):
    data = craft.core_bytes(blob, phentsize=phentsize)
    path = _write(data[: len(data) - cut * 16], ".core")
    try:
        core = _must_be_handled(lambda: CoreFile.open(path))
        if core is not None:
            _ = core.pid, core.executable_mapping(), core.argv_and_environ()
            core.executable_build_id()
            core.try_read(0x400000, 8)
    finally:
        path.unlink()


@st.composite
def valid_graphs(draw) -> str:
    """Any graph the loader's rules allow: odd roots, cycles, self edges, weak/shortcut edges,
    every node type. The loader must accept it and every analysis must finish on it."""
    strings = ["", "Session", "Map", "global", "x"]
    n = draw(st.integers(1, 14))
    out_edges = [draw(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 40),
                                         st.integers(0, n - 1)), max_size=5)) for _ in range(n)]
    nodes, edges = [], []
    for v in range(n):
        nodes += [draw(st.integers(0, 14)), draw(st.integers(0, len(strings) - 1)), 2 * v + 1,
                  draw(st.sampled_from([0, 8, 100, 2**40])), len(out_edges[v]), 0]
        for t, name, to in out_edges[v]:
            edges += [t, name if t in (1, 4) else name % len(strings), to * craft.NFC]
    root = draw(st.integers(0, n - 1)) * craft.NFC
    return craft.snapshot_text(nodes, edges, strings, header={"root_index": root})


@settings(settings.get_profile("hostile"))
@given(valid_graphs())
def test_any_valid_graph_loads_and_is_analysed(text):
    path = _write(text, ".heapsnapshot")
    try:
        g = load_snapshot(path)
    finally:
        path.unlink()
    g.validate()
    histogram(g)
    heap_section(g)
    find_suspects(g, top=3, min_count=1)
