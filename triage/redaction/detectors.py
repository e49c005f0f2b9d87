"""Value detectors: find secret spans inside a string whatever its context.

Written from the public descriptions of each format (vendor docs for token
prefixes, RFC 7519 for JWT, RFC 7468 for PEM, ISO 13616 for IBAN, ISO/IEC 7812
for card numbers). Speed comes from how the rules are grouped, because most
strings are short identifiers and numbers that must cost almost nothing:

* all vendor formats are one combined regex whose alternatives each start with
  a literal (`eyJ`, `AKIA`, `ghp_`...), so `re` jumps between candidate
  positions in C;
* numbers (cards, IPv4) are one regex that starts with a digit;
* e-mail and URL credentials are found from their anchors (`@`, `://`);
* `name=value` assignments run only when a sensitive keyword is present.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from triage.redaction.names import NameRules

# What the redactor writes in place of a secret (engine.py); inert to every detector.
PLACEHOLDER = re.compile(r"\[REDACTED:[a-z0-9-]+:[0-9a-f]{8}\]")

Span = tuple[int, int, str]  # [start, end) and category

# Higher wins when two findings overlap (the merged span takes its category).
PRIORITY: dict[str, int] = {
    "private-key": 90, "jwt": 80, "slack-webhook": 80, "url-credentials": 70,
    "bearer-token": 60, "basic-auth": 60, "card-number": 55, "iban": 55,
    "email": 40, "phone": 35, "ipv4": 30, "ipv6": 30, "mac-address": 30,
    "password": 20, "cookie": 20, "session-id": 20, "ssn": 20, "sensitive-name": 10,
    "opaque-key": 5, "high-entropy": 5,
}
VENDOR_PRIORITY = 85  # vendor token formats, and policy patterns

IP_CATEGORIES = ("ipv4", "ipv6", "mac-address")


def _lit(prefix: str, tail: str, *, end: str = r"(?![A-Za-z0-9_])") -> str:
    """A token that starts with a literal: the word-boundary check comes *after*
    the literal, so `re` can jump straight to the literal when searching."""
    p = re.escape(prefix)
    return f"{p}(?<![A-Za-z0-9_]{p}){tail}{end}"


_AWS_PREFIXES = ("AKIA", "ASIA", "ABIA", "ACCA", "AGPA", "AIDA", "AIPA", "ANPA", "ANVA", "AROA",
                 "APKA", "ASCA")
_PEM = (r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----"
        r"(?:[A-Za-z0-9+/=\s:,.()-]|\\[nrt]){0,20000}?"
        r"(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|(?=[^A-Za-z0-9+/=\s:,.()\\-]|\Z))")

# Vendor formats: (category, alternatives). Every alternative starts with a
# literal, which keeps the combined regex fast.
VENDOR_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("private-key", (_PEM,)),
    ("jwt", (_lit("eyJ", r"[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*",
                  end=r"(?![A-Za-z0-9_.-])"),)),
    ("anthropic-key", (_lit("sk-ant-", "[A-Za-z0-9_-]{20,}", end=""),)),
    ("openai-key", (_lit("sk-", "(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}", end=""),)),
    ("twilio-key", (_lit("AC", "[0-9a-f]{32}"), _lit("SK", "[0-9a-f]{32}"))),
    ("mailgun-key", (_lit("key-", "[0-9a-f]{32}"),)),
    ("aws-access-key-id", tuple(_lit(p, "[A-Z0-9]{16}") for p in _AWS_PREFIXES)),
    ("google-api-key", (_lit("AIza", "[0-9A-Za-z_-]{35}", end=r"(?![A-Za-z0-9_-])"),)),
    ("github-token", tuple(_lit(f"gh{c}_", "[A-Za-z0-9]{36,251}") for c in "pousr")
     + (_lit("github_pat_", "[A-Za-z0-9_]{22,255}"),)),
    ("gitlab-token", (_lit("glpat-", "[A-Za-z0-9_-]{20,64}", end=r"(?![A-Za-z0-9_-])"),)),
    ("slack-webhook", (r"https://hooks\.slack\.com/(?:services|workflows|triggers)/"
                       r"[A-Za-z0-9_/+-]{8,}",)),
    ("slack-token", (_lit("xox", "[abposr]-[A-Za-z0-9-]{10,250}", end=r"(?![A-Za-z0-9-])"),
                     _lit("xapp-", r"\d-[A-Za-z0-9-]{10,250}", end=r"(?![A-Za-z0-9-])"))),
    ("stripe-key", (_lit("sk_", "(?:live|test)_[A-Za-z0-9]{10,247}"),
                    _lit("rk_", "(?:live|test)_[A-Za-z0-9]{10,247}"),
                    _lit("whsec_", "[A-Za-z0-9+/=]{20,100}"))),
    ("sendgrid-key", (_lit("SG.", r"[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64}",
                           end=r"(?![A-Za-z0-9_-])"),)),
    ("npm-token", (_lit("npm_", "[A-Za-z0-9]{36}"),)),
    ("pypi-token", (_lit("pypi-AgEIcHlwaS5vcmc", "[A-Za-z0-9_-]{50,}", end=""),)),
    ("azure-storage-key", tuple(f"{k}=[A-Za-z0-9+/]{{20,}}={{0,2}}" for k in (
        "AccountKey", "accountkey", "ACCOUNTKEY", "SharedAccessKey", "sharedaccesskey"))),
    ("azure-sas-token", (r"sig=(?<=[?&]sig=)[A-Za-z0-9%+/=]{16,}",)),
    ("bearer-token", tuple(rf"{w}(?<![A-Za-z0-9_]{w})[ \t]+[A-Za-z0-9._~+/-]{{8,}}=*"
                           for w in ("Bearer", "bearer", "BEARER"))),
    ("basic-auth", tuple(rf"{w}(?<![A-Za-z0-9_]{w})[ \t]+[A-Za-z0-9+/]{{6,}}={{0,2}}"
                         for w in ("Basic", "basic", "BASIC"))),
)
VENDOR = "|".join(alt for _, alts in VENDOR_RULES for alt in alts)

# Numbers: a card (13-19 digits, one kind of separator) or a dotted quad. Both
# start with a digit, which is what lets `re` skip everything else quickly.
DIGITS = (r"\d(?:(?<![\w.+-]\d)(?:[ -]?\d){12,18}(?![\w.-]|[ -]\d)"
          r"|(?<![\w.-]\d)(?<![A-Za-z]/\d)\d{0,2}(?:\.\d{1,3}){3}(?![\w-]|\.\w))")
PHONE_E164 = r"\+(?<![\w+]\+)[1-9]\d{0,3}(?:[ .-]?\(?\d{1,5}\)?){1,6}(?![\w.-]|[ -]\d)"
IBAN = r"[A-Z](?<![\w][A-Z])[A-Z]\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?(?![\w])"
MAC = r"[0-9A-Fa-f]{2}(?<![\w:-]..)([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}(?![\w:-])"
IPV6 = (r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|\d{1,3}(?:\.\d{1,3}){3})?"
        r"(?:%[A-Za-z0-9_.-]+)?(?![\w:]|\.\w)")
EMAIL_DOMAIN = r"@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*\.[A-Za-z]{2,24}(?![A-Za-z0-9_-])"
USERINFO = (r"[^\s/?#@:\"'<>\x00]*:[^\s/@\"'<>\x00]+(?=@)"
            r"|[A-Za-z0-9_~.%-]{16,}(?=@)")  # a token as the user name: a Sentry DSN key
_EMAIL_LOCAL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-")

FORMAT_CATEGORIES: tuple[str, ...] = tuple(c for c, _ in VENDOR_RULES) + (
    "url-credentials", "email", "phone", "card-number", "iban", "ipv4", "ipv6", "mac-address",
)

# `name = value`, `name: value`, `"name": "value"` inside free text.
ASSIGNMENT = re.compile(
    r"(?<![\w$.])([\"']?)([A-Za-z_$][\w$.-]{0,63})\1[ \t]*(?::(?![:/])|=(?![=>]))[ \t]*"
)
_UNQUOTED_VALUE = re.compile(r"[^\s;,&\"'<>\x00)}\]]+")
# Under a sensitive name closing brackets do not end the value: `pa(ss)word`.
_UNQUOTED_SECRET = re.compile(r"[^\s;,&\"'<>\x00]+")
# Unquoted in-text values that are code or empty markers, not data.
_CODE_WORDS = frozenset({"null", "undefined", "true", "false", "none", "nil", "this", "new",
                         "await", "function", "require", "process.env"})
_TO_EOL = re.compile(r"[^\r\n\x00]+")

_HEX = frozenset("0123456789abcdefABCDEF")
_B64 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=_-")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")
_FILE_TLDS = frozenset(
    "js mjs cjs ts tsx jsx json map png jpg jpeg gif svg webp css scss html htm md txt node "
    "wasm lock log yml yaml toml xml ico py sh".split()
)
_KEEP_IPS = frozenset({"127.0.0.1", "0.0.0.0", "::1", "::", "255.255.255.255"})

# IBAN length per country (ISO 13616 registry, public).
IBAN_LENGTHS: dict[str, int] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MR": 27, "MT": 31, "MU": 30,
    "NL": 18, "NO": 15, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
    "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "ST": 25, "SV": 28,
    "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
}


# ----------------------------------------------------------------------------- validators

def luhn_ok(digits: str) -> bool:
    """ISO/IEC 7812 check digit."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_brand_ok(digits: str) -> bool:
    """Issuer prefix and length of the major networks, so random Luhn-valid
    numbers (timestamps, ids) are not taken for cards."""
    n = len(digits)
    if digits[0] == "4":
        return n in (13, 16, 19)
    two, four = int(digits[:2]), int(digits[:4])
    if 51 <= two <= 55 or 2221 <= four <= 2720:
        return n == 16
    if two in (34, 37):
        return n == 15
    if two in (36, 38, 39) or 300 <= int(digits[:3]) <= 305:
        return 14 <= n <= 19
    if digits.startswith(("6011", "65", "62")) or 644 <= int(digits[:3]) <= 649:
        return 16 <= n <= 19
    if 3528 <= four <= 3589:
        return 16 <= n <= 19
    return False


