"""A big object whose memory is one dictionary says what the dictionary holds, on real
cores and GC'd snapshots of every major (dumps/scenarios/leak_session_store.js: a store
keeping 8,000 JSON strings under 8,000 ids, as express-session's MemoryStore does). Field
finding (December 2026): "most of it in `.sessions` (Object, 4.2 MiB)", no word of keys or
strings."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, suspect_facts, top_suspect

crash = crashes_with_snapshots("leak_session_store")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_the_store_is_one_big_object(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert suspect_facts(suspect) == ("SessionStore", "big-object", "(global).store", 1)


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_its_sessions_are_said_to_be_strings_under_many_keys(crash, artifact):
    reason = top_suspect(artifact_path(crash, artifact))["reason"]
    assert "most of it in `.sessions` (Object, " in reason
    assert ", in 8,000 properties, mostly 16,000 strings (" in reason
