"""export-snapshot on inputs it cannot use: one line, the documented exit code, no file."""

from __future__ import annotations

from tests.conftest import REPO, run_triage
from triage.errors import ExitCode


def test_a_report_is_not_a_core(tmp_path):
    out = tmp_path / "x.heapsnapshot"
    result = run_triage("export-snapshot", REPO / "tests/fixtures/reports/exception-node20.json",
                        "-o", out)
    assert result.code == int(ExitCode.INPUT_UNRECOGNIZED), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_existing_output_is_kept_without_force(tmp_path):
    out = tmp_path / "keep.heapsnapshot"
    out.write_text("mine")
    result = run_triage("export-snapshot", REPO / "README.md", "-o", out)
    assert result.code == int(ExitCode.OUTPUT_PROBLEM), result.stderr
    assert out.read_text() == "mine"
