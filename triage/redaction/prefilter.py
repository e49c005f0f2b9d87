"""The batch prefilter: over many strings at once, find the few that any
detector could fire on, at tens to hundreds of MB/s.

Python's `re` walks an alternation of ~30 rules at a few MB/s, and most heap
strings are short identifiers and numbers, so per-string regex calls dominate.
This kernel (numba) looks at every code point once and checks cheap
*necessary* conditions of every rule: `@`, `+digit`, 13 digits in a row (card),
digit-dot-digit runs (IPv4), hex-colon runs (IPv6, MAC), IBAN heads, vendor
prefixes (`eyJ`, `AKIA`, `ghp_`...) and, for `name=value`, a sensitive keyword
plus a `=`/`:` in the same string. A string it does not flag cannot yield a
finding without a context name; flagged strings go through the full detectors.
"""

from __future__ import annotations

import importlib.util

import numpy as np

from triage.compiled import Kernel, kernel

# kind 0: literal; 1: literal then >= 8 lower-case hex digits; 2: literal then
# whitespace; 3: keyword (counts only with a `=` or `:` in the same string)
CASE_SENSITIVE: tuple[tuple[str, int], ...] = (
    ("eyJ", 0), ("AIza", 0), ("ghp_", 0), ("gho_", 0), ("ghu_", 0), ("ghs_", 0), ("ghr_", 0),
    ("github_pat_", 0), ("glpat-", 0), ("xox", 0), ("xapp-", 0), ("sk_", 0), ("rk_", 0),
    ("whsec_", 0), ("SG.", 0), ("npm_", 0), ("pypi-", 0), ("sk-", 0), ("-----BEGIN", 0),
    ("hooks.slack.com", 0), ("AC", 1), ("SK", 1), ("key-", 1),
    ("AKIA", 0), ("ASIA", 0), ("ABIA", 0), ("ACCA", 0), ("AGPA", 0), ("AIDA", 0), ("AIPA", 0),
    ("ANPA", 0), ("ANVA", 0), ("AROA", 0), ("APKA", 0), ("ASCA", 0),
)
CASE_INSENSITIVE: tuple[tuple[str, int], ...] = (
    ("bearer", 2), ("basic", 2), ("accountkey=", 0), ("sharedaccesskey=", 0), ("sig=", 0),
)


def _table(needles: list[tuple[str, int]]):
    """CSR index by first byte over padded needle arrays."""
    needles = sorted(needles, key=lambda n: ord(n[0][0]))
    width = max(len(n) for n, _ in needles)
    chars = np.zeros((len(needles), width), dtype=np.uint8)
    lens = np.zeros(len(needles), dtype=np.int64)
    kinds = np.zeros(len(needles), dtype=np.int64)
    ptr = np.zeros(257, dtype=np.int64)
    for j, (n, k) in enumerate(needles):
        chars[j, : len(n)] = list(n.encode("latin-1"))
        lens[j] = len(n)
        kinds[j] = k
        ptr[ord(n[0]) + 1] += 1
    # pairs[a * 256 + b]: some needle starts with bytes a, b (both cases when folded)
    pairs = np.zeros(256 * 256, dtype=np.uint8)
    for n, _ in needles:
        for a in {n[0], n[0].upper(), n[0].lower()}:
            for b in {n[1], n[1].upper(), n[1].lower()}:
                if ord(a) < 256 and ord(b) < 256:
                    pairs[ord(a) * 256 + ord(b)] = 1
    return chars, lens, kinds, np.cumsum(ptr), pairs


# character classes (bit flags) of the kernel's lookup table
DIGIT, HEX, UPPER, ALNUM, CS_START, CI_START, KW_START, SPECIAL = (1 << i for i in range(8))
_MAIN = DIGIT | HEX | UPPER | CS_START | CI_START | SPECIAL


def _classes(cs: list[str], ci: list[str], kw: list[str]) -> np.ndarray:
    cls = np.zeros(256, dtype=np.uint8)
    for c in range(256):
        ch = chr(c)
        if ch.isascii() and ch.isdigit():
            cls[c] |= DIGIT
        if ch in "0123456789abcdefABCDEF":
            cls[c] |= HEX
        if "A" <= ch <= "Z":
            cls[c] |= UPPER
        if ch.isascii() and ch.isalnum():
            cls[c] |= ALNUM
        if ch in "@+.:-= \t":
            cls[c] |= SPECIAL
    for n in cs:
        cls[ord(n[0])] |= CS_START
    for n in ci:
        cls[ord(n[0].lower())] |= CI_START
        cls[ord(n[0].upper())] |= CI_START
    for n in kw:
        cls[ord(n[0].lower())] |= KW_START
        cls[ord(n[0].upper())] |= KW_START
    return cls


