"""The ahead-of-time kernels (`triage/compiled.py`): used by every run, same answers as the JIT,
never handed an array they were not built for, never used when stale."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from dumps.crash import run_scenario
from tests.conftest import REPO, run_triage
from tests.heap.conftest import snapshot_paths
from triage import compiled

JIT = {compiled.ENV: "jit"}

# What each command reads: a leak core (walk, graph, distances, dominators, suspects), a heap
# snapshot (snapshot parser, analyses), and a core exported as a snapshot (export kernels).
CORE = ("leak_map", 26)
SNAPSHOT = ("snap_classes", 22)


def core_args() -> list[str]:
    crash = run_scenario(*CORE)
    return [crash.core, "--node", crash.node]


def snapshot_args() -> list[str]:
    return [snapshot_paths(*SNAPSHOT)[-1]]


def test_setup_built_the_kernels_ahead_of_time():
    assert compiled.using_aot(), (
        "triage/_kernels_aot*.so is missing or stale: run scripts/setup.sh "
        "(python -m triage.compiled build)")


@pytest.mark.parametrize("command", ["core", "snapshot", "export"])
def test_a_run_neither_imports_numba_nor_compiles(command, tmp_path):
    if command == "core":
        argv = [*core_args(), "--format", "json", "-o", str(tmp_path / "out.json")]
    elif command == "snapshot":
        argv = [*snapshot_args(), "--format", "json", "-o", str(tmp_path / "out.json")]
    else:
        argv = ["export-snapshot", *core_args(), "-o", str(tmp_path / "out.heapsnapshot")]
    probe = (
        "import json, runpy, sys\n"
        f"sys.argv = ['triage', *{argv!r}]\n"
        "try:\n    runpy.run_module('triage', run_name='__main__')\n"
        "except SystemExit as e:\n    code = e.code\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('numba', 'llvmlite'))\n"
        f"open({str(tmp_path / 'modules.json')!r}, 'w').write(json.dumps([code, loaded]))\n")
    subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, timeout=600)
    code, loaded = json.loads((tmp_path / "modules.json").read_text())
    assert code in (0, None)
    assert loaded == []


# --no-redact in the comparisons: redaction markers are keyed per run
@pytest.mark.parametrize("source", ["core", "snapshot"])
def test_the_jit_and_the_ahead_of_time_build_give_the_same_summary(source):
    args = [*(core_args() if source == "core" else snapshot_args()), "--no-redact"]
    ahead = run_triage(*args, "--format", "json", "--top", "50")
    jit = run_triage(*args, "--format", "json", "--top", "50", env=JIT, timeout=900)
    assert ahead.code == jit.code == 0, ahead.stderr + jit.stderr
    assert ahead.json["suspects"] or source == "snapshot"
    assert ahead.json == jit.json


def test_the_jit_and_the_ahead_of_time_build_export_the_same_snapshot(tmp_path):
    paths = {}
    for name, env in (("ahead", None), ("jit", JIT)):
        paths[name] = tmp_path / f"{name}.heapsnapshot"
        result = run_triage("export-snapshot", *core_args(), "--no-redact", "-o", paths[name],
                            env=env, timeout=900)
        assert result.code == 0, result.stderr
    assert paths["ahead"].read_bytes() == paths["jit"].read_bytes()


UINT64_PAIR = tuple(compiled.ArgType.parse(t) for t in ("uint64[:]", "uint64[:]"))


@pytest.mark.parametrize("words, why", [
    (np.zeros(8, np.int64), "another dtype"),
    (np.zeros(16, np.uint64)[::2], "not contiguous"),
    (np.zeros((2, 4), np.uint64), "two dimensions"),
    ([0, 0, 0], "not an array"),
])
def test_an_argument_of_another_type_does_not_fit(words, why):
    assert not compiled._fits(UINT64_PAIR, (words, np.zeros(1, np.uint64))), why


def test_read_only_contiguous_arrays_fit():
    words = np.frombuffer(bytes(64), dtype=np.uint64)
    assert compiled._fits(UINT64_PAIR, (words, np.zeros(1, np.uint64)))


@pytest.mark.parametrize("value, fits", [(5, True), (np.int32(5), True), (2**63, False),
                                         (True, False), (1.0, False)])
def test_scalars_fit_only_integers_in_range(value, fits):
    assert compiled._fits((compiled.ArgType.parse("int64"),), (value,)) is fits


def test_a_call_no_signature_fits_is_answered_by_the_jit():
    from triage.v8.walk import scan_map_words

    assert isinstance(scan_map_words, compiled.Kernel)
    words = np.arange(40, dtype=np.uint64)
    keys = np.array([4, 8, 30], dtype=np.uint64)
    strided = words[::2]  # 0, 2, 4, ...: compiled code would read it as 0, 1, 2, ...
    assert scan_map_words(strided, keys).tolist() == [2, 4, 15]


@pytest.mark.parametrize("manifest", [
    {"sources": "0" * 64, "cpu": None},
    {"sources": None, "cpu": "another cpu"},
    {},
])
def test_a_stale_build_is_not_used(manifest, tmp_path, monkeypatch):
    current = {"sources": compiled.source_digest(), "cpu": compiled.cpu_flags()}
    path = tmp_path / "manifest.json"
    path.write_text(json.dumps({k: v if v is not None else current[k]
                                for k, v in manifest.items()}))
    monkeypatch.setattr(compiled, "MANIFEST", path)
    assert compiled._load_aot() is None


def test_the_current_build_is_used_unless_told_otherwise(monkeypatch):
    assert compiled._load_aot() is not None
    monkeypatch.setenv(compiled.ENV, "jit")
    assert compiled._load_aot() is None


def test_a_running_kernel_lets_other_threads_run():
    """Like the JIT's nogil=True: the progress spinner's thread turns during a long kernel."""
    import threading
    import time

    from triage.v8.walk import scan_map_words

    rng = np.random.default_rng(1)
    keys = np.unique(rng.integers(0, 2**63, 200_000, dtype=np.uint64))
    words = rng.integers(0, 2**63, 3_000_000, dtype=np.uint64)
    start = time.perf_counter()
    scan_map_words(words, keys)
    alone = time.perf_counter() - start
    assert alone > 0.05, "too short to tell"
    worker = threading.Thread(target=scan_map_words, args=(words, keys))
    gaps, last = [], time.perf_counter()
    worker.start()
    while worker.is_alive():
        now = time.perf_counter()
        gaps.append(now - last)
        last = now
    assert max(gaps) < alone / 2
