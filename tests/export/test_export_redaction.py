"""An exported heap holds no planted secret unless --no-redact says so (the gate's search)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_triage
from tests.export.conftest import exported
from tests.gate.canaries import all_canaries, leaks
from tests.gate.test_gate_canaries import canary_crash

MAJOR = 20  # the gate checks every major's summaries; one core shows the export's rule


def _export(tmp_path: Path, *extra: str):
    crash = canary_crash(MAJOR)
    out = tmp_path / "canary.heapsnapshot"
    result = run_triage("export-snapshot", crash.core_path, "--node", crash.node, "-o", out,
                        *extra, timeout=900)
    assert result.code == 0, result.stderr
    return out.read_bytes(), result.stderr


def test_no_canary_in_the_exported_snapshot(tmp_path):
    data, _ = _export(tmp_path)
    found = {name: leaks(secret, data)[:3] for name, secret in all_canaries().items()}
    assert {k: v for k, v in found.items() if v} == {}
    assert b"[REDACTED:string:" in data
    assert (tmp_path / "canary.heapsnapshot").stat().st_mode & 0o777 == 0o600


def test_no_redact_keeps_contents_and_warns(tmp_path):
    data, stderr = _export(tmp_path, "--no-redact")
    assert "WARNING: --no-redact" in stderr
    assert all_canaries()["CANARY_GITHUB"].encode() in data


def test_string_literals_are_tagged_like_every_string():
    """Literals are internalized: the graph keeps their text in its string table, which the
    export must not carry over (`probe.oneByte = "plain ascii value"`, heap_basic.js)."""
    assert b"plain ascii value" not in exported("heap_basic", 22).read_bytes()
    assert b"plain ascii value" in exported("heap_basic", 22, "--no-redact").read_bytes()
