"""The exported file is a well-formed V8 heap snapshot, as another JSON reader (Node) sees it,
and memlab (the heap tool engineers already run) counts the same objects."""

from __future__ import annotations

import json
import subprocess

import pytest

from benchmarks.bench_snapshot import memlab_classes
from tests.export.conftest import EXPORT_MAJORS, exported
from tests.v8.conftest import EXPECTED
from triage.analyses import histogram
from triage.loaders import load_snapshot

# Node's own JSON.parse, then every invariant a snapshot reader relies on; prints the failures.
INVARIANTS_JS = r"""
const s = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
const m = s.snapshot.meta, bad = [];
const nfc = m.node_fields.length, efc = m.edge_fields.length;
const nodes = s.nodes, edges = s.edges, strings = s.strings;
const f = (list, name) => list.indexOf(name);
const nt = f(m.node_fields, 'type'), nn = f(m.node_fields, 'name'), ne = f(m.node_fields, 'edge_count');
const et = f(m.edge_fields, 'type'), en = f(m.edge_fields, 'name_or_index');
const eto = f(m.edge_fields, 'to_node');
if (m.node_types.length !== nfc || m.edge_types.length !== efc) bad.push('types/fields length');
if (nodes.length % nfc !== 0) bad.push('nodes length % node field count');
if (edges.length % efc !== 0) bad.push('edges length % edge field count');
if (nodes.length / nfc !== s.snapshot.node_count) bad.push('node_count');
if (edges.length / efc !== s.snapshot.edge_count) bad.push('edge_count');
let sum = 0;
for (let i = 0; i < nodes.length; i += nfc) {
  sum += nodes[i + ne];
  if (nodes[i + nt] >= m.node_types[nt].length) { bad.push('node type ' + i); break; }
  if (!(nodes[i + nn] >= 0 && nodes[i + nn] < strings.length)) { bad.push('node name ' + i); break; }
}
if (sum !== edges.length / efc) bad.push('sum of edge_count ' + sum);
const indexTypes = new Set(['element', 'hidden']);
for (let i = 0; i < edges.length; i += efc) {
  const to = edges[i + eto], type = m.edge_types[et][edges[i + et]];
  if (type === undefined) { bad.push('edge type ' + i); break; }
  if (to % nfc !== 0 || to < 0 || to >= nodes.length) { bad.push('to_node ' + i); break; }
  if (!indexTypes.has(type) && !(edges[i + en] >= 0 && edges[i + en] < strings.length)) {
    bad.push('edge name ' + i); break;
  }
}
if (m.node_types[nt][nodes[nt]] !== 'synthetic') bad.push('node 0 is not the synthetic root');
console.log(JSON.stringify({bad, nodes: nodes.length / nfc, edges: edges.length / efc}));
"""


@pytest.mark.parametrize("major", EXPORT_MAJORS, ids=lambda m: f"node{m}")
def test_node_parses_the_export_and_its_invariants_hold(major):
    path = exported("heap_basic", major)
    proc = subprocess.run(["node", "--max-old-space-size=4000", "-e", INVARIANTS_JS, str(path)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert result["bad"] == []
    g = load_snapshot(path)
    assert (result["nodes"], result["edges"]) == (g.node_count, g.edge_count)


@pytest.mark.parametrize("major", EXPORT_MAJORS, ids=lambda m: f"node{m}")
def test_memlab_counts_the_same_objects(major):
    path = exported("heap_basic", major)
    theirs, _ = memlab_classes(str(path), [])
    ours = {r["type"]: r for r in histogram(load_snapshot(path), retained=False)}
    for name, count in EXPECTED.items():
        assert ours[name]["count"] == theirs[name][0] == count
        assert ours[name]["shallow_bytes"] == theirs[name][1]
