"""Leak suspects from a core alone (no snapshot): the core's own reference graph, the
same suspect engine as snapshots. One planted leak pattern per scenario."""

from __future__ import annotations

import pytest

from dumps.crash import run_scenario
from tests.conftest import MAJORS, run_triage
from tests.core.conftest import artifact_path, artifact_summary, core_summary, crash_with_snapshot
from triage.units import human_bytes

# scenario -> (planted type, how many, pattern, accumulation holder, a label on its path).
# The holder is the shortest user-level name, a variable before a global property (the
# emitter is both `emitter` and `globalThis.appEmitter`; the registry class both a module
# binding and `globalThis.RequestRegistry`): the same on every run (retainers.named_holder).
PLANTED = {
    "leak_map": ("UserProfile", 2000, "unbounded-map", "userCache", "context var userCache"),
    "leak_listeners": ("TickState", 1500, "listener-accumulation", "emitter._events.tick",
                       ".tick"),
    "leak_intervals": ("PollState", 300, "uncleared-timers", "timerListMap[3600000]", "._onTimeout"),
    "leak_closure": ("Record", 40000, "unbounded-array", "largeRecords", "context var largeRecords"),
    "leak_singleton": ("RequestRecord", 2500, "unbounded-array",
                       "RequestRegistry.instance.requests", ".requests"),
    # no container: 4,000 results hang off the reaction list of one never-settling promise,
    # a chain longer than any path limit, shown folded
    "leak_promise_race": ("JobResult", 4000, "pending-promise-reactions", "shutdownSignal",
                          "… 3,999 × PromiseReaction.next …"),
    # a class of Node's that programs make one of per request (it was no suspect at all)
    "leak_abort_controllers": ("AbortController", 6000, "unbounded-set", "inflight",
                               "context var inflight"),
    # a local of a suspended async generator: registers have no names, so the generator
    # object names it (it was `(Array) via pending`)
    "leak_generator_local": ("Row", 5000, "unbounded-array", "pending<local of batches()>",
                             "internal parameters_and_registers"),
    # a chain of 4,000 closure contexts off one module variable (a re-wrapped handler)
    "leak_closure_chain": ("Middleware", 4000, "linked-chain", "handler", "context var handler"),
    # the same made by a factory (`handler = withTracing(handler, info)`), used only by the
    # exported `handle`: it was "held by `require.main.exports.handle`"
    "leak_rewrapped_tracing": ("RouteInfo", 4000, "linked-chain", "handler",
                               "context var handler"),
    # a chain of 2,999 promises linked through their reactions (`tail = tail.then(...)`),
    # hanging off one never-settling `lock` only through internal links: named by what it
    # hangs off; pending promises, not a `linked-chain` "of 2,999 linked Promise objects"
    "leak_promise_queue": ("Task", 3000, "pending-promise-reactions", "(Promise) via lock",
                           "context var lock"),
    # a store reachable only as the main module's exports (and its timer's captured `this`)
    "leak_module_exports": ("UserSession", 20000, "object-as-dictionary",
                            "process.mainModule.exports.data", ".data"),
    # one plain object with 80,000 properties (dictionary mode)
    "leak_ssr_cache": ("ProductEntity", 80000, "object-as-dictionary", "ssrCache",
                       "context var ssrCache"),
    # Promise.all over 3,000 fetches, one hung: its resolve-element callback (a reaction on
    # the hung fetch) keeps the values array; the hung promise's resolver is a global
    "leak_promise_all": ("FetchResult", 2999, "pending-promise-reactions",
                         "(Function) via (global).releaseHung", ".releaseHung"),
    # a class of V8's own (Error): kept from unhandled rejections, whose dead `{promise,
    # reason}` records still point at them in the core
    "leak_error_log": ("Error", 4000, "unbounded-array", "recentErrors",
                       "context var recentErrors"),
    # typed arrays with external backing stores: the Int16Array leads, not its buffers
    "leak_typed_samples": ("Int16Array", 2500, "unbounded-array", "history",
                           "context var history"),
    # numeric keys of a plain object are elements, not properties: still a dictionary (it
    # was "held by closures in `ordersById`", from the closure that holds the object)
    "leak_numeric_keys": ("Order", 30000, "object-as-dictionary", "ordersById",
                          "context var ordersById"),
    # a hand-written queue: 25,000 JobNode linked by `.next`, each with a plain payload
    "leak_linked_queue": ("JobNode", 25000, "linked-chain", "pending",
                          "… 24,998 × JobNode.next …"),
    # Timeouts held by the program's Map and by Node's timer list: they meet only at the
    # global object, which is no holder (it was "held in `(global)`, a global")
    "leak_session_timers": ("SessionState", 3000, "uncleared-timers", "(global).expiry",
                            ".expiry"),
    # a doubly linked list held by its ends: every entry is dominated by the owner, so it
    # was "accumulate in one History: a long-lived holder keeps every instance"
    "leak_history_list": ("HistoryEntry", 20000, "linked-chain", "(global).navHistory",
                          ".navHistory"),
    # an ES module's private variable (a module context: names were one slot off)
    "leak_esm_module": ("CartLine", 15000, "unbounded-array", "cartLines",
                        "context var cartLines"),
    # zlib streams left open: the streams lead, not their ArrayBuffers (Node 26), nor were
    # they no suspect (zlib's classes were no stream classes)
    "leak_zlib_streams": ("Deflate", 100, "undestroyed-streams", "(global).compressors",
                          ".compressors"),
    # the first instances of the class in the core are garbage: the class's origin was read
    # from them only, so it was taken for Node's own and was no suspect
    "leak_after_garbage": ("ApiCall", 3000, "unbounded-array", "slowCalls",
                           "context var slowCalls"),
    # held values that reference their targets: on Node 26 (V8 14 moved the WeakCell's weak
    # words) the held value was read as weak, the target as strong, and nothing was found
    # a linked list of errors (by `cause`) held by one global property: it was "held by
    # `(global)`", and a second suspect, a big object `lastFailure`
    "leak_error_causes": ("RetryError", 3000, "linked-chain", "(global).lastFailure",
                          ".lastFailure"),
    "leak_finalization_holdings": ("Connection", 3000, "finalization-held-values",
                                   "(global).tracker", ".tracker"),
}


