"""Loaders: one artifact format each, producing a `CrashModel` and/or a `HeapGraph`.

`load_snapshot` is imported on first use, so that `triage.loaders.safeio` (used by the core
reader too) does not pull in numba and the snapshot parser.
"""

from __future__ import annotations

from typing import Any

__all__ = ["load_snapshot"]


def __getattr__(name: str) -> Any:
    if name == "load_snapshot":
        from triage.loaders.snapshot import load_snapshot

        return load_snapshot
    raise AttributeError(f"module 'triage.loaders' has no attribute {name!r}")
