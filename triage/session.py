"""A load-once session: one incident loaded, then many questions answered from memory.

`triage shell` and the single-answer commands (`triage inspect CORE ADDR`...) go through
`Session`: the pipeline runs once with its loaded core, V8 heap and heap graph kept
(`pipeline.analyze(keep=...)`), and every answer is a small document that passes the
session's one `Redactor` (so a secret's tag is the same in every answer) before the
renderer sees it, exactly like the summary.
"""

from __future__ import annotations

import shlex
from dataclasses import asdict
from pathlib import Path
from typing import Any

from triage.errors import ExitCode, TriageError
from triage.redaction import Redactor

COMMANDS = ("histogram", "suspects", "instances", "inspect", "retainers", "referrers", "threads",
            "bt", "find", "handles")
#: the queries that take `--isolate main|worker N|all` (default all: `isolate_select.py`)
ISOLATE_COMMANDS = ("instances", "inspect", "retainers", "referrers", "handles")
USAGE = {
    "histogram": "histogram [N]             heap by type, top N rows (default 15)",
    "suspects": "suspects                  leak suspects with their holders",
    "instances": "instances TYPE [N]        addresses of objects of TYPE (default 20)",
    "inspect": "inspect ADDR [-d N] [-s]  one object, N deep; -s: a function's source text",
    "retainers": "retainers TYPE|ADDR       why it is alive: paths from GC roots",
    "referrers": "referrers TYPE|ADDR [N]   every direct referrer (default 50 per object)",
    "threads": "threads                   threads, idle ones with identical stacks grouped",
    "bt": "bt [TID]                  native + JavaScript stack (default: crashed thread)",
    "find": "find STRING [N]           strings on the heap containing STRING",
    "handles": "handles                   event loops' handles and pending requests (from a core)",
}


FIND_SECONDS = 0.25  # decoding non-internalized strings one by one: keep `find` interactive


class QueryError(TriageError):
    """A query the session cannot answer as asked (bad arguments, no heap)."""

    code = ExitCode.USAGE


