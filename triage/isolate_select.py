"""Which isolates an object query looks at: `--isolate main|worker N|all` (default all).

A core of a process with Workers holds one V8 heap per isolate. `--retainers`, `--referrers`,
`--instances` and `--inspect` (and the shell's and single-answer commands' equivalents) ask
about objects, and a user asking "why is WorkerLeak alive" does not know, or care, which
thread's heap holds it: by default every isolate is searched, and every row says which
isolate it comes from. `main` or `worker N` narrows the search. A worker's heap and graph are
opened only when a query reaches it. Labels are those of the `isolates` section
(`main`, `worker 1 app.js`), so a row and the first page name an isolate alike.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from triage.errors import ExitCode, TriageError

if TYPE_CHECKING:
    from triage.heapgraph.model import HeapGraph
    from triage.v8.heap import V8Heap

ALL = "all"
HELP = ("Which isolate(s) to look in: main, worker N (as numbered in the `isolates` section) "
        "or all (default; each row says its isolate).")


class IsolateSelectionError(TriageError):
    """An --isolate value that names no isolate form or no isolate of this input."""

    code = ExitCode.USAGE


def parse_selector(text: str | None) -> str:
    """`main`, `all`, `worker N` (also `workerN`, `N`): the normalised selector."""
    t = (text or ALL).strip().lower()
    if t in (ALL, "main"):
        return t
    m = re.fullmatch(r"(?:worker\s*)?(\d+)", t)
    if m is None or int(m.group(1)) < 1:
        raise IsolateSelectionError(f"--isolate {text!r}: expected main, worker N or all")
    return f"worker {int(m.group(1))}"


@dataclass
class IsolateView:
    """One isolate's heap and graph, opened on first use."""

    label: str
    selector: str  # "main" or "worker N"
    _heap: Callable[[], V8Heap | None]
    _graph: Callable[[], HeapGraph | None] | None = None  # None: built from heap()
    _cache: dict[str, Any] = field(default_factory=dict)

    def heap(self) -> V8Heap | None:
        if "heap" not in self._cache:
            self._cache["heap"] = self._heap()
        return self._cache["heap"]

    def graph(self) -> HeapGraph | None:
        if "graph" not in self._cache:
            if self._graph is not None:
                self._cache["graph"] = self._graph()
            else:
                h = self.heap()
                self._cache["graph"] = h.to_heap_graph() if h is not None else None
        return self._cache["graph"]


class IsolateViews:
    """The isolates of one loaded input: the main one as loaded, workers opened lazily."""

    def __init__(self, heap: V8Heap | None, graph: HeapGraph | None,
                 isolates_section: dict | None):
        self.views: list[IsolateView] = []
        self.unread: list[str] = []  # "worker 2 x.js: not walked (...)"
        entries = (isolates_section or {}).get("isolates") or []
        main_label = next((e["label"] for e in entries if e.get("role") == "main"), "main")
        self.views.append(IsolateView(main_label, "main", lambda: heap, lambda: graph))
        worker_no = 0
        for entry in entries:
            if entry.get("role") != "worker":
                continue
            worker_no += 1
            if heap is None or entry.get("status") == "unavailable":
                self.unread.append(f"{entry['label']}: {entry.get('reason') or 'not read'}")
                continue
            pointer = int(entry["heap_pointer"], 16)
            self.views.append(IsolateView(entry["label"], f"worker {worker_no}",
                                          _opener(heap, pointer)))

    def select(self, selector: str) -> list[IsolateView]:
        if selector == ALL:
            return list(self.views)
        chosen = [v for v in self.views if v.selector == selector]
        if not chosen:
            known = ", ".join(v.selector for v in self.views)
            raise IsolateSelectionError(f"--isolate {selector}: no such isolate here "
                                        f"(this input has: {known})")
        return chosen

    @property
    def several(self) -> bool:
        return len(self.views) > 1


def _opener(main: V8Heap, pointer: int) -> Callable[[], V8Heap | None]:
    def open_() -> V8Heap | None:
        return main.open_isolate(pointer)
    return open_


def owns(heap: V8Heap, address: int) -> bool:
    """Whether `address` lies in one of this isolate's own (not read-only) pages."""
    a = address & ~3
    return any(pg.area_start <= a < pg.area_end for pg in heap.pages if pg.heap)


def merge_instances(type_name: str, per: list[dict], total: int, limit: int,
                    unread: list[str]) -> dict:
    """One --instances answer from per-isolate rows ({isolate, addresses}): the first `limit`
    addresses over all isolates, every isolate's own list, and the total over all of them."""
    inst = {"type": type_name, "addresses": [a for p in per for a in p["addresses"]][:limit],
            "isolates": per, "total": total}
    if unread:
        inst["isolates_unread"] = unread
    return inst


def merge_answers(parts: list[tuple[str, dict]], searched: list[str], unread: list[str]
                  ) -> dict:
    """One --retainers / --referrers answer from per-isolate answers: every target labelled
    with its isolate, `matched` summed, and the isolates searched (and not read) listed."""
    query = parts[0][1]["query"] if parts else ""
    targets = [{**t, "isolate": label} for label, ans in parts for t in ans["targets"]]
    # the answer's other fields (a referrers answer's `limit`) are the same in every isolate
    out = {**(parts[0][1] if parts else {}), "query": query,
           "matched": sum(a["matched"] for _, a in parts), "targets": targets,
           "isolates": searched}
    if unread:
        out["isolates_unread"] = unread
    return out
