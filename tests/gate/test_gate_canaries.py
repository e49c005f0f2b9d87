"""Redaction gate: no planted secret reaches any output, in any format or encoding.

A real Node process of each supported version holds fake secrets in its environment,
argv, object properties, Map keys, cons strings, two-byte strings, Buffers and error
messages, then leaves a core, a diagnostic report and a heap snapshot. Every output
`triage` produces from them (text, JSON, Markdown; stdout and --output files; summaries,
inspect, instances, retainers, diff) is searched for every canary raw and encoded, and
for any 10-character window of it. Harmless look-alikes must still be visible.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from dumps.crash import Crash, run_scenario
from tests.conftest import MAJORS, run_triage
from tests.gate.canaries import ARGV_TOKEN, CANARIES, LOOKALIKES, all_canaries, leaks


@cache
def canary_crash(major: int) -> Crash:
    return run_scenario("canary", major, args=(f"--api-key={ARGV_TOKEN}",),
                        env={**CANARIES, **LOOKALIKES})


_OUTPUTS: dict[int, dict[str, bytes]] = {}


@pytest.fixture
def outputs_of(tmp_path_factory):
    """Every output of every triage command for a major, computed once per session."""
    def get(major: int) -> dict[str, bytes]:
        if major not in _OUTPUTS:
            _OUTPUTS[major] = all_outputs(major, tmp_path_factory.mktemp(f"gate{major}"))
        return _OUTPUTS[major]
    return get


def all_outputs(major: int, out_dir: Path) -> dict[str, bytes]:
    """Run every triage command over the canary crash; return each output's bytes."""
    crash = canary_crash(major)
    core, (report,), (snapshot,) = crash.core, crash.reports, crash.snapshots
    outputs: dict[str, bytes] = {}

    def run(label: str, *args: str) -> str:
        result = run_triage(*args)
        assert result.code == 0, f"{label}: {result.stderr}"
        outputs[label] = result.stdout.encode() + result.stderr.encode()
        return result.stdout

    for fmt in ("text", "json"):
        run(f"bundle.{fmt}", core, report, snapshot, "--format", fmt)
    target = out_dir / "bundle.md"  # the file-writing path, in the third format
    run("bundle-file.markdown", core, report, snapshot, "--format", "markdown", "--output", str(target))
    outputs[f"file:{target.name}"] = target.read_bytes()
    for label, path in (("report", report), ("snapshot", snapshot), ("core", core)):
        run(f"{label}.text", path)
    listing = json.loads(run("instances", core, "--instances", "Vault", "--format", "json"))
    address = listing["objects"]["instances"]["addresses"][0]
    for fmt in ("json", "text", "markdown"):
        run(f"inspect.{fmt}", core, "--inspect", address, "--depth", "2", "--format", fmt)
    run("retainers.text", snapshot, "--retainers", "Vault")
    diff = run_triage("diff", snapshot, snapshot)
    outputs["diff.text"] = diff.stdout.encode()
    return outputs


@pytest.mark.parametrize("major", MAJORS)
def test_no_canary_appears_in_any_output_in_any_encoding(major, outputs_of):
    outputs = outputs_of(major)
    found = {}
    for name, secret in all_canaries().items():
        for label, data in outputs.items():
            hits = leaks(secret, data)
            if hits:
                found[f"{name} in {label}"] = hits[:3]
    assert not found, found


@pytest.mark.parametrize("major", MAJORS)
def test_harmless_lookalikes_stay_visible(major, outputs_of):
    outputs = outputs_of(major)
    inspected = outputs["inspect.json"]
    for value in LOOKALIKES.values():
        assert value.encode() in inspected


@pytest.mark.parametrize("major", MAJORS)
def test_the_redaction_section_counts_what_was_hidden(major, outputs_of):
    outputs = outputs_of(major)
    section = json.loads(outputs["bundle.json"])["redaction"]
    assert section["enabled"] is True
    assert section["total"] >= len(CANARIES)
    assert {"env", "argv"} <= set(section["counts_by_source"])
