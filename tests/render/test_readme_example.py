"""The README's example is real output of this version: `./scripts/demo.sh`'s page has the
README block's sections in the same order, and the same lines wherever the page does not
depend on the crash or the machine. A renderer or analysis change that alters the first
page fails here until the block is regenerated (`scripts/demo.sh`, paths shortened to `…/`).

Left out of the comparison because they change between two crashes of the same program or
between machines (a flaky test is a failing one): numbers, units, addresses, paths and times; the
host, cwd and time lines; the native frames and the JS stack (the allocation that hits the
limit, and which frames are optimized, follow GC timing); the heap rows (types near the
15-row cut swap); the redaction categories (the report lists this machine's interfaces); a suspect's
shortest path (ties between equally short paths); the report's libuv handles and what is said
of them (about one OOM in eight is raised where Node's OOM handler finds no environment, and
its report then lists no handles: 1 of 8 runs of oom.js on Node 20, December 2026)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.conftest import REPO

_VOLATILE = [(re.compile(r"0x[0-9a-f]+"), "0x…"), (re.compile(r"/\S*/crashes/\S*?/"), "…/"),
             (re.compile(r"\d[\d,.]*"), "N"), (re.compile(r"N (B|KiB|MiB|GiB)\b"), "N bytes")]
_MACHINE_LINES = re.compile(r"^(host|cwd|time) ")
_FRAME = re.compile(r"^\s+#N ")  # a native or JS frame, after _shape
_REDACTED = re.compile(r"values redacted \(.*\)$")
_ORDER_ONLY = ("Heap by type", "Threads", "JavaScript stack")
_ENVIRONMENT = re.compile(r"^\s*(libuv handles: |• none of the N libuv handles |• the report lists "
                          r"no libuv handles |warning: the OOM handler found no Node environment)")


def _shape(line: str) -> str:
    line = line.rstrip()
    for pattern, repl in _VOLATILE:
        line = pattern.sub(repl, line)
    return _REDACTED.sub("values redacted (…)", line)


def _stable(page: str) -> tuple[list[str], dict[str, set[str]]]:
    """(the titles of the page's blocks in order, title -> the block's stable lines).
    Blocks are separated by blank lines; a block's first line is its title."""
    titles: list[str] = []
    body: dict[str, set[str]] = {}
    for block in re.split(r"\n\s*\n", page.strip("\n")):
        lines = [_shape(x) for x in block.splitlines()]
        title = lines[0]
        titles.append(title)
        if title.startswith(_ORDER_ONLY):
            continue
        body[title] = {x for x in lines[1:] if not _MACHINE_LINES.match(x)
                       and not _FRAME.match(x) and not x.lstrip().startswith("path:")
                       and not _ENVIRONMENT.match(x)}
    return titles, body


def test_the_readme_example_is_the_demos_output() -> None:
    readme = (REPO / "README.md").read_text()
    block = readme.split("## Example", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    env = {**os.environ, "COLUMNS": "100"}
    demo = subprocess.run([sys.executable, "-m", "dumps.demo"], cwd=REPO, capture_output=True,
                          text=True, timeout=900, env=env)
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert _stable(block) == _stable(demo.stdout)
