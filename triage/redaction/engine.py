"""The Redactor: one keyed instance per run that turns every secret it finds
into `[REDACTED:<category>:<tag>]` and counts what it did (never what it saw).

The tag is the first 8 hex digits of HMAC-SHA256(key, secret) with a random
per-instance key, so one secret keeps one tag throughout a summary (an env var
and the heap string holding the same token can be linked) while tags from two
runs cannot be linked or confirmed by guessing.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import accumulate
from typing import Any
from urllib.parse import unquote

from triage.redaction.detectors import (
    PLACEHOLDER,
    Scanner,
    card_brand_ok,
    is_filler,
    looks_high_entropy,
    luhn_ok,
    merge,
)
from triage.redaction.names import NameRules
from triage.redaction.policy import Policy
from triage.redaction.prefilter import PREFILTER_AVAILABLE, Prefilter

NO_REDACT_WARNING = (
    "WARNING: redaction is OFF (--no-redact): this output contains raw strings from the dump "
    "(secrets, tokens, personal data). Keep it on this machine; never share or upload it."
)
# Short flags taken as "the next argument is a password" (mysql/psql style).
SENSITIVE_SHORT_FLAGS = frozenset({"-p"})
_TOKEN_RUN = re.compile(r"[A-Za-z0-9+/=_-]{20,}")  # candidate key material in raw bytes
_CUT_RUN = re.compile(r"[A-Za-z0-9+/=_%.:~@-]{6,}\Z")  # a value cut by a byte limit
_FLAG = re.compile(r"(--?)([A-Za-z][\w.-]*)(?:=(.*))?\Z", re.DOTALL)


MAX_KNOWN = 20_000  # secrets remembered for the copy search of one run
# Secrets found by their context (a name, a position) rather than by their format: a copy
# elsewhere has no such context, so only the copy search can find it. (Format findings,
# such as a GitHub token, are found wherever they are; private keys and numbers are here
# for their lines and digit forms.)
CONTEXT_CATEGORIES: frozenset[str] = frozenset({
    "password", "cookie", "session-id", "sensitive-name", "high-entropy", "ssn",
    "aws-secret-key", "gcp-private-key-id", "azure-storage-key", "azure-sas-token",
    "opaque-key", "phone", "card-number", "private-key",
})


def trie_regex(words: list[str]) -> re.Pattern:
    """One regex for many literals, shaped as a trie (`ab(?:c|d)`), so `re` tries one
    branch per character instead of every literal at every position."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        end = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and not end else "(?:" + "|".join(branches) + ")"
        return body + "?" if end and branches else body

    return re.compile(build(trie)) if words else re.compile(r"(?!x)x")


