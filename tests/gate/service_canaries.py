"""The secrets of the canary service (dumps/scenarios/canary_service.js) and where they go.

Everything is seeded, so the service's crash is made once per machine per Node version and
cached like every other test core. Each secret follows its vendor's public format, so a leak
of any of them would be a real-world leak. `SECRETS` maps a label to the exact text that
must never appear in an output (raw or encoded, see canaries.leaks); numbers the service
stores as JS numbers are in `NUMBERS`, searched in their printed forms too.
"""

from __future__ import annotations

import json
import random
import string
import uuid

_rng = random.Random(20261201)
_ALNUM = string.ascii_letters + string.digits
_HEX = "0123456789abcdef"


def _pick(alphabet: str, n: int) -> str:
    return "".join(_rng.choice(alphabet) for _ in range(n))


def _luhn_card(prefix: str, length: int) -> str:
    body = prefix + _pick(string.digits, length - len(prefix) - 1)
    total = 0
    for i, ch in enumerate(reversed(body + "0")):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


def _pem(kind: str, n_lines: int) -> tuple[str, list[str]]:
    lines = [_pick(_ALNUM + "+/", 64) for _ in range(n_lines)] + [_pick(_ALNUM + "+/", 40) + "=="]
    text = f"-----BEGIN {kind}-----\n" + "\n".join(lines) + f"\n-----END {kind}-----\n"
    return text, lines


AWS_KEY_ID = "AKIA" + _pick(string.ascii_uppercase + "234567", 16)
AWS_SECRET = _pick(_ALNUM + "/+", 40)
DD_API_KEY = _pick(_HEX, 32)
HEROKU_API_KEY = str(uuid.UUID(int=_rng.getrandbits(128), version=4))
MAILGUN_KEY = "key-" + _pick(_HEX, 32)
TWILIO_SID = "AC" + _pick(_HEX, 32)
TWILIO_TOKEN = _pick(_HEX, 32)
SENTRY_KEY = _pick(_HEX, 32)
DB_PASSWORD = _pick(_ALNUM, 20)
SESSION_SECRET = _pick(_ALNUM, 24)
ARGV_DB_PASSWORD = "Pw-" + _pick(_ALNUM, 16)
ARGV_ADMIN_TOKEN = _pick(_ALNUM, 28)

BEARER = _pick(_ALNUM, 40)  # opaque: no vendor format, only its header says what it is
SID = "s:" + _pick(_ALNUM + "-_", 32) + "." + _pick(_ALNUM + "+/", 43)
API_KEY = _pick(_ALNUM, 32)
CSRF = _pick(_ALNUM + "-_", 36)
PASSWORD = "Hunter2-" + _pick(_ALNUM, 12)
CARD = _luhn_card("4539", 16)  # Visa; below 2**53, so exact as a JS number
CARD_TEXT = " ".join(CARD[i : i + 4] for i in range(0, 16, 4))
SSN = f"{_rng.randrange(100, 665)}-{_rng.randrange(10, 99)}-{_rng.randrange(1000, 9999)}"
PHONE_DIGITS = "415" + str(_rng.randrange(2000000, 9999999))
PHONE = f"+1 {PHONE_DIGITS[:3]}-{PHONE_DIGITS[3:6]}-{PHONE_DIGITS[6:]}"
EMAIL = f"jane.{_pick(string.ascii_lowercase, 8)}@customer-mail.com"
TLS_KEY, TLS_LINES = _pem("RSA PRIVATE KEY", 6)
SSH_KEY, SSH_LINES = _pem("OPENSSH PRIVATE KEY", 5)

ENV: dict[str, str] = {
    "AWS_ACCESS_KEY_ID": AWS_KEY_ID,
    "AWS_SECRET_ACCESS_KEY": AWS_SECRET,
    "DD_API_KEY": DD_API_KEY,
    "HEROKU_API_KEY": HEROKU_API_KEY,
    "MAILGUN_API_KEY": MAILGUN_KEY,
    "TWILIO_ACCOUNT_SID": TWILIO_SID,
    "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
    "SENTRY_DSN": f"https://{SENTRY_KEY}@o{_rng.randrange(100000, 999999)}.ingest.sentry.io/4507",
    "DATABASE_URL": f"postgres://orders:{DB_PASSWORD}@db.internal:5432/orders",
    "SESSION_SECRET": SESSION_SECRET,
    "NODE_ENV": "production",
    "CLIENT_FIXTURE": json.dumps({
        "bearer": BEARER, "sid": SID, "apiKey": API_KEY,
        "body": {"email": EMAIL, "password": PASSWORD, "csrf": CSRF, "ssn": SSN, "phone": PHONE,
                 "payment": {"cardNumber": CARD_TEXT, "expiry": "12/29"},
                 "tlsKey": TLS_KEY, "deployKey": SSH_KEY},
    }),
}
ARGS = (f"--db-password={ARGV_DB_PASSWORD}", "--admin-token", ARGV_ADMIN_TOKEN, "--port=0")

SECRETS: dict[str, str] = {
    "aws key id": AWS_KEY_ID, "aws secret": AWS_SECRET, "datadog key": DD_API_KEY,
    "heroku key": HEROKU_API_KEY, "mailgun key": MAILGUN_KEY, "twilio sid": TWILIO_SID,
    "twilio token": TWILIO_TOKEN, "sentry dsn key": SENTRY_KEY, "db password": DB_PASSWORD,
    "session secret": SESSION_SECRET, "argv password": ARGV_DB_PASSWORD,
    "argv token": ARGV_ADMIN_TOKEN, "bearer token": BEARER, "session id": SID[2:34],
    "session signature": SID[35:], "api key header": API_KEY, "csrf token": CSRF,
    "password": PASSWORD, "card": CARD, "card text": CARD_TEXT, "ssn": SSN, "phone": PHONE,
    "email": EMAIL,
    **{f"tls key line {i}": line for i, line in enumerate(TLS_LINES)},
    **{f"ssh key line {i}": line for i, line in enumerate(SSH_LINES)},
}
# Stored by the service as JS numbers: searched as digits and as a float prints them.
NUMBERS: dict[str, int] = {
    "card as number": int(CARD),
    "ssn as number": int(SSN.replace("-", "")),
    "phone as number": int(PHONE_DIGITS),
}
# Classes of the objects that hold the secrets (for --instances, --inspect and --retainers).
HOLDERS = ("ServiceConfig", "RequestRecord", "SessionStore", "Session", "Customer", "KeyRing")
