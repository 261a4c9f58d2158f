"""Sentences, paragraphs and words of a normalised text, as code-point spans.

Pure functions; the app selects and moves by these spans, so every span is trimmed of
surrounding white space and lies inside the text.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from typing import TYPE_CHECKING

from reader.models import Span

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n\s*")
_WORD = re.compile(r"\w+(?:[-'’.]\w+)*", re.UNICODE)

# Abbreviations after which a period does not end a sentence (lower-cased, no dot).
ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof gen lt col maj capt cmdr adm sgt cpl pvt gov sen rep rev fr st jr sr
    pres vs etc inc ltd co corp dept univ no nos vol fig approx est al e.g i.e u.s u.k u.n
    u.s.a jan feb mar apr jun jul aug sep sept oct nov dec mt ft ave blvd
    """.split()
)
_SENTENCE_OPENERS = frozenset(
    "The A An It He She They We I This That These Those There But And Yet So In On At "
    "For If When While After Before Its His Her Their Our Some Many Most".split()
)
_NO_BREAK_BEFORE_NUMBER = frozenset("no nos vol fig art p pp".split())

# A sentence ends at . ! ? (or an ellipsis), then any closing quotes or brackets.
_END = re.compile(r"(?:\.{3}|…|[.!?])[\"'”’»)\]]*(?=\s)")
_CLOSERS = "\"'”’»)]"
_OPENERS = "\"'“‘«(["


def paragraph_spans(text: str) -> list[Span]:
    """Split on blank lines; each span is trimmed and non-empty."""
    spans: list[Span] = []
    pos = 0
    for match in _PARAGRAPH_BREAK.finditer(text):
        _append_trimmed(spans, text, pos, match.start())
        pos = match.end()
    _append_trimmed(spans, text, pos, len(text))
    return spans


def _append_trimmed(spans: list[Span], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append(Span(start, end))


def _is_abbreviation(text: str, period: int, next_start: int) -> bool:
    """Whether the period at ``period`` belongs to an abbreviation or initial."""
    word_start = period
    while word_start > 0 and (text[word_start - 1].isalnum() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start:period].lower()
    if not word:
        return False
    following = text[next_start : next_start + 1]
    if word in ABBREVIATIONS:
        # "U.S." and months may still end a sentence when a capitalised word follows
        # only if the abbreviation is a country; treat titles as never ending one.
        if word in {"u.s", "u.k", "u.n", "u.s.a", "etc"}:
            # "U.S. Army" goes on; "the U.S. The talks ..." ends: only a word that
            # usually opens a sentence ends it.
            next_word = text[next_start : next_start + 12].split(" ", 1)[0].strip("\"“'")
            return next_word not in _SENTENCE_OPENERS
        return True
    if word in _NO_BREAK_BEFORE_NUMBER and following.isdigit():
        return True
    # An initial: a single capital letter ("Pavel S. Grachev", "J. R. R. Tolkien").
    if len(word) == 1 and word.isalpha() and text[word_start].isupper():
        return True
    # Dotted acronyms such as "e.g." or "a.m." followed by a lower-case word.
    if "." in word and not following[:1].isupper():
        return True
    return False


def sentence_spans(text: str) -> list[Span]:
    """Split every paragraph into sentences.

    A break needs an end mark, optional closing quotes or brackets, white space and then
    something that can start a sentence (a capital, a digit, an opening quote or bracket).
    Abbreviations and initials do not end a sentence; a paragraph end always does.
    """
    spans: list[Span] = []
    for para in paragraph_spans(text):
        start = para.start
        for match in _END.finditer(text, para.start, para.end):
            end = match.end()
            nxt = end
            while nxt < para.end and text[nxt].isspace():
                nxt += 1
            if nxt >= para.end:
                break
            first = text[nxt]
            if not (first.isupper() or first.isdigit() or first in _OPENERS):
                continue
            mark = match.start()
            if text[mark] == "." and text[mark : mark + 3] != "..." and _is_abbreviation(text, mark, nxt):
                continue
            _append_trimmed(spans, text, start, end)
            start = nxt
        _append_trimmed(spans, text, start, para.end)
    return spans


def word_spans(text: str) -> list[Span]:
    """Words: runs of letters and digits, with inner hyphens, apostrophes and dots."""
    return [Span(m.start(), m.end()) for m in _WORD.finditer(text)]


def word_starts(text: str) -> list[int]:
    """Where each word of :func:`word_spans` starts."""
    return [m.start() for m in _WORD.finditer(text)]


def count_words(text: str) -> int:
    """The number of words as :func:`word_spans` counts them: runs of word characters,
    runs joined by one ``-``, ``'``, ``’`` or ``.`` counting once."""
    return words_and_terms(text, terms=False)[0]


def lowered_words(text: str) -> set[str]:
    """The distinct runs of letters and digits (``[^\\W_]+``), lower-cased: the words the
    full-text index splits a text into."""
    return words_and_terms(text)[1]


def words_and_terms(text: str, *, terms: bool = True) -> tuple[int, set[str]]:
    """:func:`count_words` and (with ``terms``) :func:`lowered_words` of a text, its
    characters classified once for both."""
    found = _classes_of(text)
    if found is None:
        return len(_WORD.findall(text)), ({w.lower() for w in _ALNUM_RUN.findall(text)} if terms else set())
    codes, classes = found
    import numpy as np

    word = classes != _OTHER
    word[classes == _JOINER] = False
    runs = int(word[0]) + int(np.count_nonzero(word[1:] & ~word[:-1]))
    joins = int(np.count_nonzero((classes[1:-1] == _JOINER) & word[:-2] & word[2:]))
    if not terms:
        return runs - joins, set()
    kept = np.where(classes == _ALNUM, codes, np.uint32(32))
    return runs - joins, set(kept.tobytes().decode("utf-32-le").lower().split())


# Character classes for the two counts above, read from one table instead of a regular
# expression scan (which costs about ten times as much on a dispatch).
_OTHER, _ALNUM, _UNDERSCORE, _JOINER = 0, 1, 2, 3
_TABLE_SIZE = 0x10000
"""Code points the table covers (the Basic Multilingual Plane); others take the regex."""
_SHORT = 64
"""Below this many characters the regular expression is the cheaper way."""
_ALNUM_RUN = re.compile(r"[^\W_]+")


@lru_cache(maxsize=1)
def _class_table() -> NDArray[np.uint8]:
    import numpy as np

    table = np.zeros(_TABLE_SIZE, dtype=np.uint8)
    table[[c for c in range(_TABLE_SIZE) if chr(c).isalnum()]] = _ALNUM
    table[ord("_")] = _UNDERSCORE
    table[[ord(c) for c in "-'’."]] = _JOINER
    return table


def _classes_of(text: str) -> tuple[NDArray[np.uint32], NDArray[np.uint8]] | None:
    """Each character's code point and class, or None where the regular expression should
    answer."""
    if len(text) < _SHORT:
        return None
    import numpy as np

    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    if int(codes.max()) >= _TABLE_SIZE:
        return None
    return codes, _class_table()[codes]


def span_at(spans: list[Span], offset: int) -> Span | None:
    """The span containing ``offset`` (spans sorted and disjoint), else the nearest before."""
    if not spans:
        return None
    starts = [s.start for s in spans]
    i = bisect_right(starts, offset) - 1
    if i < 0:
        return spans[0]
    return spans[i]
