"""Loaders: one artifact format each, producing a `CrashModel` and/or a `HeapGraph`.

Imported lazily: a core run must not pay for the snapshot loader's kernels.
"""

__all__ = ["load_snapshot"]


def __getattr__(name: str):  # noqa: ANN202 - PEP 562 lazy attribute
    if name == "load_snapshot":
        from triage.loaders.snapshot import load_snapshot

        return load_snapshot
    raise AttributeError(name)
