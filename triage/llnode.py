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
    r"(?P<script>[^\n]+?):(?P<line>\d+):(?P<column>\d+) fn=0x[0-9a-f]+\s*$",
    re.DOTALL,
)
_FRAME_START = re.compile(r"^\s*\*?\s*frame #\d+: ")


def _frame_records(output: str) -> list[str]:
    """`v8 bt` output cut into one record per frame. llnode prints argument values raw, so
    a string argument with newlines continues its frame on the following lines."""
    records: list[str] = []
    for line in output.splitlines():
        if _FRAME_START.match(line) or not records:
            records.append(line)
        else:
            records[-1] += "\n" + line
    return records


def parse_v8_bt(output: str) -> list[JsFrame]:
    """JS frames from llnode's `v8 bt` output; native frames are left to lldb.

    llnode prints the *function's* start position (line:column of its
    declaration), not the position of the call; frames are marked accordingly.
    """
    frames: list[JsFrame] = []
    for record in _frame_records(output):
        match = _JS_FRAME.search(record)
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


def compare_function_names(ours: list[str], theirs: list[str]) -> tuple[bool, str]:
    """Whether llnode's frames agree with ours, and a sentence saying how.

    llnode leaves out frames it cannot decode (builtins without a script, some optimized
    frames), so its list agrees when it is ours with frames missing, in the same order. It
    disagrees only when it names a function we do not have there."""
    position = 0
    for name in theirs:
        try:
            position = ours.index(name, position) + 1
        except ValueError:
            return False, (f"llnode's `v8 bt` names {name!r} where triage's stack has "
                           f"{ours[position:position + 3]}; check the JS stack against Node's own "
                           "output or a report before trusting either")
    missing = len(ours) - len(theirs)
    extra = f"; llnode decodes {missing} fewer" if missing > 0 else ""
    return True, f"llnode's `v8 bt` agrees on {len(theirs)} JavaScript frames{extra}"


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
