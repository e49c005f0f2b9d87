"""Query options that cannot apply to the inputs are never silently ignored.

A report alone holds no heap: `--inspect`/`--instances`/`--retainers`/`--referrers` on it
are a usage error (exit 2, one line), since nothing the user asked for can be answered.
Where the run still answers something (a snapshot given with `--inspect`, or `--depth`
without `--inspect`), it goes on and says on stderr, in one line per option, what it
ignored (docs/usage.md).
"""

from __future__ import annotations

import pytest

from dumps.crash import run_scenario
from tests.bundle.test_bundle_oom import FLAGS
from tests.conftest import REPO, run_triage

REPORT = REPO / "tests" / "fixtures" / "reports" / "exception-node20.json"


@pytest.mark.parametrize("option", [("--inspect", "0x2a1f0001"), ("--instances", "Session"),
                                    ("--retainers", "Session"), ("--referrers", "Session")])
def test_a_heap_query_on_a_report_alone_is_a_usage_error(option: tuple[str, str]) -> None:
    result = run_triage(REPORT, *option)
    assert result.code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("triage: ")
    assert option[0] in lines[0] and "a diagnostic report only" in lines[0]


@pytest.mark.parametrize("option,needs", [(("--depth", "3"), "--inspect"),
                                          (("--limit", "5"), "--instances"),
                                          (("--referrers-limit", "5"), "--referrers")])
def test_a_modifier_without_its_query_is_a_warning(option: tuple[str, str], needs: str) -> None:
    result = run_triage(REPORT, *option)
    assert result.code == 0 and "CRASH" in result.stdout
    assert result.stderr.strip() == f"triage: warning: {option[0]} applies only with {needs}; ignored"


def test_inspect_on_a_snapshot_warns_and_still_answers_the_rest() -> None:
    """A snapshot has a graph (retainers work) but no object memory to inspect."""
    crash = run_scenario("oom", 20, node_flags=FLAGS)
    result = run_triage(crash.snapshots[0], "--inspect", "0x2a1f0001", "--retainers", "Session",
                        "--format", "json")
    assert result.code == 0
    assert result.stderr.strip().splitlines() == [
        "triage: warning: --inspect needs a core's heap, which these inputs do not give; ignored"]
    assert result.json["retainers"]  # the option that applies was answered


def test_no_warning_when_every_option_applies() -> None:
    result = run_triage(REPORT, "--top", "5")
    assert result.code == 0 and result.stderr == ""