class Session:
    """The analysed incident, kept in memory; `ask(line)` answers one query as a document."""

    def __init__(self, paths: list[Path], *, node: Path | None = None,
                 redactor: Redactor | None = None, llnode: bool = False):
        from triage.pipeline import Options, analyze

        self.keep: dict[str, Any] = {}
        self.findings = analyze([Path(p) for p in paths], Options(node=node, llnode_cross_check=llnode),
                                keep=self.keep)
        self.redactor = redactor or Redactor()
        self.heap = self.keep.get("heap")
        self.graph = self.keep.get("graph")
        self.model = self.findings.model
        from triage.isolate_select import IsolateViews

        self.isolates = IsolateViews(self.heap, self.graph, self.findings.sections.get("isolates"))
        self._views: list = []
        self._loop_selector = "all"

    # -- one query ---------------------------------------------------------------------

    def ask(self, line: str) -> dict[str, Any]:
        """The redacted answer document of one query line."""
        try:
            words = shlex.split(line)
        except ValueError as e:
            raise QueryError(f"cannot parse {line!r}: {e}") from None
        if not words:
            return {}
        name, args = words[0].lower(), words[1:]
        if name not in COMMANDS:
            raise QueryError(f"unknown command {name!r}; commands: {', '.join(COMMANDS)}")
        try:
            args = self._take_isolate(name, args)
            doc = getattr(self, f"_{name}")(args)
        except TriageError as e:  # an error line is output too: it passes the redactor
            raise QueryError(self.redactor.redact_text(str(e), source="message"), e.code) from None
        redacted, _ = self.redactor.redact_document(doc)
        return redacted

    def _take_isolate(self, name: str, args: list[str]) -> list[str]:
        """Strip `--isolate SEL` (SEL: main, all, worker N) and choose the isolates."""
        from triage.isolate_select import parse_selector

        selector = None
        if "--isolate" in args:
            i = args.index("--isolate")
            if i + 1 >= len(args):
                raise QueryError("--isolate needs main, worker N or all")
            end = i + 2
            if args[i + 1].lower() == "worker" and end < len(args) and args[end].isdigit():
                end += 1
            selector = " ".join(args[i + 1:end])
            args = args[:i] + args[end:]
            if name not in ISOLATE_COMMANDS:
                raise QueryError(f"--isolate applies to {', '.join(ISOLATE_COMMANDS)}, not {name}")
        if name == "handles":  # every Worker has a loop entry, read or not: no heap views
            self._loop_selector = parse_selector(selector)
            return args
        self._views = self.isolates.select(parse_selector(selector))
        return args

    def _searched(self) -> tuple[list[str], list[str]]:
        """(labels of the isolates this query looks at, isolates that cannot be read)."""
        unread = self.isolates.unread if len(self._views) == len(self.isolates.views) else []
        return [v.label for v in self._views], list(unread)

    def _histogram(self, args: list[str]) -> dict:
        limit = _count(args[0] if args else None, 15)
        return {"histogram": self.findings.histogram[:limit]}

    def _suspects(self, args: list[str]) -> dict:
        if not self.findings.suspects and self.graph is None:
            return {"warnings": ["no heap graph: suspects need a core with a readable heap or a snapshot"]}
        return {"suspects": self.findings.suspects}

    def _instances(self, args: list[str]) -> dict:
        if not args:
            raise QueryError("usage: " + USAGE["instances"])
        limit = _count(args[1] if len(args) > 1 else None, 20)
        if self.heap is None:
            raise QueryError("instances needs a core whose V8 heap could be read")
        from triage.isolate_select import merge_instances
        from triage.v8.reader import address_ref

        per: list[dict] = []
        total = 0
        for view in self._views:
            heap = view.heap()
            if heap is not None:
                found = heap.instances(args[0], limit=limit)
                total += heap.instance_count(args[0])
                per.append({"isolate": view.label, "addresses": [address_ref(a) for a in found]})
        _, unread = self._searched()
        return {"objects": {"instances": merge_instances(args[0], per, total, limit, unread)}}

    def _inspect(self, args: list[str]) -> dict:
        depth = 1
        source = "-s" in args or "--source" in args
        args = [a for a in args if a not in ("-s", "--source")]
        if "-d" in args:
            i = args.index("-d")
            depth = _count(args[i + 1] if i + 1 < len(args) else None, 1)
            args = args[:i] + args[i + 2:]
        if len(args) != 1:
            raise QueryError("usage: " + USAGE["inspect"])
        if self.heap is None:
            raise QueryError("inspect needs a core whose V8 heap could be read")
        from triage.isolate_select import owns

        address = parse_address(args[0])
        view = next((v for v in self._views if v.heap() is not None and owns(v.heap(), address)),
                    self._views[0])  # read-only objects (and unknown addresses): the first
        heap = view.heap() or self.heap
        found = heap.inspect(address, depth=min(depth, 8), source=source)
        if source and "source" not in found and "error" not in found:
            found["source"] = {"error": f"{found.get('type', 'the object')} is not a function: "
                                        "only functions have source text"}
        return {"objects": {"inspected": [{**found, "isolate": view.label}]}}

    def _retainers(self, args: list[str]) -> dict:
        if len(args) != 1:
            raise QueryError("usage: " + USAGE["retainers"])
        if self.graph is None:
            raise QueryError("retainers needs a heap graph (a core's heap or a snapshot)")
        from triage.analyses.retainer_query import answer

        return {"retainers": self._per_isolate(lambda g: answer(g, args[0]))}

    def _referrers(self, args: list[str]) -> dict:
        if len(args) not in (1, 2):
            raise QueryError("usage: " + USAGE["referrers"])
        limit = _count(args[1] if len(args) > 1 else None, 50)
        if self.graph is None:
            raise QueryError("referrers needs a heap graph (a core's heap or a snapshot)")
        from triage.analyses.referrer_query import answer

        return {"referrers": self._per_isolate(lambda g: answer(g, args[0], limit=limit))}

    def _per_isolate(self, ask) -> dict:  # noqa: ANN001 - HeapGraph -> answer dict
        from triage.isolate_select import merge_answers

        parts = [(v.label, ask(g)) for v in self._views if (g := v.graph()) is not None]
        searched, unread = self._searched()
        return merge_answers(parts, searched, unread)

    def _threads(self, args: list[str]) -> dict:
        threads = self.model.threads if self.model else []
        groups: dict[tuple, dict] = {}
        for t in threads:
            key = (t.name, tuple(f.function for f in t.frames)) if not t.faulting else (t.tid,)
            group = groups.setdefault(key, {"name": t.name, "tids": [], "faulting": t.faulting,
                                            "frames": [asdict(f) | {"pc": f"0x{f.pc:x}"}
                                                       for f in t.frames]})
            group["tids"].append(t.tid)
        return {"thread_groups": {"_source": "stack", "groups": list(groups.values())}}

    def _bt(self, args: list[str]) -> dict:
        from triage.summary import _js_stack, _thread

        threads = self.model.threads if self.model else []
        if args:
            tid = _count(args[0], 0)
            chosen = next((t for t in threads if t.tid == tid), None)
            if chosen is None:
                raise QueryError(f"no thread {tid}; `threads` lists them")
        else:
            chosen = next((t for t in threads if t.faulting), threads[0] if threads else None)
        doc: dict[str, Any] = {"threads": [_thread(chosen)] if chosen else [], "full_frames": True}
        if chosen is None or chosen.faulting or not any(t.faulting for t in threads):
            caps = {**(self.model.capabilities if self.model else {}), **self.findings.capabilities}
            doc["js_stack"] = _js_stack(self.model, caps.get("js_stack"))
        return doc

    def _handles(self, args: list[str]) -> dict:
        """llnode's getactivehandles + getactiverequests: the `event_loop` section with every
        handle; None (with the capability's reason as a warning) when it was not read."""
        if args:
            raise QueryError("usage: " + USAGE["handles"])
        loop = _select_loop(self.findings.sections.get("event_loop"), self._loop_selector)
        doc: dict[str, Any] = {"event_loop": loop}
        if loop is None:
            cap = (self.model.capabilities if self.model else {}).get("event_loop")
            doc["warnings"] = [cap.reason if cap else "the inputs hold no core: a report lists "
                               "handles in its own section (triage REPORT)"]
        return doc

    def _find(self, args: list[str]) -> dict:
        if not args:
            raise QueryError("usage: " + USAGE["find"])
        limit = _count(args[1] if len(args) > 1 else None, 20)
        if self.graph is None:
            raise QueryError("find needs a heap graph (a core's heap or a snapshot)")
        found = find_strings(self.graph, args[0], limit)
        if self.redactor.enabled:
            # a string found by its content has no name to judge it by: show structure
            # (type, size, a keyed tag) and never the text, nor the text searched for
            for m in found["matches"]:
                m["value"] = self.redactor.redact_text(m["value"], source="heap_string", name="secret")
            found["query"] = self.redactor.redact_text(found["query"], source="heap_string", name="secret")
        return {"found": found}


