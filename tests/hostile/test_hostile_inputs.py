"""One test per hostile-input defect of issue #12 (parsers and loaders), through the real CLI.

Each crafts the input the attacker used and checks what a pipeline sees: the exit code, one
line on stderr (escaped), never a traceback, never exit 70, and bounded memory.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import REPO, run_triage
from tests.heap.conftest import snapshot_paths
from tests.hostile import craft
from triage.errors import ExitCode, InputDamaged
from triage.loaders import load_snapshot
from triage.loaders.report import MAX_FRAMES
from triage.render.json_out import render_json


def one_line(result, code: ExitCode, *fragments: str) -> str:
    assert result.code == int(code), (result.code, result.stderr[-2000:])
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def write_snapshot(tmp_path: Path, name: str = "x.heapsnapshot", **kw) -> Path:
    nodes, edges, strings = craft.small_graph()
    nodes = kw.pop("nodes", nodes)
    edges = kw.pop("edges", edges)
    strings = kw.pop("strings", strings)
    path = tmp_path / name
    path.write_text(craft.snapshot_text(nodes, edges, strings, **kw))
    return path


# --- heap snapshots: defect 1 and the snapshot half of 6 -------------------------------------

def test_crafted_small_snapshot_is_a_valid_control(tmp_path):
    """The base of every crafted snapshot below loads: the failures are the crafting's."""
    result = run_triage(write_snapshot(tmp_path), "--format", "json")
    assert result.code == 0, result.stderr
    assert {r["type"]: r["count"] for r in result.json["histogram"]}["Session"] == 3


def test_negative_root_index_is_damaged_not_a_malloc_abort(tmp_path):
    path = write_snapshot(tmp_path, header={"root_index": -7})
    one_line(run_triage(path), ExitCode.INPUT_DAMAGED, "root_index -7")


def test_root_index_that_is_not_a_node_offset_is_damaged(tmp_path):
    for bad in (craft.NFC * 6, 3, "0"):
        one_line(run_triage(write_snapshot(tmp_path, header={"root_index": bad})),
                 ExitCode.INPUT_DAMAGED, "root_index")


def test_edge_count_wrapped_past_2_63_is_damaged_not_sigbus(tmp_path):
    nodes, edges, strings = craft.small_graph()
    nodes[4] = 2**64 - 1  # root's edge_count: -1 once wrapped into int64
    nodes[2 * craft.NFC + 4] = 5  # and the Map's raised so the total still matches
    path = write_snapshot(tmp_path, nodes=nodes)
    one_line(run_triage(path), ExitCode.INPUT_DAMAGED, "more than 18 digits")


def test_edge_count_larger_than_the_header_total_is_damaged(tmp_path):
    nodes, *_ = craft.small_graph()
    nodes[4] = 2**40
    one_line(run_triage(write_snapshot(tmp_path, nodes=nodes)), ExitCode.INPUT_DAMAGED,
             "edge_count")


@pytest.mark.parametrize("key", ["node_count", "edge_count"])
def test_huge_header_counts_are_damaged_before_allocating(tmp_path, key):
    path = write_snapshot(tmp_path, header={key: 10**12})
    one_line(run_triage(path), ExitCode.INPUT_DAMAGED, "header")


def test_to_node_not_a_multiple_of_the_node_field_count_is_damaged(tmp_path):
    nodes, edges, strings = craft.small_graph()
    edges[2] = craft.NFC + 1
    one_line(run_triage(write_snapshot(tmp_path, edges=edges)), ExitCode.INPUT_DAMAGED,
             "outside the nodes array")


def test_string_index_out_of_range_is_damaged(tmp_path):
    nodes, edges, strings = craft.small_graph()
    edges[4] = len(strings)  # property name of global -> Map
    one_line(run_triage(write_snapshot(tmp_path, edges=edges)), ExitCode.INPUT_DAMAGED,
             "strings table")


def test_name_index_past_int32_is_not_truncated_into_a_valid_one(tmp_path):
    nodes, *_ = craft.small_graph()
    nodes[craft.NFC + 1] = 2**32 + 1  # would become 1 ("global") if stored as int32
    one_line(run_triage(write_snapshot(tmp_path, nodes=nodes)), ExitCode.INPUT_DAMAGED,
             "out of range")


