"""Walking a summary document: which source each string comes from and which
context name applies to it.

The source of a string is found from its path in the document:

1. a dict carrying `"_source": "<source>"` sets it for everything inside
   (the `_source` key is removed from the output);
2. else a key in `KEY_SOURCES` anywhere on the path (`environmentVariables`,
   `command_line`, `cwd`, ...) sets it for everything below that key;
3. else the top-level section decides (`SECTION_SOURCES`);
4. else `DEFAULT_SOURCE`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from triage.redaction.prefilter import is_ready

if TYPE_CHECKING:
    from triage.redaction.engine import Redactor

DEFAULT_SOURCE = "summary"

SECTION_SOURCES: dict[str, str] = {
    "inputs": "path",
    "process": "process",
    "crash": "message",
    "threads": "stack",
    "js_stack": "stack",
    "report": "report",
    "histogram": "heap_string",
    "suspects": "heap_string",
    "heap": "heap_string",
    "inspect": "heap_string",
    "objects": "heap_string",
    "diff": "heap_string",
    "referrers": "heap_string",
    "warnings": "message",
}

KEY_SOURCES: dict[str, str] = {
    "command_line": "argv", "commandLine": "argv", "argv": "argv", "exec_argv": "argv",
    "execArgv": "argv",
    "environment": "env", "environmentVariables": "env", "env": "env",
    "cwd": "path", "executable": "path", "execPath": "path", "sharedObjects": "path",
    "shared_objects": "path", "filename": "path",
    "networkInterfaces": "network", "network_interfaces": "network",
    "remoteEndpoint": "network", "localEndpoint": "network",
}

_SOURCE_KEY = "_source"


def walk(redactor: Redactor, doc: Any) -> Any:
    """A redacted deep copy of `doc`."""
    strings: list[str] = []
    _collect(doc, strings)
    # The batch prefilter pays numba's start-up (~0.5 s with a warm cache) once;
    # below ~1 M characters one-by-one redaction is quicker than that.
    worth = len(strings) > 64 and (is_ready() or sum(map(len, strings)) > 1_000_000)
    cleared = redactor.cleared(strings) if worth else set()
    return _value(redactor, doc, DEFAULT_SOURCE, None, False, cleared, top=True)


def _collect(v: Any, out: list[str]) -> None:
    """Every string of the document, keys included (for the batch prefilter)."""
    if isinstance(v, str):
        out.append(v)
    elif isinstance(v, dict):
        for k, x in v.items():
            if isinstance(k, str):
                out.append(k)
            _collect(x, out)
    elif isinstance(v, (list, tuple)):
        for x in v:
            _collect(x, out)


def _value(r: Redactor, v: Any, source: str, name: str | None, sticky: bool,
           cleared: set[str], top: bool = False) -> Any:
    if isinstance(v, str):
        if source == "argv" and name is not None and r.names.kind(name) != "sensitive":
            return r.redact_command_line(v, source=source)
        if v in cleared and source != "argv" and r.names.kind(name) in ("", "version"):
            return v  # the prefilter proved it holds nothing
        return r.redact_text(v, source=source, name=name)
    if isinstance(v, dict):
        return _dict(r, v, source, name, sticky, cleared, top)
    if isinstance(v, (list, tuple)):
        if source == "argv" and all(isinstance(x, str) for x in v) and not sticky:
            return r.redact_argv(v, source=source)
        return [_value(r, x, source, name, sticky, cleared) for x in v]
    return v  # int, float, bool, None pass unchanged


def _dict(r: Redactor, d: dict, source: str, name: str | None, sticky: bool,
          cleared: set[str], top: bool) -> dict:
    explicit = d.get(_SOURCE_KEY)
    if isinstance(explicit, str) and explicit:
        source = explicit
    # {"name": "API_TOKEN", "value": "..."}: the name is the context of the value
    pair_name = None
    if "value" in d:
        for k in ("name", "key"):
            if isinstance(d.get(k), str):
                pair_name = d[k]
                break
    out: dict[Any, Any] = {}
    for key, val in d.items():
        if key == _SOURCE_KEY:
            continue
        child_source = source
        if isinstance(key, str):
            if top and key in SECTION_SOURCES:
                child_source = SECTION_SOURCES[key]
            if key in KEY_SOURCES and not (isinstance(explicit, str) and explicit):
                child_source = KEY_SOURCES[key]
        if sticky:  # below a sensitive name everything stays sensitive
            child_name, child_sticky = name, True
        else:
            child_name = pair_name if key == "value" and pair_name is not None else (
                key if isinstance(key, str) else None)
            child_sticky = r.names.kind(child_name) == "sensitive"
        if isinstance(key, str) and key not in cleared:
            new_key = r.redact_text(key, source=child_source)
        else:
            new_key = key
        out[new_key] = _value(r, val, child_source, child_name, child_sticky, cleared)
    return out
