"""Whole-core scans leave out the holes of a sparse core (`CoreFile.data_segments_array`).

The kernel writes the never-touched pages of a mapping as holes; triage's scans for page
headers and global-handle blocks skip them because zeros match neither. The claim: the
summary of a sparse core equals the summary of a dense copy of it, whose holes are real
zero bytes that every scan reads.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_triage
from tests.core.conftest import crash_of, triage_json
from triage.coredump import CoreFile


def _comparable(doc: dict, core: Path) -> dict:
    """The summary without run times and with the core's path made neutral."""
    def strip(value):  # noqa: ANN001, ANN202
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if "seconds" not in k}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value
    return strip(json.loads(json.dumps(doc).replace(str(core), "CORE")))


def test_a_sparse_core_and_its_dense_copy_give_the_same_summary(tmp_path):
    sparse = crash_of("abort", 20).core_path
    core = CoreFile.open(sparse)
    dumped = core.segments_array()
    data = core.data_segments_array()
    assert int((data[:, 1] - data[:, 0]).sum()) < int((dumped[:, 1] - dumped[:, 0]).sum()), \
        "the cached core has no holes: this test would prove nothing"
    dense = tmp_path / "core"
    with open(sparse, "rb") as src, open(dense, "wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)  # written byte by byte: the copy has no holes
    copy = CoreFile.open(dense)
    assert (copy.data_segments_array() == copy.segments_array()).all()
    result = run_triage(dense, "--format", "json")
    assert result.code == 0, result.stderr
    assert _comparable(result.json, dense) == _comparable(triage_json("abort", 20), sparse)