def test_a_non_string_in_the_strings_table_is_damaged(tmp_path):
    strings = craft.small_graph()[2] + [None] * 200
    one_line(run_triage(write_snapshot(tmp_path, strings=strings)), ExitCode.INPUT_DAMAGED,
             "strings")


def _many_edges_snapshot(tmp_path: Path, middle: str, edges: int = 1_500_000) -> Path:
    """The root holds `edges` edges to 1,000 objects; `middle` is JSON text between arrays."""
    targets = 1000
    head = {"meta": craft.meta(), "node_count": targets + 1, "edge_count": edges}
    nodes = [9, 0, 1, 0, edges, 0] + [3, 1, 3, 8, 0, 0] * targets
    flat = ",".join(f"2,1,{craft.NFC * (1 + i % targets)}" for i in range(edges))
    text = (json.dumps({"snapshot": head})[:-1] + ',"nodes":' + json.dumps(nodes) + middle
            + ',"edges":[' + flat + "]}")
    path = tmp_path / "order.heapsnapshot"
    path.write_text(text)
    return path


def test_edges_after_the_strings_do_not_overflow_the_scan_buffer(tmp_path):
    """Reading `strings` leaves the rest of the file in the parser's buffer; the int scanner
    then wrote 4.5 M values into its 4 M-value output buffer (a heap overflow). It now stops
    when its output is full. In-process: an overflow would crash the test run."""
    g = load_snapshot(_many_edges_snapshot(tmp_path, ',"strings":["","x"]'))
    assert g.edge_count == 1_500_000
    assert (g.edge_to[:2000] == 1 + np.arange(2000) % 1000).all()
    assert (g.edge_to[-1000:] == 1 + np.arange(1_499_000, 1_500_000) % 1000).all()


def test_skipped_values_holding_strings_and_brackets_are_skipped_whole(tmp_path):
    middle = r',"samples":[["a]\\"],{"b":"[[\"{"}],"strings":["","x"]'
    path = _many_edges_snapshot(tmp_path, middle, edges=10)
    result = run_triage(path, "--format", "json")
    assert result.code == 0, result.stderr
    assert result.json["heap"]["edges"] == 10


def test_junk_between_arrays_is_damaged_where_it_starts(tmp_path):
    """Text that is not a key after an array was buffered to the end of the file, copying the
    growing buffer for every chunk (quadratic in the file size)."""
    nodes, edges, strings = craft.small_graph()
    text = craft.snapshot_text(nodes, edges, strings)
    cut = text.index(', "edges"')
    path = tmp_path / "junk.heapsnapshot"
    path.write_text(text[:cut] + "," + "1" * (40 << 20))
    with pytest.raises(InputDamaged, match="unexpected b',1111.*between arrays"):
        load_snapshot(path)


# --- decompression and resource bounds: defect 5 ---------------------------------------------

def _peak_rss_mb(*args: str) -> tuple[subprocess.CompletedProcess, float]:
    """Run triage in a child and return its own peak RSS (ru_maxrss of that child only)."""
    probe = ("import resource, subprocess, sys; "
             "p = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
             "sys.stdout.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)); "
             "sys.stderr.write(p.stderr); sys.exit(p.returncode)")
    proc = subprocess.run([sys.executable, "-c", probe, sys.executable, "-m", "triage", *args],
                          capture_output=True, text=True, cwd=REPO, timeout=300)
    return proc, int(proc.stdout) / 1024


