"""The snapshot loader: every Node major's format, gzip, and damaged or foreign input."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

from tests.heap.conftest import graph, snapshot_paths
from triage.errors import InputDamaged, InputUnreadable, InputUnrecognized
from triage.heapgraph import EdgeType, NodeType
from triage.loaders import load_snapshot


def test_counts_match_the_snapshot_header(major):
    path = snapshot_paths("snap_cache", major)[0]
    g = graph("snap_cache", major)
    text = open(path, encoding="utf-8").read()
    doc = json.loads(text)
    assert g.node_count == doc["snapshot"]["node_count"]
    assert g.edge_count == doc["snapshot"]["edge_count"]
    assert g.strings == doc["strings"][: len(doc["strings"])] or g.strings[: len(doc["strings"])]
    g.validate()


def test_columns_equal_a_json_reference_parse(major):
    """Independent reference: `json` + the meta field offsets, compared column by column."""
    doc = json.load(open(snapshot_paths("snap_classes", major)[0]))
    meta = doc["snapshot"]["meta"]
    nf, ef = meta["node_fields"], meta["edge_fields"]
    nodes = np.array(doc["nodes"]).reshape(-1, len(nf))
    edges = np.array(doc["edges"]).reshape(-1, len(ef))
    g = load_snapshot(snapshot_paths("snap_classes", major)[0])
    assert (g.node_id == nodes[:, nf.index("id")]).all()
    assert (g.self_size == nodes[:, nf.index("self_size")]).all()
    assert (np.diff(g.edge_start) == nodes[:, nf.index("edge_count")]).all()
    assert (g.edge_to == edges[:, ef.index("to_node")] // len(nf)).all()
    # except a Proxy's two fields (next test) and a class's own binding, which the loader names
    renamed = np.array([g.class_name(int(u)) == "Proxy" and g.edge_type[e] == EdgeType.INTERNAL
                        and g.edge_name_str(e) in ("target", "handler")
                        for e, u in enumerate(g.edge_sources(np.arange(g.edge_count)))])
    was_hidden = np.array(meta["edge_types"][ef.index("type")])[edges[:, ef.index("type")]] \
        == "hidden"
    context_vars = was_hidden & (g.edge_type == EdgeType.CONTEXT)
    name_or_index = edges[:, ef.index("name_or_index")]
    kept = ~renamed & ~context_vars
    assert (g.edge_name[kept] == name_or_index[kept]).all()
    assert set(name_or_index[renamed].tolist()) == {1, 2}
    # Context slots V8's snapshot leaves unnamed, named by the loader (Node's own code has
    # both kinds): a class's own binding in its class scope, named as the class, from the
    # context the class itself runs in; and a block's variable, named as its ScopeInfo's
    # local of the slot's index
    class_bindings = blocks = 0
    for e in np.flatnonzero(context_vars).tolist():
        ctx, to = g.edge_source(e), int(g.edge_to[e])
        assert not g.edge_name_str(e).startswith(("#", "."))
        own = [int(g.edge_to[f]) for f in g.edges_of(to) if g.edge_name_str(f) == "context"]
        if ctx in own and g.edge_name_str(e) == g.name(to):
            class_bindings += 1
            continue
        scope = next(int(g.edge_to[f]) for f in g.edges_of(ctx) if g.edge_name_str(f) == "scope_info")
        local = next(int(g.edge_to[f]) for f in g.edges_of(scope)
                     if g.edge_type[f] == EdgeType.HIDDEN and g.edge_name[f] == name_or_index[e])
        assert g.edge_name_str(e) == g.name(local)
        blocks += 1
    assert class_bindings and blocks
    type_names = meta["node_types"][nf.index("type")]
    want = np.array([NodeType.from_v8_name(type_names[t]) for t in nodes[:, nf.index("type")]])
    proxies = np.array([g.class_name(v) == "Proxy" for v in range(g.node_count)])
    assert (g.node_type[~proxies] == want[~proxies]).all()
    assert (want[proxies] == NodeType.HIDDEN).all()


def _context_variables(g, name: str) -> list[str]:
    """The classes that context variables called `name` lead to."""
    return [g.class_name(int(g.edge_to[e])) for e in np.flatnonzero(g.edge_type == EdgeType.CONTEXT)
            if g.edge_name_str(int(e)) == name]


def test_a_blocks_variables_are_named_as_in_a_core(major):
    """V8's snapshot leaves the variables of an `if` block's context unnamed (a worker's
    Map in `else { const completed = ... }` was `(Map) via port`); the loader names them
    from the block's ScopeInfo."""
    g = graph("snap_block_scopes", major)
    assert _context_variables(g, "roster") == ["Map"]
    assert _context_variables(g, "aliases") == ["Array"]


def test_a_block_with_a_number_in_it_is_not_named_by_position(major):
    """A Smi `count` has no hidden edge and no index in V8's numbering, so the Map after it
    is hidden edge 0, the index of `count`'s name: that block is left unnamed."""
    g = graph("snap_block_scopes", major)
    assert _context_variables(g, "count") == []
    assert _context_variables(g, "tally") == []


