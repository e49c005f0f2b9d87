"""Loaders: one artifact format each, producing a `CrashModel` and/or a `HeapGraph`."""

from triage.loaders.snapshot import load_snapshot

__all__ = ["load_snapshot"]
