"""The redaction policy file: a TOML file (read with the stdlib `tomllib`) that
adds sensitive names and patterns, and allows values and names that must
survive. It can only *add* rules or allow specific things; it cannot switch
redaction off (that is the separate, local-only `--no-redact`).

    [names]
    sensitive = ["customer_ref", "x-tenant-secret"]   # word-part name rules
    allow = ["token_type"]                              # names never sensitive

    [[patterns]]                                        # extra value detectors
    category = "ticket-id"
    regex = "TICKET-[0-9]{6}"

    [allow]
    values = ['ops@example\\.com']                      # regexes a finding must fullmatch

    [detectors]
    ip = false                                          # ipv4, ipv6, mac-address
    disable = ["phone"]                                 # other categories to switch off
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from triage.errors import InputUnreadable, InputUnrecognized
from triage.redaction.detectors import FORMAT_CATEGORIES, IP_CATEGORIES, ExtraRule

_CATEGORY = re.compile(r"[a-z][a-z0-9-]{0,39}\Z")
_KNOWN = {
    "names": {"sensitive", "allow"},
    "patterns": None,
    "allow": {"values"},
    "detectors": {"ip", "disable"},
}
_DISABLEABLE = frozenset(FORMAT_CATEGORIES)


@dataclass(frozen=True)
class Policy:
    """What a policy file adds to the built-in rules."""

    file: str | None = None
    sensitive_names: tuple[str, ...] = ()
    allow_names: tuple[str, ...] = ()
    patterns: tuple[ExtraRule, ...] = ()
    allow_values: tuple[str, ...] = ()
    ip: bool = True
    disabled: tuple[str, ...] = field(default=())

    @property
    def rules_added(self) -> int:
        return len(self.sensitive_names) + len(self.patterns)

    @property
    def allows_added(self) -> int:
        return len(self.allow_names) + len(self.allow_values)

    @property
    def disabled_categories(self) -> frozenset[str]:
        return frozenset(self.disabled) | (frozenset() if self.ip else frozenset(IP_CATEGORIES))

    def describe(self) -> dict[str, Any]:
        """The `policy` part of the redaction section: file name and counts only."""
        return {"file": self.file, "rules_added": self.rules_added,
                "allows_added": self.allows_added}

    @classmethod
    def load(cls, path: str | Path) -> Policy:
        """Read and check a policy file; any problem is one InputUnrecognized line."""
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise InputUnreadable(f"cannot read policy file {path}: {exc.strerror}") from None
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise InputUnrecognized(f"policy file {path} is not valid TOML: {exc}") from None
        try:
            return cls.from_dict(data, file=path.name)
        except ValueError as exc:
            raise InputUnrecognized(f"policy file {path}: {exc}") from None

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, file: str | None = None) -> Policy:
        """Build a policy from parsed TOML; ValueError names the first problem."""
        for key, value in data.items():
            if key not in _KNOWN:
                raise ValueError(f"unknown section [{key}]")
            allowed = _KNOWN[key]
            if allowed is not None:
                if not isinstance(value, dict):
                    raise ValueError(f"[{key}] must be a table")
                unknown = set(value) - allowed
                if unknown:
                    raise ValueError(f"unknown key {key}.{sorted(unknown)[0]}")
        names = data.get("names", {})
        allow = data.get("allow", {})
        det = data.get("detectors", {})
        patterns = []
        raw_patterns = data.get("patterns", [])
        if not isinstance(raw_patterns, list):
            raise ValueError("patterns must be an array of tables [[patterns]]")
        for i, p in enumerate(raw_patterns):
            if not isinstance(p, dict) or set(p) != {"category", "regex"}:
                raise ValueError(f"patterns[{i}] needs exactly `category` and `regex`")
            if not isinstance(p["category"], str) or not _CATEGORY.match(p["category"]):
                raise ValueError(f"patterns[{i}].category must match [a-z][a-z0-9-]*")
            patterns.append(ExtraRule(p["category"], _regex(p["regex"], f"patterns[{i}].regex")))
        allow_values = tuple(_regex(v, "allow.values") for v in _strings(allow, "values"))
        ip = det.get("ip", True)
        if not isinstance(ip, bool):
            raise ValueError("detectors.ip must be true or false")
        disabled = _strings(det, "disable")
        for cat in disabled:
            if cat not in _DISABLEABLE:
                raise ValueError(f"detectors.disable: unknown category {cat!r}")
        return cls(
            file=file,
            sensitive_names=_strings(names, "sensitive"),
            allow_names=_strings(names, "allow"),
            patterns=tuple(patterns),
            allow_values=allow_values,
            ip=ip,
            disabled=disabled,
        )


def _strings(table: dict[str, Any], key: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ValueError(f"{key} must be a list of non-empty strings")
    return tuple(value)


def _regex(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where} must be a non-empty string")
    try:
        compiled = re.compile(value)
    except re.error as exc:
        raise ValueError(f"{where}: bad regex {value!r}: {exc}") from None
    if compiled.groupindex:
        raise ValueError(f"{where}: named groups are not allowed in {value!r}")
    if compiled.fullmatch(""):
        raise ValueError(f"{where}: regex {value!r} matches the empty string")
    return value
