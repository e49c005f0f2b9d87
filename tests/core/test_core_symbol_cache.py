"""The first core of a new node build (empty symbol cache) asks lldb about the pcs in code
with DWARF from a child process: the analysing process never loads lldb (its ~220 MB
would stay through the heap walk), and the names, inlined frames and file:line it gets
are the ones a run with a warm cache prints."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, run_triage
from tests.core.conftest import crash_of

_RUN = """
import json, sys
from triage.loaders.core import load_core
loaded = load_core(sys.argv[1])
print(json.dumps({"lldb_loaded": "lldb" in sys.modules,
                  "capability": loaded.capabilities["native_stacks"].status,
                  "threads": [[t.tid, [[f.function, f.file, f.line] for f in t.frames]]
                              for t in loaded.threads]}))
"""


def _stacks(core, cache: str) -> dict:
    out = subprocess.run([sys.executable, "-c", _RUN, str(core)], capture_output=True, text=True,
                         check=True, timeout=600, cwd=REPO,
                         env={**os.environ, "TRIAGE_SYMBOL_CACHE": cache}).stdout
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture(scope="module", params=[20, 26])
def cold_and_warm(request, tmp_path_factory):
    core = crash_of("abort", request.param).core_path
    cache = str(tmp_path_factory.mktemp("symbols"))
    return _stacks(core, cache), _stacks(core, cache)  # the first run fills the cache


def test_a_cold_symbol_cache_does_not_load_lldb_in_the_analysing_process(cold_and_warm):
    cold, _ = cold_and_warm
    assert cold["lldb_loaded"] is False
    assert cold["capability"] == "full"


def test_a_cold_symbol_cache_names_frames_as_a_warm_one_does(cold_and_warm):
    cold, warm = cold_and_warm
    assert warm["lldb_loaded"] is False
    assert cold["threads"] == warm["threads"]
    # DWARF answers did come through: some frame has a source line (glibc or libuv)
    assert any(line for _, frames in cold["threads"] for _, _, line in frames)


def test_an_lldb_that_dies_costs_the_dwarf_names_not_the_run(tmp_path):
    """The lookup child is killed mid-import of lldb (a stand-in module that SIGKILLs its
    process, as a crash inside liblldb would end it): the core is still analysed, and the
    native stacks say which names came from symbol tables instead, and why."""
    fake = tmp_path / "fake_lldb"
    fake.mkdir()
    (fake / "lldb.py").write_text("import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n")
    core = crash_of("abort", 20).core_path
    result = run_triage(core, "--format", "json", env={
        "LLDB_PYTHON_PATH": str(fake), "TRIAGE_SYMBOL_CACHE": str(tmp_path / "symbols")})
    assert result.code == 0, result.stderr
    cap = result.json["capabilities"]["native_stacks"]
    assert cap["status"] == "degraded"
    assert "lldb's symbol lookup failed (exit -9)" in cap["reason"]


def test_a_working_directory_cannot_stand_in_for_lldb(tmp_path):
    """A directory holding an `lldb.py` (an inbox of uploads, say) is not on the lookup
    child's import path: lldb's names still come through from the real lldb."""
    (tmp_path / "lldb.py").write_text("raise SystemExit('planted lldb imported')\n")
    core = crash_of("abort", 20).core_path
    out = subprocess.run([sys.executable, "-c", _RUN, str(core)], capture_output=True, text=True,
                         check=True, timeout=600, cwd=tmp_path,
                         env={**os.environ, "TRIAGE_SYMBOL_CACHE": str(tmp_path / "symbols"),
                              "PYTHONPATH": str(REPO)}).stdout
    assert json.loads(out.strip().splitlines()[-1])["capability"] == "full"