@kernel(inline="always", lazy=True)
def _lower(c):
    return c + 32 if 65 <= c <= 90 else c


@kernel(lazy=True)  # a helper: compiled into its callers
def _matches(cps, i, end, chars, lens, kinds, j, fold):
    n = lens[j]
    if i + n > end:
        return False
    for k in range(n):
        c = cps[i + k]
        if fold:
            c = _lower(c)
        if c != chars[j, k]:
            return False
    kind = kinds[j]
    if kind == 1:
        if i + n + 8 > end:
            return False
        for k in range(8):
            c = cps[i + n + k]
            if not (48 <= c <= 57 or 97 <= c <= 102):
                return False
    elif kind == 2:
        if i + n >= end:
            return False
        c = cps[i + n]
        if c != 32 and c != 9:
            return False
    elif kind == 3:  # inside a name that is followed by `=` or `:` (as ASSIGNMENT wants)
        k = i + n
        while k < end and (_alnum(cps[k]) or cps[k] == 95 or cps[k] == 36 or cps[k] == 46
                           or cps[k] == 45):
            k += 1
        if k < end and (cps[k] == 34 or cps[k] == 39):
            k += 1
        while k < end and (cps[k] == 32 or cps[k] == 9):
            k += 1
        return k < end and (cps[k] == 58 or cps[k] == 61)
    return True


@kernel(inline="always", lazy=True)
def _alnum(c):
    return 48 <= c <= 57 or 65 <= c <= 90 or 97 <= c <= 122


@kernel("uint8[:], int64[:], uint8[:], uint8[:], uint8[:, :], int64[:], int64[:], int64[:], uint8[:]",
        lazy=True)
def _structure(cps, ends, cls, flags, chars, lens, kinds, ptr, pairs):
    """Structural conditions, per string: flags |= 1 on a hit, |= 2 when the
    string holds a `=` or `:` (so a keyword would make it a candidate)."""
    start = 0
    for s in range(ends.shape[0]):
        end = ends[s]
        if end - start < 6:
            start = end
            continue
        digits = dots = colons = hexrun = dashes = 0
        double_colon = False
        prev = 0
        pf = 0  # class of prev
        for i in range(start, end):
            c = cps[i]
            f = cls[c]
            if f & 0x97 == 0:  # not DIGIT|HEX|UPPER|CS_START|SPECIAL
                digits = dots = colons = hexrun = dashes = 0
                double_colon = False
                prev = c
                pf = f
                continue
            if f & 1:
                digits += 1
                if digits >= 13:  # card
                    flags[s] |= 1
                    break
            elif not ((c == 32 or c == 45) and pf & 1):
                digits = 0
            if f & 128:
                if c == 64:  # @: email, URL userinfo
                    flags[s] |= 1
                    break
                if c == 43 and i + 1 < end and cls[cps[i + 1]] & 1:  # +digit: E.164
                    flags[s] |= 1
                    break
                if c == 61:
                    flags[s] |= 2
                elif c == 46:  # dotted quad
                    if pf & 1 and i + 1 < end and cls[cps[i + 1]] & 1:
                        dots += 1
                        if dots >= 3:
                            flags[s] |= 1
                            break
                    else:
                        dots = 0
                elif c == 58:  # hex-colon runs: IPv6, MAC
                    flags[s] |= 2
                    if prev == 58:
                        double_colon = True
                    colons += 1
                    if colons >= 5 or (colons >= 2 and double_colon):
                        flags[s] |= 1
                        break
                elif c == 45 and hexrun == 2:  # aa-bb-cc-dd-ee-ff
                    dashes += 1
                    if dashes >= 5:
                        flags[s] |= 1
                        break
            if not f & 1 and c != 46:
                dots = 0
            if not f & 2 and c != 58 and c != 46:
                colons = 0
                double_colon = False
            if f & 2:
                hexrun += 1
            else:
                if c != 45:
                    dashes = 0
                hexrun = 0
            if (f & 4 and not pf & 8 and i + 3 < end and cls[cps[i + 1]] & 4
                    and cls[cps[i + 2]] & 1 and cls[cps[i + 3]] & 1):  # IBAN head
                flags[s] |= 1
                break
            if f & 16 and i + 1 < end and pairs[np.int64(c) * 256 + cps[i + 1]]:
                if _any_needle(cps, i, end, chars, lens, kinds, ptr, c, False):
                    flags[s] |= 1
                    break
            prev = c
            pf = f
        start = end