def test_a_proxy_is_an_object_with_its_target_and_handler_named(major):
    """V8's snapshot has a Proxy as a hidden `system / JSProxy` with unnamed hidden edges 1
    and 2; a core's graph names them `target` and `handler` (holders read
    `store.[[Target]]`), and so does the loader."""
    g = graph("snap_classes", major)
    proxies = [v for v in range(g.node_count) if g.class_name(v) == "Proxy"]
    assert proxies  # Node's own bootstrap makes a few
    for v in proxies:
        assert g.node_type[v] == NodeType.OBJECT
        named = {g.edge_name_str(e) for e in g.edges_of(v) if g.edge_type[e] == EdgeType.INTERNAL}
        assert {"target", "handler"} <= named


def test_node24_has_no_trace_node_id_and_still_loads():
    doc_head = open(snapshot_paths("snap_cache", 24)[0], "rb").read(600).decode()
    assert "trace_node_id" not in doc_head
    g = graph("snap_cache", 24)
    assert g.name(g.root) == "" and g.node_type[g.root] == NodeType.SYNTHETIC


def test_root_has_a_shortcut_to_global(major):
    g = graph("snap_cache", major)
    shortcuts = [e for e in g.edges_of(g.root) if g.edge_type[e] == EdgeType.SHORTCUT]
    assert shortcuts
    target = int(g.edge_to[shortcuts[0]])
    if major >= 26:  # V8 14.6 snapshots link the root to the NativeContext instead
        assert g.name(target) == "system / NativeContext"
        glob = [int(g.edge_to[e]) for e in g.edges_of(target)
                if g.edge_name_str(e) == "global_object"]
        assert len(glob) == 1 and g.class_name(glob[0]).startswith("global")
    else:
        assert g.class_name(target) == "global"


def test_gzip_input_loads_the_same_graph(tmp_path):
    src = snapshot_paths("snap_classes", 22)[0]
    gz = tmp_path / "classes.heapsnapshot.gz"
    gz.write_bytes(gzip.compress(open(src, "rb").read(), compresslevel=1))
    a, b = load_snapshot(src), load_snapshot(gz)
    assert a.node_count == b.node_count and (a.edge_to == b.edge_to).all()
    assert a.strings == b.strings


def _cut(tmp_path, fraction: float, name="cut.heapsnapshot"):
    data = open(snapshot_paths("snap_classes", 24)[0], "rb").read()
    p = tmp_path / name
    p.write_bytes(data[: int(len(data) * fraction)])
    return p


@pytest.mark.parametrize("fraction", [0.0005, 0.3, 0.7, 0.999])
def test_truncated_snapshot_is_damaged(tmp_path, fraction):
    with pytest.raises(InputDamaged, match="damaged heap snapshot"):
        load_snapshot(_cut(tmp_path, fraction))


def test_truncated_gzip_is_damaged(tmp_path):
    data = gzip.compress(open(snapshot_paths("snap_classes", 24)[0], "rb").read())
    p = tmp_path / "x.heapsnapshot.gz"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputDamaged):
        load_snapshot(p)


def test_garbage_inside_the_nodes_array_is_damaged(tmp_path):
    data = open(snapshot_paths("snap_classes", 24)[0], "rb").read()
    i = data.index(b'"nodes":[') + 40
    p = tmp_path / "bad.heapsnapshot"
    p.write_bytes(data[:i] + b"x" + data[i + 1 :])
    with pytest.raises(InputDamaged, match="unexpected"):
        load_snapshot(p)


def test_edge_count_mismatch_is_damaged(tmp_path):
    data = open(snapshot_paths("snap_classes", 24)[0], "rb").read()
    head, rest = data.split(b'"edge_count":', 1)
    n = int(rest[: rest.index(b",")])
    p = tmp_path / "bad.heapsnapshot"
    p.write_bytes(head + b'"edge_count":' + str(n + 1).encode() + rest[rest.index(b",") :])
    with pytest.raises(InputDamaged):
        load_snapshot(p)


@pytest.mark.parametrize("content", [b"", b"hello world", b'{"crash": 1}', b"\x7fELF\x02\x01"])
def test_other_files_are_unrecognized(tmp_path, content):
    p = tmp_path / "x.heapsnapshot"
    p.write_bytes(content)
    with pytest.raises(InputUnrecognized):
        load_snapshot(p)


def test_a_diagnostic_report_is_unrecognized(tmp_path):
    p = tmp_path / "report.json"
    p.write_text(json.dumps({"header": {"reportVersion": 3}, "javascriptStack": {}}))
    with pytest.raises(InputUnrecognized):
        load_snapshot(p)


def test_missing_file_is_unreadable(tmp_path):
    with pytest.raises(InputUnreadable):
        load_snapshot(tmp_path / "nope.heapsnapshot")


def test_error_message_is_one_line(tmp_path):
    with pytest.raises(InputDamaged) as info:
        load_snapshot(_cut(tmp_path, 0.5))
    assert "\n" not in str(info.value)


def test_the_global_object_is_class_global_as_in_cores(major):
    """V8 14's snapshots name the global object `global (global*)` (its proxy `global
    (global)`); cores and older snapshots say `global`. The class is `global` in all, so a
    holder reads `(global).cache` from a snapshot as from a core of the same program."""
    from dumps.crash import run_scenario

    crash = run_scenario("leak_promise_race", major, args=("snapshot",), want_core=False)
    g = load_snapshot(crash.snapshots[-1])
    classes = {g.class_name(int(v)) for v in range(g.node_count)
               if g.name(int(v)).startswith("global")}
    assert "global" in classes
    assert not [c for c in classes if c.startswith("global (")], classes
