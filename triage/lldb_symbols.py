"""lldb's symbol lookup at file addresses, run in a child process of its own.

`triage.unwind.lldb_names` asks lldb about pcs in code with DWARF only when its symbol
cache has not seen them (the first core of a new node build). Importing lldb and making
file targets costs ~110 MB for liblldb and ~110 MB for node's symbols and DWARF index; in
the analysing process that memory stayed for the whole heap walk (390-495 MiB peaks on
4 MiB heaps). Here it lives in a short process that answers every pending pc at once and
exits before the heap is read; an lldb crash on a strange file costs the DWARF names,
not the run.

Protocol (JSON): stdin `[{"path": str, "vaddr": int, "need_cu": bool}, ...]`; stdout
`{"places": [null | {"functions": [...], "file": str|null, "line": int|null}, ...]}` in
the same order, or `{"error": "..."}` when lldb cannot be used.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

TIMEOUT_SECONDS = 300


def lookup(requests: list[dict]) -> tuple[list[dict | None], str | None]:
    """(one answer per request, None) or ([], why lldb gave none), from a child process."""
    if not requests:
        return [], None
    package_parent = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_parent, env.get("PYTHONPATH")) if p)
    try:
        # -P: the working directory (an inbox of uploads, say) is not put on sys.path, so
        # no file there can stand in for triage or lldb; this triage comes from PYTHONPATH.
        proc = subprocess.run([sys.executable, "-P", "-m", "triage.lldb_symbols"],
                              input=json.dumps(requests), capture_output=True, text=True,
                              env=env, timeout=TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        return [], f"lldb's symbol lookup did not finish ({type(e).__name__})"
    try:
        out = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return [], f"lldb's symbol lookup failed (exit {proc.returncode})"
    if not isinstance(out, dict):
        return [], f"lldb's symbol lookup failed (exit {proc.returncode})"
    if out.get("error"):
        return [], str(out["error"])
    places = out.get("places")
    if not isinstance(places, list) or len(places) != len(requests):
        return [], "lldb's symbol lookup gave a malformed answer"
    return places, None


def _answer(requests: list[dict]) -> dict:
    from triage.errors import TriageError
    from triage.lldb_support import import_lldb

    try:
        lldb = import_lldb()
    except TriageError as e:
        return {"error": str(e)}
    debugger = lldb.SBDebugger.Create()
    debugger.SetAsync(False)
    # Symbols and DWARF are then read for what the lookups touch, not indexed whole at
    # CreateTarget: the same answers on Node 18-26's abort cores, 26-52 MiB and 0.1-0.4 s
    # less per child.
    lldb.SBDebugger.SetInternalVariable("target.preload-symbols", "false",
                                        debugger.GetInstanceName())
    places: list[dict | None] = [None] * len(requests)
    by_path: dict[str, list[int]] = {}
    for i, req in enumerate(requests):
        by_path.setdefault(req["path"], []).append(i)
    for path, indices in by_path.items():
        target = debugger.CreateTarget(path)
        if not target.IsValid():
            continue
        for i in indices:
            places[i] = _place(lldb, target, requests[i]["vaddr"], requests[i]["need_cu"])
        # one file's symbols and DWARF index at a time: freed before the next file's are
        # read (node's and libc's together peaked 240 MB on Node 26, one at a time 208 MB)
        debugger.DeleteTarget(target)
        lldb.SBDebugger.MemoryPressureDetected()
    return {"places": places}


def _place(lldb, target, vaddr: int, need_cu: bool) -> dict | None:  # noqa: ANN001
    """Functions innermost first (inlined ones, then the concrete one) and the innermost
    line; None when lldb has no name (or, with `need_cu`, no compile unit) there."""
    addr = target.ResolveFileAddress(vaddr)
    ctx = target.ResolveSymbolContextForAddress(addr, lldb.eSymbolContextEverything)
    if need_cu and not ctx.GetCompileUnit().IsValid():
        return None
    names = []
    block = ctx.GetBlock()
    while block and block.IsValid():
        if block.IsInlined() and block.GetInlinedName():
            names.append(block.GetInlinedName())
        block = block.GetParent()
    fn = ctx.GetFunction()
    concrete = fn.GetName() if fn.IsValid() else None
    if not concrete and ctx.GetSymbol().IsValid():
        concrete = ctx.GetSymbol().GetName()
    if not concrete:
        return None
    names.append(concrete)
    line = ctx.GetLineEntry()
    file = line.GetFileSpec().GetFilename() if line.IsValid() else None
    number = line.GetLine() if line.IsValid() and 0 < line.GetLine() < 1 << 31 else None
    return {"functions": names, "file": file, "line": number}


def main() -> None:
    requests = json.loads(sys.stdin.read())
    sys.stdout.write(json.dumps(_answer(requests)) + "\n")


if __name__ == "__main__":
    main()
