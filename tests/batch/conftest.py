"""Real crashes of several Node versions, copied into a temp inbox as uploads would arrive."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
import zstandard

from dumps.crash import Crash, run_scenario
from tests.conftest import Result, run_triage

REPORT_FLAGS = ("--report-uncaught-exception",)


def scenario(name: str) -> Crash:
    """The crashes the batch tests use, made once per machine (dumps/crash.py caches them)."""
    specs = {
        "abort20": ("abort", 20, {}),
        "abort24": ("abort", 24, {}),
        "oom22": ("oom", 22, {"node_flags": ("--max-old-space-size=24",)}),
        "report_oom20": ("report_oom", 20,
                         {"node_flags": ("--max-old-space-size=30", "--report-on-fatalerror")}),
        "exception24": ("report_exception", 24, {"want_core": False, "node_flags": REPORT_FLAGS}),
        "exception20": ("report_exception", 20, {"want_core": False, "node_flags": REPORT_FLAGS}),
        "snap20": ("snap_cache", 20, {"want_core": False}),
        "snap24": ("snap_cache", 24, {"want_core": False}),
    }
    name_, major, kwargs = specs[name]
    return run_scenario(name_, major, **kwargs)


def batch(*args: object, timeout: float = 600) -> Result:
    return run_triage("batch", *map(str, args), timeout=timeout)


def index_lines(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "index.jsonl").read_text().splitlines()]


def copy(src: str | Path, dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    return dest


def gzip_to(src: str | Path, dest: Path) -> Path:
    with open(src, "rb") as f, gzip.open(dest, "wb", compresslevel=1) as g:
        shutil.copyfileobj(f, g)
    return dest


def zstd_to(src: str | Path, dest: Path) -> Path:
    with open(src, "rb") as f, open(dest, "wb") as g:
        zstandard.ZstdCompressor(level=1).copy_stream(f, g)
    return dest


@pytest.fixture(scope="session")
def mixed_inbox(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Good dumps of Node 20/22/24 (cores, reports, snapshots, a core+report pair, compressed
    uploads), a duplicate upload, a truncated core and a random file."""
    inbox = tmp_path_factory.mktemp("inbox")
    pair = scenario("report_oom20")
    exception24 = scenario("exception24")
    copy(scenario("abort20").core, inbox / "abort-upload.core")
    copy(scenario("oom22").core, inbox / "oom.core")
    pid = json.loads(Path(pair.reports[0]).read_text())["header"]["processId"]
    copy(pair.core, inbox / f"core.{pid}")
    copy(pair.reports[0], inbox / Path(pair.reports[0]).name)
    copy(exception24.reports[0], inbox / Path(exception24.reports[0]).name)
    copy(exception24.reports[0], inbox / "second-upload" / "report.json")  # the same file again
    gzip_to(scenario("exception20").reports[0], inbox / "exception20.json.gz")
    copy(scenario("snap20").snapshots[0], inbox / "cache20.heapsnapshot")
    zstd_to(scenario("snap24").snapshots[0], inbox / "cache24.heapsnapshot.zst")
    core = scenario("abort24").core_path
    (inbox / "truncated.core").write_bytes(core.read_bytes()[: 2 << 20])
    (inbox / "random.bin").write_bytes(bytes((i * 7919 + 13) % 251 for i in range(50_000)))
    return {"inbox": inbox, "pair_pid": pid}


@pytest.fixture(scope="session")
def first_run(mixed_inbox: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("results")
    result = batch(mixed_inbox["inbox"], "--out", out, "--workers", "2")
    return {**mixed_inbox, "out": out, "result": result}
