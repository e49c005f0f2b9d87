"""Self-calibration: with its versions.py entry ignored (TRIAGE_V8_IGNORE_FACTS, the
documented hook), the reader derives every per-version fact from the binary and the core
and gives the same answers; a fact it cannot derive is named in the capabilities."""

from __future__ import annotations

import dataclasses

import pytest

from dumps.crash import Crash, run_scenario
from dumps.nodes import SUPPORTED_MAJORS
from triage.coredump import CoreFile, ElfFile
from triage.pipeline import function_code_capability
from triage.v8 import V8Heap
from triage.v8.versions import FACTS, IGNORE_ENV, ignored

# V8 12+ exports the JSFunction type range; 10.2 and 11.3 do not, and it is not derived
DERIVABLE = [m for m in SUPPORTED_MAJORS if m >= 22]


def _open(crash: Crash) -> V8Heap:
    return V8Heap.open(CoreFile.open(crash.core_path), ElfFile(crash.node))


def _answers(heap: V8Heap) -> tuple[list[dict], list[tuple]]:
    stack = [(f.function, f.script, f.line, f.column, f.kind) for f in heap.js_stack()]
    return heap.histogram(), stack


@pytest.mark.parametrize("major", DERIVABLE, ids=[f"node{m}" for m in DERIVABLE])
def test_derived_facts_give_the_same_answers(major: int, monkeypatch: pytest.MonkeyPatch) -> None:
    crash = run_scenario("ledger", major)
    table = _open(crash)
    monkeypatch.setenv(IGNORE_ENV, "{}.{}".format(*table.constants.version[:2]))
    derived = _open(crash)
    assert derived.facts.source == "derived"
    assert derived.problems == [] and derived.underived == []
    if table.facts.source == "derived":  # a V8 with no entry yet (TRIAGE_NODE_OVERRIDE)
        assert table.problems == [] and table.underived == []
        assert {c.status for c in table.capabilities().values()} == {"full"}
        return
    for fact in ("page", "meta_maps", "bytecode_source_positions", "position_table",
                 "isolate_roots", "symbol_private_name_bit"):
        assert getattr(derived.facts, fact) == getattr(table.facts, fact), fact
        assert derived.facts.notes[fact].startswith("derived"), fact
    assert derived.native_context_type == table.facts.native_context_type
    assert derived.free_space_type == (table.facts.free_space_type
                                       or table.constants.type_id("FREE_SPACE_TYPE"))
    assert _answers(derived) == _answers(table)
    caps = derived.capabilities()
    assert {c.status for c in caps.values()} == {"full"}
    assert "is ignored (TRIAGE_V8_IGNORE_FACTS); its layout facts were derived from the binary" \
        in caps["js_stack"].reason
    graph_t, graph_d = table.to_heap_graph(), derived.to_heap_graph()
    assert graph_d.meta["roots"] == graph_t.meta["roots"]
    assert graph_d.meta["capability"].status == "full"
    # V8 13+: the derived dispatch-handle place links every function to its code, as the table's does
    assert graph_d.meta["function_code"] == graph_t.meta["function_code"]


