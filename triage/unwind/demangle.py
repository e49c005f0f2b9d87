"""Demangle C++ symbol names in one batch, with LLVM's demangler when it is installed.

lldb prints names through LLVM's Itanium demangler (`...::'lambda'(void*)::_FUN(void*)`);
`llvm-cxxfilt` gives the same text, so native stacks read the same in triage and lldb.
GNU `c++filt` is the fallback (lambdas read `{lambda(void*)#1}`); without either, names
stay mangled. One subprocess for all names of a run, never one per name.
"""

from __future__ import annotations

import shutil
import subprocess

# LLVM 19 first: older llvm-cxxfilt (14 on Ubuntu 22.04's PATH) leaves C++20 names with
# requires-clauses (`...Qsr3std...`, V8 12+) mangled, which lldb 19 demangles.
_TOOLS = ("llvm-cxxfilt-19", "/usr/lib/llvm-19/bin/llvm-cxxfilt", "llvm-cxxfilt", "c++filt")
_TIMEOUT = 20.0


def demangler() -> str | None:
    for tool in _TOOLS:
        path = shutil.which(tool)
        if path:
            return path
    return None


def demangle_all(names: set[str]) -> dict[str, str]:
    """{mangled: demangled} for the Itanium-mangled names among `names`."""
    mangled = sorted(n for n in names if n.startswith("_Z") and "\n" not in n)
    tool = demangler()
    if not mangled or tool is None:
        return {}
    try:
        proc = subprocess.run([tool], input="\n".join(mangled) + "\n", capture_output=True,
                              text=True, timeout=_TIMEOUT, errors="replace")
    except (OSError, subprocess.SubprocessError):
        return {}
    lines = proc.stdout.splitlines()
    if proc.returncode != 0 or len(lines) != len(mangled):
        return {}
    return dict(zip(mangled, lines, strict=True))