def _digits_of(value: Any) -> str | None:
    """The digits of an integral number (`4539148803436467.0` -> '4539148803436467')."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer() or abs(value) >= 1e20:
            return None
        value = int(value)
    if isinstance(value, int):
        return str(abs(value))
    return None


CUT_TAIL = re.compile(r"([A-Za-z0-9+/=_%.:~-]{8,})(\.\.\.|\u2026)")
_NAME_PART = re.compile(r"[\w.\-;, ]+[=:]\s*")
_PEM_BODY_LINE = re.compile(r"[A-Za-z0-9+/=]{16,}")


def _variants(secret: str, category: str) -> list[str]:
    """The forms in which a copy of `secret` may sit elsewhere: itself, percent-decoded
    (a cookie value and the Map key made from it), and for a private key each body line
    (a key split into lines). Short or plain-word values are left out: searching for
    `admin` everywhere would hide ordinary words."""
    out: list[str] = []
    text = secret.strip()
    if category == "private-key":
        body = text.replace("\\n", "\n").replace("\\r", "\n")
        out += _PEM_BODY_LINE.findall(body)
    elif _searchable(text):
        out.append(text)
        if "%" in text:
            decoded = unquote(text)
            if decoded != text and _searchable(decoded):
                out.append(decoded)
    return out


def _searchable(text: str) -> bool:
    if len(text) < 8 or PLACEHOLDER.search(text):
        return False
    if text.isalpha() and len(text) < 16:
        return False  # a word, not a secret worth chasing
    if _NAME_PART.fullmatch(text):
        return False  # `connect.sid=`: the name left around a value, not the value
    return not text.isdigit() or len(text) >= 7


class Redactor:
    """Redacts strings and whole summary documents; see docs/redaction.md."""

    def __init__(
        self, policy: Policy | None = None, *, key: bytes | None = None, enabled: bool = True
    ):
        self.policy = policy or Policy()
        self.enabled = enabled
        if key is not None and (not isinstance(key, bytes) or len(key) < 16):
            raise ValueError("key must be at least 16 bytes")
        self._key = key if key is not None else os.urandom(32)
        self.names = NameRules(self.policy.sensitive_names, self.policy.allow_names)
        self.scanner = Scanner(
            self.names,
            extra=self.policy.patterns,
            allow_values=self.policy.allow_values,
            disabled=self.policy.disabled_categories,
        )
        self._allow = (
            re.compile("|".join(f"(?:{a})" for a in self.policy.allow_values))
            if self.policy.allow_values else None
        )
        self._by_category: Counter[str] = Counter()
        self._by_source: Counter[str] = Counter()
        self._tags: dict[str, str] = {}
        # Every secret replaced so far -> its category: their copies elsewhere in a
        # document (without the context that gave them away) are replaced too.
        self._known: dict[str, str] = {}
        self._known_rx: re.Pattern | None = None
        self._known_digits: dict[str, tuple[str, str]] = {}
        self._known_map: dict[str, tuple[str, str]] = {}
        self._prefilter = Prefilter(self.names.fragments) if PREFILTER_AVAILABLE else None

    def __repr__(self) -> str:  # never show the key
        return f"Redactor(enabled={self.enabled}, policy={self.policy.file!r})"

    def __reduce__(self):  # a Redactor (and its key) must not be pickled to disk
        raise TypeError("Redactor cannot be pickled: its key must stay in memory")

    @classmethod
    def disabled(cls, policy: Policy | None = None) -> Redactor:
        """The `--no-redact` redactor: passes everything through, still reports a section."""
        return cls(policy, enabled=False)

    # ------------------------------------------------------------------ counts

    @property
    def stats(self) -> dict[str, Any]:
        """Counts so far, per category and per source (never values)."""
        return {
            "counts_by_category": dict(sorted(self._by_category.items())),
            "counts_by_source": dict(sorted(self._by_source.items())),
            "total": sum(self._by_category.values()),
        }

    def section(self) -> dict[str, Any]:
        """The summary's `redaction` section for everything redacted so far."""
        return {"enabled": self.enabled, **self.stats, "policy": self.policy.describe()}

    # ------------------------------------------------------------------ strings

    def tag(self, secret: str) -> str:
        """8 hex digits of HMAC-SHA256(key, secret): stable per instance only."""
        tag = self._tags.get(secret)
        if tag is None:
            data = secret.encode("utf-8", "surrogatepass")
            tag = hmac.new(self._key, data, hashlib.sha256).hexdigest()[:8]
            if len(self._tags) < 100_000:
                self._tags[secret] = tag
        return tag

    def _replace(self, secret: str, category: str, source: str) -> str:
        self._by_category[category] += 1
        self._by_source[source] += 1
        if category in CONTEXT_CATEGORIES and secret not in self._known \
                and len(self._known) < MAX_KNOWN:
            self._known[secret] = category
            self._known_rx = None
        return f"[REDACTED:{category}:{self.tag(secret)}]"

    def redact_whole_as(self, text: str, category: str, source: str) -> str:
        """Replace all of `text` (an opaque key, a private-key line) as `category`."""
        if not self.enabled or not text.strip() or PLACEHOLDER.fullmatch(text):
            return text
        if self._allow is not None and self._allow.fullmatch(text):
            return text
        return self._replace(text, category, source)

    def redact_number(self, value: int | float, *, source: str, name: str | None = None,
                      sticky: bool = False, data: bool = True) -> int | float | str:
        """A number read from a dump: card, SSN and phone numbers are often stored as JS
        numbers. Replaced (by a placeholder string) under a sensitive name, under a phone
        or card name, or, in heap data, when it is a Luhn-valid card number. Measures
        (`tokenCount`, `sessions.size`) and booleans pass."""
        if not self.enabled or isinstance(value, bool) or self.names.is_measure(name):
            return value
        digits = _digits_of(value)
        kind = self.names.kind(name) if name else ""
        if sticky or kind == "sensitive":
            if not data and not sticky and digits is not None and len(digits) < 4:
                return value  # a small flag or count under a sensitive name in a summary field
            category = self.names.category(name) if name else "sensitive-name"
            return self._replace(digits if digits is not None else repr(value), category, source)
        if digits is None:
            return value
        if kind == "phone" and 7 <= len(digits) <= 15 and "phone" not in self.scanner.disabled:
            return self._replace(digits, "phone", source)
        if "card-number" in self.scanner.disabled:
            return value
        if 12 <= len(digits) <= 19 and self.names.is_card(name):
            return self._replace(digits, "card-number", source)
        if data and 13 <= len(digits) <= 19 and card_brand_ok(digits) and luhn_ok(digits):
            return self._replace(digits, "card-number", source)
        return value

    # ------------------------------------------------------------------ known secrets

    def _known_matcher(self) -> re.Pattern | None:
        """One regex over every variant of every secret replaced so far, longest first."""
        if self._known_rx is None and self._known:
            variants: dict[str, tuple[str, str]] = {}
            digits: dict[str, tuple[str, str]] = {}
            for secret, category in self._known.items():
                for v in _variants(secret, category):
                    variants.setdefault(v, (secret, category))
                d = "".join(c for c in secret if c.isdigit())
                if len(d) >= 7 and len(d) >= 0.6 * len(secret.strip()):
                    digits.setdefault(d.lstrip("0") or "0", (secret, category))
            self._known_digits = digits
            self._known_rx = trie_regex(list(variants))
            self._known_map = variants
        return self._known_rx

    def is_known_prefix(self, text: str) -> bool:
        """Is `text` (a heap string cut with `...`) the start of a secret replaced so far?"""
        if self._known_matcher() is None:
            return False
        return any(v.startswith(text) for v in self._known_map)

    def redact_known(self, text: str, *, source: str) -> str:
        """Replace the copies of already-found secrets inside `text` (same tag as the
        original, so the engineer can see it is the same value)."""
        rx = self._known_matcher()
        if rx is None or not text:
            return text
        if not rx.search(text):
            return text
        known = self._known_map

        def sub(m: re.Match) -> str:
            secret, category = known[m.group()]
            self._by_category[category] += 1
            self._by_source[source] += 1
            return f"[REDACTED:{category}:{self.tag(secret)}]"

        return rx.sub(sub, text)

    def strings_with_copies(self, texts: list[str]) -> set[str]:
        """The strings among `texts` that hold a copy of a secret found so far, or a
        cut-off start of one (`...`). One scan over the distinct strings joined."""
        rx = self._known_matcher()
        if rx is None or not texts:
            return set()
        unique = list(dict.fromkeys(texts))
        starts = list(accumulate((len(t) + 1 for t in unique), initial=0))
        joined = "\x00".join(unique)
        hits = {unique[bisect_right(starts, m.start()) - 1] for m in rx.finditer(joined)}
        for t in unique:
            if ("..." in t or "\u2026" in t) and t not in hits and any(
                    self.is_known_prefix(m.group(1)) for m in CUT_TAIL.finditer(t)):
                hits.add(t)  # ends with the cut-off start of a secret
        return hits

    def has_known(self) -> bool:
        return bool(self._known)

    def redact_known_number(self, value: Any, *, source: str, count: bool = True) -> Any:
        """A number whose digits are those of a secret found elsewhere (an SSN as text
        in one place and as a number in another)."""
        if self._known_matcher() is None or isinstance(value, bool):
            return value
        digits = _digits_of(value)
        hit = self._known_digits.get(digits) if digits is not None else None
        if hit is None:
            return value
        if not count:
            return None
        self._by_category[hit[1]] += 1
        self._by_source[source] += 1
        return f"[REDACTED:{hit[1]}:{self.tag(hit[0])}]"

    def redact_text(self, text: str, *, source: str, name: str | None = None) -> str:
        """Redact one string from a dump. A sensitive `name` replaces the whole
        value; otherwise detectors replace only the secret spans inside it."""
        if not self.enabled or not text:
            return text
        kind = self.names.kind(name) if name else ""
        if kind == "sensitive":
            return self._redact_whole(text, name or "", source)
        if source == "argv" and text[0] == "-":
            flag = _FLAG.match(text)
            if flag and flag.group(3) and self.names.kind(flag.group(2)) == "sensitive":
                value = self._redact_whole(flag.group(3), flag.group(2), source)
                return f"{flag.group(1)}{flag.group(2)}={value}"
        spans = self.scanner.find(text, name_kind=kind)
        if not spans:
            return text
        out: list[str] = []
        pos = 0
        for start, end, category in spans:
            out.append(text[pos:start])
            out.append(self._replace(text[start:end], category, source))
            pos = end
        out.append(text[pos:])
        return "".join(out)

    def redact_hex_bytes(self, hexed: str, *, source: str, cut: bool = False) -> str:
        """Redact raw bytes shown as hex (inspect's buffer `bytes`): the detectors run on
        the bytes read as Latin-1 text, and each secret's hex becomes a placeholder, so a
        token in a Buffer is caught as it would be in a string. `cut`: the bytes stop at
        inspect's limit, so a word-like run at the very end may be the start of a secret
        (`jane.roe@examp`) and goes too."""
        if not self.enabled or not hexed:
            return hexed
        try:
            text = bytes.fromhex(hexed).decode("latin-1")
        except ValueError:  # not hex after all: redact it as the text it is
            return self.redact_text(hexed, source=source)
        spans = self.scanner.find(text)
        # bytes have no property name to go by, and Buffers are where key material lives:
        # random-looking runs count as secrets, as under a weakly sensitive name
        spans += [(m.start(), m.end(), "high-entropy") for m in _TOKEN_RUN.finditer(text)
                  if looks_high_entropy(m.group())]
        tail = _CUT_RUN.search(text) if cut else None
        if tail and not any(s <= tail.start() < e for s, e, _ in spans):
            spans.append((tail.start(), tail.end(), "cut-off"))
        if not spans:
            return hexed
        out: list[str] = []
        pos = 0
        for start, end, category in merge(spans, text):
            out.append(hexed[2 * pos:2 * start])
            out.append(self._replace(text[start:end], category, source))
            pos = end
        out.append(hexed[2 * pos:])
        return "".join(out)

    def _redact_whole(self, value: str, name: str, source: str) -> str:
        """Everything of a value under a sensitive name goes. Format findings
        inside it keep their own category and tag (so they link to the same
        secret elsewhere); the rest is one placeholder per piece, by name."""
        if not value.strip() or PLACEHOLDER.fullmatch(value):
            return value
        if self._allow is not None and self._allow.fullmatch(value):
            return value
        category = self.names.category(name)
        spans = self.scanner.find(value)
        if not spans:  # whatever it looks like, even `token` or `:::`
            return self._replace(value, category, source)
        out: list[str] = []
        pos = 0
        for start, end, found in spans:
            out.append(self._gap(value[pos:start], category, source))
            out.append(self._replace(value[start:end], found, source))
            pos = end
        out.append(self._gap(value[pos:], category, source))
        return "".join(out)

    def _gap(self, piece: str, category: str, source: str) -> str:
        if is_filler(piece):
            return piece
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece.rstrip())
        return piece[:lead] + self._replace(piece[lead:trail], category, source) + piece[trail:]

    def redact_strings(self, texts: list[str], *, source: str) -> list[str]:
        """Redact many context-free strings (a heap snapshot's string table) at
        once: the prefilter runs over all of them joined, so the many strings
        that cannot hold a secret cost no Python work each."""
        if not self.enabled or not texts:
            return list(texts)
        out = list(texts)
        for i in self._candidates(texts):
            out[i] = self.redact_text(texts[i], source=source)
        return out

    def cleared(self, texts: list[str]) -> set[str]:
        """The strings the batch prefilter proves hold no finding (when read
        without a context name): the document walk skips them."""
        if not self.enabled or self.scanner.has_extra or self._prefilter is None or not texts:
            return set()
        flags = self._prefilter.flags(texts)
        return {t for t, f in zip(texts, flags.tolist(), strict=True) if not f}

    def _candidates(self, texts: list[str]) -> Iterator[int]:
        """Indices of strings the prefilter cannot rule out, in order."""
        if self.scanner.has_extra:  # policy patterns have no prefilter
            yield from range(len(texts))
            return
        if self._prefilter is not None:
            yield from self._prefilter.flags(texts).nonzero()[0].tolist()
            return
        yield from range(len(texts))  # no numba: every string takes the full path

    def redact_argv(self, args: Iterable[str], *, source: str = "argv") -> list[str]:
        """Redact a command line: `--password=x`, `--token x`, `-p x` by flag
        name, and detectors on every argument (URLs with userinfo, tokens...)."""
        args = list(args)
        out: list[str] = []
        expect_value: str | None = None
        for arg in args:
            if not isinstance(arg, str):
                out.append(arg)
                continue
            if expect_value is not None and self.enabled and not arg.startswith("--"):
                out.append(self._redact_whole(arg, expect_value, source))
                expect_value = None
                continue
            expect_value = None
            flag = _FLAG.match(arg) if arg.startswith("-") else None
            if flag and flag.group(3) is None and (
                arg in SENSITIVE_SHORT_FLAGS or self.names.kind(flag.group(2)) == "sensitive"
            ):
                expect_value = "password" if arg in SENSITIVE_SHORT_FLAGS else flag.group(2)
                out.append(arg)
                continue
            out.append(self.redact_text(arg, source=source))
        return out

    def redact_command_line(self, line: str, *, source: str = "argv") -> str:
        """A command line as one string: split on whitespace, keep the spacing."""
        pieces = re.split(r"(\s+)", line)
        words = pieces[0::2]
        redacted = self.redact_argv(words, source=source)
        pieces[0::2] = redacted
        return "".join(pieces)

    # ------------------------------------------------------------------ documents

    def redact_document(self, doc: Any) -> tuple[Any, dict[str, Any]]:
        """A redacted deep copy of a JSON-like summary plus its `redaction`
        section (counts for this document only, never values)."""
        from triage.redaction.document import walk

        before_cat, before_src = Counter(self._by_category), Counter(self._by_source)
        out = walk(self, doc)
        by_cat = self._by_category - before_cat
        by_src = self._by_source - before_src
        section = {
            "enabled": self.enabled,
            "counts_by_category": dict(sorted(by_cat.items())),
            "counts_by_source": dict(sorted(by_src.items())),
            "total": sum(by_cat.values()),
            "policy": self.policy.describe(),
        }
        return out, section
