"""A class's private field is named as the code spells it: dumps/scenarios/leak_private_field.js
keeps 6,000 Sessions in `registry.#sessions` and 3,000 Jobs under a public
`Symbol('#jobs')`. The holder was `registry['#sessions']`, which in JS is another, public
key; and the core reader took any Symbol described `#...` for a private field, where V8's
snapshot checks the Symbol's is_private_name flag."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, artifact_summary, crashes_with_snapshots

crash = crashes_with_snapshots("leak_private_field")


def _holder_of(summary: dict, type_name: str) -> str:
    suspects = [s for s in summary["suspects"] if s["type"] == type_name]
    assert suspects, f"no {type_name} suspect"
    return suspects[0]["accumulation_point"]["holder"]


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_a_private_field_holder_reads_as_the_code_spells_it(crash, artifact):
    holder = _holder_of(artifact_summary(artifact_path(crash, artifact)), "Session")
    assert holder.endswith("registry.#sessions")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_a_public_symbol_described_with_a_hash_is_not_a_private_field(crash, artifact):
    holder = _holder_of(artifact_summary(artifact_path(crash, artifact)), "Job")
    assert holder.endswith("queue['<symbol #jobs>']")