def iban_ok(compact: str) -> bool:
    """ISO 13616 mod-97 check on an IBAN without spaces."""
    if IBAN_LENGTHS.get(compact[:2]) != len(compact):
        return False
    moved = compact[4:] + compact[:4]
    return int("".join(str(int(c, 36)) for c in moved)) % 97 == 1


def _b64url_json(part: str) -> object:
    try:
        raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        return json.loads(raw)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


def jwt_ok(token: str) -> bool:
    header = _b64url_json(token.split(".", 1)[0])
    return isinstance(header, dict) and "alg" in header


def basic_ok(value: str) -> bool:
    try:
        raw = base64.b64decode(value + "=" * (-len(value) % 4), validate=True)
    except (ValueError, binascii.Error):
        return False
    return b":" in raw and all(32 <= b < 127 for b in raw)


def shannon_entropy(s: str) -> float:
    n = len(s)
    return -sum(c / n * math.log2(c / n) for c in Counter(s).values()) if n else 0.0


def looks_high_entropy(value: str) -> bool:
    """Key material: long, from a base64/hex alphabet, random-looking, and not a
    known-harmless shape (UUID, path, word)."""
    if len(value) < 20 or _UUID.match(value):
        return False
    chars = set(value)
    if chars <= _HEX:
        return shannon_entropy(value) >= 3.0
    if chars <= _B64:
        if value.isalpha() and (value.islower() or value.isupper()):
            return False
        return shannon_entropy(value) >= 4.0
    return False