def first_suspect(scenario: str, major: int) -> dict:
    suspects = core_summary(scenario, major)["suspects"]
    assert suspects, "no suspect at all"
    return suspects[0]


@pytest.mark.parametrize("major", MAJORS)
@pytest.mark.parametrize("scenario", sorted(PLANTED))
def test_the_planted_type_is_the_first_suspect_with_its_exact_count(scenario, major):
    kind, count, _, _, _ = PLANTED[scenario]
    suspect = first_suspect(scenario, major)
    assert (suspect["type"], suspect["count"]) == (kind, count)


@pytest.mark.parametrize("major", MAJORS)
@pytest.mark.parametrize("scenario", sorted(PLANTED))
def test_the_accumulation_point_is_the_planted_container(scenario, major):
    _, _, pattern, holder, _ = PLANTED[scenario]
    suspect = first_suspect(scenario, major)
    assert suspect["pattern"] == pattern
    assert suspect["accumulation_point"]["holder"] == holder


@pytest.mark.parametrize("major", MAJORS)
@pytest.mark.parametrize("scenario", sorted(PLANTED))
def test_a_retainer_path_names_the_planted_holder(scenario, major):
    label = PLANTED[scenario][4]
    paths = first_suspect(scenario, major)["retainer_paths"]
    assert any(step["edge"] and step["edge"]["label"] == label for path in paths for step in path)


@pytest.mark.parametrize("major", MAJORS)
def test_objects_that_are_garbage_at_crash_time_are_not_reported_as_a_leak(major):
    doc = core_summary("leak_garbage", major)
    assert all(s["type"] != "TempBuffer" for s in doc["suspects"])


@pytest.mark.parametrize("major", MAJORS)
def test_retainers_query_explains_a_type_from_the_core(major):
    crash = run_scenario("leak_map", major)
    result = run_triage(crash.core, "--retainers", "UserProfile", "--format", "json", "--no-llnode")
    answer = result.json["retainers"]
    assert answer["matched"] >= 1
    assert all(t["reachable"] for t in answer["targets"])
    assert any("userCache" in (t["holder"] or "") or any(
        s["edge"] and s["edge"]["label"] == "context var userCache" for p in t["paths"] for s in p)
        for t in answer["targets"])


@pytest.mark.parametrize("major", MAJORS)
def test_uncollected_garbage_is_not_counted_as_live_in_the_histogram(major):
    doc = core_summary("leak_garbage", major)
    assert "TempBuffer" not in {row["type"] for row in doc["histogram"]}
    assert doc["heap"]["unreachable_nodes"] >= 800  # the 800 dropped TempBuffers, at least


@pytest.mark.parametrize("major", MAJORS)
@pytest.mark.parametrize("scenario", sorted(PLANTED))
def test_every_suspect_has_a_retainer_path_from_a_root_to_an_instance(scenario, major):
    for suspect in core_summary(scenario, major)["suspects"]:
        assert suspect["retainer_paths"], suspect["type"]
        for path in suspect["retainer_paths"]:
            assert path[0]["node"]["type"] != "...", "the path was cut before a root"
            assert path[-1]["node"]["type"] == suspect["type"]


@pytest.mark.parametrize("major", MAJORS)
@pytest.mark.parametrize("scenario", sorted(PLANTED))
def test_a_suspects_path_runs_through_its_accumulation_point(scenario, major):
    """The path explains one of the instances that piled up there, not another instance of
    the class elsewhere (`global.JSON` for a list's plain payloads)."""
    for suspect in core_summary(scenario, major)["suspects"]:
        point = suspect["accumulation_point"]
        if point is None or suspect["pattern"] == "big-object":
            continue
        assert any(step["node"]["id"] == point["node"]["id"]
                   for path in suspect["retainer_paths"] for step in path), suspect["type"]


@pytest.mark.parametrize("major", MAJORS)
def test_the_payloads_of_a_linked_list_are_held_by_the_list_not_half_way_down_it(major):
    """Each JobNode holds a plain-object payload. Walking down the dominator tree, each node
    dominates the rest of the list, so the payloads once \"accumulated in one JobNode\" half
    way down it, a second suspect. They are the list's: one suspect, the payloads held there."""
    suspects = core_summary("leak_linked_queue", major)["suspects"]
    assert [s["type"] for s in suspects] == ["JobNode"]
    held = {t["type"]: t["count"] for t in suspects[0]["held_types"]}
    assert held.get("Object", 0) >= 24_999


@pytest.mark.parametrize("major", MAJORS)
def test_prototype_objects_of_an_error_class_factory_are_never_a_suspect(major):
    """Control: 120 constructors all named ClientError (http-errors' factory, in every express
    app), each with its own prototype object, made once at load."""
    doc = core_summary("error_class_factory", major)
    assert doc["histogram"] and any(r["type"] == "ClientError.prototype" for r in doc["histogram"])
    assert not [s for s in doc["suspects"] if s["type"].endswith(".prototype")]


