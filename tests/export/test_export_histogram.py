"""An exported core reads back, in triage's own snapshot loader, as the summary counted it."""

from __future__ import annotations

import pytest

from tests.conftest import run_triage
from tests.export.conftest import EXPORT_MAJORS, crash, exported
from triage.analyses import histogram
from triage.loaders import load_snapshot


@pytest.mark.parametrize("major", EXPORT_MAJORS, ids=lambda m: f"node{m}")
def test_exported_snapshot_has_the_summarys_histogram(major):
    c = crash("heap_basic", major)
    summary = run_triage(c.core_path, "--node", c.node, "--format", "json", "--top", "100000",
                         "--no-llnode", timeout=900)
    assert summary.code == 0, summary.stderr
    theirs = {r["type"]: (r["count"], r["shallow_bytes"]) for r in summary.json["histogram"]}
    g = load_snapshot(exported("heap_basic", major))
    ours = {r["type"]: (r["count"], r["shallow_bytes"]) for r in histogram(g, retained=False)}
    assert ours["Session"] == theirs["Session"] == (3000, theirs["Session"][1])
    assert ours == theirs
