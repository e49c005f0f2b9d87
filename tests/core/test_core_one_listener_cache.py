"""One listener that fills a collection is no pile of listeners, and a block's variable has
its name in a snapshot too: dumps/scenarios/leak_dedupe_listener.js adds ONE 'order'
listener to an EventTarget, in an `if` block, and the listener keeps 10,000 OrderRecords in
the block's Map `seen`. It was "kept alive by listeners piling up on ... (an EventTarget):
listeners are added with addEventListener and never removed", and V8's snapshot, which
does not name a block's variables, held them in `(Map) via _process`."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, top_suspect

crash = crashes_with_snapshots("leak_dedupe_listener")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_records_accumulate_in_the_listeners_map_not_in_its_listener_list(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert (suspect["type"], suspect["pattern"]) == ("OrderRecord", "unbounded-map")
    assert "addEventListener" not in suspect["reason"]


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_holder_is_the_blocks_variable(crash, artifact):
    point = top_suspect(artifact_path(crash, artifact))["accumulation_point"]
    assert (point["holder"], point["count"]) == ("seen", 10000)
