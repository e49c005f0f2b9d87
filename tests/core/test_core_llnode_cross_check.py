"""The llnode cross-check raises an alarm only when llnode really disagrees.

llnode decodes JS frames on Node 18 and 20. It prints argument values raw, so a multi-line
string argument spreads one frame over several lines of its output; and it leaves out frames
it cannot decode. Neither is a disagreement.
"""

from __future__ import annotations

import pytest

from dumps.crash import run_scenario
from tests.conftest import run_triage
from triage.llnode import compare_function_names


@pytest.mark.parametrize("major", [18, 20])
def test_a_multi_line_string_argument_does_not_make_llnode_differ(major: int) -> None:
    crash = run_scenario("multiline_arg", major)
    result = run_triage(crash.core, "--llnode", "--format", "json")
    assert result.code == 0, result.stderr
    doc = result.json
    check = doc["capabilities"]["llnode_cross_check"]
    assert check["status"] == "full", check
    assert not [w for w in doc["warnings"] if "llnode" in w]
    js = [f for f in doc["js_stack"]["frames"] if f["kind"] not in ("exit", "entry")]
    assert [f["function"] for f in js[:2]] == ["render", "main"]


def test_llnode_missing_a_frame_is_agreement() -> None:
    agree, sentence = compare_function_names(["render", "Map.prototype.set", "main"], ["render", "main"])
    assert agree and "1 fewer" in sentence


def test_llnode_naming_another_function_is_a_disagreement_saying_which() -> None:
    agree, sentence = compare_function_names(["render", "main"], ["render", "boot"])
    assert not agree and "'boot'" in sentence
