"""One OOM crash leaves a core, a diagnostic report and a near-heap-limit snapshot;
triage reads the directory into one consistent summary naming the planted culprit."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from dumps.crash import run_scenario
from tests.conftest import MAJORS, run_triage
from triage.schema import validate_summary

FLAGS = ("--max-old-space-size=32", "--report-on-fatalerror", "--heapsnapshot-near-heap-limit=1")


@cache
def bundle_summary(major: int) -> dict:
    crash = run_scenario("oom", major, node_flags=FLAGS)
    assert crash.core and crash.reports and crash.snapshots
    result = run_triage(Path(crash.core).parent, "--format", "json")
    assert result.code == 0, result.stderr
    return result.json


@pytest.mark.parametrize("major", MAJORS)
def test_all_three_artifacts_are_read_and_used(major):
    doc = bundle_summary(major)
    used = {i["kind"]: i["used_for"] for i in doc["inputs"]}
    assert {"core", "report", "snapshot"} <= set(used)
    assert all(used[kind] for kind in ("core", "report", "snapshot"))


@pytest.mark.parametrize("major", MAJORS)
def test_the_crash_is_a_heap_oom_in_old_space(major):
    doc = bundle_summary(major)
    assert doc["crash"]["kind"] == "heap_oom"
    assert doc["report"]["heap"]["exhausted_space"] == "old_space"


@pytest.mark.parametrize("major", MAJORS)
def test_the_first_suspect_is_the_planted_session_cache(major):
    suspect = bundle_summary(major)["suspects"][0]
    assert suspect["type"] == "Session"
    assert suspect["pattern"] == "unbounded-map"
    assert suspect["accumulation_point"]["holder"] == "sessionCache"


@pytest.mark.parametrize("major", MAJORS)
def test_sources_agree_on_the_process(major):
    checks = {c["check"]: c for c in bundle_summary(major)["cross_checks"]}
    assert checks["same process"]["status"] == "agree"
    assert checks["heap size: core heap walk vs report"]["status"] == "agree"


@pytest.mark.parametrize("major", MAJORS)
def test_the_bundle_summary_validates_against_the_schema(major):
    validate_summary(bundle_summary(major))


@pytest.mark.parametrize("major", MAJORS)
def test_the_two_heap_limits_of_an_oom_are_explained(major):
    findings = [f["text"] for f in bundle_summary(major)["report"]["findings"]]
    (text,) = [t for t in findings if t.startswith("the heap ran out in")]
    assert "32.0 MiB (--max-old-space-size)" in text
    assert "raised by --heapsnapshot-near-heap-limit" in text


@pytest.mark.parametrize("major", MAJORS)
def test_the_heap_sections_come_from_the_core_at_death_and_say_so(major):
    """The near-limit snapshot is written before the OOM; the core holds the heap at death.
    The heap table comes from the core (the same counts as the core read alone), and the
    snapshot is the growth baseline: any Session growth runs from it to the core."""
    doc = bundle_summary(major)
    assert doc["sources"]["histogram"] == "core (the heap at death)"
    used = {i["kind"]: i["used_for"] for i in doc["inputs"]}
    assert any("growth baseline" in u for u in used["snapshot"])
    crash = run_scenario("oom", major, node_flags=FLAGS)
    alone = run_triage(crash.core, "--format", "json")
    assert alone.code == 0, alone.stderr

    def sessions(summary: dict) -> int:
        return next(r["count"] for r in summary["histogram"] if r["type"] == "Session")

    assert sessions(doc) == sessions(alone.json)
    growth = [r for r in doc["diff"]["rows"] if r["type"] == "Session"]
    assert all(r["count_after"] == sessions(doc) >= r["count_before"] for r in growth)


@pytest.mark.parametrize("major", [22])
def test_every_format_names_the_source_of_the_heap_table(major):
    crash = run_scenario("oom", major, node_flags=FLAGS)
    for fmt in ("text", "markdown"):
        result = run_triage(Path(crash.core).parent, "--format", fmt)
        assert result.code == 0, result.stderr
        assert "heap from" in result.stdout and "core (the heap at death)" in result.stdout
        assert "from the heap snapshot to the core" in result.stdout