def _ip_keep(addr: str) -> bool:
    """Loopback, unspecified and netmask addresses carry nothing personal."""
    if addr in _KEEP_IPS:
        return True
    try:
        ip = ipaddress.ip_address(addr.split("%", 1)[0])
    except ValueError:
        return True  # not an address at all: keep the text
    if ip.is_loopback or ip.is_unspecified:
        return True
    bits = int(ip)
    width = ip.max_prefixlen
    inverted = ~bits & ((1 << width) - 1)
    return bits != 0 and (inverted & (inverted + 1)) == 0  # 1...10...0: a netmask


# ----------------------------------------------------------------------------- scanner

@dataclass(frozen=True)
class ExtraRule:
    category: str
    regex: str


class Scanner:
    """All value detectors of one policy, compiled once."""

    # A string shorter than this cannot hold any finding (`a@b.co`, `fe80::1`).
    MIN_LEN = 6

    def __init__(
        self,
        names: NameRules,
        *,
        extra: Iterable[ExtraRule] = (),
        allow_values: Iterable[str] = (),
        disabled: Iterable[str] = (),
    ):
        self.names = names
        self.disabled = frozenset(disabled)
        rules = [(c, alts) for c, alts in VENDOR_RULES if c not in self.disabled]
        self._vendor = re.compile("|".join(a for _, alts in rules for a in alts)) if rules else None
        self._vendor_each = [(c, re.compile(a)) for c, alts in rules for a in alts]
        self._digits = re.compile(DIGITS)
        self._phone = re.compile(PHONE_E164)
        self._iban = re.compile(IBAN)
        self._mac = re.compile(MAC)
        self._ipv6 = re.compile(IPV6)
        self._email_domain = re.compile(EMAIL_DOMAIN)
        self._userinfo = re.compile(USERINFO)
        self._keywords = re.compile("|".join(map(re.escape, sorted(names.fragments))))
        extra = list(extra)
        self.has_extra = bool(extra)
        self._extra_cat = {f"x{i}": r.category for i, r in enumerate(extra)}
        self._extra = (
            re.compile("|".join(f"(?P<x{i}>{r.regex})" for i, r in enumerate(extra)))
            if extra else None
        )
        allow = list(allow_values)
        self._allow = re.compile("|".join(f"(?:{a})" for a in allow)) if allow else None

    def find(self, text: str, *, name_kind: str = "") -> list[Span]:
        """Secret spans in `text`, merged where they overlap, in text order. Placeholders of
        an earlier pass are inert: the text between them is scanned piece by piece, so a
        second pass (re-rendering a stored result) never swallows one into a larger match
        such as `postgres://[REDACTED:…]@host`."""
        if "[REDACTED:" not in text:
            return self._find_plain(text, name_kind)
        spans: list[Span] = []
        start = 0
        for m in [*PLACEHOLDER.finditer(text), None]:
            end = m.start() if m else len(text)
            if end > start:
                found = self._find_plain(text[start:end], name_kind)
                spans += [(s + start, e + start, c) for s, e, c in found]
            start = m.end() if m else end
        return spans

    def _find_plain(self, text: str, name_kind: str) -> list[Span]:
        spans: list[Span] = []
        if self._extra is not None:
            for m in self._extra.finditer(text):
                if m.end() > m.start():
                    spans.append((m.start(), m.end(), self._extra_cat[m.lastgroup or ""]))
        n = len(text)
        if n >= self.MIN_LEN and not (n < 20 and (text.isalpha() or text.isdigit() and n < 13)):
            self._find_formats(text, spans, ip=name_kind != "version")
            if ("=" in text or ":" in text) and self._keywords.search(text.lower()):
                self._find_assignments(text, spans)
        if name_kind == "weak" and (looks_high_entropy(text.strip()) or _UUID.match(text.strip())):
            start = len(text) - len(text.lstrip())
            spans.append((start, start + len(text.strip()), "high-entropy"))
        if name_kind == "phone" and "phone" not in self.disabled:
            for m in _LOOSE_PHONE.finditer(text):
                if 7 <= sum(c.isdigit() for c in m.group()) <= 15:
                    spans.append((m.start(), m.end(), "phone"))
        if not spans:
            return spans
        if self._allow is not None:
            spans = [s for s in spans if not self._allow.fullmatch(text, s[0], s[1])]
        return merge(spans, text)

    # ------------------------------------------------------------------ formats

    def _find_formats(self, text: str, spans: list[Span], *, ip: bool) -> None:
        off = self.disabled
        if self._vendor is not None:
            self._search(self._vendor, text, spans, self._classify_vendor)
        self._search(self._digits, text, spans, _classify_digits)
        if "+" in text and "phone" not in off:
            self._search(self._phone, text, spans,
                         lambda t, s, e: (s, e, "phone") if _phone_ok(t[s:e]) else None)
        if "iban" not in off:
            self._search(self._iban, text, spans, _classify_iban)
        if ":" in text or "-" in text:
            if ip and "mac-address" not in off and (text.count(":") >= 5 or text.count("-") >= 5):
                self._search(self._mac, text, spans,
                             lambda t, s, e: (s, e, "mac-address") if _mac_ok(t[s:e]) else None)
            if ip and "ipv6" not in off and ("::" in text or text.count(":") >= 7):
                self._search(self._ipv6, text, spans,
                             lambda t, s, e: (s, e, "ipv6") if _ipv6_ok(t[s:e]) else None)
        if "@" in text:
            if "url-credentials" not in off and "://" in text:
                pos = text.find("://")
                while pos != -1:
                    m = self._userinfo.match(text, pos + 3)
                    if m and m.end() > m.start():
                        spans.append((m.start(), m.end(), "url-credentials"))
                    pos = text.find("://", pos + 3)
            if "email" not in off:
                self._find_emails(text, spans)
        if not ip or off:
            spans[:] = [s for s in spans if s[2] not in off and (ip or s[2] not in IP_CATEGORIES)]

    @staticmethod
    def _search(rx: re.Pattern, text: str, spans: list[Span], classify) -> None:
        """Search loop that retries one character later when a match is rejected."""
        pos, n = 0, len(text)
        while pos < n:
            m = rx.search(text, pos)
            if m is None:
                return
            found = classify(text, m.start(), m.end())
            if found is not None:
                spans.append(found)
                pos = m.end()
            else:
                pos = m.start() + 1

    def _classify_vendor(self, text: str, start: int, end: int) -> Span | None:
        for category, rx in self._vendor_each:
            m = rx.match(text, start)
            if m is None or m.end() != end:
                continue
            value = text[start:end]
            if category == "jwt" and not jwt_ok(value):
                return None
            if category == "private-key" and not _has_key_body(value):
                return None  # a BEGIN line alone is a marker, not key material
            if category in ("openai-key", "anthropic-key") and not _mixed(value):
                return None
            if category in ("bearer-token", "basic-auth"):
                token = value.split(None, 1)[1]
                if category == "bearer-token" and token.isalpha():
                    return None
                if category == "basic-auth" and not basic_ok(token):
                    return None
                return (end - len(token), end, category)  # keep the scheme word
            if category in ("azure-storage-key", "azure-sas-token"):
                return (text.index("=", start) + 1, end, category)
            return (start, end, category)
        return None

    def _find_emails(self, text: str, spans: list[Span]) -> None:
        at = text.find("@")
        while at != -1:
            m = self._email_domain.match(text, at)
            if m is not None:
                start = at
                while start > 0 and at - start < 64 and text[start - 1] in _EMAIL_LOCAL:
                    start -= 1
                while start < at and not text[start].isalnum():
                    start += 1
                before = text[start - 1] if start else ""
                boundary = not before or before not in ":/@" or text.endswith("mailto:", 0, start)
                if start < at and boundary and _email_ok(text[start : m.end()]):
                    spans.append((start, m.end(), "email"))
            at = text.find("@", at + 1)

    # ------------------------------------------------------------------ assignments

    def _find_assignments(self, text: str, spans: list[Span]) -> None:
        for m in ASSIGNMENT.finditer(text):
            name = m.group(2)
            kind = self.names.kind(name)
            if kind not in ("sensitive", "weak", "phone"):
                continue
            start = m.end()
            if start >= len(text):
                continue
            quote = text[start] if text[start] in "\"'" else ""
            if quote:
                close = text.find(quote, start + 1)
                stop = text.find("\n", start + 1)
                end = close if close != -1 and (stop == -1 or close < stop) else \
                    (stop if stop != -1 else len(text))
                start += 1
            else:
                lower = name.lower()
                whole_line = lower.endswith(("cookie", "authorization"))
                rx = _TO_EOL if whole_line else (
                    _UNQUOTED_SECRET if kind == "sensitive" else _UNQUOTED_VALUE)
                vm = rx.match(text, start)
                if vm is None:
                    continue
                end = vm.end()
                if not whole_line and (vm.group().lower() in _CODE_WORDS
                                       or vm.group().startswith("process.env.")):
                    continue  # `token: null`, `secret = process.env.X`: no value here
            value = text[start:end]
            if not value.strip():
                continue
            if kind == "sensitive":
                spans.append((start, end, self.names.category(name)))
            elif kind == "weak":
                if looks_high_entropy(value):
                    spans.append((start, end, "high-entropy"))
            elif "phone" not in self.disabled:
                pm = _LOOSE_PHONE.search(value)
                if pm and 7 <= sum(c.isdigit() for c in pm.group()) <= 15:
                    spans.append((start + pm.start(), start + pm.end(), "phone"))


