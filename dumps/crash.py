"""Run a scenario program under a real Node and collect what its crash leaves.

A scenario is `dumps/scenarios/<name>.js`. It runs in a fresh working
directory with core dumps enabled; we then collect the core (written by the
kernel into the working directory, or taken with gdb's `gcore` at the
crash point when the kernel's core pattern sends cores elsewhere), any
diagnostic reports (`report.*.json`) and heap snapshots (`*.heapsnapshot`).

Results are cached under `$TRIAGE_CACHE/crashes/<key>/`, the key being a hash
of the scenario source, the Node version and every argument, so a test run
makes each core once per machine.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import resource
import shutil
import subprocess
from dataclasses import asdict, dataclass, field
from pathlib import Path

from dumps.nodes import cache_root, node_binary

SCENARIOS = Path(__file__).parent / "scenarios"
CACHE_FORMAT = 2  # bump to invalidate every cached crash


@dataclass
class Crash:
    """Everything one scenario run left behind."""

    scenario: str
    major: int
    node: str
    workdir: str
    returncode: int
    stderr: str
    core: str | None = None
    reports: list[str] = field(default_factory=list)
    snapshots: list[str] = field(default_factory=list)

    @property
    def core_path(self) -> Path:
        if not self.core:
            raise FileNotFoundError(f"scenario {self.scenario} on Node {self.major} left no core")
        return Path(self.core)


def run_scenario(
    name: str,
    major: int,
    *,
    args: tuple[str, ...] = (),
    node_flags: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
    want_core: bool = True,
    timeout: float = 300,
    use_cache: bool = True,
) -> Crash:
    """Run `scenarios/<name>.js` under Node `major`; return its artifacts."""
    node = node_binary(major)
    script = SCENARIOS / f"{name}.js"
    key = _cache_key(script, node, args, node_flags, env, want_core)
    dest = cache_root() / "crashes" / f"{name}-node{major}-{key}"
    manifest = dest / "crash.json"
    if use_cache and manifest.exists():
        return Crash(**json.loads(manifest.read_text()))
    dest.parent.mkdir(parents=True, exist_ok=True)
    # Parallel test workers may ask for the same crash: one makes it, the others wait.
    with open(dest.parent / f".{dest.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if use_cache and manifest.exists():
            return Crash(**json.loads(manifest.read_text()))
        return _make(name, major, node, script, dest, manifest, args, node_flags, env, want_core, timeout)


def _make(name, major, node, script, dest, manifest, args, node_flags, env, want_core, timeout) -> Crash:
    if dest.exists():  # an earlier run died before writing its manifest
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    shutil.copy(script, dest / script.name)
    for helper in SCENARIOS.glob("_*.js"):  # shared helper modules
        shutil.copy(helper, dest / helper.name)
    if name == "native_fault":
        _build_crasher_addon(dest)
    run_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(dest)}
    run_env.update(env or {})
    command = [str(node), *node_flags, script.name, *args]
    kernel_cores = _kernel_writes_cores_to_cwd()
    if want_core and not kernel_cores:
        command = _under_gdb(command)
    proc = subprocess.run(
        command,
        cwd=dest,
        env=run_env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=timeout,
        preexec_fn=_enable_cores if want_core else None,
    )
    crash = Crash(
        scenario=name,
        major=major,
        node=str(node),
        workdir=str(dest),
        returncode=proc.returncode,
        stderr=proc.stderr.decode("utf-8", "replace")[-20000:],
    )
    cores = sorted(p for p in dest.iterdir() if p.name == "core" or p.name.startswith("core."))
    if cores:
        crash.core = str(cores[0])
    crash.reports = sorted(str(p) for p in dest.glob("report.*.json"))
    crash.snapshots = sorted(str(p) for p in dest.glob("*.heapsnapshot"))
    if want_core and not crash.core:
        raise RuntimeError(
            f"scenario {name} on Node {major} left no core (exit {proc.returncode}): "
            f"{crash.stderr[-2000:]}"
        )
    manifest.write_text(json.dumps(asdict(crash), indent=1))  # written last: marks completion
    return crash


def _build_crasher_addon(dest: Path) -> None:
    source = Path(__file__).parent / "native" / "crasher.c"
    subprocess.run(["cc", "-shared", "-fPIC", "-O0", "-g", "-o", str(dest / "crasher.node"), str(source)],
                   check=True)


def _cache_key(script: Path, node: Path, args, node_flags, env, want_core) -> str:
    h = hashlib.sha256()
    h.update(script.read_bytes())
    for helper in sorted(SCENARIOS.glob("_*.js")):
        h.update(helper.read_bytes())
    h.update((Path(__file__).parent / "native" / "crasher.c").read_bytes())
    h.update(json.dumps([str(node), node.stat().st_size, list(args), list(node_flags),
                         sorted((env or {}).items()), want_core, CACHE_FORMAT]).encode())
    return h.hexdigest()[:16]


def _enable_cores() -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))


def _kernel_writes_cores_to_cwd() -> bool:
    """True when the kernel's core pattern is a plain relative file name."""
    try:
        pattern = Path("/proc/sys/kernel/core_pattern").read_text().strip()
    except OSError:
        return False
    return not pattern.startswith("|") and "/" not in pattern and pattern.startswith("core")


def _under_gdb(command: list[str]) -> list[str]:
    """Run under gdb, which stops at the fatal signal and writes the core itself."""
    return [
        "gdb", "-batch", "-nx",
        "-ex", "set pagination off",
        "-ex", "handle SIGUSR1 SIGUSR2 SIGPIPE SIGCHLD nostop noprint pass",
        "-ex", "run",
        "-ex", "gcore core",
        "-ex", "kill",
        "--args", *command,
    ]
