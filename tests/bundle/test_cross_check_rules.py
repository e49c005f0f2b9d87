"""A cross-check warns only when the sources really disagree, and says what it means."""

from __future__ import annotations

from triage.analyses.cross_checks import cross_checks

MIB = 2**20


def _heap_check(core_bytes: int, report_used: int) -> dict[str, str]:
    checks = cross_checks({"core_heap_bytes": core_bytes, "report_heap_used": report_used})
    (check,) = [c for c in checks if c["check"].startswith("heap size")]
    return check


def test_a_core_walk_larger_than_the_used_heap_is_unswept_garbage_not_a_disagreement() -> None:
    check = _heap_check(int(41.9 * MIB), int(25.2 * MIB))  # the demo's own figures
    assert check["status"] == "agree"
    assert "garbage" in check["detail"]


def test_a_core_walk_much_smaller_than_the_used_heap_says_part_was_not_read() -> None:
    check = _heap_check(10 * MIB, 25 * MIB)
    assert check["status"] == "differ"
    assert "not read" in check["detail"]