def _select_loop(loop: dict | None, selector: str) -> dict | None:
    """The `event_loop` section narrowed to the main loop or one Worker's (`worker N`, as
    numbered in `isolates`), shown on its own under its label."""
    from triage.isolate_select import ALL

    if loop is None or selector == ALL:
        return loop
    if selector == "main":
        return {**loop, "workers": []}
    workers = loop.get("workers") or []
    n = int(selector.split()[1])
    if n > len(workers):
        known = ", ".join(["main"] + [f"worker {i}" for i in range(1, len(workers) + 1)])
        raise QueryError(f"--isolate {selector}: no such isolate here (this core has: {known})")
    return {**workers[n - 1], "workers": []}


def find_strings(g, needle: str, limit: int) -> dict:  # noqa: ANN001 - a HeapGraph
    """String nodes whose text contains `needle`: internalized strings (a table search),
    then the others decoded one by one until `limit` hits or FIND_SECONDS; `unsearched`
    says how many were left out."""
    import numpy as np

    from triage.heapgraph.model import STRING_TYPES

    kinds = g.cached("session_string_nodes", lambda: np.isin(g.node_type, STRING_TYPES))
    ids = _string_ids_containing(g, needle)
    nodes = np.flatnonzero(kinds & np.isin(g.node_name, np.array(ids, dtype=g.node_name.dtype)))
    hits = [int(n) for n in nodes[:limit]]
    import time

    lazy = g.cached("session_lazy_strings", lambda: np.flatnonzero(kinds & (g.node_name < 0)))
    searched = 0
    deadline = time.perf_counter() + FIND_SECONDS
    if len(hits) < limit:
        for n in lazy.tolist():
            searched += 1
            if needle in g.name(n):
                hits.append(n)
                if len(hits) >= limit:
                    break
            if searched % 1024 == 0 and time.perf_counter() > deadline:
                break
    ref = "0x{:x}" if g.source == "core" else "@{}"
    return {"_source": "heap_string", "query": needle, "matches": [
        {"ref": ref.format(int(g.node_id[n])), "type": g.class_name(n), "value": g.name(n)[:200],
         "size": int(g.self_size[n])} for n in hits], "limit": limit,
        "unsearched": int(len(lazy) - searched) if len(hits) < limit else 0}


def _string_ids_containing(g, needle: str) -> list[int]:  # noqa: ANN001 - a HeapGraph
    """Indices of g.strings containing `needle`: one `str.find` pass over all strings joined
    (built once per graph), instead of a Python loop over millions of strings."""
    import numpy as np

    def build() -> tuple[str, np.ndarray]:
        starts = np.zeros(len(g.strings) + 1, dtype=np.int64)
        np.cumsum([len(x) + 1 for x in g.strings], out=starts[1:])
        return "\x00".join(g.strings), starts

    joined, starts = g.cached(("session_joined_strings", len(g.strings)), build)
    out: list[int] = []
    pos = joined.find(needle) if needle else -1
    while pos >= 0:
        i = int(np.searchsorted(starts, pos, side="right")) - 1
        end = int(starts[i + 1]) - 1  # where string i ends (its separator)
        if pos + len(needle) <= end:
            out.append(i)
            pos = joined.find(needle, end + 1)  # one hit per string is enough
        else:
            pos = joined.find(needle, pos + 1)
    return out


def parse_address(text: str) -> int:
    try:
        return int(text, 16)
    except ValueError:
        raise QueryError(f"{text!r} is not a hex address") from None


def _count(text: str | None, default: int) -> int:
    if text is None:
        return default
    try:
        value = int(text)
    except ValueError:
        raise QueryError(f"{text!r} is not a number") from None
    if value < 0:
        raise QueryError(f"{text!r} must not be negative")
    return value
