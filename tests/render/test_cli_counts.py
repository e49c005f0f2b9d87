"""Counts on the command line are checked, not silently used: `--top -5` is a usage error."""

from __future__ import annotations

import pytest

from tests.conftest import REPO, run_triage

REPORT = REPO / "tests" / "fixtures" / "reports" / "exception-node20.json"


@pytest.mark.parametrize("option", [("--top", "-5"), ("--top", "0"), ("--limit", "-1"), ("--depth", "-2")])
def test_a_nonsense_count_is_a_usage_error(option: tuple[str, str]) -> None:
    result = run_triage(REPORT, *option)
    assert result.code == 2
    assert option[0] in result.stderr
