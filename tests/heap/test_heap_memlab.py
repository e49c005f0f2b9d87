"""Cross-check against memlab on the same snapshot: class counts and retained sizes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

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
        renamed = _prototypes_named(g, snapshot_paths("snap_cache", 20)[0], name)
        assert ours.get(name, {"count": 0})["count"] + renamed == theirs.get(name, [0, 0])[0]
    assert ours["Session"]["shallow_bytes"] == theirs["Session"][1]
    assert int(dom.retained[cache]) == retained[int(g.node_id[cache])]


def _prototypes_named(g, path: str, name: str) -> int:  # noqa: ANN001
    """How many nodes V8's snapshot names `name` that triage names as prototype objects."""
    raw = json.loads(Path(path).read_text())
    fields = raw["snapshot"]["meta"]["node_fields"]
    nodes, strings = raw["nodes"], raw["strings"]
    at_name, at_id, width = fields.index("name"), fields.index("id"), len(fields)
    ids = [nodes[i + at_id] for i in range(0, len(nodes), width)
           if strings[nodes[i + at_name]] == name]
    ours = g.node_class[np.isin(g.node_id, np.array(ids, dtype=g.node_id.dtype))]
    return sum(g.strings[int(c)].endswith(".prototype") for c in ours)
