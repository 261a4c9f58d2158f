"""Soft-wrapping a text into visual lines measured in terminal cells.

The app renders only visible lines (Line API), so it needs, for a width, the offset where
each visual line starts, and to map between offsets and (line, cell column). Wide (CJK,
emoji) and zero-width (combining) characters are measured with Rich's cell tables; ASCII
lines take a fast path. Control characters are shown as one-cell placeholders, keeping
one code point per displayed character.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from rich.cells import cell_len, get_character_cell_size

from reader.inert import inert


def displayable(text: str) -> str:
    """``text`` with control characters replaced one for one by visible placeholders."""
    return inert(text, newlines=True)


def char_width(ch: str) -> int:
    return 1 if ch < "\u0300" else get_character_cell_size(ch)


@dataclass
class Layout:
    """Visual lines of a text wrapped to ``width`` cells."""

    text: str
    width: int
    starts: list[int]
    ends: list[int]
    """``ends[i]`` excludes the newline or the space where line ``i`` was wrapped."""

    @property
    def line_count(self) -> int:
        return len(self.starts)

    def line_of(self, offset: int) -> int:
        """The visual line that shows ``offset`` (an offset at a wrap point goes to the next)."""
        return max(0, bisect_right(self.starts, offset) - 1)

    def column_of(self, offset: int) -> int:
        line = self.line_of(offset)
        start = self.starts[line]
        segment = self.text[start : min(offset, self.ends[line])]
        return len(segment) if _narrow(segment) else cell_len(displayable(segment))

    def offset_at(self, line: int, column: int) -> int:
        """The offset shown at cell ``column`` of visual ``line`` (clamped to the line)."""
        line = min(max(line, 0), self.line_count - 1)
        start, end = self.starts[line], self.ends[line]
        segment = self.text[start:end]
        if segment.isascii() or _NOT_NARROW.search(segment) is None:
            return start + min(max(column, 0), end - start)
        cells = 0
        for i, ch in enumerate(displayable(segment)):
            w = char_width(ch)
            if cells + w > column:
                return start + i
            cells += w
        return end


def wrap(text: str, width: int) -> Layout:
    """Wrap ``text`` at spaces to lines of at most ``width`` cells (long words are split)."""
    width = max(width, 8)
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    length = len(text)
    while True:
        nl = text.find("\n", pos)
        line_end = length if nl == -1 else nl
        _wrap_line(text, pos, line_end, width, starts, ends)
        if nl == -1:
            break
        pos = nl + 1
    return Layout(text, width, starts, ends)


# Characters that may not take exactly one cell: controls, combining marks, zero-width and
# bidi controls, scripts rich in combining marks, East Asian wide ranges, emoji. A line with
# none of them is measured by its length; others are measured character by character.
_NOT_NARROW = re.compile(
    "[\x00-\x1f\x7f-\x9f\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f"
    "\u0670\u06d6-\u06ed\u0711\u0730-\u074a\u07a6-\u07b0\u0900-\u0dff\u0e31-\u0e4e"
    "\u0eb1-\u0ecd\u0f18-\u0fbc\u1000-\u109f\u1100-\u115f\u1ab0-\u1aff\u1dc0-\u1dff"
    "\u200b-\u200f\u2028-\u202e\u2060-\u206f\u20d0-\u20ff\u2300-\u23ff\u2600-\u27bf"
    "\u2b00-\u2bff\u2e80-\ua4cf\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\ufe00-\ufe0f"
    "\ufe20-\ufe4f\ufeff\uff00-\uff60\uffe0-\uffe6\U0001f000-\U0001faff\U00020000-\U0003fffd"
    "\U000e0000-\U000e01ef]"
)


def _narrow(line: str) -> bool:
    """Whether every character of ``line`` takes exactly one cell."""
    return line.isascii() or _NOT_NARROW.search(line) is None


def _wrap_line(text: str, start: int, end: int, width: int, starts: list[int], ends: list[int]) -> None:
    line = text[start:end]
    if _narrow(line):
        while end - start > width:
            cut = text.rfind(" ", start, start + width + 1)
            if cut <= start:
                starts.append(start)
                ends.append(start + width)
                start += width
            else:
                starts.append(start)
                ends.append(cut)
                start = cut + 1
        starts.append(start)
        ends.append(end)
        return
    # Slow path: measure cells character by character.
    line_start = start
    cells = 0
    last_space = -1
    i = start
    while i < end:
        ch = text[i]
        w = char_width(displayable(ch))
        if cells + w > width and i > line_start:
            if last_space > line_start:
                starts.append(line_start)
                ends.append(last_space)
                line_start = last_space + 1
            else:
                starts.append(line_start)
                ends.append(i)
                line_start = i
            cells = cell_len(displayable(text[line_start:i]))
            last_space = -1
            continue
        if ch == " ":
            last_space = i
        cells += w
        i += 1
    starts.append(line_start)
    ends.append(end)
