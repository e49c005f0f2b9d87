"""The batch prefilter never hides a finding: whatever the detectors would
find in a string, the prefilter flags that string."""

from __future__ import annotations

import random

from tests.redaction.corpus import corpus
from triage.redaction import Redactor

NOISE = "abcdefxyzABCXYZ0123456789 .:-_/=@+\"'\n\t"


def _texts(seed: int) -> list[str]:
    rng = random.Random(seed)
    positives, negatives = corpus(seed=seed, per_category=25)
    texts = [s.text for s in positives + negatives]
    mixed = []
    for t in texts:  # the same secrets, buried in random noise on both sides
        left = "".join(rng.choice(NOISE) for _ in range(rng.randint(0, 40)))
        right = "".join(rng.choice(NOISE) for _ in range(rng.randint(0, 40)))
        mixed.append(left + " " + t + " " + right)
    return texts + mixed


def test_every_string_with_a_finding_is_flagged():
    r = Redactor()
    if r._prefilter is None:  # numba missing: the batch path checks every string
        return
    texts = _texts(11)
    flags = r._prefilter.flags(texts)
    missed = [t for t, f in zip(texts, flags, strict=True) if not f and r.scanner.find(t)]
    assert missed == []


def test_the_prefilter_flags_few_ordinary_strings():
    r = Redactor()
    if r._prefilter is None:
        return
    ordinary = [f"user-{i}" for i in range(1000)] + [f"handleRequest{i}" for i in range(1000)]
    assert int(r._prefilter.flags(ordinary).sum()) == 0


def test_batch_and_one_by_one_redaction_agree_on_noisy_strings():
    texts = _texts(12)
    key = b"p" * 32
    assert Redactor(key=key).redact_strings(texts, source="snapshot_string") == [
        Redactor(key=key).redact_text(t, source="snapshot_string") for t in texts]


def test_a_large_document_is_redacted_like_its_strings_one_by_one():
    """...and then like a second pass for copies of what was found (same tags)."""
    from triage.redaction.prefilter import is_ready

    texts = _texts(13)
    key = b"d" * 32
    Redactor().redact_strings(["warm up"], source="x")  # compiled: the walk uses the prefilter
    assert is_ready() or Redactor()._prefilter is None
    out, _ = Redactor(key=key).redact_document({"inspect": {"strings": texts}})
    r = Redactor(key=key)
    one_by_one = [r.redact_text(t, source="heap_string") for t in texts]
    assert out["inspect"]["strings"] == [r.redact_known(t, source="copy") for t in one_by_one]
