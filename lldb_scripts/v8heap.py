"""lldb commands over triage's core heap reader (triage.v8).

    (lldb) command script import lldb_scripts/v8heap.py
    (lldb) triage-histogram [-n 30] [--all]
    (lldb) triage-instances Session [limit]
    (lldb) triage-inspect 0x1234abcd [depth]
    (lldb) triage-jsstack
    (lldb) triage-retainers 0x1234abcd|TYPE [limit]

The core and the node binary are taken from the current lldb target; the heap is
read with triage's mmap reader (not lldb's memory API), so results equal the Python
API's. Text output goes through triage.redaction when it is installed: strings from
the heap can hold secrets.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from pathlib import Path

import lldb  # type: ignore[import-not-found]

_REPO = Path(__file__).resolve().parent.parent
if str(_REPO) not in sys.path:
    sys.path.insert(0, str(_REPO))


def _add_python3_site_packages() -> None:
    """lldb embeds the system Python; triage's dependencies (numpy, numba) live in the
    project's virtualenv. Borrow its import path: `$TRIAGE_VENV`, else the repository's
    `.venv`, else the `python3` on PATH (pyenv, an activated venv)."""
    try:
        import numpy  # noqa: F401
        return
    except ImportError:
        pass
    found: list[str] = []
    for venv in (os.environ.get("TRIAGE_VENV"), str(_REPO / ".venv")):
        if venv:
            found = [str(p) for p in sorted(Path(venv).glob("lib/python3*/site-packages"))]
            if found:
                break
    if not found:
        import subprocess

        try:
            out = subprocess.run(["python3", "-c", "import sys; print('\\n'.join(sys.path))"],
                                 capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.SubprocessError):
            return
        found = [entry for entry in out.splitlines() if entry.endswith("-packages")]
    # put them first: mixing the two interpreters' compiled packages (cffi) breaks imports
    for entry in reversed(found):
        if entry not in sys.path:
            sys.path.insert(1, entry)


_add_python3_site_packages()

from triage.coredump import CoreFile, ElfFile  # noqa: E402
from triage.v8 import V8Heap  # noqa: E402

_HEAPS: dict[tuple[str, str], V8Heap] = {}
_GRAPHS: dict[int, object] = {}


def _heap(debugger: lldb.SBDebugger) -> V8Heap:
    target = debugger.GetSelectedTarget()
    process = target.GetProcess() if target else None
    if not target or not process or not process.IsValid():
        raise RuntimeError("no core loaded: lldb <node> -c <core>")
    core_path = process.GetCoreFile().fullpath
    exe = target.GetExecutable().fullpath
    if not core_path or not exe:
        raise RuntimeError("the target has no core file or no executable")
    key = (core_path, exe)
    if key not in _HEAPS:
        _HEAPS[key] = V8Heap.open(CoreFile.open(core_path), ElfFile(exe))
    return _HEAPS[key]


def _emit(result: lldb.SBCommandReturnObject, text: str, name: str | None = None) -> None:
    """Every line these commands print passes triage's redaction, as any triage output."""
    from triage.redaction import Redactor

    result.AppendMessage(Redactor().redact_text(text, source="heap_string", name=name))


def _run(result: lldb.SBCommandReturnObject, fn) -> None:  # noqa: ANN001
    try:
        fn()
    except Exception as e:  # an lldb command must report, never raise into lldb
        result.SetError(f"{type(e).__name__}: {e}")


def cmd_histogram(debugger, command, exe_ctx, result, internal_dict):  # noqa: ANN001, ANN201
    """triage-histogram [-n N] [--all]: objects by constructor, largest shallow size first."""
    args = shlex.split(command)

    def go() -> None:
        limit = int(args[args.index("-n") + 1]) if "-n" in args else 50
        rows = _heap(debugger).histogram(include_internal="--all" in args)[:limit]
        lines = [f"{'count':>10} {'shallow bytes':>14}  type"]
        lines += [f"{r['count']:>10} {r['shallow_bytes']:>14}  {r['type']}" for r in rows]
        _emit(result, "\n".join(lines), name="histogram")

    _run(result, go)


