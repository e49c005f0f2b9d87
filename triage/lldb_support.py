"""Find and import lldb's Python module, so triage works from any virtualenv.

Debian ships the module outside every Python path (`lldb-19 -P` prints where).
Order: $LLDB_PYTHON_PATH, an importable `lldb`, then `lldb-19 -P` / `lldb -P`.
The module is imported with RTLD_GLOBAL so that lldb plugins (llnode) can
resolve liblldb's symbols when they are loaded into this process.
"""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
from types import ModuleType

from triage.errors import DependencyMissing

INSTALL_HINT = (
    "install them with `apt-get install lldb-19 python3-lldb-19` "
    "or point LLDB_PYTHON_PATH at the directory `lldb-19 -P` prints"
)
_lldb: ModuleType | None = None


def candidate_paths() -> list[str]:
    paths = []
    if os.environ.get("LLDB_PYTHON_PATH"):
        paths.append(os.environ["LLDB_PYTHON_PATH"])
    for exe in ("lldb-19", "lldb"):
        found = shutil.which(exe)
        if not found:
            continue
        try:
            out = subprocess.run([found, "-P"], capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode == 0 and out.stdout.strip():
            paths.append(out.stdout.strip())
    return paths


def import_lldb() -> ModuleType:
    """Return the lldb module, or raise DependencyMissing with the fix."""
    global _lldb
    if _lldb is not None:
        return _lldb
    flags = sys.getdlopenflags()
    sys.setdlopenflags(os.RTLD_GLOBAL | os.RTLD_NOW)
    try:
        override = os.environ.get("LLDB_PYTHON_PATH")
        for path in ([override] if override else []) + [None] + candidate_paths():
            if path and path not in sys.path:
                sys.path.insert(0, path)
            try:
                _lldb = importlib.import_module("lldb")
                return _lldb
            except ImportError:
                sys.modules.pop("lldb", None)
                continue
    finally:
        sys.setdlopenflags(flags)
    raise DependencyMissing(f"lldb's Python bindings were not found: {INSTALL_HINT}")
