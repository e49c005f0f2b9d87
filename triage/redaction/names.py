"""Sensitive-name rules: decide from a context name (env var, property, header,
query or flag name) whether its value must be replaced whole.

Names are compared by *word parts*, not substrings, so `DB_PASSWORD`,
`x-api-key` and `sessionToken` match while `authorName`, `tokenizer` and
`bypass` do not. A name matches when the sequence of its parts contains one of
the rule sequences, e.g. ("api", "key") matches `X_API_KEY` and `apiKeyId`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")

# One word part on its own makes a name sensitive.
SENSITIVE_PARTS: frozenset[str] = frozenset(
    {
        "password", "passwd", "pwd", "pass", "passphrase", "passcode",
        "secret", "secrets", "token", "tokens", "apikey", "apikeys",
        "auth", "authorization", "authentication", "credential", "credentials", "creds",
        "privatekey", "session", "sessions", "sessionid", "sessid", "sid", "phpsessid", "jsessionid",
        "cookie", "cookies", "jwt", "bearer", "accesskey", "clientsecret", "signature",
        "sig", "accountkey", "sharedaccesskey", "connectionstring", "dsn", "otp",
        "csrf", "xsrf", "ssn", "pin", "cvv", "cvc",
    }
)

# Part sequences that are sensitive together (each part alone is not).
SENSITIVE_SEQUENCES: tuple[tuple[str, ...], ...] = (
    ("api", "key"), ("private", "key"), ("access", "key"), ("secret", "key"),
    ("client", "secret"), ("master", "key"), ("encryption", "key"), ("signing", "key"),
    ("account", "key"), ("shared", "access", "key"), ("connection", "string"),
    ("card", "number"), ("credit", "card"), ("session", "id"), ("app", "key"),
)

# A single part ending in one of these is sensitive too: `PGPASSWORD`,
# `csrftoken`, `mysqlpwd` (but not `tokenizer`, and not `bypass`).
SENSITIVE_SUFFIXES: tuple[str, ...] = (
    "password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "credentials",
    "privatekey", "accesskey", "sessionid", "cookie",
)

# Weak names: the value is redacted only when it looks like key material
# (high entropy), e.g. `key=...` or a Map entry named `hash`.
WEAK_PARTS: frozenset[str] = frozenset({"key", "keys", "salt", "hmac", "nonce", "seed"})

PHONE_PARTS: frozenset[str] = frozenset({"phone", "tel", "telephone", "mobile", "cell", "fax",
                                         "msisdn", "phonenumber"})

# A number under a name with one of these parts is a card number when it has 12-19 digits.
CARD_PARTS: frozenset[str] = frozenset({"card", "cards", "pan", "ccnum", "cardnumber",
                                        "creditcard", "cc"})

# A number under a name ending in one of these parts is a measure (a count, a size, a
# time), never a secret, even below a sensitive name (`tokenCount`, `sessions.size`).
MEASURE_PARTS: frozenset[str] = frozenset({
    "count", "counts", "size", "length", "len", "bytes", "total", "max", "min", "limit",
    "ttl", "timeout", "expires", "expiry", "age", "index", "idx", "version", "at", "time",
    "ms", "seconds", "sec", "num", "number", "retries", "attempts", "port",
})

# Exact names that look sensitive but are not: the shell's working directory.
NOT_SENSITIVE_EXACT: frozenset[str] = frozenset({"PWD", "OLDPWD"})



def split_name(name: str) -> tuple[str, ...]:
    """Lower-case word parts of a name: `sessionToken` -> ('session', 'token')."""
    parts: list[str] = []
    for chunk in re.split(r"[^A-Za-z0-9]+", name):
        if chunk:
            parts.extend(p.lower() for p in _CAMEL.findall(chunk))
    return tuple(parts)


def _contains(parts: tuple[str, ...], seq: tuple[str, ...]) -> bool:
    n = len(seq)
    return any(parts[i : i + n] == seq for i in range(len(parts) - n + 1))


class NameRules:
    """The sensitive-name decision, extended and restricted by a policy."""

    def __init__(self, extra: Iterable[str] = (), allow: Iterable[str] = ()):
        self.parts = set(SENSITIVE_PARTS)
        self.sequences = list(SENSITIVE_SEQUENCES)
        for name in extra:
            parts = split_name(name)
            if len(parts) == 1:
                self.parts.add(parts[0])
            elif parts:
                self.sequences.append(parts)
            # the joined form too: `customerRef` also matches `customerref`
            if parts:
                self.parts.add("".join(parts))
        self.allow = {split_name(n) for n in allow}
        # A name this rule set can call sensitive, weak or phone contains one of
        # these (case-insensitively): the gate for the in-text `name=value` rule.
        # Each sequence is represented by its longest part.
        longest = {max(reversed(seq), key=len) for seq in self.sequences}
        self.fragments = tuple(sorted(
            self.parts | set(SENSITIVE_SUFFIXES) | WEAK_PARTS | PHONE_PARTS | longest))
        self._cache: dict[str, str] = {}

    def kind(self, name: str | None) -> str:
        """'sensitive', 'weak', 'phone', 'version' or '' for an ordinary name."""
        if not name:
            return ""
        hit = self._cache.get(name)
        if hit is not None:
            return hit
        result = self._kind(name)
        if len(self._cache) < 65536:
            self._cache[name] = result
        return result

    def _kind(self, name: str) -> str:
        parts = split_name(name)
        if not parts or name in NOT_SENSITIVE_EXACT or parts in self.allow:
            return ""
        joined = "".join(parts)
        if any(p in self.parts for p in parts) or joined in self.parts:
            return "sensitive"
        if any(p.endswith(SENSITIVE_SUFFIXES) for p in parts):
            return "sensitive"
        if any(_contains(parts, seq) for seq in self.sequences):
            return "sensitive"
        if any(p in PHONE_PARTS for p in parts):
            return "phone"
        if any(p in WEAK_PARTS for p in parts):
            return "weak"
        if any(p in ("version", "versions") for p in parts):
            return "version"
        return ""

    def is_card(self, name: str | None) -> bool:
        """A name under which a 12-19 digit number is a card number (`card`, `pan`)."""
        return bool(name) and any(p in CARD_PARTS for p in split_name(name or ""))

    def is_measure(self, name: str | None) -> bool:
        """A name whose number is a count, size or time (`tokenCount`), never a secret."""
        parts = split_name(name or "")
        return bool(parts) and parts[-1] in MEASURE_PARTS and not (
            parts[-1] == "number" and any(p in CARD_PARTS | {"phone", "ssn", "account"}
                                          for p in parts))

    def category(self, name: str) -> str:
        """The category reported when a value is replaced because of its name."""
        parts = split_name(name)
        joined = "".join(parts)
        if {"password", "passwd", "pwd", "pass", "passphrase"} & set(parts) or any(
                p.endswith(("password", "passwd", "pwd")) for p in parts):
            return "password"
        if "cookie" in parts or "cookies" in parts:
            return "cookie"
        if joined in ("sid", "connectsid", "sessionid", "phpsessid", "jsessionid", "sessid") \
                or parts[-1:] == ("sid",):
            return "session-id"
        if joined.endswith("accountkey") or joined.endswith("sharedaccesskey"):
            return "azure-storage-key"
        if "ssn" in parts:
            return "ssn"
        if parts == ("sig",):
            return "azure-sas-token"
        if _contains(parts, ("private", "key", "id")):
            return "gcp-private-key-id"
        if "aws" in parts and ("secret" in parts or _contains(parts, ("access", "key"))):
            return "aws-secret-key"
        return "sensitive-name"