@pytest.mark.parametrize("major", [18, 20], ids=["node18", "node20"])
def test_underived_fact_is_named(major: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(IGNORE_ENV, "all")
    heap = _open(run_scenario("ledger", major))
    assert heap.underived == ["JSFunction type range (not exported before V8 12)"]
    caps = heap.capabilities()
    for cap in caps.values():
        assert cap.status == "degraded"
        assert "could not be derived from the core: JSFunction type range" in cap.reason


def test_ignore_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(IGNORE_ENV, "14.6, 13.6")
    assert ignored((14, 6, 202, 34)) and ignored((13, 6)) and not ignored((12, 4))
    monkeypatch.setenv(IGNORE_ENV, "")
    assert not ignored((14, 6))


DISPATCH = [m for m in SUPPORTED_MAJORS if m >= 24]


@pytest.mark.parametrize("major", DISPATCH, ids=[f"node{m}" for m in DISPATCH])
def test_functions_linked_to_their_code_are_counted(major: int) -> None:
    graph = _open(run_scenario("ledger", major)).to_heap_graph()
    meta = graph.meta["function_code"]
    assert meta["resolved"] == meta["functions"] > 1000
    assert function_code_capability(meta).status == "full"


@pytest.mark.parametrize("major", DISPATCH, ids=[f"node{m}" for m in DISPATCH])
def test_unknown_dispatch_handle_place_is_said(major: int) -> None:
    """A V8 whose JSFunction dispatch-handle place is unknown: closures' code is missing
    from their retained sizes, and capabilities say so instead of reporting `full`."""
    heap = _open(run_scenario("ledger", major))
    heap.facts = dataclasses.replace(heap.facts, dispatch_handle=None)
    capability = function_code_capability(heap.to_heap_graph().meta["function_code"])
    assert capability.status == "degraded"
    assert "retained sizes" in capability.reason


@pytest.mark.parametrize("major", DISPATCH, ids=[f"node{m}" for m in DISPATCH])
def test_wrong_dispatch_handle_place_is_refused(major: int) -> None:
    """A wrong guess of the place reads other words as handles: the parameter-count check
    refuses every candidate table, and the capability says so."""
    heap = _open(run_scenario("ledger", major))
    heap.facts = dataclasses.replace(heap.facts, dispatch_handle=heap.facts.dispatch_handle + 8)
    meta = heap.to_heap_graph().meta["function_code"]
    assert not meta.get("resolved")
    assert function_code_capability(meta).status == "degraded"


@pytest.mark.parametrize("fact, wrong, named", [
    ("symbol_private_name_bit", 1 << 6, "private-field keys (Symbol flags): the table says "
                                        "symbol_private_name_bit=0x40, the data says"),
    ("isolate_roots", (-0x1000, 0x2000), "isolate roots window: the table says "
                                         "isolate_roots=(-0x1000, 0x2000), the data says"),
], ids=["symbol-flags", "isolate-roots"])
def test_a_table_fact_the_core_contradicts_is_a_problem(fact: str, wrong: object, named: str,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    crash = run_scenario("ledger", 22)
    version = _open(crash).constants.version
    key = (version[0], version[1])
    monkeypatch.setitem(FACTS, key, dataclasses.replace(FACTS[key], **{fact: wrong}))
    heap = _open(crash)
    assert [p for p in heap.problems if p.startswith(named)], heap.problems


TRACED = [m for m in SUPPORTED_MAJORS if m >= 24]  # Node 24+ hold vm.Script code this way


def _scripts_core(major: int) -> Crash:
    """400 vm.Scripts kept in a Map: their code is held through V8 traced handles."""
    return run_scenario("leak_vm_scripts", major)


@pytest.mark.parametrize("major", TRACED, ids=[f"node{m}" for m in TRACED])
def test_derived_traced_block_header_reads_the_same_handles(
        major: int, monkeypatch: pytest.MonkeyPatch) -> None:
    crash = _scripts_core(major)
    table = _open(crash)
    monkeypatch.setenv(IGNORE_ENV, "{}.{}".format(*table.constants.version[:2]))
    derived = _open(crash)
    assert derived.facts.traced_block_header == table.facts.traced_block_header
    assert derived.facts.notes["traced_block_header"].startswith("derived")
    assert derived.to_heap_graph().meta["traced_handles"] == \
        table.to_heap_graph().meta["traced_handles"]


@pytest.mark.parametrize("major", TRACED, ids=[f"node{m}" for m in TRACED])
def test_traced_handles_without_a_known_header_are_said(major: int) -> None:
    """A V8 whose TracedNodeBlock header is not known: the roots say the blocks were not
    read instead of reporting `full`."""
    heap = _open(_scripts_core(major))
    heap.facts = dataclasses.replace(heap.facts, traced_block_header=None)
    capability = heap.to_heap_graph().meta["capability"]
    assert capability.status == "degraded"
    assert "blocks of V8 traced handles are not read" in capability.reason


@pytest.mark.parametrize("major", TRACED, ids=[f"node{m}" for m in TRACED])
def test_underivable_traced_block_header_is_named(major: int,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A new V8 whose header is none of the sizes calibration tries."""
    from triage.v8 import traced

    crash = _scripts_core(major)
    monkeypatch.setattr(traced, "HEADER_SIZES", [h for h in traced.HEADER_SIZES if h != 72])
    monkeypatch.setenv(IGNORE_ENV, "all")
    heap = _open(crash)
    assert "traced-handle block header" in heap.underived
    assert heap.to_heap_graph().meta["capability"].status == "degraded"


@pytest.mark.parametrize("major", TRACED, ids=[f"node{m}" for m in TRACED])
def test_a_wrong_traced_block_header_in_the_table_is_a_problem(
        major: int, monkeypatch: pytest.MonkeyPatch) -> None:
    crash = _scripts_core(major)
    version = _open(crash).constants.version
    key = (version[0], version[1])
    monkeypatch.setitem(FACTS, key, dataclasses.replace(FACTS[key], traced_block_header=80))
    heap = _open(crash)
    assert "traced-handle block header: the table says traced_block_header=0x50, the data " \
           "says traced_block_header=0x48" in heap.problems


@pytest.mark.parametrize("major", TRACED, ids=[f"node{m}" for m in TRACED])
def test_records_that_look_like_traced_nodes_need_no_header(
        major: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Buffer of records counting 0, 1, 2, ... at +10 holds no V8 objects: calibration
    does not take it for blocks whose header it failed to derive."""
    monkeypatch.setenv(IGNORE_ENV, "all")
    heap = _open(run_scenario("traced_block_lookalike", major))
    assert heap.underived == []