def cmd_instances(debugger, command, exe_ctx, result, internal_dict):  # noqa: ANN001, ANN201
    """triage-instances TYPE [limit]: addresses of objects of one class."""
    args = shlex.split(command)

    def go() -> None:
        if not args:
            raise ValueError("usage: triage-instances TYPE [limit]")
        limit = int(args[1]) if len(args) > 1 else 100
        from triage.v8.reader import address_ref

        addrs = _heap(debugger).instances(args[0], limit)
        _emit(result, "\n".join(address_ref(a) for a in addrs) or "(none)", name=args[0])

    _run(result, go)


def cmd_inspect(debugger, command, exe_ctx, result, internal_dict):  # noqa: ANN001, ANN201
    """triage-inspect ADDR [depth]: one object as JSON (properties, elements, ...)."""
    args = shlex.split(command)

    def go() -> None:
        if not args:
            raise ValueError("usage: triage-inspect ADDR [depth]")
        info = _heap(debugger).inspect(int(args[0], 0), int(args[1]) if len(args) > 1 else 1)
        _emit(result, json.dumps(info, indent=1, ensure_ascii=False, default=str))

    _run(result, go)


def cmd_jsstack(debugger, command, exe_ctx, result, internal_dict):  # noqa: ANN001, ANN201
    """triage-jsstack: JS frames of the selected thread (lldb's unwinder, else fp chain)."""

    def go() -> None:
        heap = _heap(debugger)
        thread = debugger.GetSelectedTarget().GetProcess().GetSelectedThread()
        pairs = [(f.GetFP(), f.GetPC()) for f in thread] if thread else []
        frames = heap.js_stack_from_frames(pairs)
        if not frames:
            frames = heap.js_stack(thread.GetThreadID() if thread else None)
        lines = []
        for f in frames:
            where = f.script or "?"
            if f.line is not None:
                where += f":{f.line}:{f.column}"
            lines.append(f"#{f.index} {f.function} ({where}) [{f.kind}]")
        _emit(result, "\n".join(lines) or "(no JS frames)", name="js_stack")

    _run(result, go)


def cmd_retainers(debugger, command, exe_ctx, result, internal_dict):  # noqa: ANN001, ANN201
    """triage-retainers ADDR|TYPE [limit]: shortest retainer path from the GC roots to an
    object (or to the first `limit` objects of a class), built on the core's heap graph."""
    args = shlex.split(command)

    def go() -> None:
        from triage.v8.graph import object_ordinal, retainer_path

        if not args:
            raise ValueError("usage: triage-retainers ADDR|TYPE [limit]")
        heap = _heap(debugger)
        g = _GRAPHS.get(id(heap))
        if g is None:
            g = _GRAPHS[id(heap)] = heap.to_heap_graph()
        limit = int(args[1]) if len(args) > 1 else 3
        try:
            nodes = [object_ordinal(g, int(args[0], 0))]
        except ValueError:
            sid = g.find_string(args[0])
            nodes = [int(n) for n in (g.node_class == sid).nonzero()[0][:limit]] if sid >= 0 else []
        if not nodes or nodes[0] < 0:
            raise ValueError(f"{args[0]}: no such object in the heap graph")
        lines = [f"(roots: {g.meta['capability'].status}; {', '.join(g.meta['roots'])})"]
        for node in nodes:
            path = retainer_path(g, node)
            lines.append(g.node_label(node))
            if path is None:
                lines.append("  unreachable from the GC roots (garbage not yet collected)")
                continue
            for e in reversed(path):
                lines.append(f"  <- {g.edge_label(e)} in {g.node_label(g.edge_source(e))}")
        _emit(result, "\n".join(lines), name="retainers")

    _run(result, go)


def __lldb_init_module(debugger: lldb.SBDebugger, internal_dict: dict) -> None:
    for name, fn in (("triage-histogram", "cmd_histogram"), ("triage-instances", "cmd_instances"),
                     ("triage-inspect", "cmd_inspect"), ("triage-jsstack", "cmd_jsstack"),
                     ("triage-retainers", "cmd_retainers")):
        debugger.HandleCommand(f"command script add -o -f {__name__}.{fn} {name}")