def merge(spans: list[Span], text: str) -> list[Span]:
    """Resolve overlaps. A stronger finding inside a weaker one (a JWT inside a
    whole `Authorization` value) is cut out so it keeps its own category and
    tag, which links it to the same secret elsewhere; the weaker span's other
    parts stay redacted unless they are only a scheme word or separators.
    Other overlaps become one span with the stronger category."""
    spans.sort(key=lambda s: (s[0], -s[1]))
    out: list[Span] = []
    for s, e, c in spans:
        if not out or s >= out[-1][1]:
            out.append((s, e, c))
            continue
        ps, pe, pc = out[-1]
        if e <= pe and _prio(c) > _prio(pc):
            out.pop()
            if not is_filler(text[ps:s]):
                out.append((ps, s, pc))
            out.append((s, e, c))
            if not is_filler(text[e:pe]):
                out.append((e, pe, pc))
        elif e <= pe:
            continue  # inside a span at least as strong
        else:
            out[-1] = (ps, e, c if _prio(c) > _prio(pc) else pc)
    # a cut may leave neighbours overlapping: union them
    final: list[Span] = []
    for s, e, c in out:
        if final and s < final[-1][1]:
            ps, pe, pc = final[-1]
            final[-1] = (ps, max(pe, e), c if _prio(c) > _prio(pc) else pc)
        else:
            final.append((s, e, c))
    return final


