"""Analyses on real snapshots, each checked against what the scenario built by construction."""

from __future__ import annotations

import numpy as np

from tests.heap.conftest import graph
from triage.analyses import distances, dominators, heap_diff, histogram, retainer_paths
from triage.analyses.distances import UNREACHABLE
from triage.analyses.dominators import essential_edges


def _row(hist, name):
    return next(r for r in hist if r["type"] == name)


def _instances(g, name):
    return np.nonzero(g.node_class == g.find_string(name))[0]


def test_histogram_counts_exactly_3000_sessions(major):
    h = histogram(graph("snap_cache", major))
    assert _row(h, "Session")["count"] == 3000


def test_histogram_rows_have_sizes_and_are_sorted_by_retained(major):
    h = histogram(graph("snap_cache", major))
    assert all(r["shallow_bytes"] > 0 and r["retained_bytes"] >= 0 for r in h)
    ret = [r["retained_bytes"] for r in h]
    assert ret == sorted(ret, reverse=True)


def test_derived_class_is_named_by_its_own_constructor(major):
    h = histogram(graph("snap_classes", major), retained=False)
    assert _row(h, "Admin")["count"] == 7
    # 5 instances, plus on some V8s `Admin.prototype`, an object V8 names after Base
    assert _row(h, "Base")["count"] in (5, 6)
    assert _row(h, "Widget")["count"] == 4


def test_closures_are_grouped_as_function_and_strings_as_string(major):
    g = graph("snap_classes", major)
    names = {r["type"] for r in histogram(g, retained=False)}
    assert {"Function", "(string)", "(compiled code)"} <= names


def test_garbage_is_collected_or_unreachable(major):
    """2000 `Discarded` were dropped before the snapshot: none is reachable."""
    g = graph("snap_cache", major)
    dist = distances(g)
    assert all(dist[v] == UNREACHABLE for v in _instances(g, "Discarded"))


def test_every_session_is_reachable_and_the_root_is_at_distance_0(major):
    g = graph("snap_cache", major)
    dist = distances(g)
    assert dist[g.root] == 0
    assert (dist[_instances(g, "Session")] > 0).all()


def test_sessions_are_dominated_by_the_cache_map(major):
    g = graph("snap_cache", major)
    dom = dominators(g)
    owners = {int(dom.idom[dom.idom[v]]) for v in _instances(g, "Session")}
    assert len(owners) == 1
    (m,) = owners
    assert g.class_name(m) == "Map"
    assert dom.retained[m] > 3000 * int(g.self_size[_instances(g, "Session")].min())


def test_root_retains_the_whole_heap(major):
    g = graph("snap_cache", major)
    for convention in ("devtools", "memlab"):
        assert dominators(g, convention).retained[g.root] == g.total_size


def test_dominators_equal_a_reference_iterative_algorithm():
    """Cooper-Harvey-Kennedy on the essential edges (plain Python) as the reference."""
    g = graph("snap_classes", 20)
    for convention in ("devtools", "memlab"):
        dom = dominators(g, convention)
        assert (_chk_idom(g, essential_edges(g, convention), dom) == dom.idom).all()


def _chk_idom(g, ess, dom):
    n = g.node_count
    preds: list[list[int]] = [[] for _ in range(n)]
    for v in range(n):
        for e in range(int(g.edge_start[v]), int(g.edge_start[v + 1])):
            if ess[e]:
                preds[int(g.edge_to[e])].append(v)
    order = [int(v) for v in dom.order]  # a DFS preorder; extra root edges for its orphans
    seen = set()
    for v in order:  # nodes first reached without an essential predecessor seen: root-attached
        if v != g.root and not any(p in seen for p in preds[v]):
            preds[v].append(g.root)
        seen.add(v)
    rank = {v: i for i, v in enumerate(order)}
    idom = {g.root: g.root}
    changed = True
    while changed:
        changed = False
        for v in order[1:]:
            new = None
            for p in preds[v]:
                if p not in idom:
                    continue
                if new is None:
                    new = p
                    continue
                a, b = p, new
                while a != b:
                    while rank[a] > rank[b]:
                        a = idom[a]
                    while rank[b] > rank[a]:
                        b = idom[b]
                new = a
            if idom.get(v) != new:
                idom[v] = new
                changed = True
    return np.array([idom[v] for v in range(n)], dtype=np.int32)


def test_retainer_path_names_the_module_level_holder(major):
    g = graph("snap_cache", major)
    (path, *_) = retainer_paths(g, int(_instances(g, "Session")[0]))
    labels = [s["edge"]["label"] for s in path if s["edge"]]
    assert "context var sessionCache" in labels
    assert path[-1]["node"]["type"] == "Session"
    assert path[-2]["node"]["type"] == "Map"
    assert labels[-1].startswith("Map entry 'sid-")  # table + slot collapsed into one step


def test_retainer_paths_never_use_weak_edges(major):
    g = graph("snap_listeners", major)
    for v in _instances(g, "RequestContext")[:20]:
        for path in retainer_paths(g, int(v)):
            assert all(s["edge"] is None or s["edge"]["type"] != "weak" for s in path)


def test_garbage_has_no_retainer_path(major):
    g = graph("snap_cache", major)
    dist = distances(g)
    dead = np.nonzero(dist == UNREACHABLE)[0]
    assert all(retainer_paths(g, int(v)) == [] for v in dead[:5])


def test_heap_diff_reports_growth_and_new_types(major):
    before, after = graph("snap_growth", major, 0), graph("snap_growth", major, 1)
    d = heap_diff(before, after)
    order = _row(d["rows"], "Order")
    assert (order["count_before"], order["count_after"]) == (1000, 3000)
    assert order["new_count"] == 2000
    assert "Invoice" in d["new_types"]
    assert _row(d["rows"], "Invoice")["count_delta"] == 500
    deltas = [r["bytes_delta"] for r in d["rows"]]
    assert deltas == sorted(deltas, reverse=True)
