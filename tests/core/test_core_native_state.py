"""Native state a core cannot measure is said, not left out silently: on real cores of
dumps/scenarios/leak_zlib_streams.js (100 Deflate streams kept open, each with zlib's state
outside the JS heap and every ArrayBuffer: about 256 KiB each, 25 MiB in all, where the core
counts 1.7 MiB of JS objects and buffers), the capability `native_memory` and the `native`
memory figure on the first page name the 100 zlib handles; a core with none names nothing.
The same holds for V8's Intl objects, whose ICU state is native (dumps/scenarios/
leak_intl_formatters.js: 1,000 DateTimeFormat, about 30 MB of ICU objects behind 140 KB of
JS objects, and 200 NumberFormat). Those formatters are also a suspect, ranked by the ICU
state they own: a core and a snapshot had no suspect at all, the JS objects being 140 KB."""

from __future__ import annotations

import pytest

from tests.conftest import MAJORS
from tests.core.conftest import artifact_path, core_summary, crash_with_snapshot, top_suspect


@pytest.fixture(params=MAJORS, ids=[f"node{m}" for m in MAJORS])
def major(request: pytest.FixtureRequest) -> int:
    return request.param


def test_unmeasured_zlib_state_is_a_degraded_capability(major):
    cap = core_summary("leak_zlib_streams", major)["capabilities"]["native_memory"]
    assert cap["status"] == "degraded"
    assert "100 Zlib (zlib streams" in cap["reason"] and "not attributed" in cap["reason"]


def test_the_native_figure_on_the_first_page_names_what_no_retained_size_holds(major):
    totals = core_summary("leak_zlib_streams", major)["memory"]["totals"]
    native = next(t for t in totals if t["kind"] == "native")
    assert "in no retained size: the native state of 100 Zlib" in native["detail"]


def test_the_native_figure_counts_zlib_state(major):
    """100 compressors of about 256 KiB each: the malloc walk sees them."""
    totals = core_summary("leak_zlib_streams", major)["memory"]["totals"]
    native = next(t for t in totals if t["kind"] == "native")
    assert native["bytes"] >= 100 * 200 * 1024


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