@pytest.mark.parametrize("major", MAJORS)
def test_a_weakmap_whose_keys_are_garbage_holds_nothing(major):
    """Control: 3,000 SessionMeta values of a WeakMap whose keys nothing references. They are
    still in the core (no GC ran), but V8 would free them: no suspect, not in the histogram.
    (That values of live keys stay alive is checked on the graph: tests/v8.)"""
    doc = core_summary("leak_weakmap_only", major)
    assert doc["heap"]["unreachable_nodes"] >= 3000  # the values (and keys) are in the core
    assert all(s["type"] != "SessionMeta" for s in doc["suspects"])
    assert "SessionMeta" not in {row["type"] for row in doc["histogram"]}


@pytest.mark.parametrize("major", MAJORS)
def test_a_bounded_lru_at_its_limit_is_never_called_an_unbounded_cache(major):
    # dumps/scenarios/cache_lru_bounded.js: 500 Entry in a Map that evicts its oldest entry;
    # its table shows the deletions, so it is an `evicting-map` suspect or none at all
    suspects = core_summary("cache_lru_bounded", major)["suspects"]
    assert not [s for s in suspects if s["pattern"].startswith("unbounded-")]
    at_cache = [s for s in suspects
                if (s["accumulation_point"] or {}).get("holder") == "(global).cache.map"]
    assert all(s["pattern"] == "evicting-map" and "deleted entries wait in its table"
               in s["reason"] for s in at_cache)


@pytest.mark.parametrize("major", MAJORS)
def test_a_big_set_of_numbers_says_its_table_is_the_memory(major):
    # dumps/scenarios/big_number_set.js: 500,000 small integers in one Set, no object per
    # entry; the reason ended at "retains 10.0 MiB by itself" until December 2026
    suspect = first_suspect("big_number_set", major)
    assert (suspect["type"], suspect["pattern"]) == ("Set", "big-object")
    assert suspect["accumulation_point"]["holder"] == "(global).dedupe.processed"
    assert "most of it in its own backing store" in suspect["reason"]


@pytest.mark.parametrize("major", MAJORS)
def test_a_big_object_names_what_it_dominates_through_two_of_its_paths(major):
    # dumps/scenarios/big_wasm_memory.js: a 64 MiB wasm memory reached through `engine.mem`
    # and `engine.view`; the reason ended at "retains 64.0 MiB by itself" until December 2026
    suspect = first_suspect("big_wasm_memory", major)
    assert (suspect["type"], suspect["pattern"]) == ("Object", "big-object")
    assert suspect["accumulation_point"]["holder"] == "(global).engine"
    assert "mostly 1 ArrayBuffer (64.0 MiB)" in suspect["reason"]


@pytest.mark.parametrize("major", MAJORS)
def test_subclasses_of_map_and_array_grow_like_them(major):
    # dumps/scenarios/leak_collection_subclass.js: `class PriceCache extends Map` and `class
    # JobQueue extends Array`; both were "accumulation ... a long-lived holder keeps every
    # instance" until December 2026
    by_type = {s["type"]: s for s in core_summary("leak_collection_subclass", major)["suspects"]}
    quotes, jobs = by_type["Quote"], by_type["Job"]
    assert quotes["pattern"] == "unbounded-map" and "one PriceCache (a Map)" in quotes["reason"]
    assert quotes["accumulation_point"]["holder"] == "(global).app.prices"
    assert jobs["pattern"] == "unbounded-array" and "one JobQueue (an Array)" in jobs["reason"]
    assert jobs["accumulation_point"]["holder"] == "(global).app.queue"


@pytest.mark.parametrize("major", MAJORS)
def test_a_map_whose_eviction_has_not_run_yet_is_not_said_to_have_none(major):
    # dumps/scenarios/leak_ttl_cache.js: 10,000 Entry in a Map, each with a one-hour timer
    # that would delete it; a heap cannot tell that from a Map nothing deletes from (it said
    # "that nothing evicts: an unbounded cache" until December 2026)
    suspect = first_suspect("leak_ttl_cache", major)
    assert (suspect["type"], suspect["pattern"]) == ("Entry", "unbounded-map")
    assert suspect["accumulation_point"]["holder"] == "(global).cache.store"
    assert "no entry deleted since its table last grew" in suspect["reason"]
    assert "has not run yet" in suspect["reason"] and "nothing evicts:" not in suspect["reason"]


@pytest.mark.parametrize("major", MAJORS)
def test_one_object_holding_most_of_the_heap_is_the_first_suspect(major):
    # dumps/scenarios/big_single_object.js: one ReportCache whose `.table` is ~30 MiB
    suspect = first_suspect("big_single_object", major)
    assert (suspect["type"], suspect["pattern"]) == ("ReportCache", "big-object")
    assert suspect["accumulation_point"]["holder"] == "report"
    assert suspect["accumulation_point"]["retained_bytes"] >= 30_000_000
    assert "most of it in `.table` (Array" in suspect["reason"]


@pytest.mark.parametrize("major", MAJORS)
def test_an_array_filled_with_strings_is_a_suspect_that_says_what_fills_it(major):
    """40,000 log lines in one module-level Array (over half the heap). No class of the
    program piles up, and the shortest path to the Array runs through Node's internals
    (`process.mainModule.exports`), so it was no suspect at all: it is the program's own
    because a function of the program closes over it."""
    suspect = first_suspect("leak_string_log", major)
    assert (suspect["type"], suspect["pattern"]) == ("Array", "big-object")
    assert suspect["accumulation_point"]["holder"] == "auditLog"
    assert "mostly 40,000 strings" in suspect["reason"]


