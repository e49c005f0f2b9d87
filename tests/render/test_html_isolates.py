"""The HTML page of a core with a running Worker says what the text page says: that the core
holds two isolates and the tables are the main one's, the Worker's own heap and suspects, and
for a query, which isolate each answer row comes from (dumps/scenarios/leak_worker.js:
`WorkerLeak` lives only in the Worker). Checked in the DOM headless Chromium builds."""

from __future__ import annotations

import pytest

from dumps.crash import run_scenario
from tests.conftest import run_triage
from tests.render.test_html_report import rendered_dom

WORKER = "worker 1 leak_worker.js"


@pytest.fixture(scope="module")
def dom(tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("html_isolates")
    page = tmp / "worker.html"
    crash = run_scenario("leak_worker", 26)
    result = run_triage(crash.core_path, "--no-llnode", "--retainers", "WorkerLeak",
                        "--instances", "WorkerLeak", "--format", "html", "-o", page)
    assert result.code == 0, result.stderr
    return rendered_dom(page, tmp)[0]


def test_the_first_table_says_the_core_holds_two_isolates_and_which_is_shown(dom):
    facts = dom.split("</table>", 1)[0]
    assert f"<th>isolates</th><td>2: main (shown below), {WORKER} (1 leak suspect, first: " \
        "WorkerLeak" in facts


def test_the_workers_own_heap_and_suspect_have_a_section(dom):
    section = dom.split("Other isolates (1; everything above is the main isolate", 1)[1]
    section = section.split("</pre>", 1)[0]
    assert WORKER in section and "WorkerLeak" in section and "MainLeak" not in section


def test_every_retainers_row_names_the_isolate_it_was_found_in(dom):
    section = dom.split("Why is it alive: WorkerLeak", 1)[1].split("<pre>", 1)[1]
    section = section.split("</pre>", 1)[0]
    rows = [line for line in section.splitlines() if " WorkerLeak 0x" in line]
    assert rows and all(line.startswith(f"  [{WORKER}] WorkerLeak 0x") for line in rows)


def test_instances_are_listed_per_isolate(dom):
    section = dom.split("Instances of WorkerLeak", 1)[1].split("</pre>", 1)[0]
    assert "  [main] none" in section
    assert f"  [{WORKER}] 0x" in section
