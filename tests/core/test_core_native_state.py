"""Native state a core cannot measure is said, not left out silently; what it can measure is
counted. On real cores of dumps/scenarios/leak_zlib_streams.js (100 Deflate streams kept
open, each with zlib's state outside the JS heap and every ArrayBuffer: about 280 KiB each,
27 MiB in all, where the JS objects and buffers are 1.7 MiB), the zlib state is read and in
the streams' retained sizes (tests/core/test_core_zlib_memory.py has a core against a
snapshot), and the `native` memory figure says which part of it objects retain. V8's Intl
objects, whose ICU state is native and not read (dumps/scenarios/leak_intl_formatters.js:
1,000 DateTimeFormat, about 30 MB of ICU objects behind 140 KB of JS objects, and 200
NumberFormat), are named in the capability `native_memory` and on the native figure. Those
formatters are also a suspect, ranked by the ICU state they own: a core and a snapshot had
no suspect at all, the JS objects being 140 KB."""

from __future__ import annotations

import pytest

from tests.conftest import MAJORS
from tests.core.conftest import artifact_path, core_summary, crash_with_snapshot, top_suspect

ZLIB_STATE = 270 * 1024  # a compressor's at Node's defaults: 278 KiB, Node 18-26


@pytest.fixture(params=MAJORS, ids=[f"node{m}" for m in MAJORS])
def major(request: pytest.FixtureRequest) -> int:
    return request.param


def test_measured_zlib_state_is_no_gap_in_the_capabilities(major):
    """Until December 2026 the capability was `degraded`, naming the 100 Zlib handles."""
    assert "native_memory" not in core_summary("leak_zlib_streams", major)["capabilities"]


def test_the_streams_retain_their_zlib_state(major):
    suspect = core_summary("leak_zlib_streams", major)["suspects"][0]
    assert (suspect["type"], suspect["accumulation_point"]["holder"]) == (
        "Deflate", "(global).compressors")
    assert suspect["accumulation_point"]["retained_bytes"] >= 100 * ZLIB_STATE


def test_the_native_figure_says_which_part_of_it_objects_retain(major):
    totals = core_summary("leak_zlib_streams", major)["memory"]["totals"]
    native = next(t for t in totals if t["kind"] == "native")
    assert "is the state of 100 compression stream(s) (zlib, Brotli), in their objects' retained sizes" \
        in native["detail"]
    assert "in no retained size" not in native["detail"]


def test_the_native_figure_counts_zlib_state(major):
    """100 compressors of about 280 KiB each: the malloc walk sees them."""
    totals = core_summary("leak_zlib_streams", major)["memory"]["totals"]
    native = next(t for t in totals if t["kind"] == "native")
    assert native["bytes"] >= 100 * ZLIB_STATE


def test_a_core_without_such_state_claims_no_gap(major):
    doc = core_summary("buffer_slices", major)
    assert "native_memory" not in doc["capabilities"]
    native = next(t for t in doc["memory"]["totals"] if t["kind"] == "native")
    assert "in no retained size" not in native["detail"]


def test_intl_objects_name_their_unmeasured_icu_state(major):
    cap = core_summary("leak_intl_formatters", major)["capabilities"]["native_memory"]
    assert cap["status"] == "degraded"
    assert "1,000 Intl.DateTimeFormat (ICU formatters" in cap["reason"]
    assert "not attributed to objects" in cap["reason"]
    assert "200 Intl.NumberFormat" in cap["reason"]


def test_intl_state_is_said_on_the_native_figure(major):
    totals = core_summary("leak_intl_formatters", major)["memory"]["totals"]
    native = next(t for t in totals if t["kind"] == "native")
    assert "in no retained size: the native state of 1,000 Intl.DateTimeFormat" \
        in native["detail"]
    assert native["bytes"] >= 1000 * 20 * 1024


@pytest.mark.parametrize("artifact", ["core", "snapshot"])
def test_formatters_kept_in_an_array_are_a_suspect_by_their_icu_state(major, artifact):
    suspect = top_suspect(artifact_path(crash_with_snapshot("leak_intl_formatters", major),
                                        artifact))
    assert (suspect["type"], suspect["accumulation_point"]["holder"]) == (
        "DateTimeFormat", "(global).formatters")
    assert "each also owns ICU formatters outside the JS heap (about 30 KiB each" \
        in suspect["reason"]
    assert suspect["score_bytes"] >= 1000 * 30 * 1024