def _at(scenario: str, major: int, holder: str, pattern: str | None = None) -> dict:
    """The one suspect held by `holder` (and of `pattern`, when given)."""
    (suspect,) = [s for s in core_summary(scenario, major)["suspects"]
                  if (s["accumulation_point"] or {}).get("holder") == holder
                  and pattern in (None, s["pattern"])]
    return suspect


@pytest.mark.parametrize("major", MAJORS)
def test_a_big_collection_in_a_plain_wrapper_object_is_named_itself(major):
    """`globalThis.auth = {revoked}`: the wrapper retains as much as the Set, yet it is the
    Set that is big (MAT goes down while one part keeps 80 % of the whole). It was "One
    Object `(global).auth` ... most of it in `.revoked`", with the Object class's totals."""
    suspect = _at("big_wrapped_objects", major, "(global).auth.revoked", "big-object")
    assert suspect["type"] == "Set"
    assert "mostly 80,000 strings" in suspect["reason"]


@pytest.mark.parametrize("major", MAJORS)
def test_a_big_plain_object_says_how_many_properties_it_holds(major):
    """A 30,000-key document: its memory is in its properties (a dictionary), which the
    reason said as "most of it in `internal properties` ((system), ...)"."""
    suspect = _at("big_wrapped_objects", major, "flags", "big-object")
    assert suspect["type"] == "Object"
    assert "in 30,000 properties" in suspect["reason"]
    assert "internal properties" not in suspect["reason"]


@pytest.mark.parametrize("major", MAJORS)
def test_the_text_page_sizes_a_big_object_suspect_as_one_object(major):
    """The header of a big-object suspect is the object, not its class's totals (it read
    "Object  443 objects, 13.0 MiB retained")."""
    crash = run_scenario("big_wrapped_objects", major)
    page = run_triage(crash.core, "--no-llnode").stdout
    suspect = _at("big_wrapped_objects", major, "(global).auth.revoked", "big-object")
    retained = suspect["accumulation_point"]["retained_bytes"]
    assert f"Set  1 object, {human_bytes(retained)} retained  [big-object]" in page



@pytest.mark.parametrize("major", MAJORS)
def test_a_big_object_suspects_json_figures_are_the_objects_own(major):
    """A pipeline reading the JSON ranks by a suspect's `retained_bytes`: for "One Set
    `(global).auth.revoked` retains ..." it was every Set's total, and `count` every Set."""
    suspect = _at("big_wrapped_objects", major, "(global).auth.revoked", "big-object")
    point = suspect["accumulation_point"]
    assert suspect["count"] == 1
    assert suspect["retained_bytes"] == point["retained_bytes"]
    assert 0 < suspect["shallow_bytes"] <= suspect["retained_bytes"]

@pytest.mark.parametrize("major", MAJORS)
def test_a_cache_of_weakrefs_names_the_wrappers_never_their_targets(major):
    """The Map holds 5,000 WeakRef wrappers strongly; their Thumbs only weakly. The Thumbs
    are never a suspect, and the WeakRef suspect says that what they point to is weak."""
    suspects = core_summary("cache_weakrefs", major)["suspects"]
    assert "Thumb" not in {s["type"] for s in suspects}
    (weakrefs,) = [s for s in suspects if s["type"] == "WeakRef"]
    assert weakrefs["count"] == 5000 and weakrefs["accumulation_point"]["holder"] == "cache"
    assert "held weakly" in weakrefs["reason"]


@pytest.mark.parametrize("major", MAJORS)
def test_an_unregister_token_keeps_nothing_of_its_registration(major):
    """A FinalizationRegistry holds a registration's unregister token weakly: each of the
    3,000 Tokens keep only themselves. On Node 26 the token was read as a strong reference
    from its registration, and the Tokens kept "6.0 MiB with what they share"."""
    (tokens,) = [s for s in core_summary("leak_finalization_holdings", major)["suspects"]
                 if s["type"] == "Token"]
    assert tokens["score_bytes"] == tokens["shallow_bytes"]


@pytest.mark.parametrize("major", MAJORS)
def test_builtin_instances_in_what_a_module_exports_are_the_programs(major):
    """10,000 Float32Arrays (V8's class) in a Map the main module exports, reached through
    Node's objects (`process.mainModule.exports`): they were taken for Node's own and were
    no suspect. (Node keeps one Float32Array of its own: the count is at the Map.)"""
    suspect = first_suspect("leak_exported_views", major)
    point = suspect["accumulation_point"]
    assert (suspect["type"], suspect["pattern"]) == ("Float32Array", "unbounded-map")
    assert (point["holder"], point["count"]) == ("process.mainModule.exports.tokens", 10000)


@pytest.mark.parametrize("major", MAJORS)
def test_a_linked_list_held_by_a_global_property_is_one_suspect(major):
    """The list of 3,000 errors is one leak: no second suspect for its head as a big object."""
    assert len(core_summary("leak_error_causes", major)["suspects"]) == 1


