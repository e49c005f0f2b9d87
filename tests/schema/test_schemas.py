"""The shipped JSON Schemas validate what triage writes using the files alone, as a pipeline
in another language would: each `$ref` resolves to a sibling file by name."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

from tests.batch.conftest import batch, index_lines, scenario
from tests.conftest import REPO, run_triage

SCHEMAS = REPO / "triage" / "schemas"
REPORT = REPO / "tests" / "fixtures" / "reports" / "exception-node20.json"


def _from_sibling_file(uri: str) -> Resource:
    return Resource.from_contents(json.loads((SCHEMAS / uri.rsplit("/", 1)[-1]).read_text()))


def validator(schema_file: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / schema_file).read_text())
    return jsonschema.Draft202012Validator(schema, registry=Registry(retrieve=_from_sibling_file))


@pytest.fixture(scope="module")
def report_summary() -> dict:
    result = run_triage(REPORT, "--format", "json")
    assert result.code == 0, result.stderr
    return result.json


def test_a_real_summary_is_valid(report_summary: dict) -> None:
    validator("summary.schema.json").validate(report_summary)


def test_a_broken_section_fails_the_summary_file_alone(report_summary: dict) -> None:
    broken = copy.deepcopy(report_summary)
    assert isinstance(broken.get("report"), dict)
    broken["report"] = ["not", "an", "object"]
    assert not validator("summary.schema.json").is_valid(broken)


def test_diff_json_follows_the_diff_schema() -> None:
    snapshots = scenario("snap20").snapshots
    result = run_triage("diff", snapshots[0], snapshots[-1], "--format", "json")
    assert result.code == 0, result.stderr
    validator("diff.schema.json").validate(result.json)


def test_batch_results_and_index_lines_follow_their_schemas(tmp_path: Path) -> None:
    inbox, out = tmp_path / "inbox", tmp_path / "out"
    inbox.mkdir()
    (inbox / "report.1.json").write_bytes(REPORT.read_bytes())
    (inbox / "upload.json").write_text("this is not a dump")
    result = batch(inbox, "--out", out)
    assert result.code == 11, result.stderr  # documented: some incidents failed
    results = [json.loads(p.read_text()) for p in out.glob("*.json") if p.name != "groups.json"]
    assert sorted(r["status"] for r in results) == ["failed", "ok"]
    for document in results:
        validator("batch-result.schema.json").validate(document)
    lines = index_lines(out)
    assert len(lines) == 2
    for line in lines:
        validator("index-entry.schema.json").validate(line)