def _deflate_bomb(prefix: bytes, filler: bytes, total: int) -> bytes:
    co = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip container
    parts = [co.compress(prefix)]
    block = filler * ((1 << 20) // len(filler))
    for _ in range(total // len(block)):
        parts.append(co.compress(block))
    return b"".join(parts) + co.flush()


def test_gzip_bomb_snapshot_is_refused_with_bounded_memory(tmp_path):
    head = json.dumps({"snapshot": {"meta": craft.meta(), "node_count": 50_000_000,
                                    "edge_count": 0}})[:-1] + ',"nodes":['
    bomb = tmp_path / "bomb.heapsnapshot.gz"
    bomb.write_bytes(_deflate_bomb(head.encode(), b"0,", 600 << 20))
    assert bomb.stat().st_size < 1 << 20
    proc, peak = _peak_rss_mb(str(bomb))
    assert proc.returncode == int(ExitCode.INPUT_DAMAGED), proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert peak < 600, f"peak RSS {peak:.0f} MB: the bomb was inflated"


def test_gzip_bomb_report_is_refused_with_bounded_memory(tmp_path):
    bomb = tmp_path / "report.json.gz"
    doc = json.dumps(craft.report_doc())
    bomb.write_bytes(_deflate_bomb(doc[:-1].encode() + b', "pad": "', b"A", 600 << 20))
    proc, peak = _peak_rss_mb(str(bomb))
    assert proc.returncode == int(ExitCode.INPUT_DAMAGED), proc.stderr
    assert "larger than 64.0 MiB" in proc.stderr
    assert peak < 600, f"peak RSS {peak:.0f} MB: the bomb was inflated"


def test_a_real_gzip_snapshot_stays_under_the_limit(tmp_path):
    """Control for the two above: real compression ratios never trip the limit."""
    gz = tmp_path / "classes.heapsnapshot.gz"
    gz.write_bytes(gzip.compress(Path(snapshot_paths("snap_classes", 22)[0]).read_bytes()))
    assert run_triage(gz, "--format", "json").code == 0


def test_decompress_limit_can_be_set_for_a_pipeline(tmp_path):
    gz = tmp_path / "classes.heapsnapshot.gz"
    gz.write_bytes(gzip.compress(Path(snapshot_paths("snap_classes", 22)[0]).read_bytes()))
    result = run_triage(gz, env={"TRIAGE_DECOMPRESS_LIMIT": "1M"})
    one_line(result, ExitCode.INPUT_DAMAGED, "more than 1.0 MiB", "TRIAGE_DECOMPRESS_LIMIT")


def test_million_frame_report_is_read_up_to_500_frames_and_says_so(tmp_path):
    doc = craft.report_doc()
    doc["javascriptStack"]["stack"] = [f"at f{i} (/app/x.js:1:{i})" for i in range(1_000_000)]
    doc["nativeStack"] = doc["nativeStack"] * 2000
    path = tmp_path / "report.json"
    path.write_text(json.dumps(doc))
    result = run_triage(path, "--format", "json")
    assert result.code == 0, result.stderr
    out = result.json
    assert len(out["js_stack"]["frames"]) == MAX_FRAMES
    assert out["js_stack"]["status"] == "degraded"
    assert "1,000,000 lines; the first 500 were read" in out["js_stack"]["reason"]
    assert any("the first 500 were read" in w for w in out["warnings"])


def test_ten_megabyte_property_name_is_clipped_in_text_and_markdown(tmp_path):
    big = "P" * (10 << 20)
    nodes, edges, strings = craft.small_graph()
    path = write_snapshot(tmp_path, strings=[*strings[:3], big, *strings[4:]])  # class name
    for fmt in ("text", "markdown"):
        result = run_triage(path, "--format", fmt)
        assert result.code == 0, result.stderr
        assert f"{len(big):,} chars" in result.stdout
        assert len(result.stdout) < 100_000


# --- exit codes and formats: defect 6 ------------------------------------------------------

def test_elf_executable_is_not_a_core_exit_4(tmp_path):
    exe = tmp_path / "upload.core"
    shutil.copy("/usr/bin/true", exe)
    one_line(run_triage(exe), ExitCode.INPUT_UNRECOGNIZED, "not a core dump")


def _core_with(tmp_path: Path, notes: bytes) -> Path:
    path = tmp_path / "core.1234"
    path.write_bytes(craft.core_bytes(notes))
    return path


def test_short_prstatus_note_is_damaged(tmp_path):
    path = _core_with(tmp_path, craft.note(b"CORE", 1, craft.prstatus()[:100]))
    one_line(run_triage(path), ExitCode.INPUT_DAMAGED, "NT_PRSTATUS")


def test_note_overflowing_its_segment_is_damaged(tmp_path):
    path = _core_with(tmp_path, craft.note(b"CORE", 1, craft.prstatus(), descsz=2**31))
    one_line(run_triage(path), ExitCode.INPUT_DAMAGED, "runs past the end")


def test_nt_file_count_overflow_is_damaged(tmp_path):
    desc = craft.nt_file([(0x400000, 0x401000, 0, "/usr/bin/node")], count=2**60)
    path = _core_with(tmp_path, craft.note(b"CORE", 1, craft.prstatus())
                      + craft.note(b"CORE", 0x46494C45, desc))
    one_line(run_triage(path), ExitCode.INPUT_DAMAGED, "NT_FILE")


def test_core_for_another_machine_is_unrecognized(tmp_path):
    path = tmp_path / "core.arm"
    path.write_bytes(craft.core_bytes(craft.note(b"CORE", 1, craft.prstatus()), machine=183))
    one_line(run_triage(path), ExitCode.INPUT_UNRECOGNIZED, "x86-64")


def test_report_nested_too_deeply_is_damaged(tmp_path):
    doc = craft.report_doc()
    deep: dict = {}
    cursor = deep
    for _ in range(500):
        cursor["a"] = {}
        cursor = cursor["a"]
    doc["header"]["extra"] = deep
    path = tmp_path / "report.json"
    path.write_text(json.dumps(doc))
    one_line(run_triage(path), ExitCode.INPUT_DAMAGED, "nested")


@pytest.mark.parametrize("version", ["²", 3.5, "3 ", True, None])
def test_odd_report_versions_are_unrecognized_not_internal(tmp_path, version):
    doc = craft.report_doc()
    doc["header"]["reportVersion"] = version
    path = tmp_path / "report.json"
    path.write_text(json.dumps(doc))
    result = run_triage(path)
    if version == "3 ":  # whitespace around ASCII digits is read as 3
        assert result.code == 0, result.stderr
    else:
        one_line(result, ExitCode.INPUT_UNRECOGNIZED, "reportVersion")


def test_non_finite_heap_numbers_never_produce_invalid_json():
    doc = {"objects": {"inspected": [{"kind": "number", "value": v}
                                     for v in (1.5e308, float("inf"), float("-inf"), float("nan"))]}}

    def refuse(token):
        raise AssertionError(f"{token} is not JSON")

    values = [o["value"] for o in json.loads(render_json(doc), parse_constant=refuse)
              ["objects"]["inspected"]]
    assert values == [1.5e308, "Infinity", "-Infinity", "NaN"]


# --- names and special files: defect 9 -----------------------------------------------------

def test_fifo_input_fails_at_once_with_exit_4(tmp_path):
    fifo = tmp_path / "core.fifo"
    os.mkfifo(fifo)
    result = run_triage(fifo, timeout=60)  # a hang would raise TimeoutExpired
    one_line(result, ExitCode.INPUT_UNRECOGNIZED, "FIFO")


def test_device_node_input_is_refused_with_exit_4():
    one_line(run_triage("/dev/zero", timeout=60), ExitCode.INPUT_UNRECOGNIZED,
             "character device")


def test_fifo_inside_an_input_directory_is_skipped(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    write_snapshot(tmp_path)
    result = run_triage(tmp_path, "--format", "json", timeout=60)
    assert result.code == 0, result.stderr


def test_escape_and_newline_in_a_file_name_are_escaped_in_the_error_line(tmp_path):
    path = tmp_path / "evil\x1b]0;owned\x07\x1b[2J\nsecond line.json"
    path.write_bytes(b"not a crash artifact")
    line = one_line(run_triage(path), ExitCode.INPUT_UNRECOGNIZED)
    assert "\x1b" not in line and "\x07" not in line
    assert "evil\\x1b]0;owned\\x07\\x1b[2J\\nsecond line.json" in line


# --- a non-root user: defect 9 (compiled-kernel cache) -------------------------------------

def _as_nobody(*args: str, home: str, kernels: str = "") -> subprocess.CompletedProcess:
    """`python -m triage ARGS` as user nobody, with this checkout and its dependencies.

    The test's own interpreter may live where nobody cannot read (a pyenv under /root), so
    the system Python of the same minor version runs it with the venv's site-packages.
    """
    import sysconfig

    site = sysconfig.get_paths()["purelib"]
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    candidates = [sys.executable, f"/usr/bin/{version}", shutil.which(version) or ""]
    env = {"HOME": home, "PATH": "/usr/bin:/bin", "PYTHONPATH": f"{REPO}:{site}",
           "LANG": "C.UTF-8", "TRIAGE_KERNELS": kernels}
    drop = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--"]
    if os.getuid() != 0:  # already not root: run as this user
        drop = []
    for python in filter(None, candidates):
        probe = subprocess.run([*drop, python, "-c", "import numba, click"], env=env,
                               capture_output=True, timeout=120)
        if probe.returncode == 0:
            return subprocess.run([*drop, python, "-m", "triage", *args], env=env, cwd="/",
                                  capture_output=True, text=True, timeout=600)
    raise AssertionError(f"no Python that user nobody can run among {candidates}")


@pytest.mark.parametrize("kernels", ["jit", "ahead-of-time"])
@pytest.mark.parametrize("home", ["writable", "/nonexistent"])
def test_non_root_user_is_not_exit_70(tmp_path_factory, home, kernels):
    """Numba could not write triage/**/__pycache__ and exited 70 on every input. With the
    ahead-of-time build (triage/compiled.py) nothing is compiled or cached at all."""
    import tempfile

    shared = Path(tempfile.mkdtemp(prefix="triage-nobody-"))
    try:
        shared.chmod(0o755)
        snap = shared / "classes.heapsnapshot"
        shutil.copy(snapshot_paths("snap_classes", 22)[0], snap)
        snap.chmod(0o644)
        home_dir = shared / "home"
        home_dir.mkdir()
        if os.getuid() == 0:
            shutil.chown(home_dir, "nobody")
        result = _as_nobody(str(snap), "--format", "json",
                            home=str(home_dir) if home == "writable" else home,
                            kernels="jit" if kernels == "jit" else "")
        assert result.returncode == 0, result.stderr[-2000:]
        assert json.loads(result.stdout)["histogram"]
        if home == "writable":
            cached = any((home_dir / ".cache").rglob("*.nbi"))
            assert cached if kernels == "jit" else not cached
    finally:
        shutil.rmtree(shared, ignore_errors=True)


def _many_hidden_closures(tmp_path: Path, n: int) -> Path:
    """A context with `n` hidden edges to one closure that has `n` `context` edges (none to
    that context), and one hidden edge to a class `Registry` whose context it is."""
    strings = ["", "system / Context", "context", "Bad", "Registry"]
    rows = [(9, 0, 1, 0, 1, 0),  # 0 root
            (0, 1, 3, 64, n + 1, 0),  # 1 the context
            (5, 3, 5, 32, n, 0),  # 2 closure Bad
            (5, 4, 7, 32, 1, 0),  # 3 closure Registry
            (0, 1, 9, 64, 0, 0)]  # 4 another context
    nfc = craft.NFC
    edges = [1, 0, 1 * nfc]
    edges += [e for i in range(n) for e in (4, i, 2 * nfc)] + [4, n, 3 * nfc]
    edges += [e for _ in range(n) for e in (3, 2, 4 * nfc)]
    edges += [3, 2, 1 * nfc]
    path = tmp_path / "closures.heapsnapshot"
    path.write_text(craft.snapshot_text([v for r in rows for v in r], edges, strings))
    return path


def test_naming_class_variables_is_not_quadratic_in_a_crafted_context(tmp_path):
    """Each of a context's hidden edges to a closure was checked against all the closure's
    edges: 20,000 x 20,000 steps in Python, minutes of CPU from a 1 MB file. One minute of
    CPU is plenty for the loader now, and the one class binding is still named."""
    import resource

    path = _many_hidden_closures(tmp_path, 20_000)
    code = ("import sys; from triage.loaders import load_snapshot; g = load_snapshot(sys.argv[1]);"
            "a, b = int(g.edge_start[1]), int(g.edge_start[2]);"
            "print([g.edge_name_str(e) for e in range(a, b) if g.edge_type[e] == 0])")

    def one_minute_of_cpu() -> None:
        resource.setrlimit(resource.RLIMIT_CPU, (60, 60))

    result = subprocess.run([sys.executable, "-c", code, str(path)], cwd=REPO, text=True,
                            capture_output=True, preexec_fn=one_minute_of_cpu, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "['Registry']"
