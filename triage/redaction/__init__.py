"""Redaction: the one stage every string read from a dump passes before output.

Public API (see docs/redaction.md):

* `Redactor(policy=None, *, key=None, enabled=True)` with `redact_text`,
  `redact_document`, `redact_argv`, `redact_strings`, `stats`, `section()`
  and `Redactor.disabled()` for `--no-redact`;
* `Policy.load(path)` for the TOML policy file.
"""

from triage.redaction.engine import NO_REDACT_WARNING, PLACEHOLDER, Redactor
from triage.redaction.names import NameRules, split_name
from triage.redaction.policy import Policy

__all__ = ["NO_REDACT_WARNING", "PLACEHOLDER", "NameRules", "Policy", "Redactor", "split_name"]
