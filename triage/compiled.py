"""Compiled kernels: loaded from an ahead-of-time build when there is one, else numba's JIT.

Every hot loop of triage (heap walk, graph edges, dominators, distances, suspects, snapshot
parsing) is a plain Python function compiled by numba. Importing numba and loading even its
cached kernels costs ~0.6 s CPU in every process: a third of a small core's whole run.
`scripts/setup.sh` therefore compiles the kernels once, with numba's ahead-of-time compiler,
into one extension module per kernel module (`python -m triage.compiled build`,
`triage/_kernels_aot_<module>*.so`: numba 0.68's IR inlining breaks the type inference of
later functions in one shared module). Each imports in under a millisecond and needs no
numba at run time.

`@kernel("uint64[:], int64")` marks a kernel and declares the argument types Python calls it
with (one string per signature; `[:]` is a C-contiguous 1-d array, `[:, :]` 2-d). One source
gives both builds, so the answers are the same (`tests/test_compiled.py` compares summaries).

* The ahead-of-time build is used only when its manifest matches this installation: the same
  sources of the whole `triage` package (sha256), the same CPU flags (it is built for the host
  CPU, as the JIT compiles), and `TRIAGE_KERNELS` is not `jit`. Otherwise each kernel is
  `numba.njit(cache=True, nogil=True)`, exactly as without the build.
* Every call checks its arguments against the declared types (dtype, dimensions, C order):
  compiled code never sees an array it was not built for. A call that matches no declared
  signature is compiled by the JIT instead: slower once, same answer.
* A kernel without declared types is a helper that only other kernels call; it is compiled
  into its callers.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

PACKAGE = Path(__file__).resolve().parent
AOT_NAME = "_kernels_aot"
MANIFEST = PACKAGE / f"{AOT_NAME}.json"
ENV = "TRIAGE_KERNELS"  # "jit": ignore the ahead-of-time build
KERNEL_MODULES = (
    "triage.v8.walk",
    "triage.v8.graph",
    "triage.heapgraph.model",
    "triage.analyses.distances",
    "triage.analyses.dominators",
    "triage.analyses.histogram",
    "triage.analyses.suspects",
    "triage.loaders.snapshot",
    "triage.export.heapsnapshot",
    "triage.redaction.prefilter",
    "triage.coredump.malloc",
)


@dataclass(frozen=True)
class ArgType:
    """One declared argument: an array (dtype, ndim >= 1) or a scalar (ndim 0)."""

    dtype: np.dtype
    ndim: int

    @classmethod
    def parse(cls, text: str) -> ArgType:
        name, _, dims = text.strip().partition("[")
        return cls(np.dtype(name.strip()), dims.count(":"))


@dataclass
class Kernel:
    """A kernel that does not start as a numba dispatcher: with the ahead-of-time build, its
    compiled signatures; with `lazy` and no build, none. numba's dispatcher is made on first
    need (a call no compiled signature fits, or any call when there are none)."""

    py_func: Callable
    signatures: tuple[tuple[ArgType, ...], ...]
    options: dict
    compiled: tuple[tuple[tuple[ArgType, ...], Callable], ...] = ()
    _jit: Any = None

    def __call__(self, *args: Any) -> Any:
        for types, function in self.compiled:
            if _fits(types, args):
                return function(*args)
        return self.jit()(*args)

    def jit(self) -> Any:
        """numba's dispatcher for this kernel; every kernel its source names becomes one too,
        since numba can only compile calls to dispatchers."""
        if self._jit is None:
            import numba

            self._jit = numba.njit(cache=True, nogil=True, **self.options)(self.py_func)
            names = self.py_func.__globals__
            for name, value in list(names.items()):
                if isinstance(value, Kernel):
                    names[name] = value.jit()
        return self._jit


@dataclass(frozen=True)
class Declared:
    """What `@kernel` recorded, for the build: where the kernel lives and its signatures."""

    module: str
    name: str
    py_func: Callable
    signatures: tuple[tuple[ArgType, ...], ...]
    options: dict

    def export_name(self, index: int) -> str:
        return f"{self.name}__{index}"


def extension_name(module: str) -> str:
    """`triage.v8.graph` -> `_kernels_aot_v8_graph`: the extension its kernels are built into."""
    return f"{AOT_NAME}_{module.removeprefix('triage.').replace('.', '_')}"


DECLARED: list[Declared] = []
_aot: Any = False  # False: not decided yet; None: JIT; else {kernel module: extension}
_building = False


def kernel(*signatures: str, lazy: bool = False, **options: Any) -> Callable[[Callable], Any]:
    """Decorator: compile `fn` ahead of time for `signatures`, or by numba's JIT (with `lazy`,
    numba is imported on the first call rather than with the module)."""

    def wrap(fn: Callable) -> Any:
        parsed = tuple(tuple(ArgType.parse(t) for t in _split(s)) for s in signatures)
        DECLARED.append(Declared(fn.__module__, fn.__name__, fn, parsed, options))
        aot = _extension(fn.__module__)
        if aot is None and lazy and not _building:
            return Kernel(fn, parsed, options)
        if aot is None:
            import numba

            return numba.njit(cache=not _building, nogil=True, **options)(fn)
        declared = DECLARED[-1]
        compiled = tuple(
            (types, getattr(aot, declared.export_name(i)))
            for i, types in enumerate(parsed) if hasattr(aot, declared.export_name(i)))
        return Kernel(fn, parsed, options, compiled)

    return wrap


def using_aot() -> bool:
    """Whether this process runs the ahead-of-time build."""
    return _aot_module() is not None


def _split(signature: str) -> list[str]:
    """Split "uint8[:, :], int64" at the commas outside brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(signature):
        depth += ch == "["
        depth -= ch == "]"
        if ch == "," and depth == 0:
            parts.append(signature[start:i])
            start = i + 1
    parts.append(signature[start:])
    return [p for p in parts if p.strip()]


