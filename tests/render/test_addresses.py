"""One address format everywhere: 0x-prefixed lowercase hex of the object's start
(untagged), in JSON, text, Markdown, HTML, the shell and the single-answer queries.

The claim on a real core: an object listed by `--instances` is named with the same string
by `--inspect`, `--retainers`, `--referrers`, the dominators the treemap draws, and every
page format; no address is printed tagged or in decimal, even when the query was typed
tagged (as V8 and llnode print pointers).
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from dumps.crash import run_scenario
from tests.conftest import run_triage

HEX = re.compile(r"^0x[0-9a-f]+$")
ADDRESS_KEYS = {"address", "map", "ref", "heap_pointer", "pc", "fault_address", "parent",
                "buffer", "backing_store"}


@cache
def _crash():
    return run_scenario("heap_basic", 22)


@cache
def _summary() -> tuple[dict, str]:
    crash = _crash()
    listed = run_triage(crash.core, "--node", crash.node, "--instances", "Session", "--limit", "1",
                        "--format", "json", timeout=900)
    assert listed.code == 0, listed.stderr
    address = listed.json["objects"]["instances"]["addresses"][0]
    tagged = f"0x{int(address, 16) + 1:x}"  # typed as V8 prints it
    result = run_triage(crash.core, "--node", crash.node, "--instances", "Session", "--limit", "1",
                        "--inspect", tagged, "--retainers", tagged, "--referrers", tagged,
                        "--format", "json", timeout=900)
    assert result.code == 0, result.stderr
    return result.json, address


def _values(doc, key=None):
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _values(v, k)
    elif isinstance(doc, list):
        for v in doc:
            yield from _values(v, key)
    else:
        yield key, doc


def test_every_address_in_the_json_is_untagged_lowercase_hex():
    doc, address = _summary()
    assert int(address, 16) % 8 == 0  # the object's start, not a tagged pointer
    found = [(k, v) for k, v in _values(doc) if k in ADDRESS_KEYS and v is not None]
    assert len(found) > 50
    bad = [(k, v) for k, v in found if not (isinstance(v, str) and (HEX.match(v) or v.startswith("@")))]
    assert bad == []
    assert [v for k, v in found if k == "ref" and v.startswith("@")] == []  # a core: addresses


def test_the_same_object_has_the_same_address_in_every_answer():
    doc, address = _summary()
    assert doc["objects"]["inspected"][0]["address"] == address
    assert doc["retainers"]["query"] == address
    assert doc["retainers"]["targets"][0]["node"]["ref"] == address
    assert doc["referrers"]["query"] == address
    assert doc["referrers"]["targets"][0]["node"]["ref"] == address


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_pages_show_the_address_as_the_json_does(fmt, tmp_path):
    doc, address = _summary()
    import json

    stored = tmp_path / "summary.json"
    stored.write_text(json.dumps(doc))
    page = run_triage("render", stored, "--format", fmt).stdout
    assert address in page
    assert f"0x{int(address, 16) + 1:x}" not in page  # never the tagged form
    assert not re.search(r"@\d{9,}", page)  # nor a core address in decimal
    if fmt == "html":
        top = doc["dominators"]["items"][0]["ref"]
        assert HEX.match(top) and top in page


def test_shell_and_single_queries_use_the_same_format():
    crash = _crash()
    _, address = _summary()
    shell = run_triage("shell", crash.core, "--node", crash.node, "-c", "instances Session 1")
    assert shell.code == 0, shell.stderr
    assert shell.stdout.split()[-1] == address
    single = run_triage("instances", crash.core, "Session", "--node", crash.node, "--limit", "1")
    assert single.code == 0, single.stderr
    assert single.stdout.split()[-1] == address
