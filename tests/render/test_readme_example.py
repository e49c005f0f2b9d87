"""The README's example is real output of this version: `./scripts/demo.sh`'s page, with
only what changes between runs taken out (numbers, addresses, paths, times), has exactly
the README block's lines. A renderer or analysis change that alters the first page fails
here until the README block is regenerated (`scripts/demo.sh`, paths shortened to `…/`)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.conftest import REPO

_VOLATILE = [(re.compile(r"0x[0-9a-f]+"), "0x…"), (re.compile(r"/\S*/crashes/"), "…/"),
             (re.compile(r"\d[\d,.]*"), "N")]


def _shape(line: str) -> str:
    line = line.rstrip()
    for pattern, repl in _VOLATILE:
        line = pattern.sub(repl, line)
    return line


def test_the_readme_example_is_the_demos_output() -> None:
    readme = (REPO / "README.md").read_text()
    block = readme.split("## Example", 1)[1].split("```text\n", 1)[1].split("```", 1)[0]
    env = {**os.environ, "COLUMNS": "100"}
    demo = subprocess.run([sys.executable, "-m", "dumps.demo"], cwd=REPO, capture_output=True,
                          text=True, timeout=900, env=env)
    assert demo.returncode == 0, demo.stderr[-2000:]
    # heap rows may swap places between two crashes of the same program: compare as sets,
    # and the order of the sections as a list
    assert {_shape(x) for x in block.splitlines()} == {_shape(x) for x in demo.stdout.splitlines()}
    heads = [_shape(x) for x in block.splitlines() if x and not x[0].isspace()]
    assert heads == [_shape(x) for x in demo.stdout.splitlines() if x and not x[0].isspace()]