def _fits(types: tuple[ArgType, ...], args: tuple) -> bool:
    if len(types) != len(args):
        return False
    for t, a in zip(types, args, strict=True):
        if t.ndim:
            if not (isinstance(a, np.ndarray) and a.dtype == t.dtype and a.ndim == t.ndim
                    and a.flags.c_contiguous):
                return False
        elif t.dtype.kind == "b":
            if not isinstance(a, (bool, np.bool_)):
                return False
        elif not isinstance(a, (int, np.integer)) or isinstance(a, (bool, np.bool_)):
            return False
        elif not np.iinfo(t.dtype).min <= a <= np.iinfo(t.dtype).max:
            return False
    return True


def _aot_module() -> Any:
    global _aot
    if _aot is False:
        _aot = _load_aot()
    return _aot


def _extension(module: str) -> Any:
    """The extension `module`'s kernels were built into, imported on first need; None: JIT."""
    built = _aot_module()
    if built is None or module not in built:
        return None
    if built[module] is None:
        try:
            built[module] = importlib.import_module(f"triage.{extension_name(module)}")
        except ImportError:
            del built[module]
            return None
    return built[module]


def _load_aot() -> dict | None:
    """{kernel module: None (not imported yet)} when the build matches this installation."""
    if os.environ.get(ENV) == "jit":
        return None
    try:
        manifest = json.loads(MANIFEST.read_text())
    except (OSError, ValueError):
        return None
    if manifest.get("sources") != source_digest() or manifest.get("cpu") != cpu_flags():
        return None
    modules = manifest.get("modules")
    return dict.fromkeys(modules) if isinstance(modules, list) and modules else None


def source_digest() -> str:
    """sha256 over every source file of the package: kernels read constants and helpers from
    other modules, so any edit may change what a kernel computes."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(str(path.relative_to(PACKAGE)).encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cpu_flags() -> str:
    """The host CPU's feature flags (`/proc/cpuinfo`), which host-tuned code depends on."""
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("flags"):
                    return " ".join(sorted(line.split(":", 1)[1].split()))
    except OSError:
        pass
    return ""


def build(out_dir: Path = PACKAGE) -> list[Path]:
    """Compile every declared signature into `out_dir/_kernels_aot_<module>*.so` (one per
    kernel module); write the manifest last, so a failed build leaves the JIT in use."""
    global _aot, _building
    import tempfile

    import numba
    from numba.pycc import CC

    _aot, _building = None, True  # kernel modules must hold dispatchers: numba compiles calls to them
    for name in KERNEL_MODULES:
        importlib.import_module(name)
    (out_dir / MANIFEST.name).unlink(missing_ok=True)
    targets = []
    for module in KERNEL_MODULES:
        with tempfile.TemporaryDirectory(prefix="triage-aot-") as tmp, _releasing_the_gil():
            cc = CC(extension_name(module))
            cc.output_dir = tmp
            cc.target_cpu = "host"
            cc.verbose = False
            for declared in (d for d in DECLARED if d.module == module):
                dispatcher = getattr(sys.modules[module], declared.name)
                for i, types in enumerate(declared.signatures):
                    args = tuple(_numba_type(t) for t in types)
                    dispatcher.compile(args)
                    returns = dispatcher.overloads[args].signature.return_type
                    cc.export(declared.export_name(i), returns(*args))(declared.py_func)
            cc.compile()
            (built,) = Path(tmp).glob(f"{extension_name(module)}.*so")
            targets.append(out_dir / built.name)
            os.replace(built, targets[-1])
    manifest = {"sources": source_digest(), "cpu": cpu_flags(), "numba": numba.__version__,
                "modules": list(KERNEL_MODULES),
                "exports": sum(len(d.signatures) for d in DECLARED)}
    partial = out_dir / f".{MANIFEST.name}.tmp"
    partial.write_text(json.dumps(manifest, indent=1) + "\n")
    os.replace(partial, out_dir / MANIFEST.name)
    return targets


@contextlib.contextmanager
def _releasing_the_gil() -> Iterator[None]:
    """Make pycc's wrappers release the GIL around the compiled code, as the JIT's `nogil=True`
    does, so the progress spinner's thread keeps turning during a long kernel. pycc builds its
    compile flags from `numba.pycc.compiler.Flags` and has no option for this."""
    from numba.pycc import compiler

    plain = compiler.Flags

    class NoGil(plain):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.release_gil = True

    compiler.Flags = NoGil
    try:
        yield
    finally:
        compiler.Flags = plain


def _numba_type(t: ArgType) -> Any:
    from numba.core import types
    from numba.np.numpy_support import from_dtype

    scalar = from_dtype(t.dtype)
    return types.Array(scalar, t.ndim, "C") if t.ndim else scalar


def main(argv: list[str]) -> int:
    """`python -m triage.compiled build|check`: (re)build when stale / say whether current."""
    command = argv[0] if argv else "check"
    current = _load_aot() is not None
    if command == "check":
        print("kernels: ahead-of-time build " + ("current" if current else "missing or stale"))
        return 0 if current else 1
    if command == "build":
        if current and "--force" not in argv:
            print("kernels: ahead-of-time build current")
            return 0
        targets = build()
        print(f"kernels: built {len(targets)} extensions ({AOT_NAME}_*)")
        return 0
    print("usage: python -m triage.compiled build [--force] | check", file=sys.stderr)
    return 2


if __name__ == "__main__":  # run as triage.compiled, the module the kernels registered with
    from triage.compiled import main as _main

    sys.exit(_main(sys.argv[1:]))