@kernel(lazy=True)  # a helper: compiled into its callers
def _any_needle(cps, i, end, chars, lens, kinds, ptr, c, fold):
    for j in range(ptr[c], ptr[c + 1]):
        if _matches(cps, i, end, chars, lens, kinds, j, fold):
            return True
    return False


@kernel("uint8[:], int64[:], uint8[:], int64, uint8[:, :], int64[:], int64[:], int64[:], uint8[:], bool",
        lazy=True)
def _needles(cps, ends, flags, need, chars, lens, kinds, ptr, pairs, fold):
    """flags |= 1 for strings (with all `need` bits, not yet hit) holding a needle."""
    start = 0
    for s in range(ends.shape[0]):
        end = ends[s]
        if flags[s] & 1 or flags[s] & need != need or end - start < 6:
            start = end
            continue
        for i in range(start, end - 1):
            if pairs[np.int64(cps[i]) * 256 + cps[i + 1]]:
                lc = _lower(cps[i]) if fold else cps[i]
                found = False
                for j in range(ptr[lc], ptr[lc + 1]):
                    if _matches(cps, i, end, chars, lens, kinds, j, fold):
                        found = True
                        break
                if found:
                    flags[s] |= 1
                    break
        start = end


@kernel(inline="always", lazy=True)
def _name_char(c):
    return _alnum(c) or c == 95 or c == 36 or c == 46 or c == 45


@kernel("uint8[:], int64[:], uint8[:], uint8[:, :], int64[:], int64[:], int64[:], uint8[:]", lazy=True)
def _keywords(cps, ends, flags, chars, lens, kinds, ptr, pairs):
    """flags |= 1 for strings where a `=`/`:` follows a name holding a keyword.
    Only the name token before each separator is searched, not the string."""
    start = 0
    for s in range(ends.shape[0]):
        end = ends[s]
        if flags[s] & 3 != 2:  # already a hit, or no separator at all
            start = end
            continue
        for i in range(start, end):
            c = cps[i]
            if c != 58 and c != 61:
                continue
            te = i
            while te > start and (cps[te - 1] == 32 or cps[te - 1] == 9):
                te -= 1
            if te > start and (cps[te - 1] == 34 or cps[te - 1] == 39):
                te -= 1
            ts = te
            while ts > start and te - ts < 64 and _name_char(cps[ts - 1]):
                ts -= 1
            found = False
            for p in range(ts, te - 2):
                a = _lower(cps[p])
                if pairs[np.int64(a) * 256 + _lower(cps[p + 1])]:
                    for j in range(ptr[a], ptr[a + 1]):
                        if _matches(cps, p, end, chars, lens, kinds, j, True):
                            found = True
                            break
                if found:
                    break
            if found:
                flags[s] |= 1
                break
        start = end


# Without the ahead-of-time build (triage/compiled.py), numba is imported and the kernels
# compiled on first use only (`lazy`), so that redacting a small summary does not pay for it.
PREFILTER_AVAILABLE = importlib.util.find_spec("numba") is not None


def is_ready() -> bool:
    """True when a batch costs no start-up: the kernels are built ahead of time, or the JIT
    compiled them (it replaces the module's kernels with its dispatchers)."""
    return not isinstance(_structure, Kernel) or bool(_structure.compiled)


class Prefilter:
    """Flags the strings of a batch that the detectors must look at."""

    def __init__(self, keywords: tuple[str, ...]):
        kw = [k.lower() for k in keywords if k.isascii() and k] or ["\x7f"]
        self._cs = _table(list(CASE_SENSITIVE))
        self._ci = _table(list(CASE_INSENSITIVE))
        self._kw = _table([(k, 3) for k in kw])
        self._cls = _classes([n for n, _ in CASE_SENSITIVE], [n for n, _ in CASE_INSENSITIVE], kw)
        self.available = PREFILTER_AVAILABLE

    def flags(self, texts: list[str]) -> np.ndarray:
        """One uint8 per string: 1 where a detector might fire."""
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
        ends = np.cumsum(lengths)
        # one byte per character keeps offsets; characters outside Latin-1 play
        # no part in any rule, so they may become `?`
        blob = "".join(texts).encode("latin-1", "replace")
        cps = np.frombuffer(blob, dtype=np.uint8)
        flags = np.zeros(len(texts), dtype=np.uint8)
        _structure(cps, ends, self._cls, flags, *self._cs)
        _needles(cps, ends, flags, 0, *self._ci, True)
        _keywords(cps, ends, flags, *self._kw)
        return flags & 1
