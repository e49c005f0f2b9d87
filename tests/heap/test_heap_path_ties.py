"""Equally short retainer paths: the same one is chosen whatever the objects' memory order."""

from __future__ import annotations

import pytest

from tests.hostile.craft import NFC, snapshot_text
from triage.analyses.retainers import holder_expression, retainer_paths
from triage.loaders import load_snapshot

STRINGS = ["", "(GC roots)", "Registry", "Holder", "Session", "zeta", "alpha"]


def _two_holders(alpha_first: bool) -> tuple[list, list]:
    """root -> two Registry objects; one holds the Session as `.zeta`, the other as `.alpha`.
    `alpha_first` puts the `.alpha` holder first in the node array (lower address)."""
    order = ["alpha", "zeta"] if alpha_first else ["zeta", "alpha"]
    rows = [(9, 1, 1, 0, 2, 0)] + [(3, 2, 3 + 2 * i, 32, 1, 0) for i in range(2)] + [
        (3, 4, 9, 64, 0, 0)]
    edges = [1, 0, 1 * NFC, 1, 1, 2 * NFC]  # root [0] -> holder 1, [1] -> holder 2
    for name in order:
        edges += [2, STRINGS.index(name), 3 * NFC]
    return [v for r in rows for v in r], edges


@pytest.mark.parametrize("alpha_first", [True, False])
def test_tied_paths_are_chosen_by_label_not_by_memory_order(tmp_path, alpha_first):
    nodes, edges = _two_holders(alpha_first)
    path = tmp_path / "ties.heapsnapshot"
    path.write_text(snapshot_text(nodes, edges, STRINGS))
    g = load_snapshot(str(path))
    session = next(v for v in range(g.node_count) if g.class_name(v) == "Session")
    best = retainer_paths(g, session, max_paths=1)[0]
    assert holder_expression(best).endswith(".alpha")