@pytest.mark.parametrize("major", MAJORS)
def test_buffers_queued_in_a_stream_lead_over_the_pools_they_slice(major):
    """5,000 small Buffers pushed into a Readable that nobody reads are slices of ~140 8 KiB
    pool ArrayBuffers, which weigh more: the suspect was "141 ArrayBuffer objects
    accumulate in ... buffer" (Node 20, 22). The backing stores never lead over their views;
    the 5,000 Buffers are in the suspect (Node 18 queues them in a linked list of plain
    `{data, next}` entries, which lead with the Buffers held)."""
    suspect = first_suspect("leak_stream_backlog", major)
    point = suspect["accumulation_point"]
    assert suspect["type"] != "ArrayBuffer"
    buffers = [point["count"]] if suspect["type"] == "Buffer" else [
        t["count"] for t in suspect["held_types"] if t["type"] == "Buffer"]
    assert len(buffers) == 1 and buffers[0] >= 4990  # Node 18: 4,999 below its list's head
    assert point["holder"] == "(global).feed._readableState.buffer"


@pytest.mark.parametrize("major", MAJORS)
def test_chunks_nobody_reads_are_said_to_wait_in_the_read_queue(major):
    """It said "accumulate in one Array ... that grows by appending" (Node 20-26) and "one
    linked list ... that only grows" (Node 18), not that nothing reads the stream."""
    suspect = first_suspect("leak_stream_backlog", major)
    assert suspect["pattern"] == "stream-backlog"
    assert "wait in the read queue of the stream `(global).feed`" in suspect["reason"]


@pytest.mark.parametrize("major", MAJORS)
def test_a_big_buffer_in_a_plain_wrapper_is_named_itself(major):
    """`globalThis.upload = {body}` with an 8 MiB Buffer: the Buffer is the big object. It
    was "One Object `(global).upload` ... most of it in `.body` (Buffer)": the descent
    through a plain wrapper went into objects of the program's classes only, and Buffer's
    class is Node's."""
    suspect = _at("big_upload_buffer", major, "(global).upload.body", "big-object")
    assert suspect["type"] == "Buffer"
    assert suspect["accumulation_point"]["retained_bytes"] >= 8 * 1024 * 1024


@pytest.mark.parametrize("major", MAJORS)
def test_a_big_buffer_names_its_array_buffer_as_a_snapshot_does(major):
    """The view's ArrayBuffer field is not exported (+24, or +32 from V8 13): it was
    "most of it in `hidden [3]`" (`hidden [4]` on Node 24-26)."""
    suspect = _at("big_upload_buffer", major, "(global).upload.body", "big-object")
    assert "most of it in `internal buffer` (ArrayBuffer, 8.0 MiB)" in suspect["reason"]


@pytest.mark.parametrize("major", MAJORS)
def test_a_dictionary_behind_a_proxy_is_one_big_object_named_through_the_proxy(major):
    """20,000 entries in the target of a Proxy `(global).store`: the target is the big
    object, named as DevTools shows a Proxy's target. It was two suspects, the second an
    accumulation "in one Proxy `(global).store`" counting the target and handler among the
    20,002 Objects, and the big object was "`(Object) via (global).store`"."""
    (suspect,) = core_summary("big_proxy_store", major)["suspects"]
    assert suspect["pattern"] == "big-object"
    assert suspect["accumulation_point"]["holder"] == "(global).store.[[Target]]"
    assert "in 20,000 properties" in suspect["reason"]


@pytest.mark.parametrize("major", MAJORS)
def test_a_snapshot_names_the_object_behind_a_proxy_as_a_core_does(major):
    """A snapshot leaves a Proxy's target and handler unnamed (hidden edges of a `system /
    JSProxy`): the holder of rows behind a Proxy was `(Object).rows` in the snapshot and
    `(global).db.[[Target]].rows` in the core of the same program."""
    crash = crash_with_snapshot("big_proxy_store", major)
    holders = [artifact_summary(path)["suspects"][0]["accumulation_point"]["holder"]
               for path in (crash.core, crash.snapshots[-1])]
    assert holders == ["(global).store.[[Target]]"] * 2


@pytest.mark.parametrize("major", MAJORS)
def test_an_unbounded_lru_cache_accumulates_in_its_map(major):
    """An LRU cache's entries are in its Map and in a doubly linked list: the suspect was
    "one linked list held by `(global).sessionCache` (Lru) ...: each one keeps the next
    alive", where the Map, which nothing evicts from, holds every entry itself."""
    suspect = first_suspect("leak_lru_unbounded", major)
    point = suspect["accumulation_point"]
    assert (suspect["type"], suspect["pattern"]) == ("LruEntry", "unbounded-map")
    assert (point["holder"], point["count"]) == ("(global).sessionCache.map", 20000)


@pytest.mark.parametrize("major", MAJORS)
def test_the_rows_of_a_parsed_document_accumulate_in_their_array(major):
    """60,000 parsed rows, each with a `tags` Array: the rows accumulate in `catalog.rows`.
    It was "60,001 Array objects accumulate in one Object `(global).config.catalog`": the
    Arrays (one per row, and the rows Array itself) weigh as much as the rows, and their
    point is the object above the rows Array."""
    suspect = first_suspect("big_parsed_document", major)
    point = suspect["accumulation_point"]
    assert (suspect["type"], point["holder"]) == ("Object", "(global).config.catalog.rows")
    assert point["count"] == 60000


@pytest.mark.parametrize("major", MAJORS)
def test_closed_sockets_kept_in_an_array_are_never_said_to_be_undestroyed(major):
    """150 sockets that closed (destroyed) but stay in an Array: the suspect named them
    streams that "were never destroyed or released", which one dump cannot know and which
    is false here."""
    (suspect,) = [s for s in core_summary("leak_closed_sockets", major)["suspects"]
                  if s["type"] == "Socket"]
    assert suspect["pattern"] == "undestroyed-streams"
    assert suspect["accumulation_point"]["count"] == 150
    assert "never destroyed" not in suspect["reason"]