_FILLER_WORDS = frozenset({"bearer", "basic", "token", "digest"})


def is_filler(piece: str) -> bool:
    """Nothing secret: empty, separators, or an auth scheme word."""
    core = piece.strip(" \t,;:=\"'")
    return not core or core.lower() in _FILLER_WORDS


def _prio(category: str) -> int:
    return PRIORITY.get(category, VENDOR_PRIORITY)


_LOOSE_PHONE = re.compile(r"(?<![\w])\+?\(?\d[\d ().-]{5,22}\d(?![\w])")


# A dotted quad right after one of these words is a version (`V8 14.6.202.34`,
# `node 20.1.0.0`, `version: 1.2.3.4`), not an address.
_VERSION_WORD = re.compile(
    r"(?:\b(?:v8|node|nodejs|version|ver|release|build|chrome|chromium|electron|icu|uv|libuv"
    r"|openssl|zlib|napi|v)|version)[ \t]*[:=@/]?[ \t]*\Z", re.IGNORECASE)


def _after_version_word(text: str, start: int) -> bool:
    return bool(_VERSION_WORD.search(text, max(0, start - 24), start))


def _classify_digits(text: str, start: int, end: int) -> Span | None:
    value = text[start:end]
    if "." in value:
        if _after_version_word(text, start):
            return None
        return (start, end, "ipv4") if _ipv4_ok(value) else None
    return (start, end, "card-number") if _card_ok(value) else None


