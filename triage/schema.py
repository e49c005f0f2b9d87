"""The summary's JSON Schema: loading it (with its section files) and validating.

The top-level schema is `schemas/summary.schema.json`; each optional section
contributed by later work lives in `schemas/section-<name>.schema.json` and is
attached under its name here, so a section's owner edits one file.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

SCHEMA_VERSION = "1.0"


@cache
def summary_schema() -> dict:
    base = resources.files("triage") / "schemas"
    schema = json.loads((base / "summary.schema.json").read_text())
    for entry in base.iterdir():
        name = entry.name
        if name.startswith("section-") and name.endswith(".schema.json"):
            section = name[len("section-") : -len(".schema.json")]
            part = json.loads(entry.read_text())
            # its own base URI, so the section's `#/$defs/...` refs resolve inside the section
            part.setdefault("$id", f"https://triage.invalid/schemas/{name}")
            schema["properties"].setdefault(section, part)
    return schema


def validate_summary(document: dict) -> None:
    """Raise jsonschema.ValidationError if the document breaks the schema."""
    import jsonschema  # 0.2-0.4 s to import: only when a document is validated

    jsonschema.validate(document, summary_schema(), cls=jsonschema.Draft202012Validator)