@pytest.mark.parametrize("major", MAJORS)
def test_a_big_array_of_slices_says_they_keep_the_string_they_were_cut_from(major):
    """10,000 ids sliced from one log text keep all of it. The Array's memory is that string,
    which none of its elements holds by itself: the reason said nothing of where the memory
    was ("One Array ... retains 8.2 MiB by itself")."""
    suspect = _at("big_sliced_ids", major, "(global).seen.ids", "big-object")
    assert "string that 10,000 sliced strings point into" in suspect["reason"]


@pytest.mark.parametrize("major", MAJORS)
def test_a_document_nested_thousands_of_levels_deep_is_one_big_object(major):
    """6,000 nested plain objects, a different key at each level: the walk through plain
    wrappers must not recurse per level (it overflowed Python's stack in development)."""
    suspects = core_summary("big_nested_document", major)["suspects"]
    assert [(s["type"], s["pattern"]) for s in suspects] == [("Object", "big-object")]


@pytest.mark.parametrize("major", MAJORS)
def test_views_into_one_arena_are_ranked_by_the_arena_they_keep(major):
    """10,000 16-byte views keep one 16 MiB ArrayBuffer alive: the Map that holds them all
    keeps the arena (each view alone keeps only itself)."""
    suspect = first_suspect("leak_exported_views", major)
    assert suspect["type"] == "Float32Array"
    assert suspect["score_bytes"] >= 16 * 1024 * 1024


@pytest.mark.parametrize("major", MAJORS)
def test_one_string_holding_a_third_of_the_heap_is_a_suspect(major):
    """A log kept in one string with += (flattened by a search): no object, no class of the
    program, yet a third to half of the live heap. It was no suspect at all."""
    suspect = first_suspect("leak_big_string", major)
    assert suspect["pattern"] == "big-object"
    assert suspect["accumulation_point"]["holder"] == "debugLog"
    assert suspect["accumulation_point"]["retained_bytes"] >= 60000 * 45  # the 60,000 lines


@pytest.mark.parametrize("major", MAJORS)
@pytest.mark.parametrize("scenario", ["leak_big_string", "leak_error_log", "leak_garbage"])
def test_no_class_retains_more_than_the_live_heap(scenario, major):
    """The dead pieces of a string rebuilt with += (and other garbage still in the core)
    count in no class's retained size: `(concatenated string)` once retained 93 MiB of a
    19 MiB live heap."""
    doc = core_summary(scenario, major)
    live = doc["heap"]["live_bytes"]
    assert doc["heap"]["unreachable_nodes"] > 0
    assert all(row["retained_bytes"] <= live for row in doc["histogram"]), live


@pytest.mark.parametrize("major", MAJORS)
def test_a_big_script_source_is_never_a_suspect(major):
    """Control: a 1.4 MB bundle in a ~6 MB heap. Its source string is held by V8's Script
    (`internal source`), not by the program as a value: no big-object string suspect."""
    doc = core_summary("big_script_source", major)
    assert doc["heap"]["live_bytes"] < 10 * 1_300_000  # the source is over a tenth of it
    assert not [s for s in doc["suspects"] if s["pattern"] == "big-object"
                and s["type"] in ("(string)", "(concatenated string)", "(sliced string)")]


@pytest.mark.parametrize("major", MAJORS)
def test_memoized_regexps_and_urls_are_suspects_in_their_maps(major):
    """RegExp (V8's) and URL (Node's) are classes a program fills caches with itself; 6,000
    compiled patterns gave only "One Map retains ..., mostly RegExp", 4,000 URLs nothing."""
    suspects = core_summary("leak_parsed_patterns", major)["suspects"]
    found = {s["type"]: s["accumulation_point"] for s in suspects if s["pattern"] == "unbounded-map"}
    assert (found["RegExp"]["holder"], found["RegExp"]["count"]) == ("patterns", 6000)
    assert (found["URL"]["holder"], found["URL"]["count"]) == ("urlCache", 4000)


@pytest.mark.parametrize("major", MAJORS)
def test_a_tree_of_one_class_is_one_suspect(major):
    """20,000 TreeNode under one wrapper object: one accumulation, not also a big-object
    suspect for the tree's root below the same point."""
    suspects = core_summary("leak_dom_tree", major)["suspects"]
    assert [s["type"] for s in suspects].count("TreeNode") == 1
    assert suspects[0]["type"] == "TreeNode" and suspects[0]["count"] == 20000


@pytest.mark.parametrize("major", MAJORS)
def test_listeners_of_an_event_target_are_a_listener_accumulation(major):
    """Node's EventTarget keeps listeners as a linked list per type under a private
    symbol: 6,000 captured Widgets were "a chain of 6,000 linked Listener objects"."""
    suspect = first_suspect("leak_event_target", major)
    assert (suspect["type"], suspect["count"]) == ("Widget", 6000)
    assert suspect["pattern"] == "listener-accumulation"
    assert "on `(global).uiBus` (an EventTarget) for event 'refresh'" in suspect["reason"]
    assert "captured as `widget`" in suspect["reason"]


