"""Offsets between the ways tools count: UTF-16 code units (Java, JavaScript), and texts
that hold the same characters with different whitespace (token formats)."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right


def astral(text: str) -> list[int]:
    """Code-point offsets of characters that take two UTF-16 code units."""
    return [i for i, ch in enumerate(text) if ord(ch) > 0xFFFF]


def to_utf16(astral_at: list[int], offset: int) -> int:
    return offset + bisect_right(astral_at, offset - 1) if astral_at else offset


def from_utf16(text: str, offset: int) -> int:
    if text.isascii():
        return offset
    units = 0
    for i, ch in enumerate(text):
        if units >= offset:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(text)


def letters(text: str) -> str:
    """The text without whitespace: what two spacings of one text have in common."""
    return "".join(text.split())


def probe(text: str) -> str:
    """A long word near the start of ``text``, to narrow a search for the text."""
    words = [w for w in re.findall(r"\w+", text[:4000]) if w.isalnum()]
    return max(words, key=len) if words else ""


class Respacer:
    """Moves spans from one spacing of a text to another (same letters, same order)."""

    def __init__(self, source: str, target: str) -> None:
        self._source = [i for i, ch in enumerate(source) if not ch.isspace()]
        self._target = [i for i, ch in enumerate(target) if not ch.isspace()]
        if len(self._source) != len(self._target):
            raise ValueError("the texts do not hold the same letters")

    def move(self, start: int, end: int) -> tuple[int, int] | None:
        """The span over the same letters in the target; None if it holds only whitespace."""
        first, stop = bisect_left(self._source, start), bisect_left(self._source, end)
        if stop <= first:
            return None
        return self._target[first], self._target[stop - 1] + 1
