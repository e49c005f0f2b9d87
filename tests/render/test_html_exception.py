"""The HTML report shows the thrown exception as the text page does: on an
uncaught-exception core, the error's type, message and its own stack (file:line:col) are on
the page Chromium renders; a thrown value that is not found is said to be, with the reason."""

from __future__ import annotations

import json

import pytest

from dumps.crash import run_scenario
from tests.conftest import MAJORS, run_triage
from tests.core.conftest import crash_of, triage_json
from tests.core.test_core_exception import own_stack_top, printed_exception
from tests.render.test_html_report import rendered_dom


def _page(doc: dict, tmp_path) -> str:
    stored = tmp_path / "summary.json"
    stored.write_text(json.dumps(doc))
    page = tmp_path / "report.html"
    result = run_triage("render", stored, "--format", "html", "-o", page)
    assert result.code == 0, result.stderr
    dom, _ = rendered_dom(page, tmp_path)
    return dom


@pytest.mark.parametrize("major", MAJORS)
def test_the_thrown_error_its_message_and_stack_are_on_the_page(major, tmp_path):
    type_, message = printed_exception(crash_of("uncaught", major).stderr)
    dom = _page(triage_json("uncaught", major), tmp_path)
    section = dom.split("Thrown exception", 1)[1].split("JavaScript stack", 1)[0]
    assert f"<th>type</th><td>{type_}</td>" in section
    assert message.replace("'", "&#x27;") in section or message in section
    assert own_stack_top(major) in section  # `at fn (file:line:col)`, Node's own words


def test_a_thrown_value_that_is_not_found_is_said_so_on_the_page(tmp_path):
    # dumps/scenarios/uncaught_number.js throws 42: a Smi, held by no object to check
    crash = run_scenario("uncaught_number", 22, node_flags=("--abort-on-uncaught-exception",))
    result = run_triage(crash.core, "--format", "json")
    assert result.code == 0, result.stderr
    dom = _page(result.json, tmp_path)
    section = dom.split("Thrown exception", 1)[1].split("JavaScript stack", 1)[0]
    assert "not found: no Error object" in section
