"""`triage batch` on an inbox an attacker writes to: only regular files inside it are read.

Real symlinks, FIFOs, device nodes and /proc files; the outside file's content and hash
must appear nowhere in the results, and the scan must never block.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from tests.batch.conftest import batch, copy, index_lines, scenario
from triage.batch.inbox import Inbox
from triage.batch.incident import process_incident
from triage.batch.safeopen import Refused


def _events(stderr: str) -> list[dict]:
    return [json.loads(line) for line in stderr.splitlines()]


def _everything_written(out: Path) -> bytes:
    return b"".join(p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file())


@pytest.fixture
def outside(tmp_path: Path) -> dict:
    """A secret file and a directory holding a real report, both outside the inbox."""
    secret = tmp_path / "outside" / "shadow"
    secret.parent.mkdir()
    secret.write_text("root:$6$SECRETHASH:19000:0:99999:7:::\n")
    elsewhere = tmp_path / "outside" / "other-tenant"
    copy(scenario("exception20").reports[0], elsewhere / "report.json")
    return {"secret": secret, "dir": elsewhere,
            "sha": hashlib.sha256(secret.read_bytes()).hexdigest(),
            "report_sha": hashlib.sha256((elsewhere / "report.json").read_bytes()).hexdigest()}


def test_symlinks_fifos_devices_and_proc_files_are_refused_not_read(tmp_path, outside):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    copy(scenario("exception24").reports[0], inbox / "good.json")
    (inbox / "shadow").symlink_to(outside["secret"])
    (inbox / "tenant").symlink_to(outside["dir"], target_is_directory=True)
    (inbox / "pagemap").symlink_to("/proc/self/pagemap")
    os.mkfifo(inbox / "core.fifo")
    os.mknod(inbox / "zero", stat.S_IFCHR | 0o600, os.makedev(1, 5))  # /dev/zero: reads forever
    (inbox / "incident-dir").mkdir()
    (inbox / "incident-dir" / "shadow").symlink_to(outside["secret"])
    os.mkfifo(inbox / "incident-dir" / "pipe")

    result = batch(inbox, "--out", out, timeout=120)
    assert result.code == 0, result.stderr
    assert "1 processed (1 ok, 0 failed)" in result.stdout
    refused = {e["input"]: e["reason"] for e in _events(result.stderr) if e["event"] == "refused"}
    assert refused == {
        "shadow": "a symbolic link, not a regular file; not read",
        "tenant": "a symbolic link, not a regular file; not read",
        "pagemap": "a symbolic link, not a regular file; not read",
        "core.fifo": "a FIFO, not a regular file; not read",
        "zero": "a character device, not a regular file; not read",
        "incident-dir/shadow": "a symbolic link, not a regular file; not read",
        "incident-dir/pipe": "a FIFO, not a regular file; not read",
    }
    (entry,) = index_lines(out)
    assert entry["inputs"] == ["good.json"]
    written = _everything_written(out)
    for leaked in (outside["sha"], outside["report_sha"], "SECRETHASH", "other-tenant"):
        assert leaked.encode() not in written


def test_an_inbox_on_proc_is_refused(tmp_path):
    result = batch("/proc/self", "--out", tmp_path / "out", timeout=60)
    assert result.code == 3
    assert result.stderr.strip().splitlines() == [
        "triage: /proc/self is on a proc file system, not an upload directory"]
    assert not (tmp_path / "out").exists()


def test_a_file_swapped_for_a_symlink_after_the_scan_is_not_read(tmp_path, outside):
    """The worker re-opens each upload without following symlinks and checks it is the
    very file that was scanned (device and inode), so a swap in between reads nothing."""
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    upload = copy(scenario("exception24").reports[0], inbox / "report.json")
    (incident,) = Inbox(inbox).scan()
    upload.rename(inbox / ".kept")  # kept, so its inode number is not reused below
    upload.symlink_to(outside["dir"] / "report.json")
    result = process_incident(incident.paths, out, incident=incident, root=inbox)
    assert result["status"] == "failed" and result["error"]["code"] == 3
    assert result["reason"] == "report.json is a symbolic link; not followed"
    assert outside["report_sha"].encode() not in _everything_written(out)

    upload.unlink()  # a different regular file under the same name
    copy(outside["dir"] / "report.json", upload)
    result = process_incident(incident.paths, out, incident=incident, root=inbox)
    assert result["reason"] == "report.json was replaced after the inbox was scanned; not read"


@pytest.mark.parametrize("layout", ["out-inside-inbox", "same", "inbox-inside-out"])
def test_results_and_inbox_must_not_overlap(tmp_path, layout):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    copy(scenario("exception24").reports[0], inbox / "good.json")
    out = {"out-inside-inbox": inbox / "results", "same": inbox, "inbox-inside-out": tmp_path}[layout]
    args = ["--watch", "--interval", "0.1"] if layout == "same" else []  # once re-ingested forever
    result = batch(inbox, "--out", out, *args, timeout=60)
    assert result.code == 9
    (line,) = result.stderr.strip().splitlines()
    if layout == "inbox-inside-out":
        assert line == f"triage: the inbox {inbox} is inside --out {out}: choose separate directories"
    else:
        assert line == (f"triage: --out {out} is inside the inbox {inbox}: results would be read as uploads; "
                        "choose a directory outside it")
    assert not (inbox / "results").exists() and not (inbox / "index.jsonl").exists()


def test_results_index_and_groups_are_private(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    copy(scenario("exception24").reports[0], inbox / "good.json")
    previous = os.umask(0o022)  # what most services run with: new files 0644 unless made private
    try:
        result = batch(inbox, "--out", out)
    finally:
        os.umask(previous)
    assert result.code == 0, result.stderr
    for path in out.iterdir():
        mode = stat.S_IMODE(path.lstat().st_mode)
        assert mode & 0o077 == 0, (path.name, oct(mode))
    assert {p.name for p in out.iterdir()} >= {"index.jsonl", "groups.json", ".lock"}


def test_file_names_are_escaped_in_the_progress_bar(tmp_path):
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    evil = "evil\x1b[2J\x1b]0;pwned\x07\nline.json.gz"
    (inbox / "sub").mkdir(parents=True)
    (inbox / "sub" / evil).write_bytes(b"\x1f\x8b\x08\x00broken gzip")
    os.mkfifo(inbox / "fifo\x1b[31m")
    result = batch(inbox, "--out", out, "--progress", "bar", timeout=120)
    assert result.code == 11, result.stderr
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert "fifo\\x1b[31m" in result.stderr  # the refusal names the file, escaped
    unwrapped = "".join(result.stderr.split())  # rich wraps long lines at 80 columns in a pipe
    assert "evil\\x1b[2J\\x1b]0;pwned\\x07\\nline.json.gzisadamagedgzipfile" in unwrapped


def test_a_missing_inbox_with_a_hostile_name_is_one_escaped_line(tmp_path):
    result = batch(tmp_path / "in\x1b[31mbox\nfake", "--out", tmp_path / "out")
    assert result.code == 3
    assert result.stderr.splitlines() == [f"triage: {tmp_path}/in\\x1b[31mbox\\nfake: not a directory"]


def test_names_that_are_not_utf8_stay_valid_json_everywhere(tmp_path):
    """A lone surrogate (`\\udcff`) in JSON is rejected by strict parsers (serde_json, Go)."""
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    with open(os.fsencode(inbox) + b"/\xffcore\x1b.bin", "wb") as f:
        f.write(b"not a dump " * 100)
    result = batch(inbox, "--out", out)
    assert result.code == 11, result.stderr
    for path in [out / "index.jsonl", *out.glob("*.json")]:
        text = path.read_text()
        assert "\\udc" not in text and "\\u001b" not in text, path.name
    (entry,) = index_lines(out)
    assert entry["inputs"] == ["\\xffcore\\x1b.bin"]
    assert entry["reason"].startswith("\\xffcore\\x1b.bin is not a core dump")


def test_a_proc_file_given_to_the_unit_of_work_is_refused_without_reading(tmp_path):
    """/proc/self/pagemap is a regular file to `stat` and reads for minutes: the file
    system type of the opened descriptor is what refuses it (as behind a bind mount)."""
    with pytest.raises(Refused) as refused:
        process_incident([Path("/proc/self/pagemap")], tmp_path / "out")
    assert str(refused.value) == "/proc/self/pagemap is a proc pseudo-file, not an upload; not read"
    assert refused.value.code == 3
    assert not (tmp_path / "out").exists()
