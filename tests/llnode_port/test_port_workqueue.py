"""llnode's test/plugin/workqueue-test.js, ported: `v8 getactivehandles` lists the TCP
server's handle as a JS object (`<Object: TCP`), `v8 getactiverequests` a pending fs
request as one (`<Object: FSReq...`).

Our scenario is dumps/scenarios/workqueue.js (llnode's fixture with port 0, and an fs.stat
next to its fs.readFile: Node 26 runs readFile without an FSReq object). Both queries are
`triage shell CORE -c handles` (one load); that each address shown is an object of that
class is checked with `instances` in the same session, as llnode's `<Object: ...>` says.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from dumps.crash import run_scenario
from tests.conftest import MAJORS, run_triage

HANDLE = re.compile(r"^\s+tcp\s+0x[0-9a-f]+\s+\[[a-z,]+\]\s+TCP (0x[0-9a-f]+)", re.M)
REQUEST = re.compile(r"pending Node requests: .*?\b(FSReq[a-zA-Z]*) (0x[0-9a-f]+)")


@cache
def session_output(major: int) -> str:
    crash = run_scenario("workqueue", major, node_flags=("--abort-on-uncaught-exception",))
    result = run_triage("shell", crash.core, "-c", "handles", "-c", "instances TCP",
                        "-c", "instances FSReqCallback")
    assert result.code == 0, result.stderr
    return result.stdout


def _instances(text: str, type_name: str) -> set[int]:
    """Addresses listed by `instances TYPE` in the session output (untagged, as every output)."""
    block = text.split(f"Instances of {type_name}", 1)
    assert len(block) == 2, text
    return {int(a, 16) for a in re.findall(r"0x[0-9a-f]+", block[1].split("Instances of", 1)[0])}


@pytest.mark.parametrize("major", MAJORS)
def test_port_getactivehandles_lists_tcp_object(major):
    """llnode: `v8 getactivehandles` prints a line with TCP matching /<Object: TCP/."""
    text = session_output(major)
    match = HANDLE.search(text)
    assert match, text
    assert int(match.group(1), 16) in _instances(text, "TCP")


@pytest.mark.parametrize("major", MAJORS)
def test_port_getactiverequests_lists_fsreq_object(major):
    """llnode: `v8 getactiverequests` prints a line matching /<Object: FSReq[a-zA-Z]*/."""
    text = session_output(major)
    match = REQUEST.search(text)
    assert match, text
    assert match.group(1) == "FSReqCallback"
    assert int(match.group(2), 16) in _instances(text, "FSReqCallback")
