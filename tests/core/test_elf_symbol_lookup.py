"""Looking a symbol up by name (`ElfFile.symbol`, `symbols_with_prefix`) without decoding
the whole table gives what the decoded table (`symbols()`) gives, on real node binaries:
names of every length, names that share long mangled prefixes, names that are absent."""

from __future__ import annotations

import random

import pytest

from dumps.nodes import node_binary
from tests.conftest import MAJORS
from triage.coredump import ElfFile


@pytest.mark.parametrize("major", MAJORS)
def test_lookup_by_name_and_prefix_equals_the_decoded_table(major: int) -> None:
    table = ElfFile(node_binary(major)).symbols()
    names = random.Random(major).sample(sorted(table), 400)
    names += ["default_loop_struct", "_ZN2v88internal7Version6major_E", "no_such_symbol", "_Z"]
    elf = ElfFile(node_binary(major))  # a fresh one: lookups go through the numpy path
    assert {n: elf.symbol(n) for n in names} == {n: table.get(n) for n in names}
    for prefix in ("v8dbg_", "nodedbg_", "_ZN2v88internal4Heap"):
        assert elf.symbols_with_prefix(prefix) == {n: s for n, s in table.items()
                                                   if n.startswith(prefix)}
