"""JSON output: the document itself, ASCII-only so no byte can steer a terminal."""

from __future__ import annotations

import json
from typing import Any


def render_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=True) + "\n"
