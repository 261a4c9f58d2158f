"""Where an annotation sits in a text: quotes, context and locating a quote by its words.

An annotation keeps the exact quote and up to :data:`CONTEXT` code points either side, so
it can be found again (and checked) whatever the offsets say.
"""

from __future__ import annotations

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
