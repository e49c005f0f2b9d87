"""llnode's test/plugin/scan-test.js (findjsobjects, findjsinstances, findrefs), ported: the
same facts read through our CLI (the histogram, `--instances`, `--inspect`, `--referrers`,
`triage instances`, `triage find`) from the core of our own dumps/scenarios/llnode_scan.js,
on every supported major.

Ported (llnode's check -> our test):
  findjsobjects lists Class                          -> test_histogram_counts_the_classes
  findjsobjects -d: `3 0 Class: x, y, hashmap`
    (3 properties, 0 elements, their names)          -> test_class_shape
  findjsinstances Class_B: 10 shown, "1 to 10 of 10" -> test_all_class_b_instances
  findjsinstances -n 5 Class_B: 5 shown, more
    available, "1 to 5 of 10"                        -> test_instances_limit_says_how_many_more
  findrefs -r <a Class_B>: Class_C.arr up the tree   -> test_referrers_of_class_b_lead_to_class_c_arr
  findrefs -n my_class_c: Class_C.my_class_c=..      -> test_string_referrer_is_class_c_my_class_c
  findrefs -r -n my_class_b: Class_C.arr up the tree -> test_class_b_found_by_its_my_class_b_value
  findjsinstances Zlib finds one                     -> test_zlib_instances
  findrefs <each Zlib>: Deflate._handle, Object.holder,
    (Array)[1], Context.scopedAPI                    -> test_zlib_referrers
  findrefs invalid_expr: an error                    -> test_referrers_of_nothing_say_so

Not here:
  - the second `findjsinstances -n 5 Class_B` (llnode's session remembers the page and shows
    "6 to 10 of 10" without ellipses): paging state of llnode's session, llnode-only command
    behaviour; our listing has a limit and a total, and all ten are listed without one.
  - `findrefs -n NAME` / `-s STRING` search by property name / string value: llnode-only
    syntax. The facts they reach (Class_C.my_class_c holds "My Class C", the Class_B found
    by `my_class_b` leads to Class_C.arr) are asserted through `triage find` and
    `--referrers` on the string's address.
"""

from __future__ import annotations

import re
from functools import cache

import pytest

from dumps.crash import Crash, run_scenario
from tests.conftest import MAJORS, run_triage

FLAGS = ("--abort-on-uncaught-exception",)


@cache
def crash(major: int) -> Crash:
    return run_scenario("llnode_scan", major, node_flags=FLAGS)


@cache
def answer(major: int, *args: str) -> dict:
    """One CLI run's JSON document; the reference graph only for what needs it."""
    graph = () if {"--referrers", "--top"} & set(args) else ("--no-heap-graph",)
    result = run_triage(crash(major).core, *args, "--format", "json", "--no-llnode", *graph)
    assert result.code == 0, result.stderr
    return result.json


def referrers(major: int, target: str) -> list[dict]:
    """Every referrer row of every object `target` names (llnode: findrefs on each)."""
    doc = answer(major, "--referrers", target, "--referrers-limit", "100")["referrers"]
    assert doc["matched"] >= 1
    return [row for t in doc["targets"] for row in t["referrers"]]


def expressions(rows: list[dict]) -> set[str]:
    return {row["expression"] for row in rows if not row["weak"]}


@pytest.mark.parametrize("major", MAJORS)
def test_histogram_counts_the_classes(major):
    rows = {row["type"]: row["count"] for row in answer(major, "--top", "100000")["histogram"]}
    assert (rows.get("Class"), rows.get("Class_B"), rows.get("Class_C")) == (1, 10, 1)


@pytest.mark.parametrize("major", MAJORS)
def test_class_shape(major):
    (address,) = answer(major, "--instances", "Class")["objects"]["instances"]["addresses"]
    (obj,) = answer(major, "--inspect", address)["objects"]["inspected"]
    assert list(obj["properties"]) == ["x", "y", "hashmap"]
    assert not obj.get("elements")


@cache
def class_b(major: int) -> dict:
    return answer(major, "--instances", "Class_B", "--limit", "20")["objects"]["instances"]


@pytest.mark.parametrize("major", MAJORS)
def test_all_class_b_instances(major):
    listing = class_b(major)
    assert len(set(listing["addresses"])) == 10 and listing["total"] == 10
    for address in listing["addresses"][:1]:  # each is a Class_B
        (obj,) = answer(major, "--inspect", address)["objects"]["inspected"]
        assert obj["type"] == "Class_B" and obj["properties"] == {"my_class_b": "Class B"}


@pytest.mark.parametrize("major", MAJORS)
def test_instances_limit_says_how_many_more(major):
    listing = answer(major, "--instances", "Class_B", "--limit", "5")["objects"]["instances"]
    assert len(listing["addresses"]) == 5 and listing["total"] == 10
    assert listing["addresses"] == class_b(major)["addresses"][:5]
    text = run_triage("instances", crash(major).core, "Class_B", "--limit", "5")
    assert text.code == 0, text.stderr
    assert "Instances of Class_B (5 of 10 listed)" in text.stdout
    assert len(re.findall(r"0x[0-9a-f]+", text.stdout)) == 5


def _class_c_arr_above(major: int, class_b_address: str) -> None:
    """A Class_B's referrer is an array, and that array's referrer is Class_C.arr."""
    rows = referrers(major, class_b_address)
    arrays = [row for row in rows if row["expression"].startswith("(Array)[")]
    assert len(arrays) == 1, expressions(rows)
    assert "Class_C.arr" in expressions(referrers(major, arrays[0]["referrer"]["ref"]))


@pytest.mark.parametrize("major", MAJORS)
def test_referrers_of_class_b_lead_to_class_c_arr(major):
    _class_c_arr_above(major, class_b(major)["addresses"][0])


@cache
def string_address(major: int, text: str) -> str:
    found = run_triage("find", crash(major).core, text, "--no-redact")
    assert found.code == 0, found.stderr
    rows = re.findall(rf"(0x[0-9a-f]+)\s+\(string\).*'{re.escape(text)}'", found.stdout)
    assert len(rows) == 1, found.stdout
    return rows[0]


@pytest.mark.parametrize("major", MAJORS)
def test_string_referrer_is_class_c_my_class_c(major):
    rows = referrers(major, string_address(major, "My Class C"))
    assert "Class_C.my_class_c" in expressions(rows)


@pytest.mark.parametrize("major", MAJORS)
def test_class_b_found_by_its_my_class_b_value(major):
    rows = [row for row in referrers(major, string_address(major, "Class B"))
            if row["expression"] == "Class_B.my_class_b"]
    assert len(rows) == 10  # all ten share the one internalized string
    _class_c_arr_above(major, rows[0]["referrer"]["ref"])


@pytest.mark.parametrize("major", MAJORS)
def test_zlib_instances(major):
    assert answer(major, "--instances", "Zlib")["objects"]["instances"]["addresses"]


@pytest.mark.parametrize("major", MAJORS)
def test_zlib_referrers(major):
    found = expressions(referrers(major, "Zlib"))
    assert {"Deflate._handle", "Object.holder", "(Array)[1]", "Context.scopedAPI"} <= found


@pytest.mark.parametrize("major", MAJORS)
def test_referrers_of_nothing_say_so(major):
    doc = answer(major, "--referrers", "invalid_expr")["referrers"]
    assert (doc["matched"], doc["targets"]) == (0, [])
    text = run_triage(crash(major).core, "--referrers", "invalid_expr", "--no-llnode")
    assert text.code == 0, text.stderr
    assert ("What points at it: invalid_expr (0 matched)\n"
            "  no object matched this type or address") in text.stdout
