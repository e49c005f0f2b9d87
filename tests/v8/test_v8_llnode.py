"""Cross-check against llnode's `v8 findjsobjects` on Node 18, the version llnode supports.

llnode cannot name class instances (it files them under "(Object)", see
docs/v8-versions.md), so the check is on what it does get right: the class-built
objects we count exactly all sit inside its "(Object)" row, and its typed-array row
("(ArrayBufferView)") agrees with our typed-array count within 5 %.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import numpy as np
import pytest

from dumps.nodes import cache_root
from tests.v8.conftest import EXPECTED, load

LLNODE = sorted((cache_root() / "tools" / "llnode").rglob("llnode.so"))


@pytest.mark.skipif(not LLNODE, reason="llnode.so not built under ~/.cache/triage/tools/llnode")
@pytest.mark.skipif(shutil.which("lldb-19") is None, reason="lldb-19 not installed")
def test_findjsobjects_node18() -> None:
    crash, heap = load(18)
    out = subprocess.run(
        ["lldb-19", "--batch", "-o", f"plugin load {LLNODE[0]}", "-o", "v8 findjsobjects",
         crash.node, "-c", str(crash.core_path)],
        capture_output=True, text=True, timeout=600).stdout
    rows = {m[3]: int(m[1]) for m in re.finditer(
        r"^[ \t]*(\d+)[ \t]+(\d+)[ \t]+(\S.*?)[ \t]*$", out, re.M)}
    assert "(Object)" in rows, out[-2000:]
    classed = EXPECTED["Session"] + EXPECTED["Order"] + EXPECTED["Admin"]
    assert rows["(Object)"] >= classed
    w = heap.walk()
    types = np.array([m.instance_type for m in heap.maps])[w.map_index]
    typed = int((types == heap.constants.type_id("JS_TYPED_ARRAY_TYPE")).sum())
    # llnode skips a few typed arrays it cannot classify (284 vs 295 on the test core)
    assert abs(rows["(ArrayBufferView)"] - typed) <= 0.05 * typed