@pytest.mark.parametrize("major", MAJORS)
def test_a_full_preallocated_ring_buffer_is_not_said_to_grow(major):
    """2,000 slots overwritten in place: every slot of the store is in use. It was "accumulate
    in one Array that only grows", which one dump cannot know."""
    reason = _at("ring_buffer_recent", major, "(global).recent")["reason"]
    assert "grow" not in reason.split("(")[0]
    assert "every slot of its store in use" in reason


def _snapshot_suspect(scenario: str, major: int, holder: str) -> dict:
    """The one suspect held by `holder` in the heap snapshot of a run of `scenario`."""
    path = str(crash_with_snapshot(scenario, major).snapshots[0])
    (suspect,) = [s for s in artifact_summary(path)["suspects"]
                  if (s["accumulation_point"] or {}).get("holder") == holder]
    return suspect


@pytest.mark.parametrize("major", MAJORS)
def test_a_snapshot_of_a_full_ring_buffer_is_hedged_as_its_core_is(major):
    """A snapshot records the store's size, and 2,000 objects fill its 2,000 slots. The
    snapshot said only "accumulate in one Array", with none of the core's hedge."""
    reason = _snapshot_suspect("ring_buffer_recent", major, "(global).recent")["reason"]
    assert "every slot of its store in use" in reason


@pytest.mark.parametrize("major", MAJORS)
def test_a_snapshot_does_not_call_a_pushed_array_full(major):
    """1,200 formatters pushed: the store has free slots, and a snapshot cannot tell free
    slots from holes or numbers, so it says nothing of the store."""
    reason = _snapshot_suspect("leak_intl_formatters", major, "(global).formatters")["reason"]
    assert "accumulate in one Array `(global).formatters`;" in reason
    assert "every slot" not in reason


@pytest.mark.parametrize("major", MAJORS)
def test_an_array_grown_by_push_says_so(major):
    """40,000 pushes leave free slots at the end of the store (V8 grows it by half again)."""
    reason = _at("leak_closure", major, "largeRecords")["reason"]
    assert "accumulate in one Array `largeRecords` (a variable of the closure " \
        "`(global).reporter`) that grows by appending" in reason


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
@pytest.mark.parametrize("major", MAJORS)
def test_a_window_trimmed_by_shift_is_not_said_to_surely_grow(major, artifact):
    """5,000 events kept by shift() after each push: the store has the free slots of a
    pushed array and one dump cannot tell it from a leak. The core said "that grows by
    appending" and nothing more, the snapshot "accumulate in one Array"."""
    path = artifact_path(crash_with_snapshot("window_capped_by_shift", major), artifact)
    (suspect,) = [s for s in artifact_summary(path)["suspects"] if s["type"] == "AuditEvent"]
    assert suspect["accumulation_point"]["count"] == 5000
    assert "trimmed from the front after each push (`shift()`" in suspect["reason"]
    assert "triage diff" in suspect["reason"]


@pytest.mark.parametrize("major", MAJORS)
def test_buffers_kept_by_uncleared_interval_callbacks_are_a_suspect(major):
    """1,000 intervals never cleared, each callback keeping a 16 KiB Buffer: Buffer is a
    builtin class and the timer list is Node's, so it was "a builtin class piling up inside
    Node's own structures" and no suspect; the callbacks that keep them are the program's."""
    suspect = first_suspect("leak_interval_buffers", major)
    point = suspect["accumulation_point"]
    assert (suspect["type"], suspect["pattern"]) == ("Buffer", "uncleared-timers")
    assert (point["holder"], point["count"]) == ("timerListMap[3600000]", 1000)


@pytest.mark.parametrize("major", MAJORS)
def test_modules_reloaded_through_require_cache_are_kept_by_their_parent(major):
    """300 re-requires of one module after `delete require.cache[file]`: the parent's
    `children` keeps every old Module and its exports. It was no suspect (the Array is
    reached through `process`, a Node global, and Object is a builtin class)."""
    suspect = first_suspect("leak_reloaded_modules", major)
    assert suspect["pattern"] == "reloaded-modules"
    assert suspect["accumulation_point"]["holder"] == "process.mainModule.children"
    assert "kept by 300 Modules" in suspect["reason"]


@pytest.mark.parametrize("major", MAJORS)
def test_modules_never_deleted_from_require_cache_are_not_said_to_be_deleted(major):
    """300 versions of a template, each its own file, required and never deleted from
    require.cache: the reason said "a module deleted from require.cache and required
    again", which this program never does."""
    suspect = first_suspect("leak_versioned_modules", major)
    assert (suspect["type"], suspect["pattern"]) == ("Template", "reloaded-modules")
    assert suspect["accumulation_point"]["holder"] == "require.main.children"
    assert "and in require.cache" in suspect["reason"]
    assert "deleted from require.cache" not in suspect["reason"]


@pytest.mark.parametrize("major", MAJORS)
def test_listeners_that_keep_only_strings_pile_up_on_their_event_target(major):
    """3,000 EventTarget listeners closing over 10 KB strings, no class of the program: it
    was "One Object `(global).bus['<symbol kEvents>'].tick` retains 29 MiB"."""
    suspect = first_suspect("leak_event_target_closures", major)
    assert (suspect["type"], suspect["count"]) == ("Listener", 3000)
    assert suspect["pattern"] == "listener-accumulation"
    assert "3,000 listeners" in suspect["reason"]
    assert "on `(global).bus` (an EventTarget) for event 'tick'" in suspect["reason"]


