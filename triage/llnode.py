"""Locate the llnode lldb plugin and run its `v8` commands as a cross-check.

llnode stopped following Node after 18: `v8 bt` decodes JS frames on Node 18/20
and not on 22/24, and constructor names are wrong from 20 on. triage's own V8
reader is the default engine; llnode is the second opinion and the companion for
interactive lldb sessions.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from triage.crashmodel import JsFrame

PLUGIN_HINT = (
    "build it with `scripts/setup.sh` (npm package llnode built against lldb 19) "
    "or set TRIAGE_LLNODE_PLUGIN to its llnode.so"
)


def find_plugin() -> Path | None:
    """The llnode.so to load, from $TRIAGE_LLNODE_PLUGIN or the triage tool cache."""
    override = os.environ.get("TRIAGE_LLNODE_PLUGIN")
    if override:
        return Path(override) if Path(override).is_file() else None
    cache = Path(os.environ.get("TRIAGE_CACHE", Path.home() / ".cache" / "triage"))
    candidate = cache / "tools" / "llnode" / "node_modules" / "llnode" / "llnode.so"
    return candidate if candidate.is_file() else None


def run_commands(debugger, commands: list[str]) -> list[tuple[bool, str]]:
    """Run lldb commands in `debugger` and return (succeeded, output) for each."""
    import lldb  # already imported through triage.lldb_support by the caller

    interpreter = debugger.GetCommandInterpreter()
    results = []
    for command in commands:
        result = lldb.SBCommandReturnObject()
        interpreter.HandleCommand(command, result)
        results.append((result.Succeeded(), (result.GetOutput() or "") + (result.GetError() or "")))
    return results


# `frame #8: 0x00000000018cfd1c abortNow(this=..., ...) at /app/abort.js:4:18 fn=0x...`
_JS_FRAME = re.compile(
    r"frame #(?P<index>\d+): 0x[0-9a-f]+ (?P<function>[^\s(`]+)\(.*\) at "
    r"(?P<script>.+?):(?P<line>\d+):(?P<column>\d+) fn=0x[0-9a-f]+\s*$"
)
_MARKER = re.compile(r"frame #(?P<index>\d+): 0x[0-9a-f]+ <(?P<kind>[a-z ]+)>\s*$")


def parse_v8_bt(output: str) -> list[JsFrame]:
    """JS frames from llnode's `v8 bt` output; native frames are left to lldb.

    llnode prints the *function's* start position (line:column of its
    declaration), not the position of the call; frames are marked accordingly.
    """
    frames: list[JsFrame] = []
    for line in output.splitlines():
        match = _JS_FRAME.search(line)
        if match:
            frames.append(JsFrame(
                index=len(frames),
                function=match["function"] if match["function"] != "(anonymous" else "(anonymous)",
                script=match["script"],
                line=int(match["line"]),
                column=int(match["column"]),
                kind="function-start",
            ))
    return frames


def js_stack(debugger) -> tuple[list[JsFrame], str]:
    """Run `v8 bt` on the selected (faulting) thread; return frames and a status note."""
    plugin = find_plugin()
    if plugin is None:
        return [], f"the llnode plugin is not installed: {PLUGIN_HINT}"
    (loaded, output), (ran, bt) = run_commands(debugger, [f"plugin load {plugin}", "v8 bt"])
    if not loaded:
        return [], f"llnode could not be loaded: {output.strip()[:200]}"
    frames = parse_v8_bt(bt) if ran else []
    if not frames:
        return [], "llnode's `v8 bt` decoded no JavaScript frames for this Node version"
    return frames, "llnode reports function start positions, not call positions"
