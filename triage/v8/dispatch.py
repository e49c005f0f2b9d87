"""JSFunction -> Code through V8's JSDispatchTable (leaptiering, Node 24 on).

From V8 13 a JSFunction holds no Code pointer: a 32-bit dispatch handle indexes a
process-wide table outside the heap whose entries hold the function's Code and its
parameter count. V8's heap snapshot follows it (the `code` edge of every closure), so a
core graph without it leaves optimized code, its deoptimization data and relocation info
to the roots, and closures retain 10-12 % less than in a snapshot of the same process.

The table's address is not exported. It is found from the data: a dumped mapping whose
16-byte entries hold Code pointers, and the one base under which every sampled function's
entry has the function's own parameter count (a base off by whole entries reads some other
function's entry, which is dense with Code pointers too; the parameter counts tell them
apart: 5,339 of 5,339 at the right base, under 1,600 at any other, Node 24 leak_ssr_cache).
"""

from __future__ import annotations

import numpy as np

from triage.v8.versions import DISPATCH_TABLE

_SAMPLE = 512  # functions whose entries score a candidate base
_PROBE_ENTRIES = 4096  # entries of a mapping (evenly spread) looked at to call it a dispatch table candidate
_MIN_CODE_ENTRIES = 32  # of them holding a Code pointer
_MIN_AGREE = 0.95  # share of sampled functions whose entry has their parameter count


def function_code(read_many, segments: np.ndarray, fn_addrs: np.ndarray, handle_off: int,
                  sfi_off: int, params_off: int, code_addrs: np.ndarray
                  ) -> tuple[np.ndarray, dict]:
    """(tagged Code address per function, 0 where unknown; facts for `meta`).

    `read_many(addrs) -> uint64 words` reads the core (0 where not dumped); `segments` is
    the core's (start, end, offset) array; `code_addrs` the sorted addresses of the Code
    objects of the walk; `params_off` the SharedFunctionInfo's parameter count (uint16)."""
    t = DISPATCH_TABLE
    none = np.zeros(len(fn_addrs), dtype=np.uint64)
    if not len(fn_addrs) or not len(code_addrs):
        return none, {"functions": 0, "reason": "no functions or no Code objects"}
    handles = read_many(fn_addrs + np.uint64(handle_off)) & np.uint64(0xFFFFFFFF)
    idx = (handles >> np.uint64(t["handle_shift"])).astype(np.int64)
    sfi = read_many(fn_addrs + np.uint64(sfi_off)) - np.uint64(1)
    params = (read_many(sfi + np.uint64(params_off & ~7)) >> np.uint64(8 * (params_off & 7))
              ) & np.uint64(t["param_mask"])
    rng = np.random.default_rng(0)
    sample = rng.choice(len(idx), min(_SAMPLE, len(idx)), replace=False)
    span = int(idx.max()) * t["entry"] + t["entry"]
    scores: list[tuple[int, int]] = []
    for start, end, _ in segments.tolist():
        if start <= 0 or end <= start:  # (the vsyscall page, as int64)
            continue
        if not _holds_code_entries(read_many, start, end, code_addrs):
            continue
        # the table's base is page-aligned at or below the mapping that holds its entries
        for base in range(start - span // 4096 * 4096 - 4096, start + 4096, 4096):
            if base <= 0:
                continue
            w = read_many(np.uint64(base) + (idx[sample] * t["entry"] + t["code_word"]
                                             ).astype(np.uint64))
            agree = int(np.count_nonzero((w != 0) & ((w & np.uint64(t["param_mask"]))
                                                     == params[sample])))
            scores.append((agree, base))
    if not scores:
        return none, {"functions": int(len(fn_addrs)), "reason": "no dispatch table found"}
    scores.sort(reverse=True)
    best, base = scores[0]
    runner_up = scores[1][0] if len(scores) > 1 else 0
    if best < _MIN_AGREE * len(sample) or runner_up >= best:
        return none, {"functions": int(len(fn_addrs)),
                      "reason": f"no unique dispatch table base ({best}/{len(sample)} agree)"}
    w = read_many(np.uint64(base) + (idx * t["entry"] + t["code_word"]).astype(np.uint64))
    code = _untagged(w)
    k = np.minimum(np.searchsorted(code_addrs, code), len(code_addrs) - 1)
    ok = (w != 0) & (code_addrs[k] == code)
    out = np.where(ok, code | np.uint64(1), np.uint64(0))
    return out, {"functions": int(len(fn_addrs)), "resolved": int(ok.sum()),
                 "table": f"0x{base:x}", "sample_agree": f"{best}/{len(sample)}"}


def _holds_code_entries(read_many, start: int, end: int, code_addrs: np.ndarray) -> bool:
    """Whether the first entries of mapping [start, end) look like dispatch entries."""
    t = DISPATCH_TABLE
    total = (end - start) // t["entry"]
    if total < _MIN_CODE_ENTRIES:
        return False
    # entries spread over the mapping: a table's first entries can be few and then free ones
    pick = np.unique(np.linspace(0, total - 1, min(_PROBE_ENTRIES, total)).astype(np.uint64))
    at = np.uint64(start + t["code_word"]) + pick * np.uint64(t["entry"])
    code = _untagged(read_many(at))
    k = np.minimum(np.searchsorted(code_addrs, code), len(code_addrs) - 1)
    return int(np.count_nonzero(code_addrs[k] == code)) >= _MIN_CODE_ENTRIES


def _untagged(words: np.ndarray) -> np.ndarray:
    """The Code address in entries' second words: the pointer sits above the parameter
    count, its low bit the heap-object tag or the GC's marking bit (both seen)."""
    return (words >> np.uint64(DISPATCH_TABLE["pointer_shift"])) & ~np.uint64(7)
