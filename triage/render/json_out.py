"""JSON output: the document itself, ASCII-only so no byte can steer a terminal.

Always strict JSON (RFC 8259): Python's `json` writes `Infinity`, `-Infinity` and `NaN` for
non-finite floats, which no JSON parser accepts, and a heap number can be any double. Such
values are written as the strings `"Infinity"`, `"-Infinity"` and `"NaN"` (what JavaScript's
`String(x)` prints); finite values, however large (`1.5e+308`), stay numbers.
"""

from __future__ import annotations

import json
import math
from typing import Any

NON_FINITE = {math.inf: "Infinity", -math.inf: "-Infinity"}


def render_json(document: dict[str, Any]) -> str:
    try:
        text = json.dumps(document, indent=2, ensure_ascii=True, allow_nan=False)
    except ValueError:  # a non-finite float somewhere: rare, so the copy is paid only then
        text = json.dumps(json_safe(document), indent=2, ensure_ascii=True, allow_nan=False)
    return text + "\n"


def json_safe(value: Any) -> Any:
    """A copy of `value` with every non-finite float replaced by its JavaScript spelling."""
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return "NaN" if math.isnan(value) else NON_FINITE[value]
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value
