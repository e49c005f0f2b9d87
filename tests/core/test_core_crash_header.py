"""The crash header of real cores of every supported Node major: signal, kind, versions, frames."""

from __future__ import annotations

import pytest

from dumps.nodes import PINNED, SYSTEM_MAJOR, node_binary
from tests.conftest import MAJORS
from tests.core.conftest import frames_of_faulting_thread, triage_json
from triage.schema import validate_summary


def expected_version(major: int) -> str:
    if major == SYSTEM_MAJOR:
        import subprocess

        return subprocess.run([str(node_binary(major)), "--version"], capture_output=True,
                              text=True, check=True).stdout.strip()
    return f"v{PINNED[major]}"


@pytest.mark.parametrize("major", MAJORS)
def test_process_abort_is_classified_as_abort_with_node_abort_frame(major):
    doc = triage_json("abort", major)
    assert doc["crash"]["kind"] == "abort"
    assert doc["crash"]["signal"]["name"] == "SIGABRT"
    assert any(f.startswith("node::Abort") for f in frames_of_faulting_thread(doc))


@pytest.mark.parametrize("major", MAJORS)
def test_header_names_the_node_version_read_from_the_core(major):
    doc = triage_json("abort", major)
    assert doc["process"]["node_version"] == expected_version(major)
    assert doc["process"]["v8_version"].split(".")[0].isdigit()


@pytest.mark.parametrize("major", MAJORS)
def test_json_output_validates_against_the_shipped_schema(major):
    validate_summary(triage_json("abort", major))


@pytest.mark.parametrize("major", MAJORS)
def test_every_thread_is_listed_with_a_name_and_symbolized_frames(major):
    doc = triage_json("abort", major)
    assert len(doc["threads"]) >= 5  # main, platform workers, scheduler, inspector
    assert sum(t["faulting"] for t in doc["threads"]) == 1
    for thread in doc["threads"]:
        assert thread["name"]
        assert any(f["function"] for f in thread["frames"])
    assert {"main", "V8 platform worker"} <= {t["name"] for t in doc["threads"]}


@pytest.mark.parametrize("major", MAJORS)
def test_pid_and_command_line_come_from_the_core(major, crash):
    doc = triage_json("abort", major)
    assert doc["process"]["pid"] == doc["crash"]["faulting_thread"]
    assert doc["process"]["command_line"][-1] == "abort.js"


@pytest.mark.parametrize("major", MAJORS)
def test_heap_out_of_memory_is_classified_as_heap_oom(major):
    doc = triage_json("oom", major)
    assert doc["crash"]["kind"] == "heap_oom"
    assert "OOMErrorHandler" in doc["crash"]["faulting_frame"]


@pytest.mark.parametrize("major", MAJORS)
def test_abort_on_uncaught_exception_is_classified_as_uncaught_exception(major):
    doc = triage_json("uncaught", major)
    assert doc["crash"]["kind"] == "uncaught_exception"


@pytest.mark.parametrize("major", MAJORS)
def test_null_write_in_an_addon_is_a_native_fault_naming_the_faulting_function(major):
    doc = triage_json("segv", major)
    assert doc["crash"]["kind"] == "native_fault"
    assert doc["crash"]["signal"]["name"] == "SIGSEGV"
    assert doc["crash"]["faulting_frame"] == "crash_with_null_write"


@pytest.mark.parametrize("major", MAJORS)
def test_failed_c_assert_is_classified_as_assertion(major):
    doc = triage_json("assert", major)
    assert doc["crash"]["kind"] == "assertion"
    assert "__assert_fail" in doc["crash"]["faulting_frame"]


@pytest.mark.parametrize("major", MAJORS)
def test_signal_sent_by_another_process_is_an_external_signal_with_its_sender(major):
    doc = triage_json("external_signal", major)
    assert doc["crash"]["kind"] == "external_signal"
    assert doc["crash"]["signal"]["name"] == "SIGQUIT"
    assert doc["crash"]["signal"]["sender_pid"] not in (None, doc["process"]["pid"])


@pytest.mark.parametrize("major", MAJORS)
def test_a_signal_the_process_sent_itself_is_not_a_native_fault(major):
    doc = triage_json("self_signal", major)
    assert doc["crash"]["kind"] == "self_signal"
    assert "uv_kill" in doc["crash"]["faulting_frame"] or "node::Kill" in doc["crash"]["faulting_frame"]
    assert "hardShutdown" in [f["function"] for f in doc["js_stack"]["frames"]]
