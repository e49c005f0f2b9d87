"""Exports of an analysed input into formats other tools open (`heapsnapshot.py`)."""

from triage.export.heapsnapshot import write_heap_snapshot

__all__ = ["write_heap_snapshot"]
