"""Holders that a stack slot reaches first, on real cores and GC'd snapshots of every major.
A core taken while the module code runs has the objects it just used in registers, and a
register is one hop from the roots: the holder was named by the slot's index,
`[1][3][48].[[Target]]` and `[1][3][20]`, where a snapshot of the same program said
`store.[[Target]]` and `(FinalizationRegistry)`."""

from __future__ import annotations

import pytest

from tests.core.conftest import artifact_path, crashes_with_snapshots, top_suspect

proxy_crash = crashes_with_snapshots("leak_proxy_store_local")
registry_crash = crashes_with_snapshots("leak_registry_on_stack")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_a_store_behind_a_proxy_is_named_by_the_proxys_variable(proxy_crash, artifact):
    suspect = top_suspect(artifact_path(proxy_crash, artifact))
    assert (suspect["type"], suspect["pattern"], suspect["accumulation_point"]["holder"]) == (
        "Entry", "object-as-dictionary", "store.[[Target]]")


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_a_registry_only_a_stack_slot_holds_is_named_by_its_class(registry_crash, artifact):
    suspect = top_suspect(artifact_path(registry_crash, artifact))
    assert (suspect["type"], suspect["pattern"], suspect["accumulation_point"]["holder"]) == (
        "CleanupInfo", "finalization-held-values", "(FinalizationRegistry)")
