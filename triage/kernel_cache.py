"""Where numba caches triage's compiled kernels: a directory this user can write.

numba caches next to the sources (`triage/**/__pycache__`), else in `~/.cache/numba`; when
neither is writable (a non-root user of a root-installed tool whose HOME is `/nonexistent`,
a read-only container) every `cache=True` kernel raises at import and each run ended in exit
70. `configure()` runs before numba is imported (from `triage/__init__.py`) and, only when the
package directory is not writable and `NUMBA_CACHE_DIR` is not set, points numba at the first
usable of:

1. `$XDG_CACHE_HOME/triage/numba` or `~/.cache/triage/numba` (kept between runs);
2. a fresh private directory under the system temp dir (mode 0700, removed at exit): kernels
   are compiled on every run (slower, still correct). A shared, predictable /tmp path is never
   used: cache files are loaded as code, so another user must not be able to plant them.

`skip_blas_probe()` (also from `triage/__init__.py`) saves numba's start-up the import of
scipy and scipy.linalg (~0.3 s CPU of every run): numba checks scipy's version when imported
and probes for BLAS when it builds its typing registries, and triage's kernels use no BLAS
(no `np.dot`, `@` or `np.linalg`).
"""

from __future__ import annotations

import atexit
import importlib.abc
import os
import shutil
import sys
import tempfile
from pathlib import Path

ENV = "NUMBA_CACHE_DIR"


def configure() -> str | None:
    """Set `NUMBA_CACHE_DIR` if numba could not cache next to the sources; returns it."""
    if os.environ.get(ENV):
        return None
    package = Path(__file__).resolve().parent
    if _writable(package / "__pycache__") or (
            not (package / "__pycache__").exists() and _writable(package)):
        return None
    chosen = _user_cache_dir() or _private_temp_dir()
    if chosen is None:
        return None
    os.environ[ENV] = chosen
    config = sys.modules.get("numba.core.config")
    if config is not None:  # numba already imported: its config read the environment already
        config.CACHE_DIR = chosen
    return chosen


class _NoBlasForNumba(importlib.abc.MetaPathFinder):
    """Refuses scipy to numba only while it starts: its version check (`numba/__init__` before
    it defines `njit`) and its BLAS probe (`numba.np.arraymath` before it sets `_HAVE_BLAS`).
    Any other import of scipy, even later in this process, works."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name == "scipy" or name.startswith("scipy."):
            numba = sys.modules.get("numba")
            probing = sys.modules.get("numba.np.arraymath")
            if (numba is not None and not hasattr(numba, "njit")) or (
                    probing is not None and not hasattr(probing, "_HAVE_BLAS")):
                raise ImportError(f"{name}: not needed by triage's kernels (no BLAS)")
        return None


def skip_blas_probe() -> None:
    """Install `_NoBlasForNumba` once, ahead of the normal finders."""
    if not any(isinstance(f, _NoBlasForNumba) for f in sys.meta_path):
        sys.meta_path.insert(0, _NoBlasForNumba())


def _writable(path: Path) -> bool:
    return path.is_dir() and os.access(path, os.W_OK | os.X_OK)


def _user_cache_dir() -> str | None:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    target = os.path.join(base, "triage", "numba")
    try:
        os.makedirs(target, mode=0o700, exist_ok=True)
    except OSError:
        return None
    st = os.stat(target)
    if st.st_uid != os.getuid() or not os.access(target, os.W_OK | os.X_OK):
        return None
    return target


def _private_temp_dir() -> str | None:
    try:
        path = tempfile.mkdtemp(prefix="triage-kernels-")
    except OSError:
        return None
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path
