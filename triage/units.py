"""Sizes in words, one convention everywhere: binary units (KiB, MiB, GiB), as V8, Node's
reports and DevTools count. Analyses write sentences with them; renderers print them."""

from __future__ import annotations


def human_bytes(n: int | float | None) -> str:
    """`1.5 MiB`, `512 B`, `-` for unknown."""
    if n is None:
        return "-"
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} B"
