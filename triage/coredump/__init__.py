"""Reading ELF binaries and core files directly: headers, notes, symbols, memory.

lldb drives loading, threads and unwinding; this package is the fast path for
everything that reads bytes in bulk (the V8 heap) or needs facts lldb does not
expose (NT_FILE mappings, siginfo, the mapped executable's build-id).
"""

from triage.coredump.corefile import CoreFile, UnmappedRead
from triage.coredump.elf import ElfFile, Symbol

__all__ = ["CoreFile", "ElfFile", "Symbol", "UnmappedRead"]
