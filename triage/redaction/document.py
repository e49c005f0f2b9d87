"""Walking a summary document: which source each string comes from, which context
name applies to it, and which fields are heap data rather than the tool's own structure.

The source of a string is found from its path in the document:

1. a dict carrying `"_source": "<source>"` sets it for everything inside
   (the `_source` key is removed from the output);
2. else a key in `KEY_SOURCES` anywhere on the path (`environmentVariables`,
   `command_line`, `cwd`, ...) sets it for everything below that key;
3. else the top-level section decides (`SECTION_SOURCES`);
4. else `DEFAULT_SOURCE`.

Query output (`--inspect`, `--retainers`, `--instances`, and any future query) nests heap
values inside the tool's own fields, so the walk knows three kinds of keys:

* `STRUCTURE_KEYS` (`address`, `type`, `length`, ...): the tool's facts. Never replaced
  because of a sensitive name above them (an object held in `authorization` keeps its
  type and length); strings still pass the value detectors, numbers pass unchanged.
* `NAME_DICTS` / `STORAGE_DICTS` (`properties`, `variables`, `property_storage`,
  `property_addresses`): dicts keyed by names read from the heap. The keys are data (a
  secret can be a property name), the values are data (or, for storage, structure such as
  `in-object`).
* `TRANSPARENT_KEYS` (`elements`, `entries`, `value`, ...): containers of heap values that
  keep the context name of the object that holds them, so `authorization -> value` is
  still under `authorization`.

Every string that is a heap name (property name, Map key, variable name) is a value too:
it goes through the detectors, is replaced whole below a sensitive name unless it is a
plain word, and is replaced when it looks like an opaque id or token (`opaque-key`).
Numbers in heap data are checked as well (card numbers, and anything under a sensitive,
phone or card name). Finally, every secret found anywhere is searched for in the whole
document again (`engine.Redactor.redact_document`), so its copies without context go too.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from triage.redaction.detectors import looks_opaque
from triage.redaction.engine import CUT_TAIL
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
    "retainers": "heap_string",
    "referrers": "heap_string",
    "diff": "heap_string",
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

# The tool's own facts about an object, a node or a row: never data read from the heap.
STRUCTURE_KEYS: frozenset[str] = frozenset({
    "address", "type", "instance_type", "kind", "map", "dictionary_mode", "representation",
    "length", "size", "byte_length", "byte_offset", "backing_store", "buffer", "offset",
    "parts", "parent", "actual", "elements_kind", "elements_truncated", "error", "weak", "raw",
    "id", "ref", "matched", "reachable", "retained_bytes", "shallow_bytes", "self_bytes",
    "count", "status", "engine", "function", "script", "pc", "index", "tid",
    "schema_version", "size_bytes", "line", "column",
    # inspect's per-kind facts (triage/v8/inspect.py)
    "flags", "state", "internal_field_count", "bytes_truncated", "stack_length", "note",
    # a JS frame's parts (triage/v8/frames.py, source.py): addresses, counts, class names
    "function_address", "context_address", "argc", "class", "start_line", "end_line",
    "start_column", "truncated",
    "prototype", "previous", "total",
})
# Dicts keyed by names read from the heap (property and context variable names).
NAME_DICTS: frozenset[str] = frozenset({"properties", "variables", "context"})
# Keyed by heap names too, but their values are the tool's structure (`in-object`).
STORAGE_DICTS: frozenset[str] = frozenset({"property_storage", "property_addresses"})
# Containers of heap values: they keep the context name of the object that holds them.
TRANSPARENT_KEYS: frozenset[str] = frozenset({"elements", "entries", "value", "inspected"})
# Strings that quote heap names inside the tool's text (`Map entry 'k'`, `a['k'].b`).
LABEL_KEYS: frozenset[str] = frozenset({"label", "holder"})

_SOURCE_KEY = "_source"
_PLAIN_NAME = re.compile(r"[A-Za-z_$][A-Za-z_$]{0,39}\Z|\d{1,6}\Z")
_PEM_BEGIN = re.compile(r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_PAIR_NAME = re.compile(r"-{0,2}[A-Za-z_][\w.-]{0,63}\Z")  # `Authorization`, `--token`
_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'|\"((?:[^\"\\]|\\.)*)\"")
_LONG_IDENT = re.compile(r"(?:(?<=\.)|(?<=\.#))[A-Za-z_$][\w$]{15,}")  # `.x`, `.#x`


def walk(redactor: Redactor, doc: Any) -> Any:
    """A redacted deep copy of `doc`."""
    strings: list[str] = []
    numbers: list[Any] = []
    _collect(doc, strings, numbers)
    # The batch prefilter pays numba's start-up (~0.5 s with a warm cache) once;
    # below ~1 M characters one-by-one redaction is quicker than that.
    worth = len(strings) > 64 and (is_ready() or sum(map(len, strings)) > 1_000_000)
    cleared = redactor.cleared(strings) if worth else set()
    out = _Walk(redactor, cleared).value(doc, DEFAULT_SOURCE, None, False, "doc", top=True)
    if redactor.enabled and redactor.has_known():
        out = copies(redactor, out, strings, numbers)
    return out


def _collect(v: Any, out: list[str], numbers: list | None = None) -> None:
    """Every string of the document, keys included (for the batch prefilter), and
    optionally every number."""
    if isinstance(v, str):
        out.append(v)
    elif isinstance(v, dict):
        for k, x in v.items():
            if isinstance(k, str):
                out.append(k)
            if numbers is not None and k in STRUCTURE_KEYS and isinstance(x, (int, float)):
                continue
            _collect(x, out, numbers)
    elif isinstance(v, (list, tuple)):
        for x in v:
            _collect(x, out, numbers)
    elif numbers is not None and isinstance(v, (int, float)) and not isinstance(v, bool):
        numbers.append(v)


class _Walk:
    """One pass over a document. `role` is `doc` (summary fields), `data` (values read
    from the heap) or `struct` (the tool's own facts, see STRUCTURE_KEYS)."""

    def __init__(self, redactor: Redactor, cleared: set[str]):
        self.r = redactor
        self.cleared = cleared

    def value(self, v: Any, source: str, name: str | None, sticky: bool, role: str,
              top: bool = False) -> Any:
        r = self.r
        if isinstance(v, str):
            if role == "struct":
                return v if v in self.cleared else r.redact_text(v, source=source)
            if source == "argv" and name is not None and r.names.kind(name) != "sensitive":
                return r.redact_command_line(v, source=source)
            if v in self.cleared and source != "argv" and r.names.kind(name) in ("", "version"):
                return v  # the prefilter proved it holds nothing
            return r.redact_text(v, source=source, name=name)
        if isinstance(v, bool) or v is None:
            return v
        if isinstance(v, (int, float)):
            if role == "struct":
                return v
            return r.redact_number(v, source=source, name=name, sticky=sticky, data=role == "data")
        if isinstance(v, dict):
            return self.dict(v, source, name, sticky, role, top)
        if isinstance(v, (list, tuple)):
            return self.list(v, source, name, sticky, role)
        return v

    # ------------------------------------------------------------------ containers

    def list(self, items: list | tuple, source: str, name: str | None, sticky: bool,
             role: str) -> list:
        r = self.r
        if source == "argv" and all(isinstance(x, str) for x in items) and not sticky:
            return r.redact_argv(items, source=source)
        out: list[Any] = []
        pair: str | None = None  # [name, value, name, value] (rawHeaders): the name of the next
        pem = False  # inside the lines of a private key split into array elements
        for x in items:
            if role == "data" and isinstance(x, str):
                if pem:
                    if "-----END" in x:
                        pem = False
                        out.append(r.redact_text(x, source=source))
                    else:
                        out.append(r.redact_whole_as(x, "private-key", source))
                    continue
                if _PEM_BEGIN.search(x) and "-----END" not in x:
                    pem = True
                if pair is not None:
                    out.append(self.value(x, source, pair, sticky or r.names.kind(pair) == "sensitive",
                                          role))
                    pair = None
                    continue
                if not sticky and _PAIR_NAME.match(x) and r.names.kind(x) in ("sensitive", "phone",
                                                                              "weak"):
                    pair = x
            else:
                pair = None
            out.append(self.value(x, source, name, sticky, role))
        return out

    def dict(self, d: dict, source: str, name: str | None, sticky: bool, role: str,
             top: bool) -> dict:
        r = self.r
        explicit = d.get(_SOURCE_KEY)
        if isinstance(explicit, str) and explicit:
            source = explicit
        if role == "data" and "key" in d and set(d) <= {"key", "value"}:
            return self.entry(d, source, name, sticky)
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
            if isinstance(key, str) and key not in self.cleared:
                new_key = r.redact_text(key, source=child_source)
            else:
                new_key = key
            if not isinstance(key, str):
                out[new_key] = self.value(val, child_source, None, sticky, role)
            elif key == "bytes" and isinstance(val, str) and not sticky:
                # inspect's buffer bytes as hex; cut at the limit, they may end in part of
                # a secret no detector can recognise any more
                cut = isinstance(d.get("bytes_truncated"), int)
                out[new_key] = r.redact_hex_bytes(val, source=child_source, cut=cut)
            elif key in NAME_DICTS and isinstance(val, dict) and not top:
                out[new_key] = self.names(val, child_source, name, sticky, storage=False)
            elif key in STORAGE_DICTS and isinstance(val, dict):
                out[new_key] = self.names(val, child_source, name, sticky, storage=True)
            elif key in TRANSPARENT_KEYS and not top:
                if key == "value" and pair_name is not None and not sticky:
                    child_name = pair_name
                    child_sticky = r.names.kind(pair_name) == "sensitive"
                else:
                    child_name, child_sticky = name, sticky
                out[new_key] = self.value(val, child_source, child_name, child_sticky, "data")
            elif key in STRUCTURE_KEYS and not isinstance(val, (dict, list)):
                out[new_key] = self.value(val, child_source, key, False, "struct")
            elif key in LABEL_KEYS and isinstance(val, str):
                out[new_key] = self.label(val, child_source)
            elif sticky:  # below a sensitive name everything stays sensitive
                out[new_key] = self.value(val, child_source, name, True, role)
            else:
                child_name = pair_name if key == "value" and pair_name is not None else key
                child_sticky = r.names.kind(child_name) == "sensitive"
                out[new_key] = self.value(val, child_source, child_name, child_sticky,
                                          "doc" if role == "data" else role, top=False)
        return out

    def names(self, d: dict, source: str, owner: str | None, sticky: bool, *,
              storage: bool) -> dict:
        """A dict keyed by heap names: `properties`, `variables`, `property_storage`."""
        r = self.r
        out: dict[Any, Any] = {}
        for key, val in d.items():
            if not isinstance(key, str):
                out[key] = self.value(val, source, owner, sticky, "struct" if storage else "data")
                continue
            new_key = self.heap_key(key, source, owner, sticky)
            child = KEY_SOURCES.get(key, source)  # a heap object's `argv`, `env`
            if storage:
                out[new_key] = self.value(val, source, None, False, "struct")
            elif sticky:
                out[new_key] = self.value(val, child, owner, True, "data")
            else:
                out[new_key] = self.value(val, child, key, r.names.kind(key) == "sensitive", "data")
        return out

    def entry(self, d: dict, source: str, owner: str | None, sticky: bool) -> dict:
        """A Map or Set entry `{key, value}`: the key is data, and names the value."""
        r = self.r
        key = d["key"]
        out: dict[str, Any] = {}
        if isinstance(key, str):
            out["key"] = self.heap_key(key, source, owner, sticky)
        else:
            out["key"] = self.value(key, source, owner, sticky, "data")
        if "value" in d:
            if sticky or not isinstance(key, str):
                vname, vsticky = owner, sticky
            else:
                vname, vsticky = key, r.names.kind(key) == "sensitive"
            out["value"] = self.value(d["value"], source, vname, vsticky, "data")
        return out

    # ------------------------------------------------------------------ heap names

    def heap_key(self, key: str, source: str, owner: str | None, sticky: bool) -> str:
        """A property name, Map key or variable name read from the heap."""
        r = self.r
        if not r.enabled or not key:
            return key
        if sticky and not _PLAIN_NAME.match(key):
            return r.redact_whole_as(key, r.names.category(owner or "") if owner else
                                     "sensitive-name", source)
        out = key if key in self.cleared else r.redact_text(key, source=source)
        if out == key and looks_opaque(key):
            return r.redact_whole_as(key, "opaque-key", source)
        return out

    def label(self, text: str, source: str) -> str:
        """`Map entry 'k'`, `a['k'].b`, holder expressions: quoted heap names and long
        identifiers are heap keys; the rest is the tool's wording."""
        r = self.r
        if not r.enabled:
            return text

        def quoted(m: re.Match) -> str:
            inner = m.group(1) if m.group(1) is not None else m.group(2)
            q = m.group(0)[0]
            cut = ""
            for ellipsis in ("...", "\u2026"):
                if inner.endswith(ellipsis):
                    inner, cut = inner[: -len(ellipsis)], ellipsis
            new = self.heap_key(inner, source, None, False)
            if new == inner and cut and len(inner) >= 8 and r.is_known_prefix(inner):
                new = r.redact_whole_as(inner, "opaque-key", source)
            return f"{q}{new}{cut}{q}"

        out = _QUOTED.sub(quoted, text)
        out = _LONG_IDENT.sub(lambda m: self.heap_key(m.group(), source, None, False), out)
        return r.redact_text(out, source=source)




def copies(redactor: Redactor, doc: Any, strings: list[str], numbers: list[Any]) -> Any:
    """Second pass over a redacted document: every copy of a secret found in the first
    pass is replaced too (keys and numbers included), with the same tag. One regex scan
    over the input's distinct strings joined finds the few that hold a copy; the document
    is rebuilt only when there is one (and then also looks at partly redacted strings)."""
    hits = redactor.strings_with_copies(strings)
    if not hits and not any(redactor.redact_known_number(n, source="-", count=False) != n
                            for n in numbers):
        return doc
    return _copies(redactor, doc, DEFAULT_SOURCE, hits, top=True)


def _copies(r: Redactor, v: Any, source: str, hits: set[str], top: bool = False) -> Any:
    if isinstance(v, str):
        if v not in hits and "[REDACTED:" not in v:
            return v
        out = r.redact_known(v, source=source)
        if "..." in out or "\u2026" in out:
            out = CUT_TAIL.sub(
                lambda m: (r.redact_whole_as(m.group(1), "opaque-key", source) + m.group(2))
                if r.is_known_prefix(m.group(1)) else m.group(0), out)
        return out
    if isinstance(v, bool) or v is None:
        return v
    if isinstance(v, (int, float)):
        return r.redact_known_number(v, source=source)
    if isinstance(v, dict):
        out_d: dict[Any, Any] = {}
        for key, val in v.items():
            child = source
            if isinstance(key, str):
                if top and key in SECTION_SOURCES:
                    child = SECTION_SOURCES[key]
                elif key in KEY_SOURCES:
                    child = KEY_SOURCES[key]
                new_key = r.redact_known(key, source=child) \
                    if key in hits or "[REDACTED:" in key else key
            else:
                new_key = key
            if isinstance(key, str) and key in STRUCTURE_KEYS and isinstance(val, (int, float)):
                out_d[new_key] = val  # a length or an id is never a copy of a secret
            else:
                out_d[new_key] = _copies(r, val, child, hits)
        return out_d
    if isinstance(v, (list, tuple)):
        return [_copies(r, x, source, hits) for x in v]
    return v
