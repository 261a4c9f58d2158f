"""Where an annotation sits in a text: quotes, context, and finding them again.

An annotation keeps the exact quote and up to :data:`CONTEXT` code points either side, so
it can be found again (and checked) whatever the offsets say: :func:`reanchor` re-finds it
in an edited text and says how sure it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

from reader.errors import ReaderError

CONTEXT = 32
"""Code points of prefix and suffix kept with each annotation."""


def context(text: str, start: int, end: int, size: int = CONTEXT) -> tuple[str, str, str]:
    """The ``(prefix, quote, suffix)`` around ``[start, end)``."""
    return text[max(0, start - size) : start], text[start:end], text[end : end + size]


def occurrences(text: str, quote: str) -> list[int]:
    """Start offsets of every (possibly overlapping) occurrence of ``quote``."""
    found: list[int] = []
    if not quote:
        return found
    pos = text.find(quote)
    while pos != -1:
        found.append(pos)
        pos = text.find(quote, pos + 1)
    return found


def locate_quote(text: str, quote: str, occurrence: int | None = None, *, where: str = "") -> int:
    """The start of ``quote`` in ``text``: it must occur once, or ``occurrence`` picks one (1-based).

    Raises:
        ReaderError: the quote is empty, absent, ambiguous, or the occurrence is out of range.
    """
    label = f" in {where}" if where else ""
    if not quote:
        raise ReaderError("--quote is empty")
    hits = occurrences(text, quote)
    if not hits:
        raise ReaderError(f"quote {quote!r} not found{label} (the match is exact and case-sensitive)")
    if occurrence is None:
        if len(hits) > 1:
            raise ReaderError(
                f"quote {quote!r} occurs {len(hits)} times{label}; pick one with --occurrence 1..{len(hits)}"
            )
        return hits[0]
    if not 1 <= occurrence <= len(hits):
        raise ReaderError(
            f"--occurrence {occurrence} is out of range: the quote occurs {len(hits)} times{label}"
        )
    return hits[occurrence - 1]


def check_span(text_length: int, start: int, end: int, where: str = "") -> None:
    """Raise :class:`ReaderError` unless ``0 <= start < end <= text_length``."""
    label = f" of {where}" if where else ""
    if start < 0 or end < 0:
        raise ReaderError(f"offsets must not be negative (got {start}..{end})")
    if start >= end:
        raise ReaderError(f"start must be before end (got {start}..{end})")
    if end > text_length:
        raise ReaderError(f"end {end} is beyond the text{label}, which has {text_length} characters")


# -- re-anchoring on an edited text ----------------------------------------------------------

# Weights of the fuzzy score, as Hypothesis (the web annotator) weighs them: quote
# similarity first, then prefix and suffix, then nearness to the old place.
W_QUOTE, W_PREFIX, W_SUFFIX, W_NEAR = 50.0, 20.0, 20.0, 2.0
FUZZY_THRESHOLD = 0.75
"""Lowest normalised score (0..1) that counts as found; tests/test_reanchor.py shows a fixed
typo or a changed word scores above it and unrelated text scores below."""
MIN_QUOTE_SIMILARITY = 0.6
"""The quote itself must still be this similar: context alone never anchors."""
_MAX_CANDIDATES = 40


@dataclass(frozen=True)
class Anchoring:
    """Where an annotation's quote is in a (possibly edited) text, and how sure we are."""

    state: str
    """``anchored`` (same offsets), ``moved`` (exact quote elsewhere), ``fuzzy`` or ``orphaned``."""
    start: int
    end: int
    score: float = 1.0


def _similarity(a: str, b: str) -> float:
    if not a and not b:
        return 1.0
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _context_score(text: str, start: int, end: int, prefix: str, suffix: str) -> int:
    """How many characters of prefix (backwards) and suffix (forwards) agree exactly."""
    n = 0
    for a, b in zip(reversed(prefix), reversed(text[max(0, start - len(prefix)) : start]), strict=False):
        if a != b:
            break
        n += 1
    for a, b in zip(suffix, text[end : end + len(suffix)], strict=False):
        if a != b:
            break
        n += 1
    return n


