"""Fake secrets for the redaction gate, and every encoding an output could leak them in.

The values are fixed (seeded), so the crash they are planted in is made once per machine
and cached like every other test core. They follow the documented public formats, so a
leak of any of them would be a real-world leak.
"""

from __future__ import annotations

import base64
import json
import random
import string
from urllib.parse import quote

_rng = random.Random(20261122)


def _pick(alphabet: str, n: int) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


_ALNUM = string.ascii_letters + string.digits
_JWT = ".".join([
    _b64url(b'{"alg":"HS256","typ":"JWT"}'),
    _b64url(json.dumps({"sub": _pick(string.digits, 9), "name": "Canary " + _pick(_ALNUM, 6)}).encode()),
    _b64url(bytes(_rng.randrange(256) for _ in range(32))),
])

# name in the environment -> value (each value is a canary)
CANARIES: dict[str, str] = {
    "CANARY_PASSWORD": "Tr0ub4dor-" + _pick(_ALNUM, 14),
    "CANARY_GITHUB": "ghp_" + _pick(_ALNUM, 36),
    "CANARY_DB_PASSWORD": _pick(_ALNUM, 18),
    "CANARY_JWT": _JWT,
    "CANARY_STRIPE": "sk_live_" + _pick(_ALNUM, 24),
    "CANARY_AWS_KEY_ID": "AKIA" + _pick(string.ascii_uppercase + "234567", 16),
    "CANARY_AWS_SECRET": _pick(_ALNUM + "/+", 40),
    "CANARY_EMAIL": f"canary.{_pick(string.ascii_lowercase, 8)}@example-corp.com",
}
ARGV_TOKEN = "glpat-" + _pick(_ALNUM, 20)
LOOKALIKES = {
    "LOOKALIKE_UUID": "3f1c9a2e-7b4d-4e21-9c0a-5d8e6f7a1b2c",
    "LOOKALIKE_GIT_SHA": "9fceb02d0ae598e95dc970b74767f19372d61af8",
}


def all_canaries() -> dict[str, str]:
    return {**CANARIES, "ARGV_TOKEN": ARGV_TOKEN}


def encodings(secret: str) -> dict[str, bytes]:
    """Every form in which `secret` could sit in an output, as bytes to search for."""
    raw = secret.encode()
    forms = {
        "raw": raw,
        "utf-16le": secret.encode("utf-16-le"),
        "utf-16be": secret.encode("utf-16-be"),
        "hex": raw.hex().encode(),
        "HEX": raw.hex().upper().encode(),
        "percent": quote(secret, safe="").encode(),
        "json-escaped": json.dumps(secret, ensure_ascii=True)[1:-1].encode(),
        "json-u-escapes": "".join(f"\\u{ord(c):04x}" for c in secret).encode(),
    }
    for offset in range(3):  # base64 of the secret at each alignment, edges trimmed
        for name, encode in (("base64", base64.b64encode), ("base64url", base64.urlsafe_b64encode)):
            encoded = encode(b"\0" * offset + raw).decode()
            start = (offset * 4 + 2) // 3 + 1
            core = encoded[start : len(encoded) - 4]
            if len(core) >= 8:
                forms[f"{name}@{offset}"] = core.encode()
    return forms


def windows(secret: str, width: int = 10) -> list[bytes]:
    return [secret[i : i + width].encode() for i in range(len(secret) - width + 1)]


def leaks(secret: str, output: bytes) -> list[str]:
    """Names of the forms of `secret` found in `output` (empty when nothing leaked)."""
    found = [name for name, form in encodings(secret).items() if form in output]
    found += [f"window {w.decode()!r}" for w in windows(secret) if w in output]
    return found
