"""inspect decodes each common JS object kind of dumps/scenarios/inspect_kinds.js
(one object each, properties of the `Kinds` instance) to the values the script set."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import triage
from dumps.crash import Crash, run_scenario
from tests.v8.conftest import MAJORS
from triage.coredump import CoreFile, ElfFile
from triage.v8 import V8Heap

_CACHE: dict[int, tuple[Crash, V8Heap]] = {}


@pytest.fixture(scope="module", params=MAJORS, ids=[f"node{m}" for m in MAJORS])
def kinds(request: pytest.FixtureRequest) -> tuple[Crash, V8Heap, int]:
    major = request.param
    if major not in _CACHE:
        crash = run_scenario("inspect_kinds", major)
        _CACHE[major] = (crash, V8Heap.open(CoreFile.open(crash.core_path), ElfFile(crash.node)))
    crash, heap = _CACHE[major]
    (obj,) = heap.instances("Kinds")
    return crash, heap, obj


def _inspect(kinds: tuple[Crash, V8Heap, int], name: str) -> dict:
    _, heap, obj = kinds
    value = heap.reader.get_property(obj, name)
    assert value is not None, name
    return heap.inspect(value, depth=1)


def test_regexp_source_and_flags(kinds) -> None:
    d = _inspect(kinds, "regexp")
    assert (d["kind"], d["source"], d["flags"]) == ("regexp", "ab+c", "gi")
    assert d["properties"] == {"lastIndex": 0}


def test_date_value(kinds) -> None:
    d = _inspect(kinds, "date")
    assert d["kind"] == "date" and d["value"] == 946684800000


def test_array_buffer_bytes_are_bounded(kinds) -> None:
    d = _inspect(kinds, "arrayBuffer")
    assert d["kind"] == "array_buffer" and d["byte_length"] == 80
    assert d["bytes"] == bytes(range(64)).hex() and d["bytes_truncated"] == 80


def test_typed_array_view_bytes(kinds) -> None:
    d = _inspect(kinds, "typedArray")
    assert (d["type"], d["byte_offset"], d["byte_length"]) == ("Uint8Array", 4, 8)
    assert d["bytes"] == bytes(range(4, 12)).hex()
    buffer = _inspect(kinds, "arrayBuffer")
    assert d["buffer"] == buffer["address"]


def test_on_heap_typed_array_bytes(kinds) -> None:
    # a 12-byte Int32Array keeps its data in an on-heap ByteArray (base_pointer set)
    d = _inspect(kinds, "int32Array")
    assert d["type"] == "Int32Array" and d["byte_length"] == 12
    assert d["bytes"] == "01000000" "ffffffff" "04030201"
    assert "elements" not in d  # the ByteArray is not misread as tagged elements


def test_data_view_bytes(kinds) -> None:
    d = _inspect(kinds, "dataView")
    assert (d["type"], d["byte_offset"], d["byte_length"]) == ("DataView", 2, 4)
    assert d["bytes"] == "02030405"


def test_buffer_bytes_pass_redaction_like_strings(kinds) -> None:
    # the summary's `objects.inspected` goes through the document redactor: a token in a
    # Buffer's bytes must not survive as hex, harmless bytes must
    from triage.redaction.engine import Redactor

    token = "ghp_" + "Zq8" * 12
    raw = _inspect(kinds, "payload")
    assert raw["bytes"] == f"auth {token} end".encode().hex()  # inspect itself is raw
    _, heap, obj = kinds
    doc = {"objects": {"inspected": [heap.inspect(obj, depth=1)]}}
    out, section = Redactor().redact_document(doc)
    props = out["objects"]["inspected"][0]["properties"]
    shown = props["payload"]["bytes"]
    assert token.encode().hex() not in json.dumps(out) and token not in json.dumps(out)
    assert shown.startswith(b"auth ".hex() + "[REDACTED:github-token:")
    assert shown.endswith(b" end".hex())
    assert props["arrayBuffer"]["bytes"] == bytes(range(64)).hex()
    assert section["counts_by_category"].get("github-token") == 1


def test_error_message_and_stack(kinds) -> None:
    crash = kinds[0]
    line = next(x for x in crash.stderr.splitlines() if x.startswith("KINDS "))
    printed = json.loads(line[len("KINDS "):])["stack"]
    d = _inspect(kinds, "error")
    assert d["kind"] == "error" and d["message"] == "kinds error message"
    assert d["stack"] == printed and d["stack_length"] == len(printed)
    assert d["properties"]["code"] == "ERR_KINDS"
    # every private symbol keeps its own key: none hides another (the stack under the message)
    symbols = [v for k, v in d["properties"].items() if k.startswith("Symbol()")]
    assert printed in symbols


def test_error_with_unformatted_stack(kinds) -> None:
    # `.stack` never read: V8 keeps the captured frames, not a string, and says so
    d = _inspect(kinds, "unreadError")
    assert d["kind"] == "error" and d["message"] == "stack never read"
    assert d["stack"]["type"] in ("ERROR_STACK_DATA_TYPE", "FIXED_ARRAY_TYPE")
    assert d["stack"]["note"] == "not formatted (.stack never read)"
    assert "stack_length" not in d


@pytest.mark.parametrize("name,state,value", [
    ("promisePending", "pending", None), ("promiseFulfilled", "fulfilled", 42),
    ("promiseRejected", "rejected", "kinds-rejected"),
])
def test_promise_state_and_value(kinds, name: str, state: str, value) -> None:
    d = _inspect(kinds, name)
    assert d["kind"] == "promise" and d["state"] == state
    assert d.get("value") == value and ("value" in d) == (state != "pending")


def test_map_and_set_entries(kinds) -> None:
    assert _inspect(kinds, "map")["entries"] == [{"key": "mk", "value": "mv"}]
    assert _inspect(kinds, "set")["entries"] == [{"key": "sv"}]


def test_bound_function_parts(kinds) -> None:
    _, heap, obj = kinds
    d = _inspect(kinds, "bound")
    assert d["kind"] == "bound_function" and d["target_function"] == "boundTarget"
    assert d["bound_this"]["properties"] == {"tag": "bound-this"}
    assert d["bound_this"]["address"] == hex(heap.reader.get_property(obj, "boundThis") - 1)
    assert d["bound_args"] == [1, "two"]


def test_proxy_target_and_handler(kinds) -> None:
    _, heap, obj = kinds
    d = _inspect(kinds, "proxy")
    assert d["kind"] == "proxy" and d["type"] == "Proxy"
    assert d["target"]["address"] == hex(heap.reader.get_property(obj, "proxyTarget") - 1)
    assert d["target"]["properties"] == {"target": 1}
    assert d["handler"]["address"] == hex(heap.reader.get_property(obj, "proxyHandler") - 1)


def test_api_object_internal_fields(kinds) -> None:
    crash, heap, _ = kinds
    d = _inspect(kinds, "zlibHandle")
    assert d["type"] == "Zlib" and d["kind"] == "api_object"
    fields = [int(f, 16) for f in d["internal_fields"]]
    # Node 24 added a field to the zlib handle's template (4 -> 5)
    assert d["internal_field_count"] == len(fields) == (5 if crash.major >= 24 else 4)
    # BaseObject::kEmbedderType points at node's embedder id: kNodeEmbedderId 0x90de on
    # Node 18, IsolateData's embedder_id_for_non_cppgc (0x90de + 1) from Node 20
    embedder_id = int.from_bytes(heap.core.try_read(fields[0], 2), "little")
    assert embedder_id == (0x90DE if crash.major == 18 else 0x90DF)
    # BaseObject::kSlot is the C++ object (an aligned pointer, not a tagged value)
    assert fields[1] & 7 == 0 and fields[1] > 0x1000
    # the last field is the handle's write callback: a JS function
    last = heap.inspect(fields[-1])
    assert last["kind"] == "closure"


def test_inspect_output_fits_the_objects_schema(kinds) -> None:
    _, heap, obj = kinds
    schema = json.loads((Path(triage.__file__).parent / "schemas"
                         / "section-objects.schema.json").read_text())
    doc = {"inspected": [heap.inspect(obj, depth=1)]}
    jsonschema.Draft202012Validator(schema).validate(doc)
    for value in doc["inspected"][0]["properties"].values():  # each kind's own fields
        if isinstance(value, dict) and "address" in value:
            jsonschema.Draft202012Validator(schema).validate({"inspected": [value]})
    json.dumps(doc)  # plain JSON values only


# V8 10.2 / 11.3 do not export the JSFunction type range and it is not derived, so the
# Kinds class is not named there (tests/v8/test_v8_calibrate.py): from V8 12 on
DERIVABLE = [m for m in MAJORS if m >= 22]


@pytest.mark.parametrize("major", DERIVABLE, ids=[f"node{m}" for m in DERIVABLE])
def test_derived_facts_decode_the_same(major: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # a V8 without a versions.py entry: date_value_raw / api_object_header come from
    # calibrate.py, and must give the table's answers
    crash = run_scenario("inspect_kinds", major)
    monkeypatch.setenv("TRIAGE_V8_IGNORE_FACTS", "all")
    heap = V8Heap.open(CoreFile.open(crash.core_path), ElfFile(crash.node))
    assert heap.reader.facts.source == "derived"
    (obj,) = heap.instances("Kinds")
    date = heap.inspect(heap.reader.get_property(obj, "date"))
    handle = heap.inspect(heap.reader.get_property(obj, "zlibHandle"))
    assert date["value"] == 946684800000
    assert handle["internal_field_count"] == (5 if major >= 24 else 4)
