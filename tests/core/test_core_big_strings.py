"""Big strings that say what they are, on real cores and GC'd snapshots of every major: a
log grown with += behind a getter (dumps/scenarios/big_string_behind_getter.js) and ids
sliced from their own payloads (dumps/scenarios/big_sliced_payloads.js). The first was
"One Object `mod.exports` ... mostly 1 Function", the second "mostly 200 strings"."""

from __future__ import annotations

import re

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, top_suspect

getter_crash = crashes_with_snapshots("big_string_behind_getter")
sliced_crash = crashes_with_snapshots("big_sliced_payloads")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_a_string_behind_a_getter_is_the_big_object_named_by_its_variable(getter_crash,
                                                                          artifact):
    suspect = top_suspect(artifact_path(getter_crash, artifact))
    assert (suspect["pattern"], suspect["accumulation_point"]["holder"]) == (
        "big-object", "auditLog")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_a_string_grown_with_appends_says_how_many(getter_crash, artifact):
    reason = top_suspect(artifact_path(getter_crash, artifact))["reason"]
    appends = re.search(r"a string grown by ([\d,]+) appends", reason)
    assert appends and 20_000 <= int(appends.group(1).replace(",", "")) <= 20_010, reason


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_ids_sliced_from_their_own_payloads_say_they_keep_them(sliced_crash, artifact):
    suspect = top_suspect(artifact_path(sliced_crash, artifact))
    assert (suspect["pattern"], suspect["accumulation_point"]["holder"]) == ("big-object", "seen")
    assert "mostly 200 sliced strings that keep the whole strings they were cut from" in (
        suspect["reason"])
    assert suspect["retained_bytes"] >= 200 * 64 * 1024