def _nearest(hits: list[int], old: int, limit: int = _MAX_CANDIDATES) -> list[int]:
    return sorted(hits, key=lambda h: abs(h - old))[:limit]


def reanchor(text: str, start: int, end: int, quote: str, prefix: str = "", suffix: str = "") -> Anchoring:
    """Find ``quote`` in ``text`` again; see :class:`Anchoring` for the outcomes.

    1. The stored offsets, if they still select the quote.
    2. The exact quote whose prefix and suffix agree best, nearest the old place.
    3. An approximate match of the quote with its context, scored (quote 50, prefix 20,
       suffix 20, nearness 2), if the score reaches :data:`FUZZY_THRESHOLD`.
    4. Otherwise orphaned (the offsets are left as they were).
    """
    if quote and 0 <= start < end <= len(text) and text[start:end] == quote:
        return Anchoring("anchored", start, end)
    if not quote:
        return Anchoring("orphaned", start, end, 0.0)
    hits = occurrences(text, quote)
    if hits:
        n = len(quote)
        # Most edits leave the context whole: take the nearest hit whose prefix and suffix
        # both agree (C-speed comparisons) before scoring context character by character.
        whole = [h for h in hits if text.endswith(prefix, 0, h) and text.startswith(suffix, h + n)]
        if whole:
            best = min(whole, key=lambda h: abs(h - start))
        else:
            best = max(
                _nearest(hits, start),
                key=lambda h: (_context_score(text, h, h + n, prefix, suffix), -abs(h - start)),
            )
        return Anchoring("moved", best, best + n)
    best_score, best_span = 0.0, (start, end)
    for s, e in _fuzzy_candidates(text, start, quote, prefix, suffix):
        score = _fuzzy_score(text, s, e, start, quote, prefix, suffix)
        if score > best_score:
            best_score, best_span = score, (s, e)
    if (
        best_score >= FUZZY_THRESHOLD
        and _similarity(quote, text[best_span[0] : best_span[1]]) >= MIN_QUOTE_SIMILARITY
    ):
        return Anchoring("fuzzy", best_span[0], best_span[1], round(best_score, 3))
    return Anchoring("orphaned", start, end, round(best_score, 3))


def _fuzzy_score(text: str, s: int, e: int, old: int, quote: str, prefix: str, suffix: str) -> float:
    q = _similarity(quote, text[s:e])
    p = _similarity(prefix, text[max(0, s - len(prefix)) : s]) if prefix else 1.0
    x = _similarity(suffix, text[e : e + len(suffix)]) if suffix else 1.0
    near = 1.0 - min(1.0, abs(s - old) / max(1, len(text)))
    return (W_QUOTE * q + W_PREFIX * p + W_SUFFIX * x + W_NEAR * near) / (
        W_QUOTE + W_PREFIX + W_SUFFIX + W_NEAR
    )


def _fuzzy_candidates(text: str, old: int, quote: str, prefix: str, suffix: str) -> list[tuple[int, int]]:
    """Plausible spans: located by exact pieces of the quote and its context, then the
    boundaries snapped to where the context agrees."""
    n = len(quote)
    piece = max(4, min(16, n // 3))
    starts: set[int] = set()
    ends: set[int] = set()
    spans: set[tuple[int, int]] = set()
    if len(prefix) >= 4:
        tail = prefix[-min(16, len(prefix)) :]
        for h in _nearest(occurrences(text, tail), old):
            starts.add(h + len(tail))
    if len(suffix) >= 4:
        head = suffix[: min(16, len(suffix))]
        for h in _nearest(occurrences(text, head), old + n):
            ends.add(h)
    if n >= 8:
        for h in _nearest(occurrences(text, quote[:piece]), old):
            starts.add(h)
        for h in _nearest(occurrences(text, quote[-piece:]), old + n):
            ends.add(h + piece)
    for s in starts:
        spans.add((s, min(len(text), s + n)))
        for e in ends:
            if s < e <= s + 2 * n + 8:
                spans.add((s, e))
    for e in ends:
        spans.add((max(0, e - n), e))
    return [(s, e) for s, e in spans if s < e]
