"""`--output` writes only a new path or a regular file, never an input, always mode 0600.

Real device nodes (made by the test with mknod, never the machine's /dev/null), FIFOs,
directories and symlinks; every refusal is one line and exit 9, before any analysis.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from tests.batch.conftest import scenario
from tests.conftest import run_triage
from triage.commands.output import check_output, write_output
from triage.errors import OutputProblem


@pytest.fixture
def report(tmp_path: Path) -> Path:
    path = tmp_path / "inputs" / "report.json"
    path.parent.mkdir()
    shutil.copyfile(scenario("exception24").reports[0], path)
    return path


def _targets(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a /dev/null of our own
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "dir").mkdir()
    (tmp_path / "to-null").symlink_to(null)
    (tmp_path / "to-fifo").symlink_to(tmp_path / "fifo")
    (tmp_path / "regular").write_text("keep\n")
    (tmp_path / "to-regular").symlink_to(tmp_path / "regular")
    link = "is a symbolic link; refusing to write through or replace it"
    kinds = "is a character device; only a new path or a regular file can be written (even with --force)"
    return {
        "device": (null, kinds),
        "fifo": (tmp_path / "fifo", kinds.replace("a character device", "a FIFO")),
        "directory": (tmp_path / "dir", kinds.replace("a character device", "a directory")),
        "symlink to a device": (tmp_path / "to-null", link),
        "symlink to a FIFO": (tmp_path / "to-fifo", link),
        "symlink to a file": (tmp_path / "to-regular", link),
    }


@pytest.mark.parametrize("kind", ["device", "fifo", "directory", "symlink to a device", "symlink to a FIFO",
                                  "symlink to a file"])
def test_only_regular_files_or_new_paths_even_with_force(tmp_path, report, kind):
    target, why = _targets(tmp_path)[kind]
    before = os.lstat(target)
    result = run_triage(report, "--output", target, "--force", "--no-llnode", timeout=60)
    assert result.code == 9
    assert result.stderr.splitlines() == [f"triage: --output {target} {why}"]
    after = os.lstat(target)
    assert (after.st_mode, after.st_ino, after.st_rdev) == (before.st_mode, before.st_ino, before.st_rdev)
    assert (tmp_path / "regular").read_text() == "keep\n"


def test_never_overwrites_node_binary_policy_or_a_file_in_an_input_directory(tmp_path, report):
    node = tmp_path / "node-copy"
    node.write_bytes(b"\x7fELF not really node")
    policy = tmp_path / "policy.toml"
    policy.write_text("")
    sibling = report.parent / "notes.txt"
    sibling.write_text("an operator's notes\n")
    cases = [
        ([report, "--node", node], node, f"is an input ({node})"),
        ([report, "--redact-policy", policy], policy, f"is an input ({policy})"),
        ([report], report, f"is an input ({report})"),
        ([report.parent], sibling, f"is inside the input directory {report.parent}"),
    ]
    for args, target, why in cases:
        content = target.read_bytes()
        result = run_triage(*args, "--output", target, "--force", "--no-llnode", timeout=60)
        assert result.code == 9, (target, result.stderr)
        assert result.stderr.splitlines() == [f"triage: --output {target} {why}; refusing to overwrite it"]
        assert target.read_bytes() == content
    hardlink = tmp_path / "hardlink-of-report"
    os.link(report, hardlink)
    result = run_triage(report, "--output", hardlink, "--force", "--no-llnode", timeout=60)
    assert result.code == 9 and "is an input" in result.stderr


def test_output_is_private_new_or_replaced(tmp_path, report):
    previous = os.umask(0o022)
    try:
        new = tmp_path / "summary.json"
        assert run_triage(report, "--format", "json", "-o", new, "--no-llnode", timeout=60).code == 0
        old = tmp_path / "old.txt"
        old.write_text("old\n")
        old.chmod(0o644)
        assert run_triage(report, "-o", old, "--force", "--no-llnode", timeout=60).code == 0
    finally:
        os.umask(previous)
    for path in (new, old):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert old.read_text() != "old\n"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_fifo_that_appears_during_the_analysis_is_not_replaced(tmp_path):
    target = tmp_path / "out.txt"
    check_output(target, (), force=False)
    os.mkfifo(target)  # swapped in while the (long) analysis ran
    with pytest.raises(OutputProblem, match="appeared while triage was running"):
        write_output("summary\n", target)
    assert stat.S_ISFIFO(os.lstat(target).st_mode)

    regular = tmp_path / "regular.txt"
    regular.write_text("v1\n")
    check_output(regular, (), force=True)
    regular.unlink()
    regular.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OutputProblem, match="was replaced while triage was running"):
        write_output("summary\n", regular)
    assert regular.is_symlink() and not (tmp_path / "elsewhere").exists()


def test_refusals_print_hostile_names_escaped(tmp_path, report):
    fifo = tmp_path / "out\x1b[2J\nforged line\u202e.txt"
    os.mkfifo(fifo)
    result = run_triage(report, "-o", fifo, "--force", "--no-llnode", timeout=60)
    assert result.code == 9
    assert result.stderr.splitlines() == [
        f"triage: --output {tmp_path}/out\\x1b[2J\\nforged line\\u202e.txt is a FIFO; only a new path or a "
        "regular file can be written (even with --force)"]
