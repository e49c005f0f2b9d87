"""Objects kept only as AsyncLocalStorage stores by the reactions of a promise that never
settles, on real cores and GC'd snapshots of dumps/scenarios/leak_async_context_reactions.js:
2,500 RequestScopes, each the store of one `dbReady.then(writeAudit)`. No callback
references them; the reason said only "kept alive by 2,500 reactions" (2,499 on Node 24 and 26,
where the best-child line of the dominator tree missed the last reaction)."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, top_suspect

crash = crashes_with_snapshots("leak_async_context_reactions")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_every_reaction_is_counted(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert (suspect["pattern"], suspect["type"], suspect["accumulation_point"]["holder"]) == (
        "pending-promise-reactions", "RequestScope", "(global).dbReady")
    assert "kept alive by 2,500 reactions" in suspect["reason"]


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_async_local_storage_store_is_said(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert "they are AsyncLocalStorage stores" in suspect["reason"]
