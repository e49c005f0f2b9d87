"""The fingerprint: one bug gives one id across runs, pids and Node versions; two bugs give two."""

from __future__ import annotations

from functools import cache

from dumps.crash import run_scenario
from tests.batch.conftest import scenario
from tests.conftest import MAJORS, run_triage
from triage.analyses.fingerprint import fingerprint, normalize_native
from triage.schema import validate_summary


@cache
def _summary(path: str) -> dict:
    result = run_triage(path, "--format", "json", "--no-llnode")
    assert result.code == 0, result.stderr
    return result.json


def test_same_crash_run_twice_has_one_fingerprint():
    # two real runs of one program (the env marker only makes them two cache entries)
    first = run_scenario("abort", 20, env={"TRIAGE_FP_RUN": "a"})
    second = run_scenario("abort", 20, env={"TRIAGE_FP_RUN": "b"})
    a, b = _summary(first.core), _summary(second.core)
    assert a["process"]["pid"] != b["process"]["pid"]
    validate_summary(a)
    assert a["fingerprint"]["id"] == b["fingerprint"]["id"]
    assert a["fingerprint"]["components"] == ["kind:abort", "js:abortNow (abort.js)", "js:onTimer (abort.js)"]


def test_same_bug_on_another_node_version_and_artifact_path_has_one_fingerprint():
    a = _summary(scenario("exception20").reports[0])
    b = _summary(scenario("exception24").reports[0])
    assert a["process"]["node_version"] != b["process"]["node_version"]
    assert a["fingerprint"]["id"] == b["fingerprint"]["id"]


def test_different_bugs_have_different_fingerprints():
    ids = {
        _summary(scenario("abort20").core)["fingerprint"]["id"],
        _summary(scenario("exception24").reports[0])["fingerprint"]["id"],
        _summary(scenario("oom22").core)["fingerprint"]["id"],
    }
    assert len(ids) == 3


def test_oom_fingerprint_names_what_filled_the_heap():
    doc = _summary(scenario("oom22").core)
    components = doc["fingerprint"]["components"]
    assert components[0] == "kind:heap_oom" and components[-1] == "heap:Session"
    assert "js:remember (oom.js)" in components


def test_addresses_lines_and_paths_do_not_change_the_fingerprint():
    doc = _summary(scenario("abort20").core)
    def move(frame: dict) -> dict:
        script = frame["script"] or ""
        if script.startswith("/"):
            script = "/srv/other/place/" + script.rsplit("/", 1)[1]
        return {**frame, "line": (frame["line"] or 0) + 40, "column": 1, "script": script}

    moved = {**doc, "js_stack": {**doc["js_stack"], "frames": [move(f) for f in doc["js_stack"]["frames"]]}}
    moved["threads"] = [{**t, "frames": [{**f, "pc": "0x1"} for f in t["frames"]]} for t in doc["threads"]]
    assert fingerprint(moved)["id"] == doc["fingerprint"]["id"]


def test_native_names_are_normalised():
    mangled = ("v8::internal::MaybeHandle<v8::internal::Object> v8::internal::(anonymous namespace)::"
               "HandleApiCallHelper<false>(v8::internal::Isolate*, unsigned long*)")
    assert normalize_native(mangled) == "v8::internal::{anon}::HandleApiCallHelper"
    assert normalize_native("node::Abort(v8::FunctionCallbackInfo<v8::Value> const&)") == "node::Abort"
    assert normalize_native("crash_with_null_write.cold") == "crash_with_null_write"


def test_inlining_does_not_change_the_fingerprint():
    """One program, once with `inner` inlined into optimized hotLoop and once with inlining
    off: the core lists the inlined function as a frame of its own, so the ids agree."""
    flags = ("--allow-natives-syntax",)
    inlined = _summary(run_scenario("port_optimized_inlined", MAJORS[-1], node_flags=flags).core)
    plain = _summary(run_scenario("port_optimized_inlined", MAJORS[-1],
                                  node_flags=(*flags, "--no-turbo-inlining")).core)
    kinds = [next(f["kind"] for f in doc["js_stack"]["frames"] if f["function"] == "inner")
             for doc in (inlined, plain)]
    assert kinds == ["inlined", "interpreted"]
    assert inlined["fingerprint"] == plain["fingerprint"]
    assert "js:inner (port_optimized_inlined.js)" in inlined["fingerprint"]["components"]
