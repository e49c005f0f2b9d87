"""Bad input: one clear line on stderr, a documented exit code, never a traceback."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess

import pytest

from dumps.nodes import node_binary
from tests.conftest import run_triage
from tests.core.conftest import crash_of
from triage.errors import ExitCode


def assert_one_clear_line(result, code: ExitCode, *fragments: str) -> None:
    assert result.code == int(code), (result.code, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def test_missing_path_exits_3(tmp_path):
    result = run_triage(tmp_path / "nope.core")
    assert_one_clear_line(result, ExitCode.INPUT_UNREADABLE, "no such file")


def test_random_bytes_are_not_a_core_and_exit_4(tmp_path):
    junk = tmp_path / "upload.bin"
    junk.write_bytes(os.urandom(4096))
    assert_one_clear_line(run_triage(junk), ExitCode.INPUT_UNRECOGNIZED, "not a core")


def test_empty_file_exits_4(tmp_path):
    empty = tmp_path / "core"
    empty.write_bytes(b"")
    assert_one_clear_line(run_triage(empty), ExitCode.INPUT_UNRECOGNIZED, "empty")


def test_truncated_core_exits_5_and_says_truncated(tmp_path):
    core = crash_of("abort", 20).core_path
    cut = tmp_path / "core.cut"
    with open(core, "rb") as src, open(cut, "wb") as dst:
        dst.write(src.read(core.stat().st_size // 3))
    assert_one_clear_line(run_triage(cut), ExitCode.INPUT_DAMAGED, "truncated")


def test_core_of_a_process_that_is_not_node_exits_7(tmp_path):
    sleeper = subprocess.Popen(["sleep", "30"], cwd=tmp_path,
                               preexec_fn=lambda: __import__("resource").setrlimit(
                                   __import__("resource").RLIMIT_CORE, (-1, -1)))
    subprocess.run(["gcore", "-o", str(tmp_path / "core"), str(sleeper.pid)], check=True,
                   capture_output=True)
    sleeper.send_signal(signal.SIGKILL)
    sleeper.wait()
    (core,) = tmp_path.glob("core.*")
    assert_one_clear_line(run_triage(core), ExitCode.NOT_NODE, "not of a Node.js process")


def test_binary_that_no_longer_exists_exits_6_and_asks_for_node(tmp_path):
    node_copy = tmp_path / "node"
    shutil.copy(node_binary(20), node_copy)
    proc = subprocess.run(
        ["bash", "-c", f"ulimit -c unlimited; cd {tmp_path} && exec {node_copy} -e 'process.abort()'"],
        capture_output=True)
    assert proc.returncode != 0
    node_copy.unlink()
    (core,) = tmp_path.glob("core*")
    assert_one_clear_line(run_triage(core), ExitCode.BINARY_PROBLEM, "--node")


def test_mismatched_binary_exits_6_and_names_the_build_ids():
    core = crash_of("abort", 22).core_path
    result = run_triage(core, "--node", node_binary(20))
    assert_one_clear_line(result, ExitCode.BINARY_PROBLEM, "build-id", "not the binary")


def test_without_lldb_bindings_a_core_is_analysed_and_native_stacks_say_what_is_missing(tmp_path):
    """Unwinding needs no lldb; naming DWARF code (inlined frames, file:line) does, unless
    the symbol cache already holds lldb's answers: with an empty cache, the capability
    is degraded and names the fix."""
    core = crash_of("abort", 20).core_path
    result = run_triage(core, "--format", "json", env={
        "LLDB_PYTHON_PATH": "/nonexistent", "PATH": "/nonexistent", "TRIAGE_SYMBOL_CACHE": str(tmp_path)})
    assert result.code == 0, result.stderr
    cap = result.json["capabilities"]["native_stacks"]
    assert cap["status"] == "degraded"
    assert "apt-get install lldb-19" in cap["reason"] and "without inlined functions" in cap["reason"]


def test_missing_lldb_bindings_exit_8_with_the_fix_when_lldb_is_asked_for():
    core = crash_of("abort", 20).core_path
    result = run_triage(core, "--lldb-unwind",
                        env={"LLDB_PYTHON_PATH": "/nonexistent", "PATH": "/nonexistent"})
    assert_one_clear_line(result, ExitCode.DEPENDENCY_MISSING, "apt-get install lldb-19")


def test_missing_llnode_plugin_is_reported_as_an_unavailable_capability_not_an_error():
    core = crash_of("abort", 20).core_path
    result = run_triage(core, "--format", "json", "--llnode",
                        env={"TRIAGE_LLNODE_PLUGIN": "/nonexistent/llnode.so"})
    assert result.code == 0, result.stderr
    assert "llnode" in result.stdout


def test_output_that_is_an_input_is_refused_with_exit_9():
    core = crash_of("abort", 20).core_path
    result = run_triage(core, "--output", core)
    assert_one_clear_line(result, ExitCode.OUTPUT_PROBLEM, "is an input", "refusing to overwrite")
    assert core.stat().st_size > 1_000_000  # untouched


def test_existing_output_file_is_not_overwritten_without_force(tmp_path):
    existing = tmp_path / "summary.json"
    existing.write_text("keep me")
    result = run_triage(crash_of("abort", 20).core_path, "--output", existing)
    assert_one_clear_line(result, ExitCode.OUTPUT_PROBLEM, "already exists")
    assert existing.read_text() == "keep me"


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_every_format_can_be_written_to_a_file(tmp_path, fmt):
    out = tmp_path / f"summary.{fmt}"
    result = run_triage(crash_of("abort", 20).core_path, "--format", fmt, "--output", out)
    assert result.code == 0, result.stderr
    assert "abort" in out.read_text()
