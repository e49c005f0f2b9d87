"""A dictionary's instances may sit inside its values: dumps/scenarios/leak_memo_by_json_key.js
memoizes into a plain object `memo` keyed by JSON.stringify(args), each value holding a
`.lines` Array. The reason said "4,000 Array objects ... are properties of one plain object
`memo`", which they are not (the values are plain objects), and a snapshot counted its
`__proto__` edge as one more key."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, top_suspect

crash = crashes_with_snapshots("leak_memo_by_json_key")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_instances_inside_the_values_are_said_to_be_under_the_keys(crash, artifact):
    suspect = top_suspect(artifact_path(crash, artifact))
    assert (suspect["pattern"], suspect["accumulation_point"]["holder"]) == (
        "object-as-dictionary", "memo")
    assert "are properties of" not in suspect["reason"]
    assert "held under the 4,000 keys of one plain object `memo`" in suspect["reason"]
    assert "each in its value's `.lines`" in suspect["reason"]
