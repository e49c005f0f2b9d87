"""The JSON Schemas of what triage writes, and validation against them.

Every schema file in `schemas/` has an `$id` under `https://triage.invalid/schemas/` equal
to its file name, and refers to the others by relative `$ref` (`section-report.schema.json`),
so a validator in any language resolves them as sibling files:

* `summary.schema.json`: one incident's summary; each optional section lives in
  `section-<name>.schema.json` and is `$ref`'d from the summary's `properties`.
* `diff.schema.json`: the `triage diff` document.
* `batch-result.schema.json`: `<incident>.json` in a batch / worker results directory.
* `index-entry.schema.json`: one line of `index.jsonl`.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

SCHEMA_VERSION = "1.0"
BASE_URI = "https://triage.invalid/schemas/"


@cache
def _registry() -> Any:
    from referencing import Registry, Resource  # jsonschema's: imported only when validating

    resources_ = []
    for entry in (resources.files("triage") / "schemas").iterdir():
        if entry.name.endswith(".schema.json"):
            contents = json.loads(entry.read_text())
            resources_.append((BASE_URI + entry.name, Resource.from_contents(contents)))
    return Registry().with_resources(resources_)


@cache
def _validator(name: str) -> Any:
    import jsonschema  # 0.2-0.4 s to import: only when a document is validated

    schema = _registry().contents(BASE_URI + name)
    return jsonschema.Draft202012Validator(schema, registry=_registry())


def validate(document: Any, schema_file: str) -> None:
    """Raise jsonschema.ValidationError if `document` breaks `schemas/<schema_file>`."""
    import jsonschema

    error = jsonschema.exceptions.best_match(_validator(schema_file).iter_errors(document))
    if error is not None:
        raise error


def validate_summary(document: dict) -> None:
    """Raise jsonschema.ValidationError if the summary breaks the schema."""
    validate(document, "summary.schema.json")
