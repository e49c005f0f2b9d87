"""Instances held by the links of a doubly linked list, on real cores and GC'd snapshots of
every major (dumps/scenarios/leak_task_queue_links.js: a stuck task queue, 3,999 tasks each
in a plain `{data, next, prev}` link, as async.queue keeps them). Both ends hold every
link, so the dominator tree has no chain; the suspect was "accumulate in one DLL"."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, suspect_facts, top_suspect

crash = crashes_with_snapshots("leak_task_queue_links")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_tasks_hang_off_the_list_of_links(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert suspect_facts(suspect) == ("UploadTask", "linked-chain", "(global).uploads._tasks", 3999)
    assert "hang off a chain of 3,999 linked Object objects" in suspect["reason"]