@pytest.mark.parametrize("major", MAJORS)
def test_a_snapshot_names_an_event_targets_listeners_by_the_event_as_a_core_does(major):
    """A snapshot reaches a Map's value through its table: the holder was
    `(global).bus['<symbol kEvents>']<Map entry>`, the core's `(global).bus['<symbol kEvents>'].tick`."""
    crash = crash_with_snapshot("leak_event_target_closures", major)
    holders = {artifact_summary(path)["suspects"][0]["accumulation_point"]["holder"]
               for path in (crash.core, crash.snapshots[0])}
    assert holders == {"(global).bus['<symbol kEvents>'].tick"}


@pytest.mark.parametrize("major", MAJORS)
def test_listeners_added_to_process_are_the_programs_big_object(major):
    """2,000 `process.on('exit')` closures over 8 KB strings: no suspect, `process` being
    Node's object and Function no class to blame."""
    suspect = first_suspect("leak_process_listeners", major)
    assert suspect["pattern"] == "big-object"
    assert suspect["accumulation_point"]["holder"] == "process._events.exit"
    assert "2,000 listeners for 'exit' on `process`" in suspect["reason"]


@pytest.mark.parametrize("major", MAJORS)
def test_bound_listeners_added_to_process_are_the_programs_big_object(major):
    """`cleanup.bind(null, note)` is a builtin function whose target is the program's: 2,000
    of them on `process.on('exit')` were no suspect."""
    core = run_scenario("leak_process_listeners", major, args=("bound",)).core
    suspect = artifact_summary(core)["suspects"][0]
    assert suspect["accumulation_point"]["holder"] == "process._events.exit"
    assert "2,000 listeners for 'exit' on `process`" in suspect["reason"]


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
@pytest.mark.parametrize("major", MAJORS)
def test_entries_in_bucket_arrays_are_said_to_be_in_the_buckets(major, artifact):
    """25,600 entries in 128 bucket Arrays of one preallocated outer Array: the reason was
    about the outer Array's full store ("as in a preallocated buffer: a bounded ring buffer
    looks the same"), where nothing piles up."""
    path = artifact_path(crash_with_snapshot("leak_hash_buckets", major), artifact)
    (suspect,) = [s for s in artifact_summary(path)["suspects"] if s["type"] == "CacheEntry"]
    assert suspect["accumulation_point"]["holder"] == "buckets"
    assert "in 128 Arrays under it (about 200 in each)" in suspect["reason"]
    assert "preallocated" not in suspect["reason"]


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
@pytest.mark.parametrize("major", MAJORS)
def test_timers_that_meet_only_at_the_global_are_held_by_the_programs_map(major, artifact):
    """4,000 debounce timers, each in Node's timer list and in the module's Map `pending`:
    the Edits they capture meet only at the global object, and the holder was `(global)`,
    the shortest path running through the timer list and not the Map. Node 18's snapshots
    have them meet at the root: the Map is where most of their shortest paths meet, and a
    few run through the timer list instead, so fewer are counted there."""
    path = artifact_path(crash_with_snapshot("leak_debounce_timers", major), artifact)
    (suspect,) = [s for s in artifact_summary(path)["suspects"] if s["type"] == "Edit"]
    assert suspect["pattern"] == "uncleared-timers"
    assert suspect["accumulation_point"]["holder"] == "pending"
    counts = range(3900, 4001) if (major, artifact) == (18, "snapshot") else (4000,)
    assert suspect["accumulation_point"]["count"] in counts


@pytest.mark.parametrize("major", MAJORS)
def test_timers_held_by_the_programs_map_are_said_to_be_held_by_node_too(major):
    """The Map `pending` is named, but Node's timer list keeps each Edit too until its timer
    fires: deleting from the Map alone would free nothing, and the reason says so."""
    path = artifact_path(crash_with_snapshot("leak_debounce_timers", major), "core")
    (suspect,) = [s for s in artifact_summary(path)["suspects"] if s["type"] == "Edit"]
    assert "`pending` is not their only holder" in suspect["reason"]


@pytest.mark.parametrize("scenario, kind", [
    ("leak_intervals", "are kept alive by intervals that were never cleared"),
    ("leak_interval_buffers", "are kept alive by intervals that were never cleared"),
    ("leak_session_timers", "are kept alive by pending setTimeout callbacks"),
    ("leak_debounce_timers", "are kept alive by pending setTimeout callbacks"),
])
@pytest.mark.parametrize("major", MAJORS)
def test_timers_are_said_to_be_intervals_or_pending_timeouts(scenario, kind, major):
    """A timeout fires and lets go; an interval runs until it is cleared. Both were "timers
    that were never cleared", which sends one looking for a missing clearInterval when a
    debounce of 60 s per key is what holds the memory. Node keeps an interval's delay in
    `_repeat`, and null there for a timeout."""
    assert kind in first_suspect(scenario, major)["reason"]


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
@pytest.mark.parametrize("major", MAJORS)
def test_an_async_recursion_is_held_by_the_promise_its_last_call_awaits(major, artifact):
    """3,001 suspended calls of `poll`, each awaiting the next, the last awaiting a promise
    that never settles: a chain of period 4 (Promise, PromiseReaction, Context, async
    function object). The walk went half-way down it: "1,501 PollResult (50 %) accumulate
    in one (js async function object)"."""
    path = artifact_path(crash_with_snapshot("leak_async_recursion", major), artifact)
    (suspect,) = [s for s in artifact_summary(path)["suspects"] if s["type"] == "PollResult"]
    assert suspect["accumulation_point"]["holder"] == "upstream"
    assert suspect["accumulation_point"]["count"] == 3001
    assert "suspended calls of the async function `poll`" in suspect["reason"]
