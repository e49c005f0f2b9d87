"""Cross-check against memlab on the same snapshot: class counts and retained sizes."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from benchmarks.bench_snapshot import memlab_classes
from tests.heap.conftest import graph, snapshot_paths
from triage.analyses import dominators, histogram


@pytest.mark.skipif(shutil.which("npm") is None, reason="npm is not available to install memlab")
def test_class_counts_and_retained_sizes_equal_memlabs():
    g = graph("snap_cache", 20)
    dom = dominators(g, "memlab")  # memlab's essential-edge convention
    (cache,) = {int(dom.idom[dom.idom[v]]) for v in (g.node_class == g.find_string("Session")).nonzero()[0]}
    theirs, retained = memlab_classes(snapshot_paths("snap_cache", 20)[0], [int(g.node_id[cache])])
    ours = {r["type"]: r for r in histogram(g, retained=False)}
    for name in ("Session", "Map", "Discarded"):
        # memlab counts by V8's names, which give `Map.prototype` the name `Map`; ours, as
        # a core's, names it `Map.prototype`, so that it does not count as an instance
        renamed = _prototypes_named(g, name)
        assert ours.get(name, {"count": 0})["count"] + renamed == theirs.get(name, [0, 0])[0]
    assert ours["Session"]["shallow_bytes"] == theirs["Session"][1]
    assert int(dom.retained[cache]) == retained[int(g.node_id[cache])]


def _prototypes_named(g, name: str) -> int:  # noqa: ANN001
    """How many prototype objects V8's snapshot names `name` and our classes do not."""
    v8_named = g.node_name == g.find_string(name)
    ours = np.array([g.strings[int(c)].endswith(".prototype") or g.strings[int(c)] ==
                     "(prototype object)" for c in g.node_class[v8_named]], dtype=bool)
    return int(ours.sum())