def _classify_iban(text: str, start: int, end: int) -> Span | None:
    end = _iban_end(text, start, end)
    return (start, end, "iban") if end > start else None


def _has_key_body(block: str) -> bool:
    body = block.split("-----", 2)[-1]
    return any(c.isalnum() for c in body.split("-----END", 1)[0])


def _mixed(token: str) -> bool:
    body = token.rsplit("-", 1)[-1] if token.count("-") > 1 else token[3:]
    return any(c.isdigit() for c in token[3:]) and any(c.isalpha() for c in body)


def _email_ok(email: str) -> bool:
    # `git@host:org/repo` is an SSH remote, not a mailbox
    return email.rsplit(".", 1)[-1].lower() not in _FILE_TLDS and not email.startswith("git@")


def _ipv4_ok(addr: str) -> bool:
    if any(int(p) > 255 or (len(p) > 1 and p[0] == "0") for p in addr.split(".")):
        return False
    return not _ip_keep(addr)


def _ipv6_ok(addr: str) -> bool:
    if addr.count(":") < 2 or ("::" not in addr and addr.count(":") < 7):
        return False
    try:
        ipaddress.IPv6Address(addr.split("%", 1)[0])
    except ValueError:
        return False
    return not _ip_keep(addr)


def _mac_ok(mac: str) -> bool:
    return mac.replace(":", "").replace("-", "").lower() not in ("000000000000", "ffffffffffff")


