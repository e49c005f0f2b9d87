"""Hostile-input tests: every crafted input ends in a result or one line with exit 4/5."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

# The three property tests share the minute CI gives them; `TRIAGE_FUZZ_EXAMPLES` runs
# more locally (e.g. 5000) without changing the suite.
settings.register_profile(
    "hostile",
    max_examples=int(os.environ.get("TRIAGE_FUZZ_EXAMPLES", "150")),
    deadline=None,
    database=None,  # no .hypothesis/ in the checkout; a failure prints its example
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