def _card_ok(number: str) -> bool:
    seps = {c for c in number if not c.isdigit()}
    if len(seps) > 1:
        return False
    digits = number.replace(" ", "").replace("-", "")
    return 13 <= len(digits) <= 19 and card_brand_ok(digits) and luhn_ok(digits)


def _phone_ok(number: str) -> bool:
    digits = sum(c.isdigit() for c in number)
    return 8 <= digits <= 15


def _iban_end(text: str, start: int, end: int) -> int:
    """End of the valid IBAN starting at `start` inside the regex match, or -1:
    the regex may have run into a following word, so cut at the country length."""
    want = IBAN_LENGTHS.get(text[start : start + 2])
    if want is None:
        return -1
    count, i = 0, start
    while i < end and count < want:
        if text[i] != " ":
            count += 1
        i += 1
    if count != want or (i < len(text) and text[i].isalnum()):
        return -1
    return i if iban_ok(text[start:i].replace(" ", "")) else -1


_OPAQUE_EXCLUDE = re.compile(
    r"(?:[/.~]|node:|file:|https?:|0x)"  # paths, URLs, addresses
    r"|[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+\Z"  # dotted identifiers: `a.b.c`
    r"|.*@\d"  # `name@1.2.3`
)


def looks_opaque(value: str) -> bool:
    """An opaque id or token used as a *name* (a Map key, a property name): long, no
    spaces, letters mixed with digits, random-looking. A session id or an API key as a
    Map key has no context to give it away, so in doubt it is hidden; ordinary names
    (`user-42`, `createdAt`, `node:fs`, `lodash@4.17.21`) are not opaque."""
    n = len(value)
    if n < 16 or n > 1024 or any(c.isspace() for c in value):
        return False
    if _UUID.match(value):
        return True
    if _OPAQUE_EXCLUDE.match(value):
        return False
    digits = sum(c.isdigit() for c in value)
    letters = sum(c.isalpha() for c in value)
    if digits < 2 or letters < 4:
        return False
    kinds = [c.isdigit() for c in value if c.isalnum()]
    switches = sum(a != b for a, b in zip(kinds, kinds[1:], strict=False))
    return switches >= 3 and shannon_entropy(value) >= 3.3
